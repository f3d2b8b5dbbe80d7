using FluentAssertions;
using Mimi.Conformance.Harness.Configuration;
using Mimi.Conformance.Cli.Execution;
using Mimi.Conformance.Harness.Results;
using Mimi.Conformance.ReferenceDp.Hosting;

namespace Mimi.Conformance.Harness.Tests.Transport;

/// <summary>
/// Certificate problems are configuration problems: every verdict is error with a hint that names --ca/--pin,
/// never a DP failure, and the run exits 2.
/// </summary>
public sealed class TlsConfigurationTests : IDisposable
{
    private readonly List<string> _folders = [];

    /// <summary>A temporary folder removed after the test (the DPs started in it are disposed by then).</summary>
    private string Folder(string prefix)
    {
        var path = Directory.CreateTempSubdirectory(prefix).FullName;
        _folders.Add(path);
        return path;
    }

    public void Dispose()
    {
        foreach (var folder in _folders)
            Directory.Delete(folder, recursive: true);
    }

    /// <summary>The system clock shifted, so the DP mints a certificate that has already expired.</summary>
    private sealed class ShiftedTime(TimeSpan shift) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + shift;
    }

    /// <summary>A TLS problem stops every test at its first request, so two requirements show it at a fraction of a full run.</summary>
    private async Task<ConformanceReport> CertifyAsync(Uri url, string? caFile, string? pin = null)
    {
        var request = new RunRequest(DpEndpoint.Of(url), caFile, pin, Folder("mimi-tls-"), [], ["DISC-R-01", "DISC-L-01"], null, "must", [], AllowTestControl: true,
            TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(120), "tls");
        return await ConformanceRun.ExecuteAsync(request, TimeProvider.System, TextWriter.Null, TestContext.Current.CancellationToken);
    }

    /// <summary>Every error names the cause in plain words, the certificate's actual pin, and the remedy.</summary>
    private static void AssertConfigurationError(ConformanceReport report, string cause, string pin)
    {
        report.Summary.ExitCode.Should().Be(2);
        report.Summary.Verdict.Should().Be(RunVerdict.Error);
        var tests = report.Requirements.SelectMany(r => r.Tests).Where(t => t.Verdict != Verdict.Untested).ToList();
        tests.Should().NotBeEmpty();
        tests.Should().NotContain(t => t.Verdict == Verdict.Fail || t.Verdict == Verdict.Warn, "a TLS trust problem is never a finding against the DP");
        tests.Where(t => t.Verdict == Verdict.Error).Should().NotBeEmpty().And.OnlyContain(t =>
            t.Reason!.Contains("TLS: the harness refused the DP's certificate", StringComparison.Ordinal) && t.Reason.Contains(cause, StringComparison.Ordinal)
            && t.Reason.Contains($"--pin {pin}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_expired_certificate_is_a_configuration_error()
    {
        var dir = Folder("mimi-tls-expired-");
        await using var dp = await ReferenceDpHost.StartAsync(new ReferenceDpOptions { DataDirectory = dir, TimeProvider = new ShiftedTime(TimeSpan.FromDays(-60)) }, TestContext.Current.CancellationToken);
        AssertConfigurationError(await CertifyAsync(dp.Url, dp.CertificatePath), "is not valid now (valid from", dp.PinSha256Hex);
    }

    [Fact]
    public async Task A_certificate_for_another_host_name_is_a_configuration_error()
    {
        var dir = Folder("mimi-tls-host-");
        // Bound to 127.0.0.2, whose address is not among the certificate's names (127.0.0.1, ::1, localhost).
        await using var dp = await ReferenceDpHost.StartAsync(new ReferenceDpOptions { DataDirectory = dir, BindAddress = "127.0.0.2" }, TestContext.Current.CancellationToken);
        dp.Url.Host.Should().Be("127.0.0.2");
        AssertConfigurationError(await CertifyAsync(dp.Url, dp.CertificatePath), "does not name the host 127.0.0.2", dp.PinSha256Hex);
    }

    [Fact]
    public async Task A_self_signed_certificate_without_ca_or_pin_is_a_configuration_error()
    {
        var dir = Folder("mimi-tls-untrusted-");
        await using var dp = await ReferenceDpHost.StartAsync(new ReferenceDpOptions { DataDirectory = dir }, TestContext.Current.CancellationToken);
        AssertConfigurationError(await CertifyAsync(dp.Url, caFile: null), "is not trusted: it does not chain to a CA this machine trusts", dp.PinSha256Hex);
    }

    [Fact]
    public async Task A_wrong_pin_is_a_configuration_error_that_shows_the_actual_pin()
    {
        var dir = Folder("mimi-tls-pin-");
        await using var dp = await ReferenceDpHost.StartAsync(new ReferenceDpOptions { DataDirectory = dir }, TestContext.Current.CancellationToken);
        var wrong = new string('a', 64);
        AssertConfigurationError(await CertifyAsync(dp.Url, caFile: null, pin: wrong), $"has the SHA-256 pin {dp.PinSha256Hex}, not the --pin {wrong}", dp.PinSha256Hex);
    }

    [Fact]
    public async Task Without_allow_test_control_an_external_dp_gets_no_test_control_calls()
    {
        var dir = Folder("mimi-tls-notc-");
        await using var dp = await ReferenceDpHost.StartAsync(new ReferenceDpOptions { DataDirectory = dir }, TestContext.Current.CancellationToken);
        var output = Folder("mimi-notc-");
        var request = new RunRequest(DpEndpoint.Of(dp.Url), dp.CertificatePath, null, output, [], [], null, "must", [], AllowTestControl: false,
            TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(120), "no-test-control");
        var report = await ConformanceRun.ExecuteAsync(request, TimeProvider.System, TextWriter.Null, TestContext.Current.CancellationToken);

        report.Summary.Verdict.Should().Be(RunVerdict.Incomplete, "publish-based requirements were not observed: never a certificate");
        report.Summary.ExitCode.Should().Be(3);
        report.Summary.Verification.NotVerifiable.Should().Contain("DISC-R-01");
        var exchanges = report.Requirements.SelectMany(r => r.Tests).SelectMany(t => t.Exchanges).ToList();
        exchanges.Should().NotContain(e => e.Url.Contains("/test-control", StringComparison.Ordinal));
        report.Requirements.Single(r => r.Id == "DISC-R-01").Verdict.Should().Be(Verdict.NotVerifiable);
        report.Requirements.Single(r => r.Id == "DISC-R-01").Tests[0].Reason.Should().Contain("--allow-test-control");
        // Lifecycle timelines and invalidation sending need test control: never a pass, and the reason carries the steps to do by hand.
        foreach (var id in new[] { "DISC-M-06", "DISC-L-16", "DISC-L-17", "DISC-L-17A", "DISC-L-18" })
        {
            var row = report.Requirements.Single(r => r.Id == id);
            row.Verdict.Should().Be(Verdict.NotVerifiable, id);
            row.Tests.Should().NotBeEmpty().And.OnlyContain(t => t.Reason!.Contains("by hand", StringComparison.Ordinal) && t.Reason.Contains("publish", StringComparison.Ordinal), id);
        }
    }
}
