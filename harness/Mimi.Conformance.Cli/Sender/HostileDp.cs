using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Mimi.Conformance.Tools.Vectors;
using Mimi.Conformance.Harness.Roles.Peers;
using Mimi.Conformance.Protocol.Cose;
using Mimi.Conformance.Protocol.Profile;

namespace Mimi.Conformance.Cli.Sender;

/// <summary>
/// The DP a sender adapter's lookup talks to (vectors/SENDER-ADAPTER.md §4.6): Kestrel HTTPS on 127.0.0.1, port 0,
/// a fresh self-signed certificate. Each scenario lives under <c>/s/{name}</c>; the harness sets the step before each
/// lookup call, and the DP serves that step's mappings byte for byte, valid or not, with its behaviour (an answer, a
/// 429 before the answer, a redirect) and recorded requests.
/// </summary>
internal sealed class HostileDp : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly X509Certificate2 _certificate;
    private readonly ConcurrentDictionary<string, (LookupStep Step, int Lookups)> _steps = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _requests = new();

    private HostileDp(WebApplication app, X509Certificate2 certificate)
    {
        _app = app;
        _certificate = certificate;
        CertificatePem = certificate.ExportCertificatePem();
    }

    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>The certificate an adapter trusts for this DP (lookup request <c>ca</c>).</summary>
    public string CertificatePem { get; }

    public Uri ScenarioUrl(string scenario) => new($"{BaseUrl}s/{scenario}");

    public void SetStep(string scenario, LookupStep step) => _steps[scenario] = (step, 0);

    /// <summary>The requests received for a scenario since the last call, as "METHOD path → status" lines.</summary>
    public IReadOnlyList<string> TakeRequests()
    {
        var list = new List<string>();
        while (_requests.TryDequeue(out var r))
            list.Add(r);
        return list;
    }

    public static async Task<HostileDp> StartAsync(TimeProvider time, CancellationToken ct)
    {
        HostileDp? dp = null;
        var url = await LoopbackHttpsServer.StartAsync(typeof(HostileDp).Assembly.GetName().Name!, 64 * 1024, time,
            (app, certificate) => (dp = new HostileDp(app, certificate)).HandleAsync, ct);
        dp!.BaseUrl = new Uri(url, "/");
        return dp;
    }

    private async Task HandleAsync(HttpContext ctx)
    {
        var path = ctx.Request.Path.Value ?? "/";
        var parts = path.Split('/', 4, StringSplitOptions.None);
        // "/s/{scenario}/{rest}"
        if (parts.Length < 4 || parts[1] != "s" || !_steps.TryGetValue(parts[2], out var current))
        {
            await Answer(ctx, path, 404, "application/problem+json", """{"type":"urn:mimi-dp-profile:problem:not-found","status":404}""");
            return;
        }
        var scenario = parts[2];
        var rest = "/" + parts[3];
        var prefix = $"/s/{scenario}";
        var step = current.Step;
        if (ctx.Request.Method == "GET" && rest == ProfileConstants.MetadataPath)
        {
            await Answer(ctx, path, 200, "application/json", Metadata(prefix, step.MetadataExtra).ToJsonString());
            return;
        }
        if (ctx.Request.Method != "POST" || rest is not ("/v1/lookup" or "/v2/lookup"))
        {
            await Answer(ctx, path, 404, "application/problem+json", """{"type":"urn:mimi-dp-profile:problem:not-found","status":404}""");
            return;
        }
        var lookups = _steps.AddOrUpdate(scenario, current, (_, c) => (c.Step, c.Lookups + 1)).Lookups;
        if (step.Behaviour == "redirect" && rest == "/v1/lookup")
        {
            ctx.Response.Headers.Location = $"{prefix}/v2/lookup";
            await Answer(ctx, path, 307, "text/plain", "");
            return;
        }
        if (step.Behaviour == "429-then-answer" && lookups == 1)
        {
            ctx.Response.Headers.RetryAfter = "1";
            await Answer(ctx, path, 429, "application/problem+json", """{"type":"urn:mimi-dp-profile:problem:rate-limited","status":429}""");
            return;
        }
        var unknownMembers = step.MetadataExtra is not null;
        var entries = new JsonArray([.. step.Mappings.Select(m =>
        {
            var entry = new JsonObject { ["mapping_id"] = IdOf(m), ["mapping"] = B64.Encode(m) };
            if (unknownMembers)
                entry["x_rank"] = 1;
            return (JsonNode)entry;
        })]);
        var body = new JsonObject { ["status"] = step.Mappings.Count > 0 ? "found" : "not_found", ["mappings"] = entries };
        if (unknownMembers)
            body["x_served_by"] = "hostile";
        await Answer(ctx, path, 200, "application/json", body.ToJsonString());
    }

    private static string IdOf(byte[] mapping)
    {
        try
        {
            return MappingPayload.IdOf(CoseSign.Decode(mapping, strict: false).Payload);
        }
        catch (CoseFormatException)
        {
            return B64.Encode(System.Security.Cryptography.SHA256.HashData(mapping));
        }
    }

    private static JsonObject Metadata(string prefix, JsonObject? extra)
    {
        var endpoints = new JsonObject { ["publish"] = $"{prefix}/v1/mappings", ["lookup"] = $"{prefix}/v1/lookup", ["remove"] = $"{prefix}/v1/mappings/remove" };
        var doc = new JsonObject
        {
            ["profile"] = ProfileConstants.Version,
            ["dp_id"] = VectorParties.DpId,
            ["endpoints"] = endpoints,
            ["signing_keys"] = new JsonArray(),
            ["csi_types"] = new JsonArray("e164", "email"),
            ["conformance_classes"] = new JsonArray("core"),
            ["federation"] = new JsonObject { ["default"] = "local", ["modes"] = new JsonArray("local") },
        };
        foreach (var (k, v) in extra ?? [])
        {
            if (k == "endpoints_extra")
                endpoints["x_extra"] = v?.DeepClone();
            else
                doc[k] = v?.DeepClone();
        }
        return doc;
    }

    private async Task Answer(HttpContext ctx, string path, int status, string contentType, string body)
    {
        _requests.Enqueue($"{ctx.Request.Method} {path} → {status}");
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = contentType;
        try
        {
            await ctx.Response.WriteAsync(body, ctx.RequestAborted);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            // The adapter went away.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
        _certificate.Dispose();
    }
}
