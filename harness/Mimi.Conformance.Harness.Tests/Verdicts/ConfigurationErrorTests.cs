using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using FluentAssertions;
using Mimi.Conformance.Harness.Requirements;

namespace Mimi.Conformance.Harness.Tests.Verdicts;

/// <summary>A typo is never a verdict: every configuration mistake is exit 2 with one line naming the fix, and no stack trace.</summary>
public sealed class ConfigurationErrorTests
{
    public static TheoryData<string[], string> Mistakes => new()
    {
        { ["run", "--only", "NOPE-*"], "selects no requirement or rule" },
        { ["run", "--class", "bogus"], "unknown class bogus" },
        { ["run", "--list", "--only", "NOPE-*"], "selects no requirement or rule" },
        { ["run", "--no-such-flag"], "--no-such-flag" },
        { ["run", "--timeout-ms", "abc"], "as a whole number" },
        { ["run", "--dp-fault", "nonexistent"], "unknown fault mode nonexistent" },
        { ["run", "--budget-s", "-5"], "--budget-s takes 1..86400" },
        { ["run", "--keys", "/nonexistent/keys.json"], "keys generate" },
        { ["run", "--accept-not-verifiable", "NOPE-1"], "not a requirement or rule" },
        { ["serve-dp", "--fault", "bogus"], "unknown fault mode bogus" },
        { ["run", "--budget-s", "0", "--class", "bogus"], "unknown class bogus (classes: core, joint-signature, tag-privacy, lifecycle, anti-enumeration, federation, sender); --budget-s takes 1..86400" },
    };

    [Theory]
    [MemberData(nameof(Mistakes))]
    public async Task A_mistake_exits_2_with_one_line(string[] args, string message)
    {
        var (exit, stdout, stderr) = await CliAsync(args);

        exit.Should().Be(2, string.Join(' ', args));
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Should().ContainSingle().Which.Should().StartWith("configuration error: ").And.Contain(message);
        stderr.Should().NotContain("   at ", "no stack trace");
        stdout.Should().BeEmpty();
    }

    [Fact]
    public async Task Serve_dp_on_a_busy_port_exits_2_with_one_line_and_leaves_the_running_dps_certificate_alone()
    {
        using var busy = new TcpListener(IPAddress.Loopback, 0);
        busy.Start();
        var port = ((IPEndPoint)busy.LocalEndpoint).Port;
        var data = Directory.CreateTempSubdirectory("mimi-busy-port-").FullName;
        // The certificate of a DP already serving from this data directory, which a failed second start must not replace.
        var certificate = Path.Combine(data, "dp-cert.pem");
        await File.WriteAllTextAsync(certificate, "the running DP's certificate\n", TestContext.Current.CancellationToken);
        try
        {
            var (exit, _, stderr) = await CliAsync(["serve-dp", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--data", data]);

            exit.Should().Be(2);
            stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().ContainSingle().Which.Should().Contain($"cannot listen on 127.0.0.1:{port}").And.Contain("pick another --port");
            (await File.ReadAllTextAsync(certificate, TestContext.Current.CancellationToken)).Should().Be("the running DP's certificate\n");
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    /// <summary>The CLI as built in its own folder (with its own deps.json and native assets), as run.sh runs it.</summary>
    internal static string CliDll => Path.Combine(RepositoryLayout.Root, "harness", "Mimi.Conformance.Cli", "bin", "Release", "net10.0", "mimi-conformance.dll");

    /// <summary>The built CLI as a user runs it. The generous timeout only guards against a hang; no assertion rests on it.</summary>
    internal static async Task<(int Exit, string Stdout, string Stderr)> CliAsync(IReadOnlyList<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var dll = CliDll;
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(dll);
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        foreach (var (k, v) in environment ?? new Dictionary<string, string>())
            psi.Environment[k] = v;
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(guard.Token);
        return (process.ExitCode, await stdout, await stderr);
    }
}
