using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Mimi.Conformance.Harness.Requirements;

namespace Mimi.Conformance.Harness.Tests.Chaos;

/// <summary>
/// The real WireMock (npm wiremock, Java) on 127.0.0.1, driven over its admin API. run.sh installs it into
/// .npm-tools/; a missing install fails the chaos tests with the command that fixes it.
/// </summary>
public sealed class WireMockServer : IAsyncLifetime
{
    private Process? _process;
    private readonly HttpClient _admin = new() { Timeout = TimeSpan.FromSeconds(20) };

    public string RootDir { get; } = Path.Combine(Path.GetTempPath(), $"mimi-wiremock-{Guid.NewGuid():N}");

    public Uri BaseUrl { get; private set; } = null!;

    public static string Executable => Path.Combine(RepositoryLayout.Root, ".npm-tools", "node_modules", ".bin", "wiremock");

    public async ValueTask InitializeAsync()
    {
        if (!File.Exists(Executable))
            throw new InvalidOperationException($"WireMock is not installed at {Executable}; run ./run.sh test (it installs npm wiremock@3.13.2)");
        Directory.CreateDirectory(Path.Combine(RootDir, "__files"));
        Directory.CreateDirectory(Path.Combine(RootDir, "mappings"));
        var port = FreePort();
        var psi = new ProcessStartInfo(Executable) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind-address", "127.0.0.1", "--disable-banner", "--root-dir", RootDir, "--no-request-journal" })
            psi.ArgumentList.Add(a);
        _process = Process.Start(psi)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        BaseUrl = new Uri($"http://127.0.0.1:{port}");
        for (var i = 0; i < 120; i++)
        {
            try
            {
                using var r = await _admin.GetAsync(new Uri(BaseUrl, "/__admin/health"));
                if (r.StatusCode == HttpStatusCode.OK)
                    return;
            }
            catch (HttpRequestException)
            {
                // not up yet
            }
            await Task.Delay(250);
        }
        throw new InvalidOperationException("WireMock did not become healthy within 30 s");
    }

    public async Task ResetAsync()
    {
        using var r = await _admin.PostAsync(new Uri(BaseUrl, "/__admin/reset"), null);
        r.EnsureSuccessStatusCode();
    }

    public async Task StubAsync(string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var r = await _admin.PostAsync(new Uri(BaseUrl, "/__admin/mappings"), content);
        r.EnsureSuccessStatusCode();
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        _admin.Dispose();
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process?.Dispose();
        try
        {
            Directory.Delete(RootDir, recursive: true);
        }
        catch (IOException)
        {
            // temp leftovers are harmless
        }
    }
}
