using System.Text.Json;
using System.Text.Json.Serialization;
using Mimi.Conformance.Cli.Execution;
using Mimi.Conformance.Harness.Requirements;
using Mimi.Conformance.Harness.Results;
using Mimi.Conformance.ReferenceDp.Faults;

namespace Mimi.Conformance.Cli.SelfTest;

/// <summary>One fault mode of the reference DP and the requirements that must fail under it.</summary>
internal sealed record FaultExpectation(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("description")] string Description,
    [property: JsonPropertyName("requirements")] IReadOnlyList<string> Requirements);

/// <summary>
/// The reference DP's faults and what each must fail, as data: built from the fault registry (the single source) and
/// written to vectors/self-test/faults.json by <c>vectors generate</c> for readers outside the code.
/// </summary>
internal sealed record FaultCatalog(
    [property: JsonPropertyName("$schema")] string Schema,
    [property: JsonPropertyName("faults")] IReadOnlyList<FaultExpectation> Faults)
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string DefaultPath => Path.Combine(RepositoryLayout.Vectors, "self-test", "faults.json");

    public static FaultCatalog Current { get; } = new("../schemas/faults.schema.json",
        [.. FaultRegistry.All.Select(f => new FaultExpectation(f.Name, f.Description, f.Breaks))]);

    public static FaultCatalog Load(string path) =>
        JsonSerializer.Deserialize<FaultCatalog>(File.ReadAllText(path)) ?? throw new InvalidDataException($"{path} is empty");

    public string ToJson() => JsonSerializer.Serialize(this, Indented).ReplaceLineEndings("\n") + "\n";
}

/// <summary>How one self-test run came out.</summary>
internal sealed record FaultOutcome(string Fault, IReadOnlyList<string> Expected, IReadOnlyList<string> Failed, IReadOnlyList<string> Errors)
{
    public IReadOnlyList<string> Missed => Expected.Except(Failed).ToList();

    public IReadOnlyList<string> Unexpected => Failed.Except(Expected).ToList();

    /// <summary>Caught exactly: every mapped requirement fails, nothing else fails, nothing errors.</summary>
    public bool Exact => Missed.Count == 0 && Unexpected.Count == 0 && Errors.Count == 0;
}

/// <summary>
/// Proves the suite: the clean reference DP passes everything, and each fault mode makes exactly its mapped
/// requirements fail (or warn, for SHOULDs). Prints a detection table and "N caught, N escaped".
/// </summary>
internal static class SelfTestCommand
{
    /// <summary>How many certifications run at once: each is latency-bound (one DP, serial tests), so a few overlap well.</summary>
    public static int DefaultParallelism => Math.Clamp(Environment.ProcessorCount, 2, 4);

    public static async Task<int> RunAsync(RunRequest template, IReadOnlyList<string> only, TimeProvider time, TextWriter output, CancellationToken ct, int parallelism = 1)
    {
        var catalog = FaultCatalog.Current;
        var faults = catalog.Faults.Where(f => only.Count == 0 || only.Contains(f.Name)).ToList();
        var log = TextWriter.Synchronized(output);
        using var gate = new SemaphoreSlim(Math.Max(1, parallelism));
        async Task<FaultOutcome> RunOne(FaultExpectation? fault)
        {
            await gate.WaitAsync(ct);
            try
            {
                var request = template with { DpUrl = null, Faults = fault is null ? [] : [fault.Name] };
                var report = await ConformanceRun.ExecuteAsync(request, time, TextWriter.Null, ct);
                var failed = report.Requirements.Where(r => r.Verdict is Verdict.Fail or Verdict.Warn).Select(r => r.Id).ToList();
                var errors = report.Requirements.Where(r => r.Verdict == Verdict.Error).Select(r => r.Id).ToList();
                var outcome = new FaultOutcome(fault?.Name ?? "(clean)", fault?.Requirements ?? [], failed, errors);
                await log.WriteLineAsync($"{(outcome.Exact ? "ok  " : "FAIL")} {outcome.Fault,-28} expected [{string.Join(", ", outcome.Expected)}] failed [{string.Join(", ", outcome.Failed)}]" +
                    (outcome.Errors.Count > 0 ? $" errors [{string.Join(", ", outcome.Errors)}]" : "") + $"  ({report.Run.Id})");
                return outcome;
            }
            finally
            {
                gate.Release();
            }
        }
        var outcomes = await Task.WhenAll(((IEnumerable<FaultExpectation?>)[null, .. faults]).Select(RunOne));
        var clean = outcomes[0];
        var caught = outcomes.Skip(1).Count(o => o.Missed.Count == 0);
        var escaped = outcomes.Length - 1 - caught;
        var falsePositives = outcomes.Skip(1).Count(o => o.Unexpected.Count > 0 || o.Errors.Count > 0);
        await output.WriteLineAsync();
        await output.WriteLineAsync($"clean DP: {(clean.Exact ? "passes everything" : $"FAILS [{string.Join(", ", clean.Failed.Concat(clean.Errors))}]")}");
        await output.WriteLineAsync($"{caught} caught, {escaped} escaped, {falsePositives} with unexpected failures");
        return clean.Exact && outcomes.All(o => o.Exact) ? 0 : 1;
    }
}
