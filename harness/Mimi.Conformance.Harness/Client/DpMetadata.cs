using System.Text.Json.Nodes;
using Mimi.Conformance.Protocol.Profile;
using Mimi.Conformance.Protocol.Profile.Wire;
using static Mimi.Conformance.Protocol.Profile.ProfileConstants;

namespace Mimi.Conformance.Harness.Client;

/// <summary>The parts of a DP's metadata document (PROFILE.md §6.1) the harness acts on.</summary>
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
    /// <summary>The §6.5 import endpoint (joint-signature class), or null when the DP advertises none.</summary>
    public string? ImportPath { get; init; }

    /// <summary>The §12.5 DP-to-DP invalidate endpoint (lifecycle class): advertised, or the default path.</summary>
    public string InvalidatePath { get; init; } = ProfilePaths.Invalidate;

    /// <summary>The §11.3 DP-to-DP lookup endpoint (federation class), or null when the DP advertises none.</summary>
    public string? PeerLookupPath { get; init; }

    /// <summary>The whole document as fetched, for members this record does not model.</summary>
    public JsonObject Document { get; init; } = [];

    /// <summary>The <c>rate_limit</c> member (PROFILE.md §10.2), or null when the DP declares none.</summary>
    public RateLimitPolicy? RateLimit => RateLimitPolicy.Parse(Document);

    /// <summary>The <c>federation</c> member (PROFILE.md §11.4), or null.</summary>
    public JsonObject? Federation => Document["federation"] as JsonObject;

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
    public JsonObject? Limits { get; init; }

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
