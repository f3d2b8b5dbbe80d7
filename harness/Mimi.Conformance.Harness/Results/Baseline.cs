using System.Text.Json;
using System.Text.Json.Serialization;
using Mimi.Conformance.Harness.Configuration;

namespace Mimi.Conformance.Harness.Results;

/// <summary>One expected failure: a requirement id and why it is expected to fail.</summary>
public sealed record ExpectedFailure(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("reason")] string? Reason);

/// <summary>The baseline file: <c>{"expected_failures": [{"id": "...", "reason": "..."}]}</c>.</summary>
public sealed record BaselineFile([property: JsonPropertyName("expected_failures")] IReadOnlyList<ExpectedFailure> ExpectedFailures)
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, IndentSize = 2 };

    public static BaselineFile Load(string path)
    {
        if (!File.Exists(path))
            throw new ConfigurationException($"--baseline {path}: no such file");
        try
        {
            var file = JsonSerializer.Deserialize<BaselineFile>(File.ReadAllText(path), Json);
            if (file?.ExpectedFailures is null || file.ExpectedFailures.Any(e => string.IsNullOrWhiteSpace(e?.Id)))
                throw new ConfigurationException($"--baseline {path}: expected {{\"expected_failures\": [{{\"id\": \"...\", \"reason\": \"...\"}}]}}");
            return file;
        }
        catch (JsonException e)
        {
            throw new ConfigurationException($"--baseline {path}: not valid JSON ({e.Message})");
        }
    }

    /// <summary>Every requirement that fails, warns or errors in <paramref name="report"/>, with its first reason.</summary>
    public static BaselineFile From(ConformanceReport report) =>
        new(report.Requirements.Where(r => Baseline.IsFailing(r.Verdict))
            .Select(r => new ExpectedFailure(r.Id, $"{r.Verdict.ToWire()}: {r.Tests.FirstOrDefault(t => Baseline.IsFailing(t.Verdict))?.Reason ?? r.Title}"))
            .ToList());

    public void Save(string path)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, JsonSerializer.Serialize(this, Json) + "\n");
    }
}

/// <summary>
/// The expected-failures gate (docs/ARCHITECTURE.md §5): the run fails (exit 1) on a gated failure the baseline does not list
/// AND on a listed failure that now passes ("fixed, remove it from the baseline"). An incomplete run or a new
/// gated error stays exit 2. summary.verdict keeps telling the truth about the DP; summary.exit_code follows the gate.
/// </summary>
public static class Baseline
{
    public static bool IsFailing(Verdict v) => v is Verdict.Fail or Verdict.Warn or Verdict.Unstable or Verdict.Error;

    public static ConformanceReport Apply(ConformanceReport report, BaselineFile baseline, string file)
    {
        var byId = report.Requirements.ToDictionary(r => r.Id);
        var expected = baseline.ExpectedFailures.Select(e => e.Id).ToHashSet(StringComparer.Ordinal);
        var entries = baseline.ExpectedFailures.DistinctBy(e => e.Id).Select(e =>
        {
            if (!byId.TryGetValue(e.Id, out var r))
                return new BaselineEntryResult(e.Id, e.Reason, "unknown", "unknown-id");
            var outcome = IsFailing(r.Verdict) ? "still-failing" : r.Verdict == Verdict.Pass ? "fixed" : "not-observed";
            return new BaselineEntryResult(e.Id, e.Reason, r.Verdict.ToWire(), outcome);
        }).ToList();
        var gated = report.Requirements.Where(r => r.Gating && IsFailing(r.Verdict) && !expected.Contains(r.Id)).ToList();
        var newFailures = gated.Select(r => r.Id).ToList();
        var fixedIds = entries.Where(e => e.Outcome == "fixed").Select(e => e.Id).ToList();
        var newErrorsOnly = gated.Count > 0 && gated.All(r => r.Verdict == Verdict.Error);
        var exit = !report.Run.Completeness.Complete ? 2
            : (gated.Count > 0 && !newErrorsOnly) || fixedIds.Count > 0 ? 1
            : newErrorsOnly ? 2
            : 0;
        var status = (newFailures.Count > 0, fixedIds.Count > 0) switch
        {
            (true, true) => "new-failures-and-fixed",
            (true, false) => "new-failures",
            (false, true) => "fixed",
            _ => "holds",
        };
        var comparison = new BaselineComparison(file, status, entries, newFailures, fixedIds, report.Summary.ExitCode);
        return report with { Baseline = comparison, Summary = report.Summary with { ExitCode = exit } };
    }

    /// <summary>One line for the console: what the baseline gate decided.</summary>
    public static string Describe(BaselineComparison b) => b.Status switch
    {
        "holds" => $"baseline holds: {b.ExpectedFailures.Count(e => e.Outcome == "still-failing")} expected failure(s) still fail, no new failures",
        _ => $"baseline broken: {(b.NewFailures.Count > 0 ? $"new failures [{string.Join(", ", b.NewFailures)}]" : "")}"
             + $"{(b.NewFailures.Count > 0 && b.Fixed.Count > 0 ? "; " : "")}"
             + $"{(b.Fixed.Count > 0 ? $"fixed, remove from baseline [{string.Join(", ", b.Fixed)}]" : "")}",
    };
}
