using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Net.Http.Headers;
using Mimi.Conformance.Protocol.Profile;
using Mimi.Conformance.ReferenceDp.Discovery;
using static Mimi.Conformance.Protocol.Profile.ProfileConstants;

namespace Mimi.Conformance.ReferenceDp.Endpoints;

/// <summary>Reads a JSON request body defensively: media type first, then a hard size cap, then a strict parse.</summary>
internal static class RequestBody
{
    public static async Task<T> ReadJsonAsync<T>(HttpContext ctx, JsonTypeInfo<T> typeInfo, int maxBytes)
        where T : class => (await ReadJsonWithBytesAsync(ctx, typeInfo, maxBytes)).Value;

    /// <summary>Like <see cref="ReadJsonAsync"/>, keeping the exact bytes received (a peer lookup's signature covers them, PROFILE.md §11.3).</summary>
    public static async Task<(T Value, byte[] Bytes)> ReadJsonWithBytesAsync<T>(HttpContext ctx, JsonTypeInfo<T> typeInfo, int maxBytes)
        where T : class
    {
        RequireJsonMediaType(ctx.Request);
        var body = await ReadCappedAsync(ctx.Request, maxBytes, ctx.RequestAborted);
        return (Parse(body, typeInfo), body);
    }

    private static T Parse<T>(byte[] body, JsonTypeInfo<T> typeInfo)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize(body, typeInfo)
                ?? throw new ProblemException(Problems.MalformedRequest, "the body is JSON null, expected an object");
        }
        catch (JsonException e)
        {
            // The exception text names .NET types; the JSON path is what a client can act on.
            throw new ProblemException(Problems.MalformedRequest, $"the body is not the JSON this endpoint takes (problem at {e.Path ?? "$"}, byte {e.BytePositionInLine ?? 0})");
        }
    }

    /// <summary>base64url without padding, or malformed-request naming the field.</summary>
    public static byte[] Base64Url(string value, string field) =>
        B64.TryDecode(value, out var bytes)
            ? bytes
            : throw new ProblemException(Problems.MalformedRequest, $"\"{field}\" is not base64url without padding");

    private static void RequireJsonMediaType(HttpRequest request)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var media)
            || !media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || (media.Charset.HasValue && !media.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase)))
        {
            throw new ProblemException(Problems.UnsupportedMediaType,
                request.ContentType is null ? "no Content-Type; send application/json" : "Content-Type must be application/json (UTF-8)");
        }
        // The DP decodes no content coding; parsing gzip bytes as JSON would only produce a misleading 400.
        var coding = request.Headers.ContentEncoding.ToString();
        if (coding.Length > 0 && !coding.Equals("identity", StringComparison.OrdinalIgnoreCase))
            throw new ProblemException(Problems.UnsupportedMediaType, "Content-Encoding is not supported; send the body uncompressed");
    }

    private static async Task<byte[]> ReadCappedAsync(HttpRequest request, int maxBytes, CancellationToken ct)
    {
        if (request.ContentLength > maxBytes)
            throw TooLarge(maxBytes);
        // Bounds chunked bodies too. Kestrel's MaxRequestBodySize is a larger backstop (see ReferenceDpHost).
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > maxBytes)
                throw TooLarge(maxBytes);
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private static ProblemException TooLarge(int maxBytes) =>
        new(Problems.PayloadTooLarge, $"the body exceeds limits.max_body_bytes ({maxBytes})");
}
