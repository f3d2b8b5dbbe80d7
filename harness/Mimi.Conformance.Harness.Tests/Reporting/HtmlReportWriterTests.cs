using System.Text.RegularExpressions;
using FluentAssertions;
using Mimi.Conformance.Reporting;
using Mimi.Conformance.Harness.Results;
using Xunit;

namespace Mimi.Conformance.Harness.Tests.Reporting;

public sealed partial class HtmlReportWriterTests
{
    private static readonly string Html = ReportWriter.Html.Render(SampleReports.Create(complete: false));

    /// <summary>Every test's evidence fragment, inflated as the page's script does.</summary>
    private static readonly string Evidence = Inflated(Html);

    internal static string Inflated(string html)
    {
        var map = System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, string>>(EmbeddedJson().Match(html).Groups[1].Value)!;
        return string.Join("\n", map.Values.SelectMany(b => HtmlReportWriter.Inflate(b).Values));
    }

    [Fact]
    public void Hostile_text_is_escaped_everywhere()
    {
        (Html + Evidence).Should().NotContainEquivalentOf("<script>alert");
        (Html + Evidence).Should().NotContainEquivalentOf("<img");
        (Html + Evidence).Should().NotContain("]]>");
        (Html + Evidence).Should().NotContain("\u0001", "control characters are shown as control pictures");
        (Html + Evidence).Should().NotContain("\u202E", "bidi overrides are shown as escapes");
        (Html + Evidence).Should().Contain("&lt;script&gt;alert(1)&lt;/script&gt;");
        (Html + Evidence).Should().Contain("\u2401", "U+0001 is rendered as its control picture");
        (Html + Evidence).Should().Contain("&quot;&gt;&lt;script&gt;", "header values are escaped");
    }

    [Fact]
    public void Only_the_two_own_script_elements_exist()
    {
        ScriptOpen().Matches(Html).Should().HaveCount(2);
        Html.Should().Contain("<script type=\"application/json\" id=\"report-evidence\">");
        Regex.Matches(Html, "</script", RegexOptions.IgnoreCase).Should().HaveCount(2);
    }

    [Fact]
    public void Makes_no_external_requests()
    {
        ExternalReference().Matches(Html).Select(m => m.Value).Should().BeEmpty();
        Html.Should().NotContainEquivalentOf("<link").And.NotContainEquivalentOf("@import").And.NotContainEquivalentOf("<iframe");
        CssUrl().Matches(Html).Should().BeEmpty();
        Html.Should().Contain("Content-Security-Policy").And.Contain("default-src 'none'");
    }

    [Fact]
    public void Embedded_evidence_is_compressed_and_escaped()
    {
        var match = EmbeddedJson().Match(Html);
        match.Success.Should().BeTrue();
        match.Groups[1].Value.Should().NotContain("<").And.NotContain("alert", "the evidence is gzip and base64");

        Evidence.Should().NotContainEquivalentOf("<script>alert").And.Contain("&lt;script&gt;alert(1)&lt;/script&gt;");
        Html.Should().NotContain("id=\"r1-t0-repro\"", "evidence is not in the page's markup until a row is opened");
    }

    [Fact]
    public void Has_the_filter_controls_and_one_row_per_requirement()
    {
        var report = SampleReports.Create();
        var html = ReportWriter.Html.Render(report);

        foreach (var id in new[] { "filter-class", "filter-level", "filter-verdict", "search", "visible-count", "no-match", "report-evidence", "overall-verdict", "triage", "next-steps", "class-verdicts" })
        {
            html.Should().Contain("id=\"" + id + "\"");
        }

        var rows = RequirementRow().Matches(html);
        rows.Should().HaveCount(report.Requirements.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            var requirement = report.Requirements[i];
            var row = rows[i].Value;
            row.Should().Contain("data-id=\"" + requirement.Id + "\"")
                .And.Contain("data-verdict=\"" + requirement.Verdict.ToWire() + "\"")
                .And.Contain("data-level=\"" + requirement.Level + "\"")
                .And.Contain("data-class=\"" + requirement.Class + "\"")
                .And.Contain("aria-controls=\"r" + i + "-detail\"");
        }

        foreach (var verdict in Enum.GetValues<Verdict>())
        {
            html.Should().Contain("<option value=\"" + verdict.ToWire() + "\">", "the verdict filter offers every verdict");
        }

        html.Should().Contain("<option value=\"tag-privacy\">tag-privacy</option>").And.Contain("<option value=\"SHOULD\">SHOULD</option>");
    }

    [Fact]
    public void Shows_header_classes_untested_and_evidence()
    {
        Html.Should().Contain("id=\"overall-verdict\" data-verdict=\"non-compliant\"");
        Html.Should().Contain("https://dp.example.test:8443").And.Contain("20260102T030405Z-7f3a").And.Contain("mimi-dp-profile/0.1");
        Html.Should().Contain("2026-01-02 03:04:05Z").And.Contain("12.3 s");
        Html.Should().Contain("2/10 requirements pass");
        Html.Should().Contain("id=\"incomplete-banner\"").And.Contain("7 of 9 planned tests");

        Regex.Matches(Html, "<tr class=\"class-row\"").Should().HaveCount(5);
        var untested = Regex.Match(Html, "<ul class=\"id-list\" id=\"untested-must-list\">(.*?)</ul>", RegexOptions.Singleline);
        untested.Success.Should().BeTrue();
        untested.Groups[1].Value.Should().Contain("data-id=\"LIFE-REISSUE-1\"").And.NotContain("CORE-R9", "MAY requirements are not untested MUSTs");

        Evidence.Should().Contain("<pre class=\"reproducer\" id=\"r1-t0-repro\">curl --cacert ca.pem -X POST");
        Regex.Matches(Evidence, "<pre class=\"reproducer\"").Should().HaveCount(4, "fail, error, unstable and warn tests carry reproducers; passes do not");
        Evidence.Should().Contain("<pre class=\"cbor\"").And.Contain("98(");
        Evidence.Should().Contain("<span class=\"method\">POST</span>").And.Contain("<span class=\"status status-2xx\">200</span>");
        Evidence.Should().Contain("<span class=\"status status-none\">no response</span>").And.Contain("connection reset by peer");
        Evidence.Should().Contain("<tr class=\"check check-fail\" data-passed=\"false\">");
        Evidence.Should().Contain("<span class=\"h-name\">authorization</span>: [redacted]");
        Html.Should().Contain("id=\"gating-failures\"").And.Contain("class=\"why\"");
    }

    [Fact]
    public void Compliant_report_renders_without_failure_sections()
    {
        var html = ReportWriter.Html.Render(SampleReports.Compliant());

        html.Should().Contain("data-verdict=\"compliant\"").And.Contain("id=\"untested-must-none\"");
        html.Should().NotContain("id=\"gating-failures\"").And.NotContain("<pre class=\"reproducer\"");
    }

    [Fact]
    public void Stream_output_is_utf8_without_bom()
    {
        using var stream = new MemoryStream();
        ReportWriter.Html.Write(SampleReports.Create(), stream);

        var bytes = stream.ToArray();
        bytes.Take(3).Should().NotEqual(new byte[] { 0xEF, 0xBB, 0xBF });
        System.Text.Encoding.UTF8.GetString(bytes).Should().StartWith("<!DOCTYPE html>");
    }

    [GeneratedRegex("<script\\b", RegexOptions.IgnoreCase)]
    private static partial Regex ScriptOpen();

    [GeneratedRegex("\\b(?:src|href|action|formaction|srcset|poster|data|background|xlink:href)\\s*=\\s*[\"']?\\s*(?:[a-z][a-z0-9+.-]*:|//)", RegexOptions.IgnoreCase)]
    private static partial Regex ExternalReference();

    [GeneratedRegex("url\\(\\s*[\"']?\\s*(?:https?:|//)", RegexOptions.IgnoreCase)]
    private static partial Regex CssUrl();

    [GeneratedRegex("<script type=\"application/json\" id=\"report-evidence\">(.*?)</script>", RegexOptions.Singleline)]
    private static partial Regex EmbeddedJson();

    [GeneratedRegex("<tr class=\"req-row\"[^>]*>")]
    private static partial Regex RequirementRow();
}
