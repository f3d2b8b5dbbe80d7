using Mimi.Conformance.ReferenceDp.Discovery;
using Mimi.Conformance.ReferenceDp.Faults;
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
    public static readonly Duty AnswerUnknownPathNotFound = new("router.answer-unknown-path-not-found");
    public static readonly Duty NameAllowedMethods = new("router.name-allowed-methods");
    public static readonly Duty ServeOnlyDeclaredMethods = new("router.serve-only-declared-methods");
    public static readonly Duty AnswerTestControlDisabled = new("router.answer-test-control-disabled");

    private readonly Dictionary<string, DpRoute> _routes;
    private readonly LivePolicy? _policy;
    private readonly string? _disabledTestControlBase;
    private readonly byte[]? _testControlToken;

    /// <param name="testControlToken">When set, test control answers only requests carrying it in Mimi-Test-Control-Token (serve-dp prints it).</param>
    public Router(IEnumerable<DpRoute> routes, string? disabledTestControlBase, string? testControlToken = null, LivePolicy? policy = null)
    {
        _policy = policy;
        _routes = routes.ToDictionary(r => r.Path, StringComparer.Ordinal);
        _disabledTestControlBase = disabledTestControlBase;
        _testControlToken = testControlToken is null ? null : System.Text.Encoding.UTF8.GetBytes(testControlToken);
    }

    public Task DispatchAsync(HttpContext ctx)
    {
        var path = ctx.Request.Path.Value ?? "/";
        if (_testControlToken is { } token && IsTestControl(path) && !Carries(ctx, token))
            return Replies.ProblemAsync(ctx, new ProblemException(Problems.Unauthorized, "test control needs the token this DP printed at start, in Mimi-Test-Control-Token"));
        if (_routes.TryGetValue(path, out var route))
        {
            if (route.Methods.TryGetValue(ctx.Request.Method, out var handler)
                || (HttpMethods.IsGet(ctx.Request.Method) && _policy?.Performs(ServeOnlyDeclaredMethods) == false && route.Methods.TryGetValue(HttpMethods.Post, out handler)))
                return handler(ctx);
            return Replies.ProblemAsync(ctx,
                new ProblemException(Problems.MethodNotAllowed, $"{Clip(ctx.Request.Method)} is not allowed here; use {string.Join(", ", route.Methods.Keys)}"),
                allow: _policy?.Performs(NameAllowedMethods) == false ? null : string.Join(", ", route.Methods.Keys));
        }
        if (_disabledTestControlBase is { } b && (path == b || path.StartsWith(b + "/", StringComparison.Ordinal)) && _policy?.Performs(AnswerTestControlDisabled) != false)
            return Replies.ProblemAsync(ctx, new ProblemException(Problems.TestControlDisabled, "this DP was started without test control"));
        if (_policy?.Performs(AnswerUnknownPathNotFound) == false)
            return Replies.ProblemAsync(ctx, new ProblemException(Problems.MalformedRequest, $"no endpoint at {Clip(path)}"));
        return Replies.ProblemAsync(ctx, new ProblemException(Problems.NotFound, $"no endpoint at {Clip(path)}"));
    }

    private static bool IsTestControl(string path) => path == Paths.TestControl || path.StartsWith(Paths.TestControl + "/", StringComparison.Ordinal);

    private static bool Carries(HttpContext ctx, byte[] token) =>
        ctx.Request.Headers.TryGetValue("Mimi-Test-Control-Token", out var values) && values.Count == 1
        && System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(System.Text.Encoding.UTF8.GetBytes(values[0] ?? ""), token);

    private static string Clip(string s) => s.Length <= 100 ? s : s[..100] + "…";
}
