using System.Net.Sockets;
using System.Text;
using Mimi.Conformance.Protocol.Profile;
using Mimi.Conformance.Suite.Infrastructure;

namespace Mimi.Conformance.Suite.Transport;

/// <summary>R7: discovery data moves only inside TLS the harness has validated.</summary>
public sealed class TransportTests(ConformanceFixture dp)
{
    [Fact, Requirement("DISC-R-07")]
    [Requirement("PROF-TR-03")]
    public void The_dp_is_served_over_https_and_advertises_only_https()
    {
        var target = dp.Client.Endpoint.Origin;
        Expect.That(target.Scheme == "https", "target-https", "the DP's URL is https://", target.Scheme + "://");
        var plain = dp.Meta.AdvertisedUrls.Select(u => dp.Client.Resolve(u)).Where(u => u.Scheme != "https").ToArray();
        Expect.That(plain.Length == 0, "advertised-https", "every endpoint in the metadata resolves to https", plain.Length == 0 ? "all https" : string.Join(", ", plain.Select(u => u.ToString())));
    }

    [Fact, Requirement("DISC-R-07")]
    [Requirement("PROF-TR-02")]
    public async Task Plain_http_on_the_dp_port_yields_no_discovery_data()
    {
        var target = dp.Client.Endpoint.Origin;
        if (target.Scheme != "https")
            Expect.That(false, "target-https", "the DP's URL is https://", target.Scheme + "://");
        // Speak plain HTTP to the TLS port with a raw socket: a TLS server must not answer with data.
        var request = $"POST {dp.Meta.LookupPath} HTTP/1.1\r\nHost: {target.Authority}\r\nContent-Type: application/json\r\nContent-Length: 41\r\nConnection: close\r\n\r\n{{\"csi\":\"+15550000000\",\"csi_type\":\"e164\"}} ";
        using var socket = new TcpClient();
        using var timeout = new CancellationTokenSource(dp.Options!.RequestTimeout);
        try
        {
            await socket.ConnectAsync(target.Host, target.Port, timeout.Token);
            var stream = socket.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes(request), timeout.Token);
            var buffer = new byte[4096];
            var read = await stream.ReadAtLeastAsync(buffer, 1, throwOnEndOfStream: false, timeout.Token);
            var text = Encoding.ASCII.GetString(buffer, 0, read);
            var leaked = text.StartsWith("HTTP/", StringComparison.Ordinal) && (text.Contains(" 200 ", StringComparison.Ordinal) || text.Contains("\"status\"", StringComparison.Ordinal));
            Expect.That(!leaked, "no-plaintext-data", "no HTTP success or lookup data over plain HTTP", read == 0 ? "connection closed with no bytes" : Truncate(text));
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException)
        {
            Expect.Observed("no-plaintext-data", "no HTTP success or lookup data over plain HTTP", $"connection refused/reset: {e.GetType().Name}");
        }
    }

    [Fact, Requirement("DISC-R-07")]
    [Requirement("PROF-TR-01")]
    public async Task Tls_is_version_1_2_or_later_and_validated()
    {
        var response = Expect.Reachable(await dp.Client.GetAsync(ProfileConstants.MetadataPath), "metadata over TLS");
        Expect.That(dp.Client.Endpoint.Origin.Scheme == "https" && response.Status == 200, "validated-tls", "a response over TLS that the harness validated by CA file, pin or system trust (TLS 1.2+ only is offered)",
            $"{dp.Client.Endpoint.Origin.Scheme}, {response.Describe()}");
    }

    private static string Truncate(string s) => s.Length > 160 ? s[..160] + "…" : s;
}
