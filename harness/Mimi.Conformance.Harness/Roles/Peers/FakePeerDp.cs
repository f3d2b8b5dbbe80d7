using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Mimi.Conformance.Protocol.Cose;
using Mimi.Conformance.Protocol.Crypto;
using Mimi.Conformance.Protocol.Profile;
using Mimi.Conformance.Protocol.Profile.Wire;
using static Mimi.Conformance.Protocol.Profile.ProfileConstants;

namespace Mimi.Conformance.Harness.Roles.Peers;

/// <summary>How a fake peer answers peer lookups: properly, or in one of the broken ways a DP must survive.</summary>
public enum FakePeerBehavior
{
    /// <summary>200 with the configured signed mappings.</summary>
    Answer,

    /// <summary>500 problem+json.</summary>
    ServerError,

    /// <summary>200 <c>application/json</c> whose body is not JSON.</summary>
    Garbage,

    /// <summary>Never answers (until the caller gives up or the fake stops).</summary>
    Hang,
}

public sealed record FakePeerOptions
{
    public required string DpId { get; init; }

    public IReadOnlyList<string> Jurisdictions { get; init; } = ["EU"];

    /// <summary>The peer's role-dp signing key; by default derived from the dp_id, so runs are reproducible.</summary>
    public SigningKey? Key { get; init; }

    /// <summary>Bodies past this are cut off (recorded up to here, answered 413).</summary>
    public int MaxBodyBytes { get; init; } = 65_536;

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}

/// <summary>
/// A peer DP the harness plays (PROFILE.md §11): Kestrel HTTPS on 127.0.0.1, port 0, with a fresh self-signed
/// certificate. It serves its metadata, a registry document and the peer lookup and invalidate endpoints, answers
/// peer lookups with the signed mappings it is given, and records every request on any path, so that tests can
/// check what a DP under test forwarded. It never throws on bad input.
/// </summary>
public sealed class FakePeerDp : IAsyncDisposable
{
    public const string PeerLookupPath = ProfilePaths.PeerLookup;
    public const string InvalidatePath = ProfilePaths.Invalidate;
    public const string RegistryPath = "/registry";

    private readonly WebApplication _app;
    private readonly X509Certificate2 _certificate;
    private readonly FakePeerOptions _options;
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private readonly ConcurrentDictionary<string, byte[][]> _mappings = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private volatile byte[]? _registry;
    private volatile TaskCompletionSource? _held;
    private int _abandoned;
    private int _disposed;

    private FakePeerDp(FakePeerOptions options, WebApplication app, X509Certificate2 certificate)
    {
        _options = options;
        _app = app;
        _certificate = certificate;
        Key = options.Key ?? SigningKey.FromLabel($"fake-peer/{options.DpId}");
        CertificatePin = B64.Encode(certificate.GetCertHash(HashAlgorithmName.SHA256));
    }

    public string DpId => _options.DpId;

    public IReadOnlyList<string> Jurisdictions => _options.Jurisdictions;

    /// <summary>https://127.0.0.1:PORT</summary>
    public Uri BaseUrl { get; private set; } = null!;

    public Uri RegistryUrl => new(BaseUrl, RegistryPath);

    /// <summary>base64url SHA-256 of the certificate (DER), as test control <c>/peers</c> takes it.</summary>
    public string CertificatePin { get; }

    public SigningKey Key { get; }

    public TrustedKey Trusted => new(SignerRoles.Dp, DpId, Key.PublicKey);

    public FakePeerBehavior Behavior { get; set; } = FakePeerBehavior.Answer;

    /// <summary>A snapshot of every request received so far, oldest first.</summary>
    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    /// <summary>The requests to one path (e.g. <see cref="PeerLookupPath"/>).</summary>
    public IReadOnlyList<RecordedRequest> RequestsTo(string path) => [.. _requests.Where(r => r.Path == path)];

    public void ClearRequests() => _requests.Clear();

    /// <summary>
    /// From now on, invalidations are left unanswered until <see cref="ReleaseInvalidations"/>: a sender that waits for
    /// the answer waits until then, or gives up (<see cref="AbandonedInvalidations"/>).
    /// </summary>
    public void HoldInvalidations() => _held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Answers the held invalidations, and those arriving later at once.</summary>
    public void ReleaseInvalidations() => Interlocked.Exchange(ref _held, null)?.TrySetResult();

    /// <summary>How many held invalidations their sender gave up on (closed the request) before they were released.</summary>
    public int AbandonedInvalidations => Volatile.Read(ref _abandoned);

    /// <summary>The registry document served at <see cref="RegistryPath"/>; by default one listing this peer alone.</summary>
    public void SetRegistry(RegistryDocument document) => _registry = JsonSerializer.SerializeToUtf8Bytes(document, WireJson.Default.RegistryDocument);

    /// <summary>Serves these bytes at <see cref="RegistryPath"/> as they are: a document the profile may not allow.</summary>
    public void SetRegistry(byte[] body) => _registry = body.ToArray();

    /// <summary>The mappings this peer answers for a CSI, served byte for byte in this order.</summary>
    public void SetMappings(string csi, params byte[][] mappings) => _mappings[csi] = [.. mappings.Select(m => m.ToArray())];

    public void ClearMappings() => _mappings.Clear();

    /// <summary>Adds this peer's role-dp signature to a mapping computed here (payload <c>dp</c> = <see cref="DpId"/>).</summary>
    public byte[] Countersign(byte[] mapping) => CoseSign.Decode(mapping).AddSignature(Key, SignerRoles.Dp).Encode();

    public static async Task<FakePeerDp> StartAsync(FakePeerOptions options, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        FakePeerDp? peer = null;
        var url = await LoopbackHttpsServer.StartAsync(typeof(FakePeerDp).Assembly.GetName().Name!, 1024 * 1024, options.TimeProvider,
            (app, certificate) => (peer = new FakePeerDp(options, app, certificate)).HandleAsync, ct);
        peer!.BaseUrl = url;
        return peer;
    }

    private async Task HandleAsync(HttpContext ctx)
    {
        try
        {
            var (body, truncated) = await ReadCappedAsync(ctx.Request, _options.MaxBodyBytes, ctx.RequestAborted);
            var headers = ctx.Request.Headers.SelectMany(h => h.Value.Select(v => new KeyValuePair<string, string>(h.Key, v ?? ""))).ToArray();
            var path = ctx.Request.Path.Value ?? "/";
            _requests.Enqueue(new RecordedRequest(ctx.Request.Method, path, headers, body, _options.TimeProvider.GetUtcNow()) { Truncated = truncated });
            if (truncated)
            {
                await ProblemAsync(ctx, 413, "payload-too-large");
                return;
            }
            var reply = (ctx.Request.Method, path) switch
            {
                ("GET", MetadataPath) => JsonAsync(ctx, 200, Metadata()),
                ("GET", RegistryPath) => BytesAsync(ctx, 200, _registry ?? JsonSerializer.SerializeToUtf8Bytes(FakePeerRegistry.Build([this]), WireJson.Default.RegistryDocument)),
                ("POST", PeerLookupPath) => PeerLookupAsync(ctx, body),
                ("POST", InvalidatePath) => InvalidateAsync(ctx),
                _ => ProblemAsync(ctx, 404, "not-found"),
            };
            await reply;
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or Microsoft.AspNetCore.Http.BadHttpRequestException)
        {
            // The caller went away or sent a broken request; nothing to answer.
        }
    }

    private async Task PeerLookupAsync(HttpContext ctx, byte[] body)
    {
        switch (Behavior)
        {
            case FakePeerBehavior.ServerError:
                await ProblemAsync(ctx, 500, "internal");
                return;
            case FakePeerBehavior.Garbage:
                ctx.Response.StatusCode = 200;
                ctx.Response.ContentType = "application/json";
                await ctx.Response.Body.WriteAsync("{\"status\": \"found\", \"mappings\": [ <<not json"u8.ToArray(), ctx.RequestAborted);
                return;
            case FakePeerBehavior.Hang:
                using (var both = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted, _stopping.Token))
                    await Task.Delay(Timeout.Infinite, both.Token);
                return;
        }
        string? csi = null;
        try
        {
            csi = JsonNode.Parse(body, documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false }) is JsonObject o && o["csi"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
        }
        catch (JsonException)
        {
        }
        if (csi is null)
        {
            await ProblemAsync(ctx, 400, "malformed-request");
            return;
        }
        var mappings = _mappings.TryGetValue(csi, out var m) ? m : [];
        var answer = new LookupResponse(mappings.Length > 0 ? "found" : "not_found", [.. mappings.Select(b => new LookupEntry(MappingIdOf(b), B64.Encode(b)))]);
        await BytesAsync(ctx, 200, JsonSerializer.SerializeToUtf8Bytes(answer, WireJson.Default.LookupResponse));
    }

    private static string MappingIdOf(byte[] mapping)
    {
        try
        {
            return MappingPayload.IdOf(CoseSign.Decode(mapping, strict: false).Payload);
        }
        catch (CoseFormatException)
        {
            return B64.Encode(SHA256.HashData(mapping));
        }
    }

    private JsonObject Metadata() => new()
    {
        ["profile"] = ProfileConstants.Version,
        ["dp_id"] = DpId,
        ["endpoints"] = new JsonObject { ["peer_lookup"] = PeerLookupPath, ["invalidate"] = InvalidatePath },
        ["signing_keys"] = new JsonArray(JsonSerializer.SerializeToNode(SigningKeyEntry.For(Key.PublicKey), WireJson.Default.SigningKeyEntry)),
        ["csi_types"] = new JsonArray(CsiTypes.E164, CsiTypes.Email),
        ["conformance_classes"] = new JsonArray("core", "federation"),
        ["federation"] = new JsonObject { ["default"] = "local", ["modes"] = new JsonArray("local"), ["jurisdictions"] = new JsonArray([.. Jurisdictions.Select(j => (JsonNode)j)]) },
    };

    private async Task InvalidateAsync(HttpContext ctx)
    {
        if (_held is { } held)
        {
            try
            {
                await held.Task.WaitAsync(ctx.RequestAborted);
            }
            catch (OperationCanceledException) when (ctx.RequestAborted.IsCancellationRequested && !held.Task.IsCompleted)
            {
                Interlocked.Increment(ref _abandoned);
                throw;
            }
        }
        await AcceptedAsync(ctx);
    }

    private static Task AcceptedAsync(HttpContext ctx)
    {
        ctx.Response.StatusCode = 202;
        return Task.CompletedTask;
    }

    private static Task JsonAsync(HttpContext ctx, int status, JsonNode body) => BytesAsync(ctx, status, JsonSerializer.SerializeToUtf8Bytes(body));

    private static async Task BytesAsync(HttpContext ctx, int status, byte[] json)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json";
        ctx.Response.Headers.CacheControl = "no-store";
        await ctx.Response.Body.WriteAsync(json, ctx.RequestAborted);
    }

    private static async Task ProblemAsync(HttpContext ctx, int status, string type)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = ProblemContentType;
        var body = new ProblemBody($"urn:mimi-dp-profile:problem:{type}", type, status, null);
        await ctx.Response.Body.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(body, WireJson.Default.ProblemBody), ctx.RequestAborted);
    }

    private static async Task<(byte[] Body, bool Truncated)> ReadCappedAsync(HttpRequest request, int cap, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            var room = cap - (int)buffer.Length;
            if (read > room)
            {
                buffer.Write(chunk, 0, room);
                return (buffer.ToArray(), true);
            }
            buffer.Write(chunk, 0, read);
        }
        return (buffer.ToArray(), false);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        ReleaseInvalidations();
        await _stopping.CancelAsync();
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
            await _app.StopAsync(timeout.Token);
        await _app.DisposeAsync();
        _certificate.Dispose();
        _stopping.Dispose();
    }
}
