using static Mimi.Conformance.Protocol.Profile.ProfileConstants;

namespace Mimi.Conformance.ReferenceDp.Discovery;

/// <summary>
/// A request the DP refuses, as a PROFILE.md §2 problem. Thrown anywhere below the endpoints and turned into
/// <c>application/problem+json</c> in one place, so every refusal has the profile's type, title and status.
/// </summary>
internal sealed class ProblemException(string type, string detail) : Exception(detail)
{
    public string Type { get; } = type;

    public int Status => ProblemCatalog.StatusOf(Type);

    public string Title => ProblemCatalog.TitleOf(Type);

    public string Detail => Message;

    /// <summary>Headers the refusal carries besides its body (e.g. <c>Retry-After</c> on a 429).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];
}

/// <summary>The §2 table: status and title for each problem type.</summary>
internal static class ProblemCatalog
{
    /// <summary>Not in the profile's table: only for bugs, never for bad input (RFC 9457 §4.2.1).</summary>
    public const string InternalError = "about:blank";

    private static readonly Dictionary<string, (int Status, string Title)> Table = new()
    {
        [Problems.MalformedRequest] = (400, "Malformed request"),
        [Problems.UnsupportedMediaType] = (415, "Unsupported media type"),
        [Problems.PayloadTooLarge] = (413, "Payload too large"),
        [Problems.MethodNotAllowed] = (405, "Method not allowed"),
        [Problems.NotFound] = (404, "Not found"),
        [Problems.InvalidMapping] = (400, "Invalid mapping"),
        [Problems.UnsupportedCsi] = (400, "Unsupported CSI"),
        [Problems.InvalidSignature] = (422, "Invalid signature"),
        [Problems.PopInvalid] = (422, "Proof of possession invalid"),
        [Problems.WrongDp] = (422, "Wrong DP"),
        [Problems.Expired] = (422, "Expired"),
        [Problems.Replayed] = (409, "Replayed"),
        [Problems.Conflict] = (409, "Conflict"),
        [Problems.StaleAssignment] = (409, "Stale assignment"),
        [Problems.Unauthorized] = (403, "Unauthorized"),
        [Problems.TestControlDisabled] = (404, "Test control disabled"),
        [Problems.TokenRequired] = (401, "Token required"),
        [Problems.InvalidToken] = (401, "Invalid token"),
        [Problems.RateLimited] = (429, "Rate limited"),
        [Problems.Unauthenticated] = (401, "Unauthenticated"),
        [Problems.PeerUnavailable] = (502, "Peer unavailable"),
        [InternalError] = (500, "Internal Server Error"),
    };

    public static int StatusOf(string type) => Table.TryGetValue(type, out var e) ? e.Status : 500;

    public static string TitleOf(string type) => Table.TryGetValue(type, out var e) ? e.Title : "Error";
}
