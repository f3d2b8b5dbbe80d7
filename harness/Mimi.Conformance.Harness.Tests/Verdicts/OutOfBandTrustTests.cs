using FluentAssertions;
using Mimi.Conformance.Cli.Execution;
using Mimi.Conformance.Cli.Keys;
using Mimi.Conformance.Harness.Client;
using Mimi.Conformance.Harness.Configuration;
using Mimi.Conformance.Harness.Results;
using Mimi.Conformance.ReferenceDp.Hosting;

namespace Mimi.Conformance.Harness.Tests.Verdicts;

/// <summary>
/// Certifying without test control: a DP configured out of band with the keys of a keys file reaches the
/// publish-based verdicts, the run is never compliant while checks that need test control stay not-verifiable, and
/// the keys file's secret reaches no report file.
/// </summary>
public sealed class OutOfBandTrustTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("mimi-oob-").FullName;

    private CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_dp_that_trusts_the_keys_file_reaches_the_publish_based_verdicts_without_test_control()
    {
        var keysFile = Path.Combine(_root, "keys.json");
        var identity = HarnessKeys.Generate(keysFile);
        await using var dp = await ReferenceDpHost.StartAsync(new ReferenceDpOptions
        {
            DataDirectory = Path.Combine(_root, "dp"),
            TestControl = false,
            TrustedKeys = HarnessKeys.LoadTrust(keysFile),
        }, Ct);
        var request = new RunRequest(DpEndpoint.Of(dp.Url), dp.CertificatePath, null, Path.Combine(_root, "out"), [], [], null, "must", [], AllowTestControl: false,
            TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(5), "oob-run") { KeysFile = keysFile };

        var report = await ConformanceRun.ExecuteAsync(request, TimeProvider.System, TextWriter.Null, Ct);

        report.Requirements.Single(r => r.Id == "DISC-R-01").Verdict.Should().Be(Verdict.Pass, "the DP trusts the keys file's CSIP, so publishing works");
        report.Requirements.Single(r => r.Id == "DISC-L-03").Verdict.Should().Be(Verdict.Pass);
        report.Summary.Verdict.Should().Be(RunVerdict.Incomplete, "lifecycle checks need test control's clock: never a certificate");
        report.Summary.ExitCode.Should().Be(3);
        report.Summary.Verification.NotVerifiable.Should().NotBeEmpty().And.NotContain("DISC-R-01");
        report.Run.Harness!.Seed.Should().BeNull("the keys come from the keys file, whose secret stays out of the report");
        report.Run.Harness.KeysFile.Should().Be(keysFile);
        report.Run.Harness.TrustBody.Should().Be(identity.TrustBody);
        var secret = HarnessKeys.LoadSecret(keysFile);
        foreach (var file in Directory.EnumerateFiles(Path.Combine(_root, "out"), "*", SearchOption.AllDirectories))
            (await File.ReadAllTextAsync(file, Ct)).Should().NotContain(secret, file);
    }

    [Fact]
    public async Task Without_keys_the_report_prints_the_trust_body_and_the_seed_that_reproduce_the_keys()
    {
        await using var dp = await ReferenceDpHost.StartAsync(new ReferenceDpOptions { DataDirectory = Path.Combine(_root, "dp"), TestControl = false }, Ct);
        var request = new RunRequest(DpEndpoint.Of(dp.Url), dp.CertificatePath, null, Path.Combine(_root, "out"), [], ["DISC-R-01"], null, "must", [], AllowTestControl: false,
            TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(5), "seed-42");

        var report = await ConformanceRun.ExecuteAsync(request, TimeProvider.System, TextWriter.Null, Ct);

        report.Summary.Verdict.Should().Be(RunVerdict.Incomplete);
        var reason = report.Requirements.Single(r => r.Id == "DISC-R-01").Tests[0].Reason;
        reason.Should().Contain("run.harness.trust_body").And.Contain("keys generate");
        report.Run.Harness!.Seed.Should().Be("seed-42");
        report.Run.Harness.Keys.Select(k => k.Role).Should().Contain(["csip", "msp", "dp"]);
        var html = await File.ReadAllTextAsync(Path.Combine(_root, "out", report.Run.Id, "report.html"), Ct);
        html.Should().Contain(report.Run.Harness.Keys[0].PublicKey, "the HTML header shows the keys to configure");
    }

    [Fact]
    public async Task Test_control_behind_a_token_answers_only_requests_that_carry_it()
    {
        await using var dp = await ReferenceDpHost.StartAsync(new ReferenceDpOptions { DataDirectory = Path.Combine(_root, "dp"), TestControlToken = "0123456789abcdef" }, Ct);
        ConformanceOptions Options(string? token) => new ConformanceOptions { DpUrl = DpEndpoint.Of(dp.Url), CaFile = dp.CertificatePath, AllowTestControl = true, TestControlToken = token }.Validated();

        using var without = new DpClient(Options(null), TimeProvider.System);
        var (profile, _, _) = await ProfileClient.ConnectAsync(without, Ct);
        var refused = await profile!.TestControl!.ResetAsync(Ct);
        refused.Status.Should().Be(403);
        refused.ProblemType.Should().Be(Mimi.Conformance.Protocol.Profile.ProfileConstants.Problems.Unauthorized);

        using var with = new DpClient(Options("0123456789abcdef"), TimeProvider.System);
        var (allowed, _, _) = await ProfileClient.ConnectAsync(with, Ct);
        (await allowed!.TestControl!.ResetAsync(Ct)).Status.Should().Be(204);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
