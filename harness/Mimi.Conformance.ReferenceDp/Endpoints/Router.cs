using Mimi.Conformance.ReferenceDp.Discovery;
using static Mimi.Conformance.Protocol.Profile.ProfileConstants;

namespace Mimi.Conformance.ReferenceDp.Endpoints;

/// <summary>One profile endpoint: an exact path and the handler per HTTP method.</summary>
internal sealed record DpRoute(string Path, IReadOnlyDictionary<string, RequestDelegate> Methods);

/// <summary>
/// Exact-path dispatch. Kept explicit (rather than ASP.NET routing) so that unknown paths, wrong methods and
/// disabled test control each get their profile problem, with nothing else in between.
/// </summary>
internal sealed class Router
{
    private readonly Dictionary<string, DpRoute> _routes;
    private readonly string? _disabledTestControlBase;

    public Router(IEnumerable<DpRoute> routes, string? disabledTestControlBase)
    {
        _routes = routes.ToDictionary(r => r.Path, StringComparer.Ordinal);
        _disabledTestControlBase = disabledTestControlBase;
    }

    public Task DispatchAsync(HttpContext ctx)
    {
        var path = ctx.Request.Path.Value ?? "/";
        if (_routes.TryGetValue(path, out var route))
        {
            if (route.Methods.TryGetValue(ctx.Request.Method, out var handler))
                return handler(ctx);
            return Replies.ProblemAsync(ctx,
                new ProblemException(Problems.MethodNotAllowed, $"{Clip(ctx.Request.Method)} is not allowed here; use {string.Join(", ", route.Methods.Keys)}"),
                allow: string.Join(", ", route.Methods.Keys));
        }
        if (_disabledTestControlBase is { } b && (path == b || path.StartsWith(b + "/", StringComparison.Ordinal)))
            return Replies.ProblemAsync(ctx, new ProblemException(Problems.TestControlDisabled, "this DP was started without test control"));
        return Replies.ProblemAsync(ctx, new ProblemException(Problems.NotFound, $"no endpoint at {Clip(path)}"));
    }

    private static string Clip(string s) => s.Length <= 100 ? s : s[..100] + "…";
}
