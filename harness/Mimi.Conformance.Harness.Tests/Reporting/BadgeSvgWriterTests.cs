using System.Xml.Linq;
using FluentAssertions;
using Mimi.Conformance.Reporting;
using Xunit;
using Mimi.Conformance.Harness.Results;

namespace Mimi.Conformance.Harness.Tests.Reporting;

public sealed class BadgeSvgWriterTests
{
    [Fact]
    public void Non_compliant_badge_is_red_with_counts()
    {
        var svg = ReportWriter.Badge.Render(SampleReports.Create());

        var doc = XDocument.Parse(svg);
        doc.Root!.Name.LocalName.Should().Be("svg");
        ((string)doc.Root.Attribute("aria-label")!).Should().Be("MIMI DP: non-compliant 2/10");
        svg.Should().Contain("fill=\"#e05d44\"").And.Contain(">MIMI DP</text>").And.Contain(">non-compliant 2/10</text>");
    }

    [Fact]
    public void Compliant_badge_is_green()
    {
        var (message, color) = BadgeSvgWriter.Describe(SampleReports.Compliant());

        message.Should().Be("compliant 2/2");
        color.Should().Be("#44cc11");
    }

    [Fact]
    public void Error_badge_is_grey_without_counts()
    {
        var report = SampleReports.Create();
        report = report with { Summary = report.Summary with { Verdict = RunVerdict.Error, ExitCode = 2 } };

        var svg = ReportWriter.Badge.Render(report);

        BadgeSvgWriter.Describe(report).Should().Be(("error", "#9f9f9f"));
        XDocument.Parse(svg).Root!.Attribute("width")!.Value.Should().MatchRegex("^[0-9]+$");
    }

    [Fact]
    public void Width_grows_with_the_message()
    {
        static double Width(string svg) => double.Parse(XDocument.Parse(svg).Root!.Attribute("width")!.Value, System.Globalization.CultureInfo.InvariantCulture);
        var report = SampleReports.Create();

        Width(ReportWriter.Badge.Render(report)).Should().BeGreaterThan(Width(ReportWriter.Badge.Render(SampleReports.Compliant())));
    }
}
