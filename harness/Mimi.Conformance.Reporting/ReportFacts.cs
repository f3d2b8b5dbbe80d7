using System.Globalization;
using System.Text;
using Mimi.Conformance.Harness.Results;

namespace Mimi.Conformance.Reporting;

/// <summary>Figures and wording every renderer shares, computed from the report's requirement list.</summary>
internal static class ReportFacts
{
    /// <summary>Verdicts worst first: the order of every count table and filter.</summary>
    public static IReadOnlyList<Verdict> VerdictsWorstFirst { get; } =
        [Verdict.Fail, Verdict.Error, Verdict.Unstable, Verdict.Warn, Verdict.Untested, Verdict.NotVerifiable, Verdict.NotApplicable, Verdict.Declared, Verdict.Pass];

    public static IReadOnlyList<string> Levels { get; } = ["MUST", "SHOULD", "MAY"];

    /// <summary>"; 40 of 56 gated items verified, not verifiable: A, B": what a verdict other than compliant rests on.</summary>
    public static string VerifiedNote(ConformanceReport report)
    {
        var v = report.Summary.Verification;
        if (v.Gated == 0)
            return string.Empty;
        var note = FormattableString.Invariant($"; {v.Observed} of {v.Gated} gated items verified");
        if (v.NotVerifiable.Count > 0)
            note += "; not verifiable: " + string.Join(", ", v.NotVerifiable.Take(8)) + (v.NotVerifiable.Count > 8 ? FormattableString.Invariant($" and {v.NotVerifiable.Count - 8} more") : "");
        if (v.Accepted.Count > 0)
            note += "; accepted not verifiable: " + string.Join(", ", v.Accepted);
        return note;
    }

    public static IReadOnlyDictionary<Verdict, int> RequirementCounts(ConformanceReport report) =>
        Count(report.Requirements.Select(r => r.Verdict));

    public static IReadOnlyDictionary<Verdict, int> TestCounts(ConformanceReport report) =>
        Count(report.Requirements.SelectMany(r => r.Tests).Select(t => t.Verdict));

    public static IReadOnlyDictionary<Verdict, int> Count(IEnumerable<Verdict> verdicts)
    {
        var counts = VerdictsWorstFirst.ToDictionary(v => v, _ => 0);
        foreach (var verdict in verdicts)
        {
            counts[verdict] = counts.GetValueOrDefault(verdict) + 1;
        }

        return counts;
    }

    /// <summary>Requirements that pass, out of those that apply (everything but not-applicable): the badge's "27/30".</summary>
    public static (int Passed, int Applicable) PassRatio(ConformanceReport report)
    {
        var applicable = report.Requirements.Count(r => r.Verdict != Verdict.NotApplicable);
        var passed = report.Requirements.Count(r => r.Verdict == Verdict.Pass);
        return (passed, applicable);
    }

    /// <summary>Classes in report order, then any class a requirement names that the class list lacks.</summary>
    public static IReadOnlyList<string> ClassNames(ConformanceReport report) =>
        report.Classes.Select(c => c.Class)
            .Concat(report.Requirements.Select(r => r.Class))
            .Distinct(StringComparer.Ordinal)
            .ToList();

    /// <summary>Levels in MUST, SHOULD, MAY order, then any other level the catalog uses.</summary>
    public static IReadOnlyList<string> LevelNames(ConformanceReport report) =>
        Levels.Where(l => report.Requirements.Any(r => string.Equals(r.Level, l, StringComparison.OrdinalIgnoreCase)))
            .Concat(report.Requirements.Select(r => r.Level)
                .Where(l => !Levels.Contains(l, StringComparer.OrdinalIgnoreCase))
                .Distinct(StringComparer.Ordinal)
                .Order(StringComparer.Ordinal))
            .ToList();

    public static IReadOnlyList<RequirementResult> UntestedMust(ConformanceReport report)
    {
        var named = new HashSet<string>(report.Summary.UntestedMust, StringComparer.Ordinal);
        return report.Requirements
            .Where(r => named.Contains(r.Id)
                || (r.Verdict == Verdict.Untested && string.Equals(r.Level, "MUST", StringComparison.OrdinalIgnoreCase)))
            .ToList();
    }

    public static bool IsProblem(Verdict verdict) => verdict is Verdict.Fail or Verdict.Error or Verdict.Unstable or Verdict.Warn;

    /// <summary>"1.2 s", "350 ms", "2 min 05 s".</summary>
    public static string FormatDuration(double milliseconds)
    {
        if (double.IsNaN(milliseconds) || milliseconds < 0)
        {
            return "-";
        }

        if (milliseconds < 1)
        {
            return milliseconds.ToString("0.##", CultureInfo.InvariantCulture) + " ms";
        }

        if (milliseconds < 1000)
        {
            return milliseconds.ToString("0", CultureInfo.InvariantCulture) + " ms";
        }

        if (milliseconds < 60_000)
        {
            return (milliseconds / 1000).ToString("0.0", CultureInfo.InvariantCulture) + " s";
        }

        var span = TimeSpan.FromMilliseconds(milliseconds);
        return (int)span.TotalMinutes + " min " + span.Seconds.ToString("00", CultureInfo.InvariantCulture) + " s";
    }

    /// <summary>UTC, second precision, ISO 8601 with a Z: "2026-01-01T12:00:00Z".</summary>
    public static string FormatTimestamp(DateTimeOffset at) =>
        at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>Seconds with millisecond precision, invariant, no exponent: what JUnit's xs:decimal wants.</summary>
    public static string Seconds(long milliseconds) =>
        (Math.Max(0, milliseconds) / 1000m).ToString("0.000", CultureInfo.InvariantCulture);
}
