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

    /// <summary>Does one of the failures gate, so that the run under this fault exits 1 (non-compliant)?</summary>
    public bool Gated { get; init; } = true;

    public RunVerdict Verdict { get; init; } = RunVerdict.Compliant;

    /// <summary>For the clean DP: the run is a certificate (not incomplete, not an error).</summary>
    public bool Compliant => Verdict == RunVerdict.Compliant;

    /// <summary>Caught exactly: every mapped ID fails, nothing else fails, nothing errors, and the run is non-compliant.</summary>
    public bool Exact => Missed.Count == 0 && Unexpected.Count == 0 && Errors.Count == 0 && Gated;
}

/// <summary>
/// Proves the suite: the clean reference DP passes everything, and each fault mode makes exactly its mapped
/// requirements fail (or warn, for SHOULDs). Prints a detection table and "N caught, N escaped".
/// </summary>
/// <remarks>
/// The clean run is traced: the DP records which duties it consulted while serving each suite test. A fault can only
/// change the answers of tests that consulted one of the duties it skips, so each fault runs just those tests. Faults
/// that shape the DP at start-up, or whose duties were consulted outside any test, run the whole suite, as every fault
/// does under <c>--full</c>. What the targeted runs cannot see is one test's faulty writes changing a later test that
/// never consulted the duty; <c>--full</c> covers that too.
/// </remarks>
internal static class SelfTestCommand
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>How many certifications run at once: each is latency-bound (one DP, serial tests), so a few overlap well.</summary>
    public static int DefaultParallelism => Math.Clamp(Environment.ProcessorCount, 2, 4);

    public static async Task<int> RunAsync(RunRequest template, IReadOnlyList<string> only, TimeProvider time, TextWriter output, CancellationToken ct, int parallelism = 1, bool full = false)
    {
        var faults = FaultRegistry.All.Where(f => only.Count == 0 || only.Contains(f.Name)).ToList();
        var log = TextWriter.Synchronized(output);
        var started = time.GetTimestamp();

        var trace = full ? null : new DutyRecorder();
        var clean = (await RunAsync(template, [new FaultPlan(null, null)], trace, time, log, ct))[0];
        var consulted = trace?.Snapshot();
        if (consulted is not null)
        {
            // What the targeting rests on, kept for whoever wonders why a fault ran the tests it ran.
            Directory.CreateDirectory(template.OutputRoot);
            await File.WriteAllTextAsync(Path.Combine(template.OutputRoot, "duty-trace.json"),
                JsonSerializer.Serialize(consulted.OrderBy(e => e.Key, StringComparer.Ordinal).ToDictionary(e => e.Key, e => e.Value.Order(StringComparer.Ordinal).ToArray()), Indented), ct);
            await File.WriteAllTextAsync(Path.Combine(template.OutputRoot, "faults.json"), FaultCatalog.Current.ToJson(), ct);
        }

        var plans = faults.Select(f => new FaultPlan(f, consulted is null ? null : TestsFor(f, consulted))).ToList();
        var idle = plans.Where(p => p.Tests is { Count: 0 }).Select(p => new FaultOutcome(p.Name, p.Expected, [], [])).ToList();
        foreach (var o in idle)
            await log.WriteLineAsync($"FAIL {o.Fault,-28} no suite test makes the DP consult the duties it skips: it cannot be caught");
        IEnumerable<IReadOnlyList<FaultPlan>> runs = [.. plans.Where(p => p.Tests is null).Select(p => (IReadOnlyList<FaultPlan>)[p]), .. Batches(plans.Where(p => p.Tests is { Count: > 0 }))];

        using var gate = new SemaphoreSlim(Math.Max(1, parallelism));
        async Task<IReadOnlyList<FaultOutcome>> Gated(IReadOnlyList<FaultPlan> batch)
        {
            await gate.WaitAsync(ct);
            try
            {
                return await RunAsync(template, batch, batch.Count > 1 ? new DutyRecorder() : null, time, log, ct);
            }
            finally
            {
                gate.Release();
            }
        }
        var results = await Task.WhenAll(runs.Select(Gated));
        var order = faults.Select((f, i) => (f.Name, i)).ToDictionary(e => e.Name, e => e.i);
        var outcomes = idle.Concat(results.SelectMany(r => r)).OrderBy(o => order[o.Fault]).ToArray();
        var caught = outcomes.Count(o => o.Missed.Count == 0);
        var escaped = outcomes.Length - caught;
        var falsePositives = outcomes.Count(o => o.Unexpected.Count > 0 || o.Errors.Count > 0);
        await output.WriteLineAsync();
        await output.WriteLineAsync($"clean DP: {(clean.Exact && clean.Compliant ? "passes everything, compliant" : $"FAILS [{string.Join(", ", clean.Failed.Concat(clean.Errors))}] ({clean.Verdict.ToWire()})")}");
        await output.WriteLineAsync($"{caught} caught, {escaped} escaped, {falsePositives} with unexpected failures " +
            $"({outcomes.Length} faults in {results.Length + 1} certifications, {(full ? "every fault against the whole suite" : "each against the tests that exercise it")}, {time.GetElapsedTime(started).TotalSeconds:0} s)");
        return clean.Exact && clean.Compliant && outcomes.All(o => o.Exact) ? 0 : 1;
    }

    /// <summary>The suite methods that consulted a duty the fault skips; null when only the whole suite will do.</summary>
    internal static IReadOnlyList<string>? TestsFor(Fault fault, IReadOnlyDictionary<string, IReadOnlySet<string>> consulted)
    {
        var skipped = fault.Skips.Select(d => d.Name).ToHashSet(StringComparer.Ordinal);
        if (fault.AtStart || (consulted.TryGetValue(DutyRecorder.Untraced, out var outside) && outside.Overlaps(skipped)))
            return null;
        return [.. consulted.Where(e => e.Key != DutyRecorder.Untraced && e.Value.Overlaps(skipped)).Select(e => e.Key).Order(StringComparer.Ordinal)];
    }

    /// <summary>
    /// Faults whose test sets are disjoint share one certification: no test of one consulted a duty of another, so each
    /// test's verdict belongs to exactly one fault. Largest sets first, each into the first batch it fits.
    /// </summary>
    internal static IReadOnlyList<IReadOnlyList<FaultPlan>> Batches(IEnumerable<FaultPlan> plans)
    {
        var batches = new List<(List<FaultPlan> Plans, HashSet<string> Names)>();
        foreach (var plan in plans.OrderByDescending(p => p.Tests!.Count).ThenBy(p => p.Name, StringComparer.Ordinal))
        {
            var names = plan.Tests!.Select(FaultPlan.ShortName).ToHashSet(StringComparer.Ordinal);
            var fit = batches.FirstOrDefault(b => !b.Names.Overlaps(names));
            if (fit.Plans is null)
                batches.Add(([plan], names));
            else
            {
                fit.Plans.Add(plan);
                fit.Names.UnionWith(names);
            }
        }
        return [.. batches.Select(b => (IReadOnlyList<FaultPlan>)b.Plans)];
    }

    /// <summary>
    /// One certification with every fault of the batch on and the union of their tests. Each failing test is credited to
    /// the fault that selected it. If the batch's own trace shows a test consulting another member's duty, the batch
    /// proves nothing about that pair, and each of its faults is run again on its own.
    /// </summary>
    private static async Task<IReadOnlyList<FaultOutcome>> RunAsync(RunRequest template, IReadOnlyList<FaultPlan> batch, DutyRecorder? trace, TimeProvider time, TextWriter log, CancellationToken ct)
    {
        var tests = batch.Any(p => p.Tests is null) ? null : batch.SelectMany(p => p.Tests!).Distinct(StringComparer.Ordinal).ToList();
        var request = template with { DpUrl = null, Faults = [.. batch.Where(p => p.Fault is not null).Select(p => p.Name)], TestMethods = tests, Trace = trace };
        var report = await ConformanceRun.ExecuteAsync(request, time, TextWriter.Null, ct);
        if (batch.Count > 1 && trace is not null && Interferes(batch, trace.Snapshot()))
        {
            var single = new List<FaultOutcome>();
            foreach (var plan in batch)
                single.AddRange(await RunAsync(template, [plan], null, time, log, ct));
            return single;
        }
        if (batch.Count > 1 && !Attributable(batch, report))
        {
            var single = new List<FaultOutcome>();
            foreach (var plan in batch)
                single.AddRange(await RunAsync(template, [plan], null, time, log, ct));
            return single;
        }
        var outcomes = new List<FaultOutcome>();
        foreach (var plan in batch)
        {
            var mine = batch.Count == 1 ? null : plan.Tests!.Select(FaultPlan.ShortName).ToHashSet(StringComparer.Ordinal);
            bool Owned(string testName) => mine is null || mine.Contains(FaultPlan.ResultName(testName));
            // Requirements and rules alike: a fault must fail exactly the IDs it names, in both views of the report.
            IReadOnlyList<string> With(params Verdict[] verdicts) =>
                [.. report.Requirements.Where(r => r.Tests.Any(t => verdicts.Contains(t.Verdict) && Owned(t.Name))).Select(r => r.Id)
                    .Concat(report.Rules.Where(r => r.Tests.Any(t => verdicts.Contains(t.Verdict) && Owned(t.Id[(t.Id.IndexOf('/', StringComparison.Ordinal) + 1)..]))).Select(r => r.Id))
                    .Distinct(StringComparer.Ordinal)];
            var failed = With(Verdict.Fail, Verdict.Warn);
            var outcome = new FaultOutcome(plan.Name, plan.Expected, failed,
                mine is null ? [.. report.Requirements.Where(r => r.Verdict == Verdict.Error).Select(r => r.Id).Concat(report.Rules.Where(r => r.Verdict == Verdict.Error).Select(r => r.Id))] : With(Verdict.Error))
            {
                Gated = plan.Fault is null || failed.Any(id => report.Summary.GatingFailures.Contains(id)),
                Verdict = report.Summary.Verdict,
            };
            var scope = plan.Tests is null ? "all tests" : $"{plan.Tests.Count} test(s)" + (batch.Count > 1 ? $", batched with {batch.Count - 1}" : "");
            await log.WriteLineAsync($"{(outcome.Exact ? "ok  " : "FAIL")} {outcome.Fault,-28} expected [{string.Join(", ", outcome.Expected)}] failed [{string.Join(", ", outcome.Failed)}]" +
                (outcome.Errors.Count > 0 ? $" errors [{string.Join(", ", outcome.Errors)}]" : "") + (outcome.Gated ? "" : " but nothing it fails gates the run")
                + $"  ({scope}, {report.Run.Id})");
            outcomes.Add(outcome);
        }
        return outcomes;
    }

    /// <summary>Can every finding of a batch be credited to one fault? Not when a test is named by its data rather than its method.</summary>
    private static bool Attributable(IReadOnlyList<FaultPlan> batch, ConformanceReport report)
    {
        var known = batch.SelectMany(p => p.Tests!).Select(FaultPlan.ShortName).ToHashSet(StringComparer.Ordinal);
        return report.Requirements.SelectMany(r => r.Tests)
            .Where(t => t.Verdict is Verdict.Fail or Verdict.Warn or Verdict.Error)
            .All(t => known.Contains(FaultPlan.ResultName(t.Name)));
    }

    /// <summary>Did a test selected for one fault consult a duty that another fault of the batch skips?</summary>
    private static bool Interferes(IReadOnlyList<FaultPlan> batch, IReadOnlyDictionary<string, IReadOnlySet<string>> consulted) =>
        batch.Any(p => batch.Where(o => o != p).Any(o =>
            o.Fault!.Skips.Any(d => consulted.GetValueOrDefault(DutyRecorder.Untraced)?.Contains(d.Name) == true
                || p.Tests!.Any(t => consulted.GetValueOrDefault(t)?.Contains(d.Name) == true))));
}

/// <summary>A fault (null: the clean DP) and the suite methods to run it against (null: all of them).</summary>
internal sealed record FaultPlan(Fault? Fault, IReadOnlyList<string>? Tests)
{
    public string Name => Fault?.Name ?? "(clean)";

    public IReadOnlyList<string> Expected => Fault?.Breaks ?? [];

    /// <summary>A traced method (Namespace.Class.Method) as the report names its test: the method, underscores as spaces.</summary>
    public static string ShortName(string method) => method[(method.LastIndexOf('.') + 1)..].Replace('_', ' ');

    /// <summary>A report test name without a theory's arguments.</summary>
    public static string ResultName(string name) => name.IndexOf('(', StringComparison.Ordinal) is var paren and >= 0 ? name[..paren].TrimEnd() : name;
}
