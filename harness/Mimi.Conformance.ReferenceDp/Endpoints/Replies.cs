using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Mimi.Conformance.ReferenceDp.Discovery;
using static Mimi.Conformance.Protocol.Profile.ProfileConstants;

namespace Mimi.Conformance.ReferenceDp.Endpoints;

/// <summary>Every response the DP writes goes through here: JSON, problem+json, or 204.</summary>
internal static class Replies
{
    public static async Task JsonAsync<T>(HttpContext ctx, int status, T value, JsonTypeInfo<T> typeInfo)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json";
        NoStore(ctx);
        await JsonSerializer.SerializeAsync(ctx.Response.Body, value, typeInfo, ctx.RequestAborted);
    }

    public static async Task BytesAsync(HttpContext ctx, int status, string contentType, ReadOnlyMemory<byte> body)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = contentType;
        NoStore(ctx);
        await ctx.Response.Body.WriteAsync(body, ctx.RequestAborted);
    }

    public static Task NoContent(HttpContext ctx)
    {
        ctx.Response.StatusCode = StatusCodes.Status204NoContent;
        NoStore(ctx);
        return Task.CompletedTask;
    }

    public static async Task ProblemAsync(HttpContext ctx, ProblemException problem, string? allow = null, int? statusMember = null)
    {
        // Clear() drops headers set by the handler (e.g. a half-built success), keeping the problem self-contained.
        ctx.Response.Clear();
        ctx.Response.StatusCode = problem.Status;
        if (allow is not null)
            ctx.Response.Headers.Allow = allow;
        foreach (var (name, value) in problem.Headers)
            ctx.Response.Headers[name] = value;
        ctx.Response.ContentType = ProblemContentType;
        NoStore(ctx);
        var body = new ProblemBody(problem.Type, problem.Title, statusMember ?? problem.Status, problem.Detail);
        await JsonSerializer.SerializeAsync(ctx.Response.Body, body, DpJson.Default.ProblemBody, ctx.RequestAborted);
    }

    private static void NoStore(HttpContext ctx) => ctx.Response.Headers.CacheControl = "no-store";
}
