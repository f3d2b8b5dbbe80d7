namespace Mimi.Conformance.Harness.Configuration;

/// <summary>
/// The DP under test's origin: an absolute https (or http, for the plain-HTTP fault's sake) URL with a host and
/// nothing else; the profile's paths are absolute (PROFILE.md §6) and its metadata is at the origin's well-known
/// path, so a path, query, fragment or user info would be silently ignored and is refused instead. Parsed once,
/// where a URL enters the harness (a flag, MIMI_DP_URL, a started DP), and passed on typed.
/// </summary>
public sealed record DpEndpoint
{
    private DpEndpoint(Uri origin) => Origin = origin;

    /// <summary>Canonical form, e.g. <c>https://127.0.0.1:8443/</c> (lower-case host, default port dropped).</summary>
    public Uri Origin { get; }

    public string Scheme => Origin.Scheme;

    public bool IsHttps => Origin.Scheme == Uri.UriSchemeHttps;

    /// <summary><c>scheme://host:port</c> without a trailing slash, as registry entries want it (PROFILE.md §11.1).</summary>
    public string Authority => Origin.GetLeftPart(UriPartial.Authority);

    /// <summary>Parses a DP URL, or throws <see cref="ConfigurationException"/> naming <paramref name="source"/> and what is wrong.</summary>
    public static DpEndpoint Parse(string? text, string source) =>
        TryParse(text, out var endpoint, out var problem) ? endpoint : throw new ConfigurationException($"{source}: {problem}");

    public static bool TryParse(string? text, out DpEndpoint endpoint, out string problem)
    {
        endpoint = null!;
        var trimmed = text?.Trim() ?? "";
        // "/x" is an absolute file URI on Unix: only scheme-qualified text counts as a URL here.
        if (trimmed.Length == 0 || !trimmed.Contains("://", StringComparison.Ordinal) || !Uri.TryCreate(trimmed, UriKind.Absolute, out var uri))
        {
            problem = $"\"{text}\" is not an absolute URL (e.g. https://127.0.0.1:8443)";
            return false;
        }
        problem = uri switch
        {
            { Scheme: not ("https" or "http") } => $"the DP URL must be https:// (got {uri.Scheme}://)",
            { Host.Length: 0 } => $"\"{text}\" names no host",
            { UserInfo.Length: > 0 } => "the DP URL must not carry user info",
            { Query.Length: > 0 } or { Fragment.Length: > 0 } => "the DP URL must not carry a query or fragment",
            { AbsolutePath: not "/" } => $"the DP URL is an origin (scheme://host:port): the profile's paths come from its metadata, not from a prefix (got path {uri.AbsolutePath})",
            _ => "",
        };
        if (problem.Length > 0)
            return false;
        endpoint = new DpEndpoint(new Uri(uri.GetLeftPart(UriPartial.Authority) + "/"));
        return true;
    }

    /// <summary>A DP the harness started itself (its URL is already an origin).</summary>
    public static DpEndpoint Of(Uri started) => Parse(started.ToString(), "a started DP's URL");

    /// <summary>An absolute http(s) URL as given, or a path (absolute, as the profile's are) on this origin.</summary>
    public Uri Resolve(string pathOrUrl) =>
        Uri.TryCreate(pathOrUrl, UriKind.Absolute, out var abs) && abs.Scheme is "http" or "https" ? abs : new Uri(Origin, pathOrUrl);

    public override string ToString() => Origin.ToString();
}
