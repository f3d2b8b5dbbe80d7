using FluentAssertions;
using Mimi.Conformance.Reporting;
using Xunit;

namespace Mimi.Conformance.Harness.Tests.Reporting;

public sealed class SummaryMarkdownWriterTests
{
    private static readonly string Markdown = ReportWriter.Summary.Render(SampleReports.Create(complete: false));

    [Fact]
    public void Starts_with_the_verdict_line()
    {
        Markdown.Should().StartWith("## ❌ MIMI DP conformance: **non-compliant** (2/10 requirements pass, exit code 1)\n");
    }

    [Fact]
    public void Has_the_counts_table()
    {
        Markdown.Should().Contain("| Verdict | Requirements | Tests |\n|:--|--:|--:|\n| fail | 1 | 1 |\n| error | 1 | 1 |\n| unstable | 1 | 1 |\n| warn | 1 | 1 |\n| untested | 2 | 0 |\n");
        Markdown.Should().Contain("| declared | 1 | 1 |\n| pass | 2 | 2 |\n| **total** | **11** | **9** |\n");
        Markdown.Should().Contain("| core | yes | fail | 7 |");
    }

    [Fact]
    public void Lists_failures_warnings_and_untested_musts_with_reasons()
    {
        Markdown.Should().Contain("### Failing requirements (1)\n\n- **CORE\\-R3**".Replace("\\-", "-", StringComparison.Ordinal));
        Markdown.Should().Contain("(MUST, core, gating) Lookup answers with signed mappings only");
        Markdown.Should().Contain("  - Mapping signature verifies: COSE\\_Sign signature does not verify: &lt;img src=x onerror=alert\\(1\\)&gt; \\\\u0001");
        Markdown.Should().Contain("### Errors (1)").And.Contain("DP unreachable");
        Markdown.Should().Contain("### Warnings (1)").And.Contain("- **CORE-R7** (SHOULD, core) Errors are problem+json");
        Markdown.Should().Contain("### Untested MUST requirements (1)\n\n- **LIFE-REISSUE-1** ");
        Markdown.Should().NotContain("CORE-R9", "a MAY requirement is no untested MUST");
        Markdown.Should().Contain("> [!WARNING]\n> **Incomplete run:** 7 of 9 planned tests ran");
    }

    [Fact]
    public void Dp_text_cannot_inject_markdown_or_html()
    {
        Markdown.Should().NotContain("<img").And.NotContain("<b>").And.NotContain("\u0001");
        SummaryMarkdownWriter.Escape("![x](https://evil.example/p.png) | <b> `code` @team #1\nnext")
            .Should().Be("\\!\\[x\\]\\(https://evil.example/p.png\\) \\| &lt;b&gt; \\`code\\` \\@team \\#1 next");
    }

    [Fact]
    public void Compliant_report_has_no_problem_sections()
    {
        var markdown = ReportWriter.Summary.Render(SampleReports.Compliant());

        markdown.Should().StartWith("## ✅ MIMI DP conformance: **compliant** (2/2 requirements pass, exit code 0)");
        markdown.Should().NotContain("### Failing").And.NotContain("### Untested").And.NotContain("Incomplete");
    }
}
