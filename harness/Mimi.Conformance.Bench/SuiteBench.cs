using System.Diagnostics;
using Mimi.Conformance.Cli.Execution;
using Mimi.Conformance.Harness.Configuration;
using Mimi.Conformance.Harness.Results;

namespace Mimi.Conformance.Bench;

/// <summary>
/// Figures 1 and 6: a full default certification of the embedded DP (what `./run.sh run` does after the build),
/// its split between waiting on the DP and everything else, and the peak RSS of the suite child and of the CLI.
/// The baseline is an empty suite run (same process, a filter that selects nothing): process start-up plus
/// xunit discovery, measured in the same bench run.
/// </summary>
internal static class SuiteBench
{
    /// <summary>What perf showed (perf record -F 299 -g with DOTNET_PerfMapEnabled=1, one whole-suite self-test fault, two certifications, 2 cores).</summary>
    private const string Profile = "Profile (perf record -F 299 -g, DOTNET_PerfMapEnabled=1): before ReadyToRun a suite child spent 44% of its CPU in libclrjit and libcoreclr " +
        "(JIT and type loading), 17% in the kernel (loopback TLS), 5% in libcrypto; with the suite and CLI precompiled at build time (Directory.Build.targets ReadyToRunOnBuild) " +
        "JIT fell to 12-14% and a child's CPU by 15%. The CLI hosting the DP spends 27% in the kernel (sockets, TLS), 16% JIT (tiered rejits), 10% libcrypto (TLS, RSA), 3% SQLite. " +
        "What remains is spread over the tests' own work, not one hot spot";

    public static async Task<List<BenchFigure>> RunAsync(string workDir, TimeProvider time, TextWriter log, CancellationToken ct)
    {
        // Empty run first: until the full run exits, the largest waited-for child is this one.
        var emptyOptions = new ConformanceOptions { DpUrl = DpEndpoint.Parse("https://127.0.0.1:9", "the empty run's DP"), RequestTimeout = TimeSpan.FromSeconds(1) }.Validated();
        var empty = await SuiteRunner.RunAsync(emptyOptions, ["BENCH-NO-SUCH-REQUIREMENT"], Path.Combine(workDir, "empty-suite"), TimeSpan.FromMinutes(2), ct);
        var emptyPeakKib = ProcessMemory.LargestChildPeakKib();

        var request = new RunRequest(null, null, null, Path.Combine(workDir, "runs"), [], [], null, "must", [], false,
            TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(600), null);
        var started = Stopwatch.GetTimestamp();
        var report = await ConformanceRun.ExecuteAsync(request, time, log, ct);
        var total = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var suitePeakKib = ProcessMemory.LargestChildPeakKib();
        var cliPeakKib = ProcessMemory.SelfPeakKib();

        // Breakdown of the fixed costs around the suite child, measured again in isolation (same run).
        var t = Stopwatch.GetTimestamp();
        await using (await EmbeddedDp.StartAsync([], ct))
        {
        }
        var dpStartStop = Stopwatch.GetElapsedTime(t).TotalSeconds;
        t = Stopwatch.GetTimestamp();
        Mimi.Conformance.Reporting.ReportWriter.WriteAll(report, Path.Combine(workDir, "report-rewrite"));
        var reportWrite = Stopwatch.GetElapsedTime(t).TotalSeconds;

        var tests = report.Requirements.SelectMany(r => r.Tests).ToArray();
        var exchanges = tests.SelectMany(t => t.Exchanges).ToArray();
        var dpSeconds = exchanges.Sum(e => e.ElapsedMs) / 1000.0;
        var inTestSeconds = tests.Sum(t => t.DurationMs) / 1000.0;
        var startup = empty.Elapsed.TotalSeconds;
        var afterStartup = Math.Max(0.001, total - startup);
        var harnessSeconds = Math.Max(0, afterStartup - dpSeconds);
        var overheadPercent = 100.0 * harnessSeconds / afterStartup;
        var common = new Dictionary<string, System.Text.Json.Nodes.JsonNode?>
        {
            ["total_s"] = Math.Round(total, 3),
            ["suite_startup_empty_run_s"] = Math.Round(startup, 3),
            ["dp_exchange_s"] = Math.Round(dpSeconds, 3),
            ["exchanges"] = exchanges.Length,
            ["in_test_s"] = Math.Round(inTestSeconds, 3),
            ["harness_s"] = Math.Round(harnessSeconds, 3),
            ["tests"] = tests.Length,
            ["embedded_dp_start_stop_s"] = Math.Round(dpStartStop, 3),
            ["report_files_write_s"] = Math.Round(reportWrite, 3),
            ["per_exchange_ms"] = exchanges.Length == 0 ? null : Math.Round(1000 * dpSeconds / exchanges.Length, 3),
            ["per_exchange_harness_ms"] = exchanges.Length == 0 ? null : Math.Round(1000 * (inTestSeconds - dpSeconds) / exchanges.Length, 3),
            ["fixed_cost_s"] = new System.Text.Json.Nodes.JsonObject
            {
                ["suite_child_start_and_discovery"] = Math.Round(startup, 3),
                ["embedded_dp_start_stop"] = Math.Round(dpStartStop, 3),
                ["report_files"] = Math.Round(reportWrite, 3),
                ["fixture_preflight_and_jit_outside_tests"] = Math.Round(afterStartup - inTestSeconds - dpStartStop - reportWrite, 3),
            },
            ["profile"] = Profile,
            ["outside_tests_s"] = Math.Round(afterStartup - inTestSeconds - dpStartStop - reportWrite, 3),
            ["verdict"] = report.Summary.Verdict.ToWire(),
            ["complete"] = report.Run.Completeness.Complete,
        };

        var figures = new List<BenchFigure>
        {
            new("suite_wall_time", "Full default run against the embedded DP", total, "s", startup, "empty suite run (process start-up + xunit discovery), s",
                TargetKind.ValueAtMost, 8,
                "wall time of ConformanceRun.ExecuteAsync (embedded DP start, preflight, suite child process, report files); build excluded")
            {
                Details = new(common),
                Explanation = total <= 8 ? null : string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"{tests.Length} tests make {exchanges.Length} exchanges at {1000 * dpSeconds / Math.Max(1, exchanges.Length):0.0} ms each ({dpSeconds:0.0} s waiting on the DP), and the tests that wait on purpose (a peer that never answers: the DP's peer timeout; allowance windows) add their waits; {startup:0.0} s is the child's start-up. {Profile}"),
            },
            new("harness_overhead", "Harness overhead (time not spent waiting on the DP)", overheadPercent, "%", dpSeconds, "sum of recorded exchange elapsed_ms, s",
                TargetKind.ValueAtMost, 10,
                "100 x (total - start-up - sum(exchange elapsed)) / (total - start-up). start-up = the empty suite run; exchange elapsed is the client's view (request written to response read, TLS and loopback included); the suite runs its tests sequentially, so exchanges do not overlap")
            {
                Details = new(common),
                Explanation = overheadPercent <= 10 ? null : string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"the DP answers fast ({exchanges.Length} exchanges in {dpSeconds:0.00} s), so fixed costs dominate: of {afterStartup:0.0} s after start-up, the tests' own bodies take {inTestSeconds:0.00} s (DP waits included), embedded DP start+stop {dpStartStop:0.00} s, report files {reportWrite:0.00} s; the remaining {afterStartup - inTestSeconds - dpStartStop - reportWrite:0.0} s is the suite child outside test bodies (fixture set-up: key derivation, metadata, trust; JIT of the HTTP/TLS/CBOR paths in a fresh process) and the CLI's preflight. Not a per-request cost: it does not grow with the DP's latency. {Profile}"),
            },
            new("peak_rss_suite", "Peak RSS of the suite child process (full run)", suitePeakKib / 1024.0, "MiB", emptyPeakKib / 1024.0,
                "peak RSS of the empty suite run, MiB", TargetKind.None, null,
                "ru_maxrss of RUSAGE_CHILDREN read right after the full run's suite child exited (the largest child so far: only the empty run preceded it)"),
            new("peak_rss_cli", "Peak RSS of the CLI process (hosts the embedded DP)", cliPeakKib / 1024.0, "MiB", emptyPeakKib / 1024.0,
                "peak RSS of the empty suite run, MiB", TargetKind.None, null,
                "VmHWM of the CLI process right after the full run (CLI + in-process reference DP + report writing); the dotnet host is this process"),
        };
        return figures;
    }
}
