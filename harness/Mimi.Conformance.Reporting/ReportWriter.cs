using Mimi.Conformance.Harness.Results;

namespace Mimi.Conformance.Reporting;

/// <summary>The formats of a run's report directory (reports/&lt;run-id&gt;/), written together.</summary>
public static class ReportWriter
{
    public static ReportJsonWriter Json { get; } = new();

    public static HtmlReportWriter Html { get; } = new();

    public static JUnitWriter JUnit { get; } = new();

    public static SummaryMarkdownWriter Summary { get; } = new();

    public static BadgeSvgWriter Badge { get; } = new();

    private static IReadOnlyList<IReportWriter<ConformanceReport>> Files => [Json, Html, JUnit, Summary, Badge];

    /// <summary>The files <see cref="WriteAll"/> writes, in the order it writes them.</summary>
    public static IReadOnlyList<string> FileNames { get; } = [.. Files.Select(f => f.FileName)];

    /// <summary>
    /// Writes report.json, report.html, junit.xml, summary.md and badge.svg into <paramref name="directory"/>
    /// (created if missing), each atomically, plus the allure-results/ directory; returns the full paths of the files.
    /// </summary>
    public static IReadOnlyList<string> WriteAll(ConformanceReport report, string directory)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var root = Path.GetFullPath(directory);
        Directory.CreateDirectory(root);
        var written = Files.Select(f => f.WriteInto(report, root)).ToList();
        AllureResultsWriter.Write(report, root);
        return written;
    }
}
