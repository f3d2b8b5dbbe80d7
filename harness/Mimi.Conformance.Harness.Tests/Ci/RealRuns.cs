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

    /// <summary>The faulty run's seed, so that a test can derive every private key its parties held (the secrets scan).</summary>
    public const string FaultySeed = "shared-faulty-run";

    private static readonly Lazy<Task<RealRun>> FaultyRun = new(() => RunAsync(Request(PrivateTempFolder.Shared("faulty-run"), [Fault]) with { Seed = FaultySeed }));
    private static readonly Lazy<Task<RealRun>> CleanRun = new(() => RunAsync(Request(PrivateTempFolder.Shared("clean-run"))));

    public static Task<RealRun> Faulty => FaultyRun.Value;

    public static Task<RealRun> Clean => CleanRun.Value;

    /// <summary>A fresh output root for one test's runs, removed when the test disposes it.</summary>
    public static TestFolder NewRoot(string name) => new(name);

    public static RunRequest Request(string outputRoot, IReadOnlyList<string>? faults = null) =>
        new(null, null, null, outputRoot, [], [], null, "must", faults ?? [], false, TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(5), null);

    public static async Task<RealRun> RunAsync(RunRequest request)
    {
        var report = await ConformanceRun.ExecuteAsync(request, TimeProvider.System, TextWriter.Null, CancellationToken.None);
        return new RealRun(report, Path.Combine(request.OutputRoot, report.Run.Id));
    }
}

/// <summary>A temp folder for one test, deleted with everything in it on dispose.</summary>
internal sealed class TestFolder(string name) : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory($"mimi-{name}-").FullName;

    public static implicit operator string(TestFolder folder) => folder.Path;

    public override string ToString() => Path;

    public void Dispose()
    {
        if (Directory.Exists(Path))
            Directory.Delete(Path, recursive: true);
    }
}
