using System.Text.Json;
using System.Text.Json.Serialization;
using Mimi.Conformance.Harness.Configuration;

namespace Mimi.Conformance.Harness.Results;

/// <summary>What changed since an earlier run: per requirement and rule, new failures, fixes and every verdict change.</summary>
public sealed record RunChanges(
    [property: JsonPropertyName("since_run")] string SinceRun,
    [property: JsonPropertyName("since_verdict")] RunVerdict SinceVerdict,
    [property: JsonPropertyName("new_failures")] IReadOnlyList<string> NewFailures,
    [property: JsonPropertyName("fixed")] IReadOnlyList<string> Fixed,
    [property: JsonPropertyName("changes")] IReadOnlyList<VerdictChange> Changes);

/// <summary>One id whose verdict differs between the two runs ("absent" when a run did not have it).</summary>
public sealed record VerdictChange(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("before")] string Before,
    [property: JsonPropertyName("after")] string After);

/// <summary>run --compare RUN_DIR: this run against the report.json of an earlier one.</summary>
public static class RunComparison
{
    public const string Absent = "absent";

    /// <summary>The earlier run's report; a missing or unreadable one is a configuration error (exit 2, one line).</summary>
    public static ConformanceReport Load(string runDir)
    {
        var file = Directory.Exists(runDir) ? Path.Combine(runDir, "report.json") : runDir;
        if (!File.Exists(file))
            throw new ConfigurationException($"--compare {runDir}: no report.json there (give a run directory, e.g. reports/latest)");
        try
        {
            return ReportJson.Deserialize(File.ReadAllText(file));
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or ArgumentException)
        {
            throw new ConfigurationException($"--compare {runDir}: report.json is not a report ({e.Message.Split('\n')[0]})");
        }
    }

    public static RunChanges Compare(ConformanceReport now, ConformanceReport before)
    {
        var changes = Diff("requirement", before.Requirements.Select(r => (r.Id, r.Verdict)), now.Requirements.Select(r => (r.Id, r.Verdict)))
            .Concat(Diff("rule", before.Rules.Select(r => (r.Id, r.Verdict)), now.Rules.Select(r => (r.Id, r.Verdict))))
            .ToList();
        var newFailures = changes.Where(c => IsFailing(c.After) && !IsFailing(c.Before)).Select(c => c.Id).Distinct().ToList();
        var fixedIds = changes.Where(c => IsFailing(c.Before) && c.After is "pass" or "declared").Select(c => c.Id).Distinct().ToList();
        return new RunChanges(before.Run.Id, before.Summary.Verdict, newFailures, fixedIds, changes);
    }

    private static IEnumerable<VerdictChange> Diff(string kind, IEnumerable<(string Id, Verdict Verdict)> before, IEnumerable<(string Id, Verdict Verdict)> now)
    {
        var old = before.DistinctBy(x => x.Id).ToDictionary(x => x.Id, x => x.Verdict.ToWire(), StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (id, verdict) in now.DistinctBy(x => x.Id))
        {
            seen.Add(id);
            var was = old.GetValueOrDefault(id, Absent);
            if (was != verdict.ToWire())
                yield return new VerdictChange(id, kind, was, verdict.ToWire());
        }

        foreach (var (id, was) in old.Where(o => !seen.Contains(o.Key)).OrderBy(o => o.Key, StringComparer.Ordinal))
            yield return new VerdictChange(id, kind, was, Absent);
    }

    private static bool IsFailing(string verdict) => verdict is "fail" or "warn" or "error";
}
