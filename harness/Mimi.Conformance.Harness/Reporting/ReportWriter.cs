using Mimi.Conformance.Harness.Results;

namespace Mimi.Conformance.Harness.Reporting;

/// <summary>Writes every file renderer of a run into its report directory (reports/&lt;run-id&gt;/).</summary>
internal static class ReportWriter
{
    /// <summary>The files <see cref="WriteAll"/> writes, in the order it writes them.</summary>
    public static IReadOnlyList<string> FileNames { get; } =
    [
        ReportJson.FileName,
        HtmlReportWriter.FileName,
        JUnitWriter.FileName,
        SummaryMarkdownWriter.FileName,
        BadgeSvgWriter.FileName,
    ];

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
        string At(string name) => Path.Combine(root, name);

        ReportJson.WriteFile(report, At(ReportJson.FileName));
        HtmlReportWriter.WriteFile(report, At(HtmlReportWriter.FileName));
        JUnitWriter.WriteFile(report, At(JUnitWriter.FileName));
        SummaryMarkdownWriter.WriteFile(report, At(SummaryMarkdownWriter.FileName));
        BadgeSvgWriter.WriteFile(report, At(BadgeSvgWriter.FileName));
        AllureResultsWriter.Write(report, root);
        return FileNames.Select(At).ToList();
    }
}
