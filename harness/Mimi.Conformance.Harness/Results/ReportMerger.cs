using Mimi.Conformance.Harness.Requirements;

namespace Mimi.Conformance.Harness.Results;

/// <summary>
/// Combines the report.json files of several runs of one DP (typically the shards of --shard K/N) into one report
/// whose requirement verdicts equal an unsharded run: each requirement is taken from the run(s) that selected it.
/// </summary>
public static class ReportMerger
{
    public static ConformanceReport Merge(IReadOnlyList<ConformanceReport> reports, TimeProvider time)
    {
        if (reports.Count == 0)
            throw new ArgumentException("nothing to merge", nameof(reports));
        var failOn = reports[0].Run.FailOn;
        var requirements = new List<RequirementResult>();
        foreach (var id in reports.SelectMany(r => r.Requirements).Select(r => r.Id).Distinct(StringComparer.Ordinal))
        {
            var results = reports.Select(r => r.Requirements.FirstOrDefault(x => x.Id == id)).OfType<RequirementResult>().ToList();
            var selected = reports.Where(r => Selected(r, id)).Select(r => r.Requirements.First(x => x.Id == id)).ToList();
            var template = selected.FirstOrDefault() ?? results[0];
            var tests = selected.Count == 0 ? template.Tests : [.. selected.SelectMany(s => s.Tests).DistinctBy(t => t.Id)];
            var verdict = selected.Count == 0 ? template.Verdict : VerdictNames.Worst(selected.Select(s => s.Verdict));
            requirements.Add(template with { Verdict = verdict, Tests = tests, Gating = RequirementCatalog.Gates(template.Level, failOn) });
        }

        // A rule is taken from the runs whose tests checked it; a run that did not select it says nothing about it.
        var rules = reports.SelectMany(r => r.Rules).GroupBy(r => r.Id, StringComparer.Ordinal).Select(g =>
        {
            var tests = g.SelectMany(r => r.Tests).DistinctBy(t => t.Id).ToList();
            var verdict = tests.Count > 0 ? VerdictNames.Worst(tests.Select(t => t.Verdict))
                : g.Any(r => r.Verdict == Verdict.Untested) ? Verdict.Untested : g.First().Verdict;
            return g.First() with { Verdict = verdict, Tests = tests, Gating = g.Any(r => r.Gating) };
        }).ToList();
        var completeness = Completeness(reports);
        var accepted = reports.SelectMany(r => r.Summary.Verification.Accepted).ToHashSet(StringComparer.Ordinal);
        var summary = RunGate.Summarize(requirements, rules, completeness, accepted, reports[0].Run.UnstableGate);
        var classes = reports.SelectMany(r => r.Classes).Select(c => c.Class).Distinct(StringComparer.Ordinal).Select(c =>
        {
            var members = requirements.Where(r => r.Class == c).ToList();
            return new ClassResult(c, reports.Any(r => r.Classes.Any(x => x.Class == c && x.Claimed)), VerdictNames.Worst(members.Select(m => m.Verdict)), members.Select(m => m.Id).ToList());
        }).ToList();
        var started = reports.Min(r => r.Run.StartedAt);
        var finished = reports.Max(r => r.Run.FinishedAt);
        var first = reports[0].Run;
        var run = new RunInfo(
            $"merged-{time.GetUtcNow():yyyyMMdd-HHmmss}",
            first.SuiteVersion,
            first.ProfileVersion,
            string.Join(", ", reports.Select(r => r.Run.Target).Distinct(StringComparer.Ordinal)),
            first.TargetKind,
            started,
            finished,
            (long)(finished - started).TotalMilliseconds,
            failOn,
            [.. reports.SelectMany(r => r.Run.Filters).Where(f => !f.StartsWith("shard=", StringComparison.Ordinal)).Distinct(StringComparer.Ordinal), .. reports.Select(r => $"merged={r.Run.Id}")],
            [.. reports.SelectMany(r => r.Run.Faults).Distinct(StringComparer.Ordinal)],
            completeness)
        {
            Repeat = reports.Min(r => r.Run.Repeat),
            UnstableGate = reports[0].Run.UnstableGate,
        };
        return new ConformanceReport(reports[0].Schema, run, summary, classes, requirements) { Rules = rules };
    }

    /// <summary>Did this run select the requirement? A shard says so; otherwise a filtered-out requirement carries only the placeholder test.</summary>
    private static bool Selected(ConformanceReport report, string id)
    {
        if (report.Shard is { } shard)
            return shard.Requirements.Contains(id);
        var r = report.Requirements.First(x => x.Id == id);
        return !(r.Verdict == Verdict.NotApplicable && r.Tests.Count > 0 && r.Tests.All(t => t.Id.EndsWith("/filtered", StringComparison.Ordinal)));
    }

    private static Completeness Completeness(IReadOnlyList<ConformanceReport> reports)
    {
        var reasons = reports.Where(r => !r.Run.Completeness.Complete).Select(r => $"{r.Run.Id}: {r.Run.Completeness.Reason}").ToList();
        var shards = reports.Where(r => r.Shard is not null).Select(r => r.Shard!).ToList();
        if (shards.Count > 0)
        {
            var counts = shards.Select(s => s.Count).Distinct().ToList();
            if (shards.Count != reports.Count || counts.Count != 1)
                reasons.Add("the runs are not shards of one split (mixed --shard N or unsharded runs)");
            else
            {
                var missing = Enumerable.Range(1, counts[0]).Where(k => shards.Count(s => s.Index == k) != 1).ToList();
                if (missing.Count > 0)
                    reasons.Add($"shard(s) {string.Join(", ", missing.Select(k => $"{k}/{counts[0]}"))} missing or given twice");
            }
        }
        return new Completeness(reasons.Count == 0, reports.Sum(r => r.Run.Completeness.Planned), reports.Sum(r => r.Run.Completeness.Executed),
            reasons.Count == 0 ? null : string.Join("; ", reasons));
    }

    /// <summary>report.json of a run directory, or the file itself.</summary>
    public static ConformanceReport ReadRun(string path)
    {
        var file = Directory.Exists(path) ? Path.Combine(path, ReportJson.FileName) : path;
        if (!File.Exists(file))
            throw new Harness.Configuration.ConfigurationException($"{path}: no {ReportJson.FileName} there");
        return ReportJson.ReadFile(file);
    }
}
