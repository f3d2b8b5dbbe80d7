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

    [Fact]
    public async Task An_anti_enumeration_dp_is_looked_up_with_the_client_credentials_its_operator_issued()
    {
        var keysFile = Path.Combine(_root, "keys.json");
        HarnessKeys.Generate(keysFile);
        var issued = Enumerable.Range(0, 64).Select(i => $"issued-out-of-band-{i:d2}-{Guid.NewGuid():N}").ToList();
        var credentialsFile = Path.Combine(_root, "clients.txt");
        await File.WriteAllLinesAsync(credentialsFile, ["# issued by the operator", .. issued], Ct);
        await using var dp = await ReferenceDpHost.StartAsync(new ReferenceDpOptions
        {
            DataDirectory = Path.Combine(_root, "dp"),
            TestControl = false,
            AntiEnumeration = true,
            TrustedKeys = HarnessKeys.LoadTrust(keysFile),
            IssuedClients = issued,
        }, Ct);
        RunRequest Request(string output, string? credentials) => new(DpEndpoint.Of(dp.Url), dp.CertificatePath, null, Path.Combine(_root, output), [], ["DISC-R-01", "DISC-L-03"], null, "must", [],
            AllowTestControl: false, TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(5), "oob-clients") { KeysFile = keysFile, ClientCredentialsFile = credentials };

        var without = await ConformanceRun.ExecuteAsync(Request("without", null), TimeProvider.System, TextWriter.Null, Ct);
        var with = await ConformanceRun.ExecuteAsync(Request("with", credentialsFile), TimeProvider.System, TextWriter.Null, Ct);

        // A publish, then a token-gated lookup of what was published.
        static Mimi.Conformance.Harness.Results.TestResult Served(ConformanceReport report) => report.Requirements.Single(r => r.Id == "DISC-L-03").Tests
            .Single(t => t.Id.EndsWith("/Served mapping carries recipient msp and dp signatures", StringComparison.Ordinal));
        Served(without).Verdict.Should().Be(Verdict.NotVerifiable, "an anonymous lookup needs a token, and only an identified client gets one");
        Served(without).Reason.Should().Contain("--client-credentials", "the reason names the remedy");
        Served(with).Verdict.Should().Be(Verdict.Pass, "the issued credentials got the tokens");
        with.Requirements.Single(r => r.Id == "DISC-R-01").Verdict.Should().Be(Verdict.Pass);
        foreach (var file in Directory.EnumerateFiles(Path.Combine(_root, "with"), "*", SearchOption.AllDirectories))
        {
            var text = await File.ReadAllTextAsync(file, Ct);
            issued.Should().NotContain(c => text.Contains(c, StringComparison.Ordinal), $"{file} holds no issued credential");
        }
    }

    [Fact]
    public async Task A_client_credentials_file_without_credentials_is_a_configuration_error()
    {
        var empty = Path.Combine(_root, "empty.txt");
        await File.WriteAllTextAsync(empty, "# nothing yet\n", Ct);
        var (exit, _, stderr) = await ConfigurationErrorTests.CliAsync(["run", "--dp", "https://127.0.0.1:9", "--client-credentials", empty, "--out", _root]);

        exit.Should().Be(2);
        stderr.Trim().Should().Be($"configuration error: --client-credentials {empty}: no credential in it (one per line)");
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
