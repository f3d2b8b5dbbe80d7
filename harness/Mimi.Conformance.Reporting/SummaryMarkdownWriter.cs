using System.Globalization;
using System.Text;
using Mimi.Conformance.Harness.Results;

namespace Mimi.Conformance.Reporting;

/// <summary>
/// summary.md for CI step summaries ($GITHUB_STEP_SUMMARY and the like): verdict line, counts table,
/// classes, failing / erroring / warning requirements with their reasons, untested MUSTs.
/// DP-provided text is escaped so it renders as text: no markup, links, images or table breaks.
/// </summary>
public sealed class SummaryMarkdownWriter() : TextReportWriter<ConformanceReport>(FileName)
{
    public const string FileName = "summary.md";

    private const int ReasonLimit = 300;

    public override void Write(ConformanceReport document, TextWriter writer)
    {
        var report = document;
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(writer);
        var run = report.Run;
        var summary = report.Summary;
        var (passed, applicable) = ReportFacts.PassRatio(report);
        var icon = summary.Verdict switch
        {
            RunVerdict.Compliant => "✅",
            RunVerdict.NonCompliant => "❌",
            RunVerdict.Incomplete => "⏸️",
            _ => "⚠️",
        };

        writer.Write("## ");
        writer.Write(icon);
        writer.Write(" MIMI DP conformance: **");
        writer.Write(Escape(summary.Verdict.ToWire()));
        writer.Write("**");
        writer.Write(Invariant($" ({passed}/{applicable} requirements pass, exit code {summary.ExitCode}){ReportFacts.VerifiedNote(report)}"));
        writer.Write("\n\n");

        writer.Write("**Target:** ");
        writer.Write(Escape(run.Target));
        writer.Write(" (");
        writer.Write(Escape(run.TargetKind));
        writer.Write(") · **run** ");
        writer.Write(Escape(run.Id));
        writer.Write(" · **suite** ");
        writer.Write(Escape(run.SuiteVersion));
        writer.Write(" · **profile** ");
        writer.Write(Escape(run.ProfileVersion));
        writer.Write(" · ");
        writer.Write(Escape(ReportFacts.FormatDuration(run.DurationMs)));
        writer.Write(" · started ");
        writer.Write(Escape(ReportFacts.FormatTimestamp(run.StartedAt)));
        writer.Write(" · fail on **");
        writer.Write(Escape(run.FailOn));
        writer.Write("**\n");
        if (run.Filters.Count > 0)
        {
            writer.Write("\n**Filters:** ");
            writer.Write(string.Join(", ", run.Filters.Select(f => Escape(f))));
            writer.Write('\n');
        }

        if (run.Faults.Count > 0)
        {
            writer.Write("\n**Reference DP fault modes:** ");
            writer.Write(string.Join(", ", run.Faults.Select(f => Escape(f))));
            writer.Write('\n');
        }

        if (!run.Completeness.Complete)
        {
            writer.Write("\n> [!WARNING]\n> **Incomplete run:** ");
            writer.Write(Invariant($"{run.Completeness.Executed} of {run.Completeness.Planned} planned tests ran"));
            if (!string.IsNullOrWhiteSpace(run.Completeness.Reason))
            {
                writer.Write(" (");
                writer.Write(Escape(run.Completeness.Reason, ReasonLimit));
                writer.Write(')');
            }

            writer.Write(". This is not a full certification.\n");
        }

        var requirementCounts = ReportFacts.RequirementCounts(report);
        var testCounts = ReportFacts.TestCounts(report);
        writer.Write("\n| Verdict | Requirements | Tests |\n|:--|--:|--:|\n");
        foreach (var verdict in ReportFacts.VerdictsWorstFirst)
        {
            if (requirementCounts[verdict] == 0 && testCounts[verdict] == 0)
            {
                continue;
            }

            writer.Write(Invariant($"| {verdict.ToWire()} | {requirementCounts[verdict]} | {testCounts[verdict]} |\n"));
        }

        writer.Write(Invariant($"| **total** | **{report.Requirements.Count}** | **{testCounts.Values.Sum()}** |\n"));

        var classNames = ReportFacts.ClassNames(report);
        if (classNames.Count > 0)
        {
            writer.Write("\n| Class | Claimed | Verdict | Requirements |\n|:--|:--|:--|--:|\n");
            foreach (var name in classNames)
            {
                var declared = report.Classes.FirstOrDefault(c => c.Class == name);
                var members = report.Requirements.Where(r => r.Class == name).ToList();
                var verdict = declared?.Verdict ?? VerdictNames.Worst(members.Select(r => r.Verdict));
                writer.Write("| ");
                writer.Write(Escape(name));
                writer.Write(" | ");
                writer.Write(declared is null ? "-" : declared.Claimed ? "yes" : "no");
                writer.Write(" | ");
                writer.Write(verdict.ToWire());
                writer.Write(" | ");
                writer.Write(members.Count.ToString(CultureInfo.InvariantCulture));
                writer.Write(" |\n");
            }
        }

        Section(writer, "Failing requirements", report.Requirements.Where(r => r.Verdict == Verdict.Fail));
        Section(writer, "Errors", report.Requirements.Where(r => r.Verdict == Verdict.Error));
        Section(writer, "Unstable requirements (repetitions disagree)", report.Requirements.Where(r => r.Verdict == Verdict.Unstable));
        Section(writer, "Warnings", report.Requirements.Where(r => r.Verdict == Verdict.Warn));

        var untested = ReportFacts.UntestedMust(report);
        if (untested.Count > 0)
        {
            writer.Write(Invariant($"\n### Untested MUST requirements ({untested.Count})\n\n"));
            foreach (var requirement in untested)
            {
                writer.Write("- **");
                writer.Write(Escape(requirement.Id));
                writer.Write("** ");
                writer.Write(Escape(requirement.Title));
                writer.Write(" (");
                writer.Write(Escape(requirement.Class));
                writer.Write(")\n");
            }
        }

        writer.Write("\nFull evidence per requirement and exchange: `report.html`; machine-readable: `report.json`.\n");
    }

    private static void Section(TextWriter writer, string title, IEnumerable<RequirementResult> requirements)
    {
        var list = requirements.ToList();
        if (list.Count == 0)
        {
            return;
        }

        writer.Write(Invariant($"\n### {title} ({list.Count})\n\n"));
        foreach (var requirement in list)
        {
            writer.Write("- **");
            writer.Write(Escape(requirement.Id));
            writer.Write("** (");
            writer.Write(Escape(requirement.Level));
            writer.Write(", ");
            writer.Write(Escape(requirement.Class));
            writer.Write(requirement.Gating ? ", gating" : string.Empty);
            writer.Write(") ");
            writer.Write(Escape(requirement.Title));
            writer.Write('\n');
            foreach (var test in requirement.Tests.Where(t => t.Verdict == requirement.Verdict))
            {
                writer.Write("  - ");
                writer.Write(Escape(test.Name));
                if (!string.IsNullOrWhiteSpace(test.Reason))
                {
                    writer.Write(": ");
                    writer.Write(Escape(test.Reason, ReasonLimit));
                }

                writer.Write('\n');
            }
        }
    }

    /// <summary>
    /// Makes text inert in GitHub-flavoured markdown: one line, bounded; every markdown-significant ASCII
    /// punctuation mark that can start markup mid-line backslash-escaped ('|' for table cells, '!' and '[' for
    /// images and links, '@' and '#' for mentions and issue links, '$' for math);
    /// &amp;, &lt; and &gt; as entities so no raw HTML gets through.
    /// </summary>
    internal static string Escape(string? text, int maxLength = 500)
    {
        var line = ReportText.OneLine(text, maxLength);
        var sb = new StringBuilder(line.Length + 16);
        foreach (var c in line)
        {
            switch (c)
            {
                case '&':
                    sb.Append("&amp;");
                    break;
                case '<':
                    sb.Append("&lt;");
                    break;
                case '>':
                    sb.Append("&gt;");
                    break;
                case '\\' or '`' or '*' or '_' or '{' or '}' or '[' or ']' or '(' or ')' or '#' or '!' or '|' or '~'
                    or '@' or '$':
                    sb.Append('\\').Append(c);
                    break;
                default:
                    sb.Append(c);
                    break;
            }
        }

        return sb.ToString();
    }

    private static string Invariant(FormattableString text) => FormattableString.Invariant(text);
}
