using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using FluentAssertions;
using Mimi.Conformance.Harness.Client;
using Mimi.Conformance.Harness.Roles;
using Mimi.Conformance.ReferenceDp.Hosting;

namespace Mimi.Conformance.Harness.Tests.ReferenceDp;

/// <summary>The DP as a process: the ready line, and no acknowledged write lost to kill -9.</summary>
public sealed class ReferenceDpProcessTests
{
    [Fact]
    public async Task The_process_prints_one_ready_line_and_keeps_an_acknowledged_write_across_kill_9()
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
                    var line = await ReadReadyLineAsync(process);
                    line.Should().StartWith(Mimi.Conformance.ReferenceDp.Program.ReadyPrefix);
                    var ready = JsonNode.Parse(line[Mimi.Conformance.ReferenceDp.Program.ReadyPrefix.Length..])!;
                    var url = ready["url"]!.GetValue<string>();
                    url.Should().MatchRegex(@"^https://127\.0\.0\.1:\d+$");
                    Path.IsPathRooted(ready["cert"]!.GetValue<string>()).Should().BeTrue();
                    File.ReadAllText(Path.Combine(dir, "ready.json")).Trim().Should().Be(line[Mimi.Conformance.ReferenceDp.Program.ReadyPrefix.Length..]);

                    using var client = DpTestHost.PinnedDpClient(url, ready["pin_sha256"]!.GetValue<string>());
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

    internal static Process StartProcess(string dataDirectory)
    {
        // The DP is copied next to the tests (project reference): prefer its apphost, else `dotnet the.dll`.
        var dll = typeof(ReferenceDpHost).Assembly.Location;
        var apphost = Path.ChangeExtension(dll, OperatingSystem.IsWindows() ? ".exe" : null);
        var info = new ProcessStartInfo(File.Exists(apphost) ? apphost : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (!File.Exists(apphost))
            info.ArgumentList.Add(dll);
        foreach (var arg in new[] { "--data", dataDirectory, "--port", "0" })
            info.ArgumentList.Add(arg);
        return Process.Start(info)!;
    }

    internal static async Task<string> ReadReadyLineAsync(Process process)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        var line = await process.StandardOutput.ReadLineAsync(timeout.Token);
        return line ?? throw new InvalidOperationException($"the DP exited without a ready line: {await process.StandardError.ReadToEndAsync(timeout.Token)}");
    }

    [Fact]
    public void Ready_json_uses_the_documented_member_names()
    {
        var json = JsonSerializer.Serialize(new Mimi.Conformance.ReferenceDp.Endpoints.ReadyInfo("https://127.0.0.1:1", "/c.pem", "ab", "mimi://x"), Mimi.Conformance.ReferenceDp.Endpoints.DpJson.Default.ReadyInfo);

        json.Should().Be("""{"url":"https://127.0.0.1:1","cert":"/c.pem","pin_sha256":"ab","dp_id":"mimi://x"}""");
    }
}
