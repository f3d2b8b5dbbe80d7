using System.Text.Json;
using Mimi.Conformance.Cli.Execution;
using Mimi.Conformance.Harness.Client;
using Mimi.Conformance.Harness.Results;
using Mimi.Conformance.ReferenceDp.Faults;

namespace Mimi.Conformance.Cli.SelfTest;

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
/// change the answers of tests that consulted one of the duties it skips, so each fault runs just those tests; a fault
/// that only changes the metadata document also runs the tests that read a member it changes (<see cref="Reach"/>).
/// Faults that shape the DP at start-up, or whose other duties were consulted outside any test, run the whole suite, as every fault
/// does under <c>--full</c>. What the targeted runs cannot see is one test's faulty writes changing a later test that
/// never consulted the duty; <c>--full</c> covers that too.
/// </remarks>
public static class SelfTestCommand
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>How many certifications run at once: one more than the cores, since each waits on sockets and its suite child part of the time.</summary>
    public static int DefaultParallelism => Math.Clamp(Environment.ProcessorCount + 1, 2, 4);

    public static async Task<int> RunAsync(RunRequest template, IReadOnlyList<string> only, TimeProvider time, TextWriter output, CancellationToken ct, int parallelism = 1, bool full = false)
    {
        var faults = FaultRegistry.All.Where(f => only.Count == 0 || only.Contains(f.Name)).ToList();
        var log = TextWriter.Synchronized(output);
        var started = time.GetTimestamp();

        var trace = full ? null : new DutyRecorder();
        using var runner = new BatchRunner(template, time, log, parallelism, ct);
        var clean = (await runner.RunAsync([new FaultPlan(null, null)], trace))[0];
        var consulted = trace?.Snapshot();
        if (consulted is not null)
        {
            // What the targeting rests on, kept for whoever wonders why a fault ran the tests it ran.
            Directory.CreateDirectory(template.OutputRoot);
            await File.WriteAllTextAsync(Path.Combine(template.OutputRoot, "duty-trace.json"),
                JsonSerializer.Serialize(consulted.OrderBy(e => e.Key, StringComparer.Ordinal).ToDictionary(e => e.Key, e => e.Value.Order(StringComparer.Ordinal).ToArray()), Indented), ct);
            await File.WriteAllTextAsync(Path.Combine(template.OutputRoot, "faults.json"), ReferenceFaults.Catalog.ToJson(), ct);
        }

        var changed = consulted is null ? new Dictionary<string, IReadOnlySet<string>?>() : await MetadataChangesAsync(template, faults.Where(ShapesOnlyMetadata), time, ct);
        var plans = faults.Select(f => FaultPlan.For(f, changed.GetValueOrDefault(f.Name), consulted)).ToList();
        var idle = plans.Where(p => p.Tests is { Count: 0 }).Select(p => new FaultOutcome(p.Name, p.Expected, [], [])).ToList();
        foreach (var o in idle)
            await log.WriteLineAsync($"FAIL {o.Fault,-28} no suite test makes the DP consult the duties it skips: it cannot be caught");
        IEnumerable<IReadOnlyList<FaultPlan>> runs = [.. plans.Where(p => p.Tests is null || p.Fault!.Intermittent).Select(p => (IReadOnlyList<FaultPlan>)[p]),
            .. Batches(plans.Where(p => p.Tests is { Count: > 0 } && !p.Fault!.Intermittent))];
        var results = await Task.WhenAll(runs.Select(b => runner.RunAsync(b)));
        var order = faults.Select((f, i) => (f.Name, i)).ToDictionary(e => e.Name, e => e.i);
        var outcomes = idle.Concat(results.SelectMany(r => r)).OrderBy(o => order[o.Fault]).ToArray();
        var caught = outcomes.Count(o => o.Missed.Count == 0);
        var escaped = outcomes.Length - caught;
        var falsePositives = outcomes.Count(o => o.Unexpected.Count > 0 || o.Errors.Count > 0);
        await output.WriteLineAsync();
        await output.WriteLineAsync($"clean DP: {(clean.Exact && clean.Compliant ? "passes everything, compliant" : $"FAILS [{string.Join(", ", clean.Failed.Concat(clean.Errors))}] ({clean.Verdict.ToWire()})")}");
        await output.WriteLineAsync($"{caught} caught, {escaped} escaped, {falsePositives} with unexpected failures " +
            $"({outcomes.Length} faults in {runner.Certifications} certifications, {(full ? "every fault against the whole suite" : "each against the tests that exercise it")}, {time.GetElapsedTime(started).TotalSeconds:0} s)");
        return clean.Exact && clean.Compliant && outcomes.All(o => o.Exact) ? 0 : 1;
    }

    /// <summary>The suite methods that consulted a duty the fault skips; null when only the whole suite will do.</summary>
    internal static IReadOnlyList<string>? TestsFor(Fault fault, IReadOnlyDictionary<string, IReadOnlySet<string>> consulted, IReadOnlySet<string>? changedMembers = null)
    {
        var (touches, sensitive) = Reach(fault, changedMembers);
        if (fault.AtStart || (consulted.TryGetValue(DutyRecorder.Untraced, out var outside) && outside.Overlaps(sensitive)))
            return null;
        return [.. consulted.Where(e => e.Key != DutyRecorder.Untraced && !e.Key.StartsWith(SuiteTrace.SetUpPrefix, StringComparison.Ordinal) && e.Value.Overlaps(touches)).Select(e => e.Key).Order(StringComparer.Ordinal)];
    }

    /// <summary>
    /// What a test must have consulted for the fault to change its answers (touches), and what, consulted outside any
    /// test, may change every test (sensitive): the skipped duties. A fault that only changes the metadata document
    /// (its duties are consulted only while rendering it: metadata.*) reaches a test also through the members of the
    /// document the suite fetched before any test that the test read; its duties are consulted outside tests by that
    /// fetch itself, so only a changed member read outside any test (by the suite's set-up) makes it run everything.
    /// </summary>
    internal static (IReadOnlySet<string> Touches, IReadOnlySet<string> Sensitive) Reach(Fault fault, IReadOnlySet<string>? changedMembers)
    {
        var skipped = fault.Skips.Select(d => d.Name).ToHashSet(StringComparer.Ordinal);
        if (changedMembers is null || !ShapesOnlyMetadata(fault))
            return (skipped, skipped);
        var reads = changedMembers.Select(m => DutyRecorder.MetadataRead(m).Name).ToHashSet(StringComparer.Ordinal);
        return (skipped.Union(reads).ToHashSet(StringComparer.Ordinal), reads);
    }

    internal static bool ShapesOnlyMetadata(Fault fault) => !fault.AtStart && fault.Skips.Count > 0 && fault.Skips.All(d => d.Name.StartsWith("metadata.", StringComparison.Ordinal));

    /// <summary>
    /// For each fault that only changes the metadata document: the members (<see cref="DpMetadata.Members"/>) whose
    /// value differs from the correct DP's, both fetched from one running DP whose faults are switched in turn (null:
    /// the document could not be fetched under the fault, so the whole suite runs).
    /// </summary>
    private static async Task<Dictionary<string, IReadOnlySet<string>?>> MetadataChangesAsync(RunRequest template, IEnumerable<Fault> faults, TimeProvider time, CancellationToken ct)
    {
        var changes = new Dictionary<string, IReadOnlySet<string>?>(StringComparer.Ordinal);
        var shaping = faults.ToList();
        if (shaping.Count == 0)
            return changes;
        await using var dp = await EmbeddedDp.StartAsync([], ct);
        using var client = new DpClient(ConformanceRun.OptionsFor(template, dp), time);
        var (clean, _, _) = await DpMetadata.FetchAsync(client, ct);
        foreach (var fault in shaping)
        {
            dp.SwitchFaults([fault.Name]);
            var (faulty, _, _) = await DpMetadata.FetchAsync(client, ct);
            changes[fault.Name] = clean is null || faulty is null ? null : DpMetadata.Differences(clean, faulty);
        }
        return changes;
    }

    /// <summary>
    /// Faults whose test sets are disjoint share one certification: no test of one consulted a duty of another, so each
    /// test's verdict belongs to exactly one fault. Largest sets first, each into the first batch it fits and holds no
    /// fault it is known to interfere with.
    /// </summary>
    internal static IReadOnlyList<IReadOnlyList<FaultPlan>> Batches(IEnumerable<FaultPlan> plans, IReadOnlySet<(string, string)>? apart = null)
    {
        var batches = new List<(List<FaultPlan> Plans, HashSet<string> Methods)>();
        foreach (var plan in plans.OrderByDescending(p => p.Tests!.Count).ThenBy(p => p.Name, StringComparer.Ordinal))
        {
            var fit = batches.FirstOrDefault(b => !b.Methods.Overlaps(plan.Tests!)
                && (apart is null || !b.Plans.Any(o => apart.Contains((plan.Name, o.Name)) || apart.Contains((o.Name, plan.Name)))));
            if (fit.Plans is null)
                batches.Add(([plan], plan.Tests!.ToHashSet(StringComparer.Ordinal)));
            else
            {
                fit.Plans.Add(plan);
                fit.Methods.UnionWith(plan.Tests!);
            }
        }
        return [.. batches.Select(b => (IReadOnlyList<FaultPlan>)b.Plans)];
    }

    /// <summary>
    /// Runs certifications, at most <paramref name="parallelism"/> at once. A batch runs every fault of it at once with
    /// the union of their tests, and each failing test is credited to the fault that selected its method. When the
    /// batch's own trace shows a test of one fault consulting a duty another member skips, that fault's verdicts prove
    /// nothing: it alone runs again, batched anew apart from the member that disturbed it (on its own after two tries).
    /// </summary>
    private sealed class BatchRunner(RunRequest template, TimeProvider time, TextWriter log, int parallelism, CancellationToken ct) : IDisposable
    {
        private readonly SemaphoreSlim _gate = new(Math.Max(1, parallelism));
        private int _certifications;

        public int Certifications => _certifications;

        public void Dispose() => _gate.Dispose();

        public async Task<IReadOnlyList<FaultOutcome>> RunAsync(IReadOnlyList<FaultPlan> batch, DutyRecorder? trace = null, int round = 0)
        {
            trace ??= batch.Count > 1 ? new DutyRecorder() : null;
            var tests = batch.Any(p => p.Tests is null) ? null : batch.SelectMany(p => p.Tests!).Distinct(StringComparer.Ordinal).ToList();
            var request = template with { DpUrl = null, Faults = [.. batch.Where(p => p.Fault is not null).Select(p => p.Name)], TestMethods = tests, Trace = trace, JsonOnly = true,
                Repeat = batch.Any(p => p.Fault?.Intermittent == true) ? Fault.IntermittentRepeat : 1 };
            ConformanceReport report;
            await _gate.WaitAsync(ct);
            try
            {
                Interlocked.Increment(ref _certifications);
                report = await ConformanceRun.ExecuteAsync(request, time, TextWriter.Null, ct);
            }
            finally
            {
                _gate.Release();
            }

            var methods = batch.Count > 1 ? MethodsOf(report) : null;
            var disturbed = batch.Count > 1 ? Disturbed(batch, trace!.Snapshot(), report, methods!) : [];
            var outcomes = new List<FaultOutcome>();
            foreach (var plan in batch.Where(p => !disturbed.ContainsKey(p.Name)))
                outcomes.Add(await OutcomeAsync(plan, batch.Count, report, methods));
            if (disturbed.Count == 0)
                return outcomes;

            foreach (var (fault, (by, why)) in disturbed)
                await log.WriteLineAsync($"     {fault} runs again: {why}");
            var again = batch.Where(p => disturbed.ContainsKey(p.Name)).ToList();
            var apart = disturbed.Select(d => (d.Key, d.Value.By)).ToHashSet();
            IReadOnlyList<IReadOnlyList<FaultPlan>> next = round >= 1 ? [.. again.Select(p => (IReadOnlyList<FaultPlan>)[p])] : Batches(again, apart);
            foreach (var rerun in await Task.WhenAll(next.Select(b => RunAsync(b, null, round + 1))))
                outcomes.AddRange(rerun);
            return outcomes;
        }

        private async Task<FaultOutcome> OutcomeAsync(FaultPlan plan, int batchSize, ConformanceReport report, IReadOnlyDictionary<string, string?>? methods)
        {
            var mine = methods is null ? null : plan.Tests!.ToHashSet(StringComparer.Ordinal);
            bool Owned(string testName) => mine is null || (methods!.GetValueOrDefault(testName) is { } m && mine.Contains(m));
            // Requirements and rules alike: a fault must fail exactly the IDs it names, in both views of the report.
            IReadOnlyList<string> With(params Verdict[] verdicts) =>
                [.. report.Requirements.Where(r => r.Tests.Any(t => verdicts.Contains(t.Verdict) && Owned(t.Name))).Select(r => r.Id)
                    .Concat(report.Rules.Where(r => r.Tests.Any(t => verdicts.Contains(t.Verdict) && Owned(t.Id[(t.Id.IndexOf('/', StringComparison.Ordinal) + 1)..]))).Select(r => r.Id))
                    .Distinct(StringComparer.Ordinal)];
            // An intermittent fault must make exactly its IDs unstable; one it fails every time is listed as unexpected.
            var failed = plan.Fault?.Intermittent == true
                ? [.. With(Verdict.Unstable), .. With(Verdict.Fail, Verdict.Warn).Select(id => $"{id} (fails every time)")]
                : With(Verdict.Fail, Verdict.Warn);
            var outcome = new FaultOutcome(plan.Name, plan.Expected, failed,
                mine is null ? [.. report.Requirements.Where(r => r.Verdict == Verdict.Error).Select(r => r.Id).Concat(report.Rules.Where(r => r.Verdict == Verdict.Error).Select(r => r.Id))] : With(Verdict.Error))
            {
                Gated = plan.Fault is null || failed.Any(id => report.Summary.GatingFailures.Contains(id)),
                Verdict = report.Summary.Verdict,
            };
            var scope = plan.Tests is null ? "all tests" : $"{plan.Tests.Count} test(s)" + (batchSize > 1 ? $", batched with {batchSize - 1}" : "")
                + (plan.Fault?.Intermittent == true ? $", {Fault.IntermittentRepeat} repetitions, expected unstable" : "");
            await log.WriteLineAsync($"{(outcome.Exact ? "ok  " : "FAIL")} {outcome.Fault,-28} expected [{string.Join(", ", outcome.Expected)}] failed [{string.Join(", ", outcome.Failed)}]" +
                (outcome.Errors.Count > 0 ? $" errors [{string.Join(", ", outcome.Errors)}]" : "") + (outcome.Gated ? "" : " but nothing it fails gates the run")
                + $"  ({scope}, {report.Run.Id})");
            return outcome;
        }

        /// <summary>The suite method behind each test name of the run, from its raw xunit XML (a theory's rows share one).</summary>
        private Dictionary<string, string?> MethodsOf(ConformanceReport report)
        {
            var xml = Path.Combine(template.OutputRoot, report.Run.Id, "raw", "xunit.xml");
            var map = new Dictionary<string, string?>(StringComparer.Ordinal);
            if (File.Exists(xml))
                foreach (var test in XunitResultReader.Read(xml).Tests)
                    map.TryAdd(ReportBuilder.ShortName(test.Name), test.Method);
            return map;
        }

        /// <summary>
        /// The members whose verdicts the batch cannot vouch for, each with the member that disturbed it and why: a test
        /// of theirs consulted another member's duty, another member's duty was consulted outside any test, or a finding
        /// came from no selected method.
        /// </summary>
        private static Dictionary<string, (string By, string Why)> Disturbed(IReadOnlyList<FaultPlan> batch, IReadOnlyDictionary<string, IReadOnlySet<string>> consulted,
            ConformanceReport report, IReadOnlyDictionary<string, string?> methods)
        {
            var disturbed = new Dictionary<string, (string, string)>(StringComparer.Ordinal);
            var outside = consulted.GetValueOrDefault(DutyRecorder.Untraced);
            foreach (var p in batch)
                foreach (var o in batch.Where(o => o != p))
                    foreach (var d in o.Touches)
                    {
                        if (disturbed.ContainsKey(p.Name))
                            break;
                        if (outside?.Contains(d) == true && o.Sensitive.Contains(d))
                            disturbed[p.Name] = (o.Name, $"{d} (reached by {o.Name}) was consulted outside any test");
                        else if (p.Tests!.FirstOrDefault(t => consulted.GetValueOrDefault(t)?.Contains(d) == true) is { } test)
                            disturbed[p.Name] = (o.Name, $"{FaultPlan.ShortName(test)} consulted {d} (reached by {o.Name})");
                    }
            var selected = batch.SelectMany(p => p.Tests!).ToHashSet(StringComparer.Ordinal);
            var stray = report.Requirements.SelectMany(r => r.Tests)
                .Where(t => t.Verdict is Verdict.Fail or Verdict.Warn or Verdict.Error)
                .FirstOrDefault(t => methods.GetValueOrDefault(t.Name) is not { } m || !selected.Contains(m));
            if (stray is not null)
                foreach (var p in batch.Where(p => !disturbed.ContainsKey(p.Name)))
                    disturbed[p.Name] = (p.Name, $"the finding of \"{stray.Name}\" comes from no selected method");
            return disturbed;
        }
    }
}

/// <summary>
/// A fault (null: the clean DP), the suite methods to run it against (null: all of them), and what it reaches
/// (<see cref="SelfTestCommand.Reach"/>).
/// </summary>
internal sealed record FaultPlan(Fault? Fault, IReadOnlyList<string>? Tests)
{
    public string Name => Fault?.Name ?? "(clean)";

    public IReadOnlyList<string> Expected => Fault?.Breaks ?? [];

    public IReadOnlySet<string> Touches { get; init; } = new HashSet<string>();

    public IReadOnlySet<string> Sensitive { get; init; } = new HashSet<string>();

    public static FaultPlan For(Fault fault, IReadOnlySet<string>? changedMembers, IReadOnlyDictionary<string, IReadOnlySet<string>>? consulted)
    {
        var (touches, sensitive) = SelfTestCommand.Reach(fault, changedMembers);
        return new(fault, consulted is null ? null : SelfTestCommand.TestsFor(fault, consulted, changedMembers)) { Touches = touches, Sensitive = sensitive };
    }

    /// <summary>A traced method (Namespace.Class.Method) as the report names its test: the method, underscores as spaces.</summary>
    public static string ShortName(string method) => method[(method.LastIndexOf('.') + 1)..].Replace('_', ' ');
}
