using System.Diagnostics;
using System.Globalization;
using Mimi.Conformance.Cli.Execution;
using Mimi.Conformance.Cli.SelfTest;
using Mimi.Conformance.ReferenceDp.Faults;

namespace Mimi.Conformance.Bench;

/// <summary>
/// Figure 8: does the self-test scale with the faults? The targeted self-test (what `./run.sh self-test` does) over
/// the registry's first 3k faults, against the old design, one whole-suite certification per fault (`--full`), over
/// its first k faults, both at the self-test's default parallelism in this run. A bounded subset of the registry.
/// </summary>
internal static class SelfTestBench
{
    public static async Task<BenchFigure> RunAsync(int oldFaults, string workDir, TimeProvider time, TextWriter log, CancellationToken ct)
    {
        var newFaults = Math.Min(3 * oldFaults, FaultRegistry.All.Count);
        var old = await TimeAsync(oldFaults, full: true, Path.Combine(workDir, "self-test-full"), time, ct);
        var targeted = await TimeAsync(newFaults, full: false, Path.Combine(workDir, "self-test-targeted"), time, ct);
        await log.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"bench: self-test, {newFaults} faults targeted {targeted.Seconds:0.0} s, {oldFaults} faults one whole-suite certification each {old.Seconds:0.0} s"));
        return new BenchFigure("self_test_scaling", $"Self-test over {newFaults} faults (targeted, batched)", targeted.Seconds, "s", old.Seconds,
            $"the old self-test (one whole-suite certification per fault, --full) over {oldFaults} faults, s",
            TargetKind.RatioAtMost, 1,
            $"wall time of SelfTestCommand.RunAsync (clean traced run included) at parallelism {SelfTestCommand.DefaultParallelism}; the faults are the registry's first {newFaults} and first {oldFaults} (a bounded subset of the {FaultRegistry.All.Count}); both must prove every fault exact")
        {
            Details =
            {
                ["targeted_faults"] = newFaults,
                ["targeted_exit"] = targeted.Exit,
                ["full_faults"] = oldFaults,
                ["full_exit"] = old.Exit,
                ["targeted_s_per_fault"] = Math.Round(targeted.Seconds / newFaults, 2),
                ["full_s_per_fault"] = Math.Round(old.Seconds / oldFaults, 2),
            },
            Explanation = targeted.Exit != 0 || old.Exit != 0
                ? $"a self-test did not prove every fault exact (exit {targeted.Exit} targeted, {old.Exit} full): the times are not comparable"
                : targeted.Seconds <= old.Seconds ? null : string.Create(CultureInfo.InvariantCulture,
                    $"at this bounded scale both pay the same fixed cost, one whole-suite certification of the clean DP (traced, for the targeted one), and the targeted self-test's first batches still run most of the suite (a fault of publish or lookup reaches most tests); per fault it costs {targeted.Seconds / newFaults:0.0} s against {old.Seconds / oldFaults:0.0} s, so the ratio falls as the faults grow (the whole registry: {FaultRegistry.All.Count} faults in about 80 certifications instead of {FaultRegistry.All.Count + 1})"),
        };
    }

    private static async Task<(double Seconds, int Exit)> TimeAsync(int faults, bool full, string outDir, TimeProvider time, CancellationToken ct)
    {
        var template = new RunRequest(null, null, null, outDir, [], [], null, "must", [], false, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(600), null);
        var started = Stopwatch.GetTimestamp();
        var exit = await SelfTestCommand.RunAsync(template, [.. FaultRegistry.All.Take(faults).Select(f => f.Name)], time, TextWriter.Null, ct, SelfTestCommand.DefaultParallelism, full);
        return (Stopwatch.GetElapsedTime(started).TotalSeconds, exit);
    }
}
