using System.Text.Json.Nodes;
using Mimi.Conformance.Protocol.Profile;
using Mimi.Conformance.Protocol.Profile.Wire;
using static Mimi.Conformance.Protocol.Profile.ProfileConstants;

namespace Mimi.Conformance.Harness.Client;

/// <summary>
/// The parts of a DP's metadata document (PROFILE.md §6.1) the harness acts on. Every member read goes through
/// <see cref="Observer"/> when one is set: the self-test learns which tests read which members of the metadata the
/// suite fetched once, so a fault that only changes the document runs just the tests that read what it changes.
/// </summary>
public sealed record DpMetadata(
    string Profile,
    string DpId,
    string PublishPath,
    string LookupPath,
    string RemovePath,
    IReadOnlyList<TrustedKey> SigningKeys,
    IReadOnlyList<string> ConformanceClasses,
    string? TestControlPath,
    IReadOnlyList<string> Problems)
{
    /// <summary>Told the name of every member read (the property's name); null: nobody listens.</summary>
    public Action<string>? Observer { get; init; }

    /// <summary>A traced suite run's stderr line per test and member read: prefix, test (Class.Method; empty: outside any test), tab, member.</summary>
    public const string ReadTracePrefix = "MIMI-METADATA-READ\t";

    /// <summary>The members a reader can observe, by the names <see cref="Observer"/> is told.</summary>
    public static IReadOnlyList<string> Members { get; } =
        [nameof(Profile), nameof(DpId), nameof(PublishPath), nameof(LookupPath), nameof(RemovePath), nameof(SigningKeys), nameof(ConformanceClasses),
         nameof(TestControlPath), nameof(Problems), nameof(ImportPath), nameof(InvalidatePath), nameof(PeerLookupPath), nameof(Document), nameof(Limits),
         nameof(RateLimit), nameof(Federation)];

    /// <summary>The members whose values differ between two documents (what a reader of the one could see change in the other).</summary>
    public static IReadOnlySet<string> Differences(DpMetadata a, DpMetadata b)
    {
        static string Text(DpMetadata m, string member) => member switch
        {
            nameof(Profile) => m.Profile,
            nameof(DpId) => m.DpId,
            nameof(PublishPath) => m.PublishPath,
            nameof(LookupPath) => m.LookupPath,
            nameof(RemovePath) => m.RemovePath,
            nameof(SigningKeys) => string.Join(",", m.SigningKeys.Select(k => $"{k.Role}/{k.Owner}/{Convert.ToHexString(k.PublicKey)}")),
            nameof(ConformanceClasses) => string.Join(",", m.ConformanceClasses),
            nameof(TestControlPath) => m.TestControlPath ?? "",
            nameof(Problems) => string.Join("\n", m.Problems),
            nameof(ImportPath) => m.ImportPath ?? "",
            nameof(InvalidatePath) => m.InvalidatePath,
            nameof(PeerLookupPath) => m.PeerLookupPath ?? "",
            nameof(Document) => m.Raw.ToJsonString(),
            nameof(Limits) => m.Limits?.ToJsonString() ?? "",
            nameof(RateLimit) => m.Raw["rate_limit"]?.ToJsonString() ?? "",
            nameof(Federation) => m.Raw["federation"]?.ToJsonString() ?? "",
            _ => throw new ArgumentOutOfRangeException(nameof(member), member, "not a member of DpMetadata"),
        };
        return Members.Where(member => Text(a, member) != Text(b, member)).ToHashSet(StringComparer.Ordinal);
    }

    private T Read<T>(T value, string member)
    {
        Observer?.Invoke(member);
        return value;
    }

    public string Profile { get => Read(field, nameof(Profile)); init; } = Profile;

    public string DpId { get => Read(field, nameof(DpId)); init; } = DpId;

    public string PublishPath { get => Read(field, nameof(PublishPath)); init; } = PublishPath;

    public string LookupPath { get => Read(field, nameof(LookupPath)); init; } = LookupPath;

    public string RemovePath { get => Read(field, nameof(RemovePath)); init; } = RemovePath;

    public IReadOnlyList<TrustedKey> SigningKeys { get => Read(field, nameof(SigningKeys)); init; } = SigningKeys;

    public IReadOnlyList<string> ConformanceClasses { get => Read(field, nameof(ConformanceClasses)); init; } = ConformanceClasses;

    public string? TestControlPath { get => Read(field, nameof(TestControlPath)); init; } = TestControlPath;

    public IReadOnlyList<string> Problems { get => Read(field, nameof(Problems)); init; } = Problems;

    /// <summary>The §6.5 import endpoint (joint-signature class), or null when the DP advertises none.</summary>
    public string? ImportPath { get => Read(field, nameof(ImportPath)); init; }

    /// <summary>The §12.5 DP-to-DP invalidate endpoint (lifecycle class): advertised, or the default path.</summary>
    public string InvalidatePath { get => Read(field, nameof(InvalidatePath)); init; } = ProfilePaths.Invalidate;

    /// <summary>The §11.3 DP-to-DP lookup endpoint (federation class), or null when the DP advertises none.</summary>
    public string? PeerLookupPath { get => Read(field, nameof(PeerLookupPath)); init; }

    /// <summary>The whole document as fetched, for members this record does not model.</summary>
    public JsonObject Document { get => Read(_document, nameof(Document)); init => _document = value; }

    private readonly JsonObject _document = [];

    /// <summary>The <c>rate_limit</c> member (PROFILE.md §10.2), or null when the DP declares none.</summary>
    public RateLimitPolicy? RateLimit => Read(RateLimitPolicy.Parse(Raw), nameof(RateLimit));

    /// <summary>The <c>federation</c> member (PROFILE.md §11.4), or null.</summary>
    public JsonObject? Federation => Read(Raw["federation"] as JsonObject, nameof(Federation));

    /// <summary>The document without telling the observer: what the members derived from it report under their own names.</summary>
    private JsonObject Raw => _document;

    /// <summary>A string array member of <c>federation</c> (e.g. jurisdictions, forward_jurisdictions, preferred); empty when absent.</summary>
    public IReadOnlyList<string> FederationStrings(string name) => Strings(Federation?[name]);

    /// <summary>The strings of a JSON array, skipping anything else; empty for a non-array.</summary>
    public static IReadOnlyList<string> Strings(JsonNode? node) =>
        node is JsonArray a ? [.. a.Select(n => n is JsonValue v && v.TryGetValue<string>(out var s) ? s : null).OfType<string>()] : [];

    /// <summary>
    /// GETs the metadata document once: the parsed metadata, or null with the reason (a transport error, or no JSON
    /// document) in the words the suite reports.
    /// </summary>
    public static async Task<(DpMetadata? Metadata, DpResponse Response, string? Problem)> FetchAsync(DpClient client, CancellationToken ct = default)
    {
        var response = await client.GetAsync(ProfilePaths.Metadata, ct);
        if (response.TransportError is not null)
            return (null, response, $"cannot fetch {ProfilePaths.Metadata}: {response.TransportError}");
        if (response.Status != 200 || response.Json is not { } json)
            return (null, response, $"{ProfilePaths.Metadata} answered {response.Describe()}, not a JSON metadata document");
        return (Parse(json), response, null);
    }

    /// <summary>The advertised <c>limits</c> object (§6.1), or null; read by name (max_tags, max_tag_bytes, disclosure_bytes).</summary>
    public JsonObject? Limits { get => Read(field, nameof(Limits)); init; }

    /// <summary>An integer member of <c>limits</c>, or null when absent or not an integer.</summary>
    public int? Limit(string name) => Limits?[name] is JsonValue v && v.TryGetValue<int>(out var n) ? n : null;

    /// <summary>Parses leniently: every deviation from §6.1 is listed in <see cref="Problems"/> instead of thrown.</summary>
    public static DpMetadata Parse(JsonObject json)
    {
        var problems = new List<string>();
        string Text(JsonNode? n, string name, string fallback)
        {
            if (n is JsonValue v && v.TryGetValue<string>(out var s) && s.Length > 0)
                return s;
            problems.Add($"\"{name}\" is missing or not a string");
            return fallback;
        }

        var profile = Text(json["profile"], "profile", "");
        if (profile.Length > 0 && profile != ProfileConstants.Version)
            problems.Add($"profile is \"{profile}\", the suite speaks \"{ProfileConstants.Version}\"");
        var dpId = Text(json["dp_id"], "dp_id", "");
        var endpoints = json["endpoints"] as JsonObject;
        if (endpoints is null)
            problems.Add("\"endpoints\" is missing");
        var keys = new List<TrustedKey>();
        if (json["signing_keys"] is JsonArray arr && arr.Count > 0)
        {
            foreach (var k in arr)
            {
                if (k is JsonObject key && key["x"] is JsonValue x && x.TryGetValue<string>(out var xs) && B64.TryDecode(xs, out var pk) && pk.Length == 32
                    && key["alg"]?.GetValue<string>() == "EdDSA")
                    keys.Add(new TrustedKey(SignerRoles.Dp, dpId, pk));
                else
                    problems.Add("a signing_keys entry is not {alg: EdDSA, x: b64url 32 bytes}");
            }
        }
        else
        {
            problems.Add("\"signing_keys\" is missing or empty");
        }
        var classes = json["conformance_classes"] is JsonArray c ? c.Select(n => n?.GetValue<string>() ?? "").Where(s => s.Length > 0).ToArray() : [];
        if (!classes.Contains("core"))
            problems.Add("\"conformance_classes\" does not list \"core\"");
        string? testControl = json["test_control"] is JsonValue tc && tc.TryGetValue<string>(out var tcs) ? tcs : null;
        string? Optional(string name) => endpoints?[name] is JsonValue v && v.TryGetValue<string>(out var path) && path.Length > 0 ? path : null;
        return new DpMetadata(profile, dpId,
            endpoints is null ? ProfilePaths.Publish : Text(endpoints["publish"], "endpoints.publish", ProfilePaths.Publish),
            endpoints is null ? ProfilePaths.Lookup : Text(endpoints["lookup"], "endpoints.lookup", ProfilePaths.Lookup),
            endpoints is null ? ProfilePaths.Remove : Text(endpoints["remove"], "endpoints.remove", ProfilePaths.Remove),
            keys, classes, testControl, problems)
        {
            ImportPath = Optional("import"),
            InvalidatePath = Optional("invalidate") ?? ProfilePaths.Invalidate,
            PeerLookupPath = Optional("peer_lookup"),
            Limits = json["limits"]?.DeepClone() as JsonObject,
            Document = json,
        };
    }

    public IEnumerable<string> AdvertisedUrls => [PublishPath, LookupPath, RemovePath, .. TestControlPath is null ? [] : new[] { TestControlPath }, .. ImportPath is null ? [] : new[] { ImportPath }];
}
