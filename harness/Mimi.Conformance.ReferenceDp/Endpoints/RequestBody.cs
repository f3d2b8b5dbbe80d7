using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Net.Http.Headers;
using Mimi.Conformance.Protocol.Profile;
using Mimi.Conformance.ReferenceDp.Discovery;
using Mimi.Conformance.ReferenceDp.Faults;
using static Mimi.Conformance.Protocol.Profile.ProfileConstants;

namespace Mimi.Conformance.ReferenceDp.Endpoints;

/// <summary>
/// Reads a JSON request body defensively: media type first, then a hard size cap, then a strict parse (PROFILE.md §1).
/// The running DP's policy comes with the request (<see cref="PolicyFeature"/>). Each duty is consulted only where it
/// acts (a body over the bound, a member the profile does not define, ...), so the self-test's trace sends a fault to
/// the few tests whose requests it can change.
/// </summary>
internal static class RequestBody
{
    public static readonly Duty RequireJsonMediaType = new("request.require-json-media-type");
    public static readonly Duty StrictBase64Url = new("request.strict-base64url");
    public static readonly Duty CapBody = new("request.cap-body");
    public static readonly Duty CapStreamedBody = new("request.cap-streamed-body");
    public static readonly Duty IgnoreUnknownMembers = new("request.ignore-unknown-members");
    public static readonly Duty RefuseDuplicateMembers = new("request.refuse-duplicate-members");

    private static readonly DpJson WithDuplicates = new(new JsonSerializerOptions(DpJson.Default.Options) { AllowDuplicateProperties = true });
    private static readonly DpJson Closed = new(new JsonSerializerOptions(DpJson.Default.Options) { UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow });

    public static async Task<T> ReadJsonAsync<T>(HttpContext ctx, JsonTypeInfo<T> typeInfo, int maxBytes)
        where T : class => (await ReadJsonWithBytesAsync(ctx, typeInfo, maxBytes)).Value;

    /// <summary>
    /// A test-control request, read strictly whatever the faults: they are the DP's defects towards clients and peers,
    /// and the harness's own set-up must reach the DP under every one of them.
    /// </summary>
    public static async Task<T> ReadControlJsonAsync<T>(HttpContext ctx, JsonTypeInfo<T> typeInfo, int maxBytes)
        where T : class => (await ReadAsync(ctx, typeInfo, maxBytes, policy: null)).Value;

    /// <summary>Like <see cref="ReadJsonAsync"/>, keeping the exact bytes received (a peer lookup's signature covers them, PROFILE.md §11.3).</summary>
    public static Task<(T Value, byte[] Bytes)> ReadJsonWithBytesAsync<T>(HttpContext ctx, JsonTypeInfo<T> typeInfo, int maxBytes)
        where T : class => ReadAsync(ctx, typeInfo, maxBytes, ctx.Features.Get<PolicyFeature>()?.Policy);

    private static async Task<(T Value, byte[] Bytes)> ReadAsync<T>(HttpContext ctx, JsonTypeInfo<T> typeInfo, int maxBytes, LivePolicy? policy)
        where T : class
    {
        bool Performs(Duty duty) => policy?.Performs(duty) != false;
        if (MediaTypeProblem(ctx.Request) is { } problem && Performs(RequireJsonMediaType))
            throw new ProblemException(Problems.UnsupportedMediaType, problem);
        var request = ctx.Request;
        var body = await ReadCappedAsync(request, maxBytes,
            () => Performs(CapBody) && (request.ContentLength is not null || Performs(CapStreamedBody)), ctx.RequestAborted);
        var value = Parse(body, typeInfo, () => !Performs(RefuseDuplicateMembers));
        if (policy is not null && !TryParse(body, (JsonTypeInfo<T>)Closed.GetTypeInfo(typeof(T))!, out _) && !Performs(IgnoreUnknownMembers))
            throw new ProblemException(Problems.MalformedRequest, "the body has a member this endpoint does not take");
        return (value, body);
    }

    /// <param name="allowDuplicates">Asked only when a duplicate member is the body's one defect.</param>
    private static T Parse<T>(byte[] body, JsonTypeInfo<T> typeInfo, Func<bool> allowDuplicates)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize(body, typeInfo)
                ?? throw new ProblemException(Problems.MalformedRequest, "the body is JSON null, expected an object");
        }
        catch (JsonException e)
        {
            if (TryParse(body, (JsonTypeInfo<T>)WithDuplicates.GetTypeInfo(typeof(T))!, out var value) && allowDuplicates())
                return value;
            // The exception text names .NET types; the JSON path is what a client can act on.
            throw new ProblemException(Problems.MalformedRequest, $"the body is not the JSON this endpoint takes (problem at {e.Path ?? "$"}, byte {e.BytePositionInLine ?? 0})");
        }
    }

    private static bool TryParse<T>(byte[] body, JsonTypeInfo<T> typeInfo, out T value)
        where T : class
    {
        try
        {
            value = JsonSerializer.Deserialize(body, typeInfo)!;
            return value is not null;
        }
        catch (JsonException)
        {
            value = null!;
            return false;
        }
    }

    /// <summary>base64url without padding, or malformed-request naming the field.</summary>
    public static byte[] Base64Url(string value, string field) =>
        B64.TryDecode(value, out var bytes)
            ? bytes
            : throw new ProblemException(Problems.MalformedRequest, $"\"{field}\" is not base64url without padding");

    /// <summary>Like the other overload for a member of a discovery request (under a fault, any base64 is taken).</summary>
    public static byte[] Base64Url(HttpContext ctx, string value, string field)
    {
        if (B64.TryDecode(value, out var bytes) || ctx.Features.Get<PolicyFeature>()?.Policy.Performs(StrictBase64Url) != false)
            return Base64Url(value, field);
        var standard = string.Concat(value.Where(c => !char.IsWhiteSpace(c))).Replace('-', '+').Replace('_', '/').TrimEnd('=');
        try
        {
            return Convert.FromBase64String(standard + new string('=', (4 - standard.Length % 4) % 4));
        }
        catch (FormatException)
        {
            return Base64Url(value, field);
        }
    }

    private static string? MediaTypeProblem(HttpRequest request)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var media)
            || !media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || (media.Charset.HasValue && !media.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase)))
            return request.ContentType is null ? "no Content-Type; send application/json" : "Content-Type must be application/json (UTF-8)";
        // The DP decodes no content coding; parsing gzip bytes as JSON would only produce a misleading 400.
        var coding = request.Headers.ContentEncoding.ToString();
        return coding.Length > 0 && !coding.Equals("identity", StringComparison.OrdinalIgnoreCase)
            ? "Content-Encoding is not supported; send the body uncompressed"
            : null;
    }

    /// <param name="capped">Asked once, when the body is over the bound: does the DP refuse it?</param>
    private static async Task<byte[]> ReadCappedAsync(HttpRequest request, int maxBytes, Func<bool> capped, CancellationToken ct)
    {
        var over = false;
        if (request.ContentLength > maxBytes)
        {
            if (capped())
                throw TooLarge(maxBytes);
            over = true;
        }
        // Bounds chunked bodies too. Kestrel's MaxRequestBodySize is a larger backstop (see ReferenceDpHost).
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (!over && buffer.Length + read > maxBytes)
            {
                if (capped())
                    throw TooLarge(maxBytes);
                over = true;
            }
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private static ProblemException TooLarge(int maxBytes) =>
        new(Problems.PayloadTooLarge, $"the body exceeds limits.max_body_bytes ({maxBytes})");
}

/// <summary>The running DP's policy, set on every request, for the static request readers.</summary>
internal sealed record PolicyFeature(LivePolicy Policy);
