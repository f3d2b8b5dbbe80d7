using Mimi.Conformance.Cli.Execution;
using Mimi.Conformance.Harness.Results;

namespace Mimi.Conformance.Harness.Tests.Ci;

/// <summary>A finished certification run of the embedded reference DP: its report and its run directory.</summary>
internal sealed record RealRun(ConformanceReport Report, string Directory);

/// <summary>
/// Real runs of the CLI's ConformanceRun (embedded reference DP on 127.0.0.1, the built suite as a child process),
/// each made once per test process and shared by the tests that read its files.
/// </summary>
internal static class RealRuns
{
    /// <summary>The fault the shared faulty run uses, and the requirement it must fail (vectors/self-test/faults.json).</summary>
    public const string Fault = "conflate-opt-out";
    public const string FaultyRequirement = "DISC-R-05";

    private static readonly Lazy<Task<RealRun>> FaultyRun = new(() => RunAsync("faulty", [Fault]));
    private static readonly Lazy<Task<RealRun>> CleanRun = new(() => RunAsync("clean", []));

    public static Task<RealRun> Faulty => FaultyRun.Value;

    public static Task<RealRun> Clean => CleanRun.Value;

    public static string NewRoot(string name)
    {
        var root = Path.Combine(Path.GetTempPath(), "mimi-ci-tests", name + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(root);
        return root;
    }

    public static RunRequest Request(string outputRoot, IReadOnlyList<string>? faults = null) =>
        new(null, null, null, outputRoot, [], [], null, "must", faults ?? [], false, TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(5), null);

    public static async Task<RealRun> RunAsync(string name, IReadOnlyList<string> faults) => await RunAsync(Request(NewRoot(name), faults));

    public static async Task<RealRun> RunAsync(RunRequest request)
    {
        var report = await ConformanceRun.ExecuteAsync(request, TimeProvider.System, TextWriter.Null, CancellationToken.None);
        return new RealRun(report, Path.Combine(request.OutputRoot, report.Run.Id));
    }
}
