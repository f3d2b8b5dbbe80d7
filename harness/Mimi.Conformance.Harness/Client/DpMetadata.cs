using System.Text.Json.Nodes;
using Mimi.Conformance.Protocol.Profile;
using static Mimi.Conformance.Protocol.Profile.ProfileConstants;

namespace Mimi.Conformance.Harness.Client;

/// <summary>The parts of a DP's metadata document (PROFILE.md §6.1) the harness acts on.</summary>
internal sealed record DpMetadata(
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
    public string InvalidatePath { get; init; } = DefaultInvalidatePath;

    public const string DefaultInvalidatePath = "/v1/federation/invalidate";

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
        return new DpMetadata(profile, dpId,
            endpoints is null ? "/v1/mappings" : Text(endpoints["publish"], "endpoints.publish", "/v1/mappings"),
            endpoints is null ? "/v1/lookup" : Text(endpoints["lookup"], "endpoints.lookup", "/v1/lookup"),
            endpoints is null ? "/v1/mappings/remove" : Text(endpoints["remove"], "endpoints.remove", "/v1/mappings/remove"),
            keys, classes, testControl, problems)
        {
            ImportPath = endpoints?["import"] is JsonValue iv && iv.TryGetValue<string>(out var import) && import.Length > 0 ? import : null,
            InvalidatePath = endpoints?["invalidate"] is JsonValue inv && inv.TryGetValue<string>(out var invalidate) && invalidate.Length > 0 ? invalidate : DefaultInvalidatePath,
            Limits = json["limits"]?.DeepClone() as JsonObject,
        };
    }

    public IEnumerable<string> AdvertisedUrls => [PublishPath, LookupPath, RemovePath, .. TestControlPath is null ? [] : new[] { TestControlPath }, .. ImportPath is null ? [] : new[] { ImportPath }];
}
