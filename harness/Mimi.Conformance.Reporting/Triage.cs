using System.Globalization;
using Mimi.Conformance.Harness.Results;

namespace Mimi.Conformance.Reporting;

/// <summary>A requirement or rule in a triage group, with the report anchor it links to and its one-line reason.</summary>
internal sealed record TriageItem(string Id, string Anchor, string Reason, bool Gating);

/// <summary>What a kind of triage group means for the person acting on the report.</summary>
internal enum TriageKind { RootCause, Error, NotVerifiable, NotApplicable }

/// <summary>Items that share one cause (the same failing check on the same endpoint) or one remedy (the same reason).</summary>
internal sealed record TriageGroup(TriageKind Kind, string Cause, string Endpoint, IReadOnlyList<TriageItem> Items)
{
    public bool Gating => Items.Any(i => i.Gating);
}

/// <summary>The "what to do next" panel's groups, most urgent first (gating, then largest).</summary>
internal static class Triage
{
    /// <summary>DOM ids of test articles ("r3-t0") by test result id, first occurrence.</summary>
    public static Dictionary<string, string> TestAnchors(ConformanceReport report)
    {
        var anchors = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < report.Requirements.Count; i++)
        {
            for (var t = 0; t < report.Requirements[i].Tests.Count; t++)
                anchors.TryAdd(report.Requirements[i].Tests[t].Id, Invariant($"r{i}-t{t}"));
        }

        return anchors;
    }

    public static IReadOnlyList<TriageGroup> Groups(ConformanceReport report)
    {
        var tests = TestAnchors(report);
        var rows = report.Requirements.Select((r, i) => (r.Id, Row: Invariant($"r{i}"))).DistinctBy(x => x.Id).ToDictionary(x => x.Id, x => x.Row, StringComparer.Ordinal);
        var groups = new List<TriageGroup>();

        // Failures: the same first failing check on the same endpoint is one root cause, whichever rules it breaks.
        var problems = report.Requirements
            .SelectMany(r => r.Tests.Where(t => ReportFacts.IsProblem(t.Verdict)).Select(t => (Requirement: r, Test: t)))
            .Select(x => (x.Requirement, x.Test, Key: CauseOf(x.Test)))
            .GroupBy(x => (x.Test.Verdict == Verdict.Error, x.Key.Cause, x.Key.Endpoint));
        foreach (var g in problems)
        {
            var items = new List<TriageItem>();
            foreach (var (requirement, test, _) in g)
            {
                var anchor = tests.GetValueOrDefault(test.Id, rows.GetValueOrDefault(requirement.Id, "requirements"));
                if (ReportFacts.IsProblem(requirement.Verdict))
                    items.Add(new TriageItem(requirement.Id, rows.GetValueOrDefault(requirement.Id, anchor), OneLine(test.Reason), requirement.Gating));
                foreach (var rule in report.Rules.Where(rule => ReportFacts.IsProblem(rule.Verdict) && rule.Tests.Any(rt => rt.Id == test.Id && ReportFacts.IsProblem(rt.Verdict))))
                    items.Add(new TriageItem(rule.Id, anchor, OneLine(rule.Tests.First(rt => rt.Id == test.Id).Reason ?? test.Reason), rule.Gating));
            }

            if (items.Count > 0)
                groups.Add(new TriageGroup(g.Key.Item1 ? TriageKind.Error : TriageKind.RootCause, g.Key.Cause, g.Key.Endpoint, [.. items.DistinctBy(i => i.Id)]));
        }

        // Not verifiable and not applicable: the same reason is the same remedy, said once.
        foreach (var kind in new[] { TriageKind.NotVerifiable, TriageKind.NotApplicable })
        {
            var verdict = kind == TriageKind.NotVerifiable ? Verdict.NotVerifiable : Verdict.NotApplicable;
            var items = report.Rules.Where(r => r.Verdict == verdict)
                .Select(r => (r.Id, Reason: r.Tests.FirstOrDefault(t => t.Verdict == verdict)?.Reason, Anchor: r.Tests.Select(t => tests.GetValueOrDefault(t.Id)).FirstOrDefault(a => a is not null), r.Gating))
                .Concat(report.Requirements.Where(r => r.Verdict == verdict)
                    .Select(r => (r.Id, Reason: r.Tests.FirstOrDefault(t => t.Verdict == verdict)?.Reason, Anchor: rows.GetValueOrDefault(r.Id), r.Gating)));
            foreach (var g in items.GroupBy(x => Remedy(x.Reason), StringComparer.Ordinal))
            {
                groups.Add(new TriageGroup(kind, g.Key, "",
                    [.. g.DistinctBy(x => x.Id).Select(x => new TriageItem(x.Id, x.Anchor ?? "requirements", OneLine(x.Reason), x.Gating))]));
            }
        }

        return groups
            .OrderBy(g => g.Kind)
            .ThenByDescending(g => g.Gating)
            .ThenByDescending(g => g.Items.Count)
            .ThenBy(g => g.Cause, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>The first failing check and the endpoint of the exchange it was made on (or the test's last request).</summary>
    public static (string Cause, string Endpoint) CauseOf(TestResult test)
    {
        var check = test.Checks.FirstOrDefault(c => !c.Passed);
        var exchange = check?.Exchange is { } seq ? test.Exchanges.FirstOrDefault(x => x.Seq == seq) : null;
        exchange ??= test.Exchanges.LastOrDefault(x => !ExchangeEvidence.IsInbound(x));
        var endpoint = exchange is null ? "" : exchange.Method + " " + PathOf(exchange.Url);
        return check is null ? (Remedy(test.Reason), endpoint) : (check.Name, endpoint);
    }

    public static string PathOf(string url)
    {
        var cut = url.IndexOf(' ', StringComparison.Ordinal);
        var plain = cut < 0 ? url : url[..cut];
        return Uri.TryCreate(plain, UriKind.Absolute, out var uri) ? uri.AbsolutePath : plain;
    }

    /// <summary>A reason without the run's particulars (numbers, ids in quotes) so that equal remedies group.</summary>
    private static string Remedy(string? reason) => OneLine(reason);

    public static string OneLine(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
            return "(no reason recorded)";
        var line = text.ReplaceLineEndings(" ").Trim();
        return line.Length > 240 ? line[..239] + "…" : line;
    }

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
