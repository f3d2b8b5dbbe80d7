using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Mimi.Conformance.Harness.Configuration;
using Mimi.Conformance.Harness.Results;

namespace Mimi.Conformance.Harness.Client;

/// <summary>What came back from one call. Transport failures are data, not exceptions: the test decides.</summary>
public sealed record DpResponse(int? Status, IReadOnlyDictionary<string, string> Headers, byte[] Body, bool Truncated, string? TransportError, SslProtocols? TlsProtocol)
{
    public string? ContentType => Headers.GetValueOrDefault("content-type");

    public bool IsProblem => ContentType?.StartsWith("application/problem+json", StringComparison.OrdinalIgnoreCase) == true;

    public string Text => Encoding.UTF8.GetString(Body);

    public const int MaxJsonDepth = 64;

    /// <summary>Why the body cannot be read as JSON text at all, in words a report can show; null when it can.</summary>
    public string? BodyDefect
    {
        get
        {
            if (Truncated)
                return "body over the harness's size limit (cut)";
            if (!System.Text.Unicode.Utf8.IsValid(Body))
                return "body is not valid UTF-8";
            try
            {
                if (Body.Length > 0 && (ContentType?.Contains("json", StringComparison.OrdinalIgnoreCase) ?? false))
                    using (JsonDocument.Parse(Body, new JsonDocumentOptions { MaxDepth = MaxJsonDepth, AllowDuplicateProperties = false })) { }
            }
            catch (JsonException e) when (e.Message.Contains("depth", StringComparison.OrdinalIgnoreCase))
            {
                return $"JSON nested deeper than {MaxJsonDepth}";
            }
            catch (JsonException)
            {
                return "body is not well-formed JSON";
            }
            return null;
        }
    }

    /// <summary>The body as a JSON object, or null when it is not one (invalid UTF-8 included: a DP defect, never a harness crash).</summary>
    public JsonObject? Json
    {
        get
        {
            if (!System.Text.Unicode.Utf8.IsValid(Body))
                return null;
            try
            {
                return JsonNode.Parse(Body, documentOptions: new JsonDocumentOptions { MaxDepth = MaxJsonDepth, AllowDuplicateProperties = false }) as JsonObject;
            }
            catch (JsonException)
            {
                return null;
            }
        }
    }

    public string Describe() => TransportError is not null ? $"transport error: {TransportError}"
        : $"HTTP {Status} {ContentType}{(Status is not null && BodyDefect is { } defect ? $" ({defect})" : "")}";

    /// <summary>The problem <c>type</c> member as text, or null when the body has none (PROFILE.md §2).</summary>
    public string? ProblemType => Json?["type"]?.ToString();

    /// <summary>The body read as a wire record (strictly, PROFILE.md's shape), or null when it is not one.</summary>
    public T? As<T>(JsonTypeInfo<T> type)
        where T : class
    {
        try
        {
            return Body.Length == 0 || !System.Text.Unicode.Utf8.IsValid(Body) ? null : JsonSerializer.Deserialize(Body, type);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return null;
        }
    }
}

/// <summary>Receives every exchange the client makes, for evidence.</summary>
public interface IExchangeSink
{
    void Record(Exchange exchange);

    /// <summary>A request is about to be sent (the suite says so, for a run that has to stop while it is pending).</summary>
    void Sending(string method, Uri url)
    {
    }
}

/// <summary>
/// HTTP client for the DP under test. Trusts the DP's certificate only by CA file or pin (never "accept any"),
/// never follows redirects, time-boxes every call, caps every body, and records each exchange.
/// </summary>
public sealed class DpClient : IDisposable
{
    private const int EvidenceBodyLimit = 16 * 1024;
    public const string TestControlTokenHeader = "Mimi-Test-Control-Token";
    private static readonly HashSet<string> SecretHeaders = new(StringComparer.OrdinalIgnoreCase) { "authorization", "cookie", "set-cookie", "proxy-authorization", TestControlTokenHeader };

    private readonly HttpClient _http;
    private readonly ConformanceOptions _options;
    private readonly TimeProvider _time;
    private int _seq;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _timeouts = new(StringComparer.Ordinal);

    /// <summary>After this many consecutive timeouts on one endpoint the client stops calling it and says so (a DP that hangs costs one budget of timeouts, not hundreds).</summary>
    public const int CircuitBreakerThreshold = 3;

    public DpClient(ConformanceOptions options, TimeProvider time)
    {
        _options = options;
        _time = time;
        _http = new HttpClient(CreateHandler(options, why => _refusal = why), disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>Why the harness refused the DP's certificate in its last handshake, in words an operator acts on.</summary>
    private volatile string? _refusal;

    public IExchangeSink? Sink { get; set; }

    /// <summary>
    /// Self-test only: names the running test in a <c>Mimi-Trace-Test</c> header, so the reference DP can tell which
    /// duties each test exercises. Null (the default) sends no such header.
    /// </summary>
    public Func<string?>? TraceLabel { get; set; }

    /// <summary>What every test-control request carries: the DP's test-control token, when the run was given one.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> TestControlHeaders =>
        _options.TestControlToken is { } token ? [new(TestControlTokenHeader, token)] : [];

    /// <summary>The DP this client talks to.</summary>
    public DpEndpoint Endpoint => _options.DpUrl;

    /// <param name="refused">Told why a certificate was refused (it shows the certificate's actual pin), for <see cref="Explain"/>.</param>
    public static SocketsHttpHandler CreateHandler(ConformanceOptions options, Action<string>? refused = null)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            ConnectTimeout = options.RequestTimeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(1),
            MaxResponseHeadersLength = 64,
        };
        handler.SslOptions.EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13;
        if (options.PinSha256 is { } pin)
        {
            var expected = Convert.FromHexString(pin);
            handler.SslOptions.RemoteCertificateValidationCallback = (_, cert, _, _) =>
            {
                if (cert is not null && CryptographicOperations.FixedTimeEquals(cert.GetCertHash(HashAlgorithmName.SHA256), expected))
                    return true;
                refused?.Invoke(cert is null ? "the DP presented no certificate"
                    : $"the DP's certificate has the SHA-256 pin {PinOf(cert)}, not the --pin {pin.ToLowerInvariant()}; if that is your DP's certificate, pass --pin {PinOf(cert)}");
                return false;
            };
            return handler;
        }
        if (options.CaFile is { } caFile)
        {
            var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
            policy.CustomTrustStore.Add(X509CertificateLoader.LoadCertificateFromFile(caFile));
            handler.SslOptions.CertificateChainPolicy = policy;
        }
        handler.SslOptions.RemoteCertificateValidationCallback = (_, cert, chain, errors) =>
        {
            if (errors == SslPolicyErrors.None)
                return true;
            refused?.Invoke(DescribeRefusal(cert, chain, errors, options));
            return false;
        };
        return handler;
    }

    private static string PinOf(X509Certificate cert) => Convert.ToHexString(cert.GetCertHash(HashAlgorithmName.SHA256)).ToLowerInvariant();

    /// <summary>Why a certificate validated against --ca (or the system CAs) was refused, with the remedy.</summary>
    private static string DescribeRefusal(X509Certificate? cert, X509Chain? chain, SslPolicyErrors errors, ConformanceOptions options)
    {
        if (cert is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
            return "the DP presented no certificate";
        var pin = PinOf(cert);
        var reasons = new List<string>();
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
            reasons.Add($"does not name the host {options.DpUrl.Origin.Host}");
        var status = chain?.ChainStatus.Select(s => s.Status).ToHashSet() ?? [];
        if (status.Contains(X509ChainStatusFlags.NotTimeValid) && cert is X509Certificate2 c2)
            reasons.Add($"is not valid now (valid from {c2.NotBefore.ToUniversalTime():yyyy-MM-dd HH:mm} to {c2.NotAfter.ToUniversalTime():yyyy-MM-dd HH:mm} UTC)");
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateChainErrors) && !status.Contains(X509ChainStatusFlags.NotTimeValid))
            reasons.Add(options.CaFile is { } ca ? $"does not chain to the --ca {ca}" : "is not trusted: it does not chain to a CA this machine trusts");
        return $"the DP's certificate ({cert.Subject}, SHA-256 pin {pin}) {string.Join(" and ", reasons)}; "
            + (options.CaFile is null ? $"give --ca with the DP's CA or certificate, or --pin {pin}" : $"give --ca with the CA that issued it, or --pin {pin}");
    }

    public Uri Resolve(string pathOrUrl) => Endpoint.Resolve(pathOrUrl);

    public Task<DpResponse> GetAsync(string path, CancellationToken ct = default) => SendAsync(HttpMethod.Get, Resolve(path), null, null, ct);

    /// <summary>POSTs a wire record as application/json (PROFILE.md's requests: Protocol/Profile/Wire), with optional extra headers.</summary>
    public Task<DpResponse> PostJsonAsync<T>(string path, T body, JsonTypeInfo<T> type, IReadOnlyList<KeyValuePair<string, string>>? headers = null, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Post, Resolve(path), JsonSerializer.SerializeToUtf8Bytes(body, type), JsonContentType, headers ?? [], ct);

    /// <summary>Any bytes with any content type (or none): malformed and hostile requests are sent through here.</summary>
    public Task<DpResponse> PostRawAsync(string path, byte[] body, string? contentType, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Post, Resolve(path), body, contentType, ct);

    public const string JsonContentType = "application/json";

    public Task<DpResponse> SendAsync(HttpMethod method, Uri url, byte[]? body, string? contentType, CancellationToken ct = default) =>
        SendAsync(method, url, body, contentType, [], ct);

    /// <summary>Like the other overload, with extra request headers (e.g. Authorization; recorded as [redacted]).</summary>
    public async Task<DpResponse> SendAsync(HttpMethod method, Uri url, byte[]? body, string? contentType, IReadOnlyList<KeyValuePair<string, string>> extraHeaders, CancellationToken ct = default)
    {
        var endpoint = $"{method.Method} {url.AbsolutePath}";
        if (_timeouts.GetValueOrDefault(endpoint) >= CircuitBreakerThreshold)
        {
            var open = Failed($"not sent: the last {CircuitBreakerThreshold} requests to {endpoint} got no answer within {_options.RequestTimeout.TotalMilliseconds:0} ms, so the harness stopped calling it");
            return open;
        }
        Sink?.Sending(method.Method, url);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_options.RequestTimeout);
        using var request = new HttpRequestMessage(method, url);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            if (contentType is not null)
                request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }
        foreach (var (name, value) in extraHeaders)
        {
            // Content headers (e.g. Content-Encoding) belong to the body; "Transfer-Encoding: chunked" sends it without a Content-Length.
            if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase) && value.Equals("chunked", StringComparison.OrdinalIgnoreCase) && body is not null)
            {
                request.Headers.TransferEncodingChunked = true;
                request.Content!.Headers.ContentLength = null;
            }
            else if (!request.Headers.TryAddWithoutValidation(name, value))
                request.Content?.Headers.TryAddWithoutValidation(name, value);
        }
        if (TraceLabel?.Invoke() is { } label)
            request.Headers.TryAddWithoutValidation("Mimi-Trace-Test", label);
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Accept.ParseAdd("application/problem+json");
        var started = _time.GetTimestamp();
        DpResponse response;
        try
        {
            using var http = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var (bytes, truncated) = await ReadCappedAsync(http.Content, _options.MaxResponseBytes, timeout.Token);
            var headers = http.Headers.Concat(http.Content.Headers)
                .GroupBy(h => h.Key.ToLowerInvariant())
                .ToDictionary(g => g.Key, g => string.Join(", ", g.SelectMany(h => h.Value)));
            response = new DpResponse((int)http.StatusCode, headers, bytes, truncated, null, null);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            response = Failed($"no complete response within {_options.RequestTimeout.TotalMilliseconds:0} ms");
            _timeouts.AddOrUpdate(endpoint, 1, (_, n) => n + 1);
        }
        catch (HttpRequestException e)
        {
            response = Failed(Explain(e, _refusal));
        }
        catch (IOException e)
        {
            response = Failed($"I/O error: {e.Message}");
        }
        if (response.Status is not null)
            _timeouts.TryRemove(endpoint, out _);
        Record(method, url, request, body, response, _time.GetElapsedTime(started));
        return response;
    }

    private static DpResponse Failed(string why) => new(null, new Dictionary<string, string>(), [], false, why, null);

    /// <summary>Turns a transport failure into a sentence that points at the likely configuration cause.</summary>
    /// <param name="refusal">Why the harness refused the DP's certificate, when it did.</param>
    public static string Explain(HttpRequestException e, string? refusal = null)
    {
        var inner = e.InnerException?.Message;
        return e.HttpRequestError switch
        {
            HttpRequestError.SecureConnectionError when refusal is not null => $"TLS: the harness refused the DP's certificate: {refusal}",
            HttpRequestError.SecureConnectionError => $"TLS: no TLS 1.2 or 1.3 handshake completed with the DP: does this port serve https? ({inner ?? e.Message})",
            HttpRequestError.ConnectionError => $"cannot connect ({inner ?? e.Message}); is the DP running at this address?",
            HttpRequestError.ResponseEnded => "the connection closed before a complete HTTP response",
            HttpRequestError.InvalidResponse => $"not a valid HTTP response ({inner ?? e.Message})",
            _ => $"{e.HttpRequestError}: {inner ?? e.Message}",
        };
    }

    private static async Task<(byte[] Bytes, bool Truncated)> ReadCappedAsync(HttpContent content, int cap, CancellationToken ct)
    {
        await using var stream = await content.ReadAsStreamAsync(ct);
        var buffer = new byte[Math.Min(cap + 1, 64 * 1024)];
        using var ms = new MemoryStream();
        int read;
        while ((read = await stream.ReadAsync(buffer, ct)) > 0)
        {
            var room = cap - (int)ms.Length;
            if (read > room)
            {
                ms.Write(buffer, 0, room);
                return (ms.ToArray(), true);
            }
            ms.Write(buffer, 0, read);
        }
        return (ms.ToArray(), false);
    }

    private void Record(HttpMethod method, Uri url, HttpRequestMessage request, byte[]? body, DpResponse response, TimeSpan elapsed)
    {
        if (Sink is null)
            return;
        var requestHeaders = request.Headers.Concat(request.Content?.Headers ?? Enumerable.Empty<KeyValuePair<string, IEnumerable<string>>>())
            .GroupBy(h => h.Key.ToLowerInvariant())
            .ToDictionary(g => g.Key, g => Redact(g.Key, string.Join(", ", g.SelectMany(h => h.Value))));
        var responseHeaders = Capped(response.Headers.ToDictionary(h => h.Key, h => Redact(h.Key, h.Value)));
        Sink.Record(new Exchange(
            Interlocked.Increment(ref _seq), method.Method, url.ToString(), requestHeaders,
            body is null ? null : EvidenceText(body), response.Status, responseHeaders,
            response.Body.Length == 0 ? null : EvidenceText(response.Body), response.Truncated || response.Body.Length > EvidenceBodyLimit,
            response.TransportError, Math.Round(elapsed.TotalMilliseconds, 2), EvidenceDecoder.Diagnostics(body, response.Body)));
    }

    private const int EvidenceHeaderValueLimit = 1024;
    private const int EvidenceHeadersLimit = 8 * 1024;

    /// <summary>Response headers as evidence: each value cut at 1 KiB, 8 KiB in all, and a note of what was left out (bodies are capped alike).</summary>
    private static Dictionary<string, string> Capped(Dictionary<string, string> headers)
    {
        var kept = new Dictionary<string, string>(StringComparer.Ordinal);
        var used = 0;
        var dropped = 0;
        foreach (var (name, value) in headers)
        {
            var v = value.Length <= EvidenceHeaderValueLimit ? value : value[..EvidenceHeaderValueLimit] + $"… ({value.Length} characters)";
            if (used + name.Length + v.Length > EvidenceHeadersLimit)
            {
                dropped++;
                continue;
            }
            used += name.Length + v.Length;
            kept[name] = v;
        }
        if (dropped > 0)
            kept["x-mimi-not-recorded"] = $"{dropped} more header(s): the evidence keeps {EvidenceHeadersLimit / 1024} KiB of headers";
        return kept;
    }

    private static string Redact(string header, string value) => SecretHeaders.Contains(header) ? "[redacted]" : value;

    /// <summary>Bodies go into reports as text, cut at 16 KiB; binary bodies as hex.</summary>
    private static string EvidenceText(byte[] body)
    {
        var slice = body.AsSpan(0, Math.Min(body.Length, EvidenceBodyLimit));
        try
        {
            return new UTF8Encoding(false, true).GetString(slice);
        }
        catch (DecoderFallbackException)
        {
            return "hex:" + Convert.ToHexString(slice).ToLowerInvariant();
        }
    }

    public void Dispose() => _http.Dispose();
}
