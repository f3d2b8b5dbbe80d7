using System.Text.RegularExpressions;
using FluentAssertions;
using Mimi.Conformance.Reporting;
using Xunit;

namespace Mimi.Conformance.Harness.Tests.Reporting;

public sealed class ConsoleTableWriterTests
{
    [Fact]
    public void Writes_header_one_line_per_requirement_and_totals()
    {
        var report = SampleReports.Create();

        var lines = ConsoleTableWriter.Render(report).Split('\n');

        lines[0].Should().MatchRegex("^VERDICT +ID +LEVEL +CLASS +TITLE$");
        lines[1].Should().StartWith("-------");
        lines.Skip(2).Take(report.Requirements.Count).Select(l => l.Split("  ", StringSplitOptions.RemoveEmptyEntries)[1].Trim())
            .Should().Equal(report.Requirements.Select(r => r.Id));
        lines[2].Should().MatchRegex("^pass +CORE-R1 +MUST +core +Lookup returns every mapping for a CSI$");
        lines[3].Should().StartWith("fail ");
        var totals = lines[report.Requirements.Count + 3];
        totals.Should().Be("11 requirements: 1 fail, 1 error, 1 unstable, 1 warn, 2 untested, 1 not-verifiable, 1 not-applicable, 1 declared, 2 pass; 9 tests. Verdict: non-compliant (exit 1).");
    }

    [Fact]
    public void Columns_align_and_titles_are_cut_to_width()
    {
        var report = SampleReports.Create();
        report = report with
        {
            Requirements = [.. report.Requirements.Select((r, i) => i == 0 ? r with { Title = new string('x', 300) + "\u001b[31m" } : r)],
        };

        var text = ConsoleTableWriter.Render(report, width: 80);

        var rows = text.Split('\n').Skip(2).Take(report.Requirements.Count).ToList();
        rows.Should().OnlyContain(l => l.Length <= 80);
        rows[0].Should().EndWith("…");
        text.Should().NotContain("\u001b");
        rows.Select(l => Regex.Match(l, " (MUST|SHOULD|MAY) ").Index)
            .Distinct().Should().HaveCount(1, "the level column starts at the same offset on every row");
    }

    [Fact]
    public void Incomplete_runs_say_so()
    {
        ConsoleTableWriter.Totals(SampleReports.Create(complete: false)).Should().EndWith("INCOMPLETE: 7 of 9 planned tests ran.");
    }
}
