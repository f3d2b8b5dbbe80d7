using System.Globalization;
using System.Text;
using Mimi.Conformance.Harness.Results;

namespace Mimi.Conformance.Reporting;

/// <summary>
/// Plain-text requirement table for the terminal: verdict, id, level, class, title, then a totals line.
/// No ANSI colours (the CLI may add them); control characters in report text are made visible so a
/// DP-influenced string cannot drive the terminal.
/// </summary>
public static class ConsoleTableWriter
{
    public const int DefaultWidth = 120;

    public static void Write(ConformanceReport report, TextWriter writer, int width = DefaultWidth)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(writer);
        string[] headers = ["VERDICT", "ID", "LEVEL", "CLASS", "TITLE"];
        var rows = report.Requirements
            .Select(r => new[]
            {
                r.Verdict.ToWire(),
                ReportText.OneLine(r.Id, 60),
                ReportText.OneLine(r.Level, 10),
                ReportText.OneLine(r.Class, 30),
                ReportText.OneLine(r.Title),
            })
            .ToList();

        var widths = new int[headers.Length];
        for (var c = 0; c < headers.Length - 1; c++)
        {
            widths[c] = rows.Select(r => r[c].Length).Append(headers[c].Length).Max();
        }

        var fixedWidth = widths.Take(headers.Length - 1).Sum() + (2 * (headers.Length - 1));
        var titleWidth = Math.Max(20, width - fixedWidth);

        WriteRow(writer, headers, widths, titleWidth);
        WriteRow(writer, headers.Select((h, i) => new string('-', i == headers.Length - 1 ? Math.Min(titleWidth, 40) : widths[i])).ToArray(), widths, titleWidth);
        foreach (var row in rows)
        {
            WriteRow(writer, row, widths, titleWidth);
        }

        writer.Write('\n');
        writer.Write(Totals(report));
        writer.Write('\n');
    }

    public static string Render(ConformanceReport report, int width = DefaultWidth)
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        Write(report, writer, width);
        return writer.ToString();
    }

    /// <summary>"30 requirements: 27 pass, 1 fail, 1 warn, 1 untested; 41 tests. Verdict: non-compliant (exit 1)."</summary>
    public static string Totals(ConformanceReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var counts = ReportFacts.RequirementCounts(report);
        var tests = ReportFacts.TestCounts(report).Values.Sum();
        var parts = ReportFacts.VerdictsWorstFirst
            .Where(v => counts[v] > 0)
            .Select(v => FormattableString.Invariant($"{counts[v]} {v.ToWire()}"));
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"{report.Requirements.Count} requirements");
        var breakdown = string.Join(", ", parts);
        if (breakdown.Length > 0)
        {
            sb.Append(": ").Append(breakdown);
        }

        sb.Append(CultureInfo.InvariantCulture, $"; {tests} tests. Verdict: {report.Summary.Verdict.ToWire()} (exit {report.Summary.ExitCode}){ReportFacts.VerifiedNote(report)}.");
        if (!report.Run.Completeness.Complete)
        {
            sb.Append(CultureInfo.InvariantCulture, $" INCOMPLETE: {report.Run.Completeness.Executed} of {report.Run.Completeness.Planned} planned tests ran.");
        }

        return sb.ToString();
    }

    private static void WriteRow(TextWriter writer, string[] cells, int[] widths, int titleWidth)
    {
        var sb = new StringBuilder();
        for (var c = 0; c < cells.Length - 1; c++)
        {
            sb.Append(cells[c].PadRight(widths[c])).Append("  ");
        }

        var title = cells[^1];
        sb.Append(title.Length > titleWidth ? string.Concat(title.AsSpan(0, titleWidth - 1), "…") : title);
        writer.Write(sb.ToString().TrimEnd());
        writer.Write('\n');
    }
}
