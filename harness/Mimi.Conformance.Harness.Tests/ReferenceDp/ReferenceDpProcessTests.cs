using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using FluentAssertions;
using Mimi.Conformance.Harness.Client;
using Mimi.Conformance.Harness.Configuration;
using Mimi.Conformance.Harness.Roles;
using Mimi.Conformance.ReferenceDp.Hosting;

namespace Mimi.Conformance.Harness.Tests.ReferenceDp;

/// <summary>The DP as a process (serve-dp): ready.json, and no acknowledged write lost to kill -9.</summary>
public sealed class ReferenceDpProcessTests
{
    [Fact]
    public async Task The_process_writes_ready_json_and_keeps_an_acknowledged_write_across_kill_9()
    {
        var dir = Directory.CreateTempSubdirectory("mimi-refdp-process-").FullName;
        var parties = new Parties("reference-dp-process", TimeProvider.System);
        var csi = parties.NewE164();
        try
        {
            using (var process = StartProcess(dir))
            {
                try
                {
                    var ready = await ReadReadyAsync(process, dir);
                    ready["url"]!.GetValue<string>().Should().MatchRegex(@"^https://127\.0\.0\.1:\d+$");
                    Path.IsPathRooted(ready["cert"]!.GetValue<string>()).Should().BeTrue();

                    using var client = ClientOf(ready);
                    await TrustAndPublishAsync(client, parties, csi);
                }
                finally
                {
                    // SIGKILL right after the 201: the write must already be durable.
                    process.Kill(entireProcessTree: true);
                    await process.WaitForExitAsync(TestContext.Current.CancellationToken);
                }
            }

            await using var restarted = await DpTestHost.StartAsync(dir);
            var (_, found) = await restarted.LookupAsync(csi);
            found!["status"]!.GetValue<string>().Should().Be("found");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task TrustAndPublishAsync(DpClient client, Parties parties, string csi)
    {
        var ct = TestContext.Current.CancellationToken;
        var (profile, _, problem) = await ProfileClient.ConnectAsync(client, ct);
        profile.Should().NotBeNull(problem);
        var trusted = await profile!.TestControl!.TrustAsync([parties.Csip.Trusted], ct);
        trusted.Status.Should().Be(204, trusted.Text);
        var mapping = MappingBuilder.For(parties, profile.Metadata.DpId, csi, parties.NewRecipientKey()).Build().Cose;
        (await profile.PublishAsync(mapping, ct: ct)).Status.Should().Be(201);
    }

    /// <summary>The token the process tests give serve-dp's test control.</summary>
    internal const string ControlToken = "process-test-control-token";

    /// <summary>The reference DP's one entry point, the CLI's serve-dp, as an operator starts it.</summary>
    internal static Process StartProcess(string dataDirectory)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { Verdicts.ConfigurationErrorTests.CliDll, "serve-dp", "--data", dataDirectory, "--port", "0", "--no-anti-enumeration", "--test-control", "--test-control-token", ControlToken })
            info.ArgumentList.Add(arg);
        return Process.Start(info)!;
    }

    /// <summary>Waits for serve-dp's first line (it comes once the DP listens), then returns the ready.json it wrote before it.</summary>
    internal static async Task<JsonNode> ReadReadyAsync(Process process, string dataDirectory)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        var line = await process.StandardOutput.ReadLineAsync(timeout.Token)
            ?? throw new InvalidOperationException($"the DP exited without a line: {await process.StandardError.ReadToEndAsync(timeout.Token)}");
        line.Should().StartWith("reference DP listening at ");
        var ready = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(dataDirectory, RunningDp.ReadyFileName), timeout.Token))!;
        ready["url"]!.GetValue<string>().Should().Be(line["reference DP listening at ".Length..].TrimEnd('/'));
        return ready;
    }

    /// <summary>A client of the process's DP, with its test-control token.</summary>
    internal static DpClient ClientOf(JsonNode ready) =>
        new(new ConformanceOptions
        {
            DpUrl = DpEndpoint.Parse(ready["url"]!.GetValue<string>(), "the test DP"),
            PinSha256 = ready["pin_sha256"]!.GetValue<string>(),
            RequestTimeout = DpTestHost.Timeout,
            TestControlToken = ControlToken,
        }.Validated(), TimeProvider.System);

    [Fact]
    public void Ready_json_uses_the_documented_member_names()
    {
        var json = JsonSerializer.Serialize(new Mimi.Conformance.ReferenceDp.Endpoints.ReadyInfo("https://127.0.0.1:1", "/c.pem", "ab", "mimi://x"), Mimi.Conformance.ReferenceDp.Endpoints.DpJson.Default.ReadyInfo);

        json.Should().Be("""{"url":"https://127.0.0.1:1","cert":"/c.pem","pin_sha256":"ab","dp_id":"mimi://x"}""");
    }
}
