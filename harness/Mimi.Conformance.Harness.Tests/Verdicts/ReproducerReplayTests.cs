using System.Diagnostics;
using FluentAssertions;
using Mimi.Conformance.Cli.Execution;
using Mimi.Conformance.Harness.Configuration;
using Mimi.Conformance.Harness.Results;
using Mimi.Conformance.ReferenceDp.Hosting;

namespace Mimi.Conformance.Harness.Tests.Verdicts;

/// <summary>A failing test's reproducer is real shell: replayed with real curl against the faulty DP, it gets the failing answer again.</summary>
public sealed class ReproducerReplayTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("mimi-replay-").FullName;

    [Fact]
    public async Task A_failing_reproducer_replayed_with_curl_reproduces_the_failure()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var dp = await ReferenceDpHost.StartAsync(new ReferenceDpOptions { DataDirectory = Path.Combine(_root, "dp"), Faults = new HashSet<string> { "normalize-csi" } }, ct);
        var request = new RunRequest(DpEndpoint.Of(dp.Url), dp.CertificatePath, null, Path.Combine(_root, "out"), [], ["DISC-L-08"], null, "must", [], AllowTestControl: true,
            TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(5), "replay");
        var report = await ConformanceRun.ExecuteAsync(request, TimeProvider.System, TextWriter.Null, ct);

        var failing = report.Requirements.Single(r => r.Id == "DISC-L-08").Tests.First(t => t.Verdict == Verdict.Fail);
        failing.Reproducer.Should().Contain($"--dp {report.Run.Target}").And.Contain("--seed 'replay'");
        // The lookup the faulty DP answered 200 although the CSI is not canonical (the refusal the rule wants is 400).
        var line = failing.Reproducer!.Split('\n').First(l => l.Contains("/v1/lookup", StringComparison.Ordinal) && l.TrimEnd().EndsWith("# → 200", StringComparison.Ordinal));

        var psi = new ProcessStartInfo("sh", ["-c", line]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var curl = Process.Start(psi)!;
        var output = await curl.StandardOutput.ReadToEndAsync(ct);
        await curl.WaitForExitAsync(ct);

        curl.ExitCode.Should().Be(0, await curl.StandardError.ReadToEndAsync(ct));
        output.Should().MatchRegex(@"^HTTP/[0-9.]+ 200", "the replay gets the same wrong answer: " + line);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
