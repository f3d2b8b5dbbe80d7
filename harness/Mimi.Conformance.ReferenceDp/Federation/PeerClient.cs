using System.Net;
using System.Net.Http.Headers;
using System.Security.Authentication;
using System.Security.Cryptography;
using Mimi.Conformance.ReferenceDp.Faults;

namespace Mimi.Conformance.ReferenceDp.Federation;

/// <summary>What a peer answered, or why it did not (Error set: unreachable, timed out, too large, TLS pin mismatch).</summary>
internal sealed record PeerReply(int Status, string? MediaType, byte[] Body, string? Error)
{
    public bool Succeeded => Error is null && Status is >= 200 and < 300;

    public string Describe() => Error ?? $"HTTP {Status}{(MediaType is null ? "" : " " + MediaType)}, {Body.Length} bytes";
}

/// <summary>
/// The DP's one outbound client to peer DPs (PROFILE.md §11). TLS is pinned to the directory's pins, every call is
/// time-boxed and body-capped, redirects are not followed, and it sends nothing a sender gave the DP: no cookies,
/// no Authorization, no client headers. Callers pass only the bytes the profile lets them forward.
/// </summary>
internal sealed class PeerClient : IDisposable
{
    public const int MaxResponseBytes = 1024 * 1024;
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(5);

    private readonly PeerDirectory _directory;
    private readonly LivePolicy _policy;
    private readonly TimeSpan _timeout;
    private readonly Lock _lock = new();
    private readonly List<HttpClient> _retired = [];
    private (IReadOnlyList<byte[]> Pins, HttpClient Http) _current;

    public static readonly Duty AuthenticatePeers = new("federation.authenticate-peers");

    public PeerClient(PeerDirectory directory, TimeSpan? timeout = null, LivePolicy? policy = null)
    {
        _directory = directory;
        _policy = policy ?? LivePolicy.Correct();
        _timeout = timeout ?? DefaultTimeout;
        _current = (directory.Pins, Create());
    }

    /// <summary>
    /// The client for the directory's current pins. New pins get a new connection pool: a pooled connection was
    /// authenticated under the old pins and would reach a peer whose certificate is no longer pinned (PROFILE.md §11.2).
    /// </summary>
    private HttpClient Http
    {
        get
        {
            lock (_lock)
            {
                var pins = _directory.Pins;
                if (!ReferenceEquals(pins, _current.Pins))
                {
                    // Requests in flight keep the old client; it is disposed with this one.
                    _retired.Add(_current.Http);
                    _current = (pins, Create());
                }
                return _current.Http;
            }
        }
    }

    private HttpClient Create()
    {
        var directory = _directory;
        var policy = _policy;
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            UseProxy = false,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectTimeout = _timeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(1),
            MaxResponseHeadersLength = 64,
            // No W3C trace context: ASP.NET Core continues a client's traceparent, which would hand peers a
            // correlation id chosen by the sender (PROFILE.md §11.6).
            ActivityHeadersPropagator = null,
        };
        handler.SslOptions.EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13;
        // Pins are read per handshake, so a new registry applies to new connections at once.
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
        {
            if (certificate is null)
                return false;
            if (!policy.Performs(AuthenticatePeers))
                return true;
            var hash = certificate.GetCertHash(HashAlgorithmName.SHA256);
            return directory.Pins.Any(p => CryptographicOperations.FixedTimeEquals(p, hash));
        };
        return new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    public Task<PeerReply> GetAsync(Uri url, CancellationToken ct) =>
        SendAsync(() => new HttpRequestMessage(HttpMethod.Get, url), ct);

    /// <summary>
    /// POSTs a JSON body to one of a peer's endpoints (e.g. <c>peer.PeerLookupPath</c>). <paramref name="headers"/>: the
    /// DP's own <c>Mimi-Peer-Auth</c> (PROFILE.md §11.3); anything a client sent only under the forward-sender-identity fault.
    /// </summary>
    public Task<PeerReply> PostJsonAsync(PeerEntry peer, string path, ReadOnlyMemory<byte> json, CancellationToken ct, IReadOnlyList<KeyValuePair<string, string>>? headers = null) =>
        PostJsonAsync(peer.Endpoint(path), json, ct, headers);

    public Task<PeerReply> PostJsonAsync(Uri url, ReadOnlyMemory<byte> json, CancellationToken ct, IReadOnlyList<KeyValuePair<string, string>>? headers = null) =>
        SendAsync(() =>
        {
            var content = new ReadOnlyMemoryContent(json);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = content };
            foreach (var (name, value) in headers ?? [])
                request.Headers.TryAddWithoutValidation(name, value);
            return request;
        }, ct);

    private async Task<PeerReply> SendAsync(Func<HttpRequestMessage> build, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_timeout);
        try
        {
            using var request = build();
            request.Headers.Accept.ParseAdd("application/json");
            using var response = await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var media = response.Content.Headers.ContentType?.MediaType;
            if (response.Content.Headers.ContentLength > MaxResponseBytes)
                return new PeerReply((int)response.StatusCode, media, [], $"the answer is larger than {MaxResponseBytes} bytes");
            await using var stream = await response.Content.ReadAsStreamAsync(timeout.Token);
            using var buffer = new MemoryStream();
            var chunk = new byte[16 * 1024];
            int read;
            while ((read = await stream.ReadAsync(chunk, timeout.Token)) > 0)
            {
                if (buffer.Length + read > MaxResponseBytes)
                    return new PeerReply((int)response.StatusCode, media, [], $"the answer is larger than {MaxResponseBytes} bytes");
                buffer.Write(chunk, 0, read);
            }
            return new PeerReply((int)response.StatusCode, media, buffer.ToArray(), null);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new PeerReply(0, null, [], $"no answer within {_timeout.TotalSeconds:0.#} s");
        }
        catch (HttpRequestException e)
        {
            return new PeerReply(0, null, [], $"unreachable: {e.HttpRequestError} ({Clip(e.Message)})");
        }
        catch (IOException e)
        {
            return new PeerReply(0, null, [], $"connection failed: {Clip(e.Message)}");
        }
    }

    private static string Clip(string s) => s.Length <= 160 ? s : s[..160] + "…";

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var http in _retired)
                http.Dispose();
            _current.Http.Dispose();
        }
    }
}
