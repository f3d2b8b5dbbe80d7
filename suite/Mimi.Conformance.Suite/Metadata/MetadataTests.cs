using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Mimi.Conformance.Harness.Client;
using Mimi.Conformance.Suite.Infrastructure;
using Mimi.Conformance.Protocol.Profile;

namespace Mimi.Conformance.Suite.Metadata;

public sealed class MetadataTests(ConformanceFixture dp)
{
    [Fact, Requirement("PROF-META-01")]
    [Requirement("PROF-META-03")]
    public async Task Metadata_document_declares_what_the_profile_requires()
    {
        foreach (var setup in dp.SetupExchanges)
            Evidence.Current.Record(setup);
        var client = dp.MetadataClient ?? dp.Client;
        var response = Expect.Reachable(await client.GetAsync(ProfileConstants.MetadataPath), $"metadata {ProfileConstants.MetadataPath}");
        Expect.Status(response, 200, "metadata-status");
        Expect.That(response.ContentType?.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) == true,
            "metadata-content-type", "application/json", response.ContentType ?? "(none)");
        Expect.That(response.Json is not null, "metadata-json", "a JSON object",
            response.BodyDefect ?? (response.Text.Length > 200 ? response.Text[..200] : response.Text));
        var problems = dp.Meta.Problems;
        Expect.That(problems.Count == 0, "metadata-fields", "profile, dp_id, endpoints, signing_keys, conformance_classes as in PROFILE.md §6.1",
            problems.Count == 0 ? "all present" : string.Join("; ", problems));
    }

    [Fact, Requirement("PROF-META-01")]
    [Requirement("PROF-META-04")]
    public void Every_signing_key_is_Ed25519_and_named_by_its_kid()
    {
        var keys = dp.Meta.Document["signing_keys"] as JsonArray ?? [];
        Expect.That(keys.Count > 0, "signing_keys", "at least one entry", $"{keys.Count}");
        foreach (var (node, i) in keys.Select((k, i) => (k as JsonObject, i)))
        {
            string? Member(string name) => node?[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
            var x = B64.TryDecode(Member("x"), out var key) ? key : null;
            var kid = x is { Length: 32 } ? B64.Encode(SHA256.HashData(x).AsSpan(0, 16)) : null;
            Expect.That(Member("alg") == "EdDSA" && Member("crv") == "Ed25519", $"signing_keys[{i}] alg, crv", "EdDSA, Ed25519", $"{Member("alg") ?? "(none)"}, {Member("crv") ?? "(none)"}");
            Expect.That(x is { Length: 32 }, $"signing_keys[{i}].x", "base64url of a 32-byte public key", x is null ? "(not base64url)" : $"{x.Length} bytes");
            Expect.That(kid is not null && Member("kid") == kid, $"signing_keys[{i}].kid", $"kid(x) = the first 16 bytes of SHA-256(x): {kid}", Member("kid") ?? "(none)");
        }
    }

    [Fact, Requirement("PROF-META-01")]
    [Requirement("PROF-META-02")]
    public async Task Every_advertised_endpoint_is_served_at_its_advertised_path()
    {
        // Each endpoint takes POST alone, so another method on it gets 405 (PROF-ERR-05); a 404 says nothing is there.
        var endpoints = dp.Meta.Document["endpoints"] as JsonObject ?? [];
        foreach (var (name, node) in endpoints)
        {
            if (node is not JsonValue value || !value.TryGetValue<string>(out var path) || !path.StartsWith('/'))
                continue; // the metadata test judges the member's form
            var response = Expect.Reachable(await dp.Client.SendAsync(HttpMethod.Put, dp.Client.Resolve(path), "{}"u8.ToArray(), "application/json"), $"PUT {path}");
            Expect.Refused(response, $"endpoints.{name} served at {path}", 405, ProfileConstants.Problems.MethodNotAllowed);
        }
    }

    [Fact, Requirement("PROF-META-01")]
    [Requirement("PROF-META-06")]
    public async Task An_advertised_test_control_is_served()
    {
        var path = dp.Meta.TestControlPath;
        if (path is null)
            Expect.NotApplicable("the DP advertises no test_control");
        var control = dp.TestControl;
        if (control is null)
            Expect.NotVerifiable($"the DP advertises test_control {path}, which the harness calls only when allowed (--allow-test-control)");
        // Harmless: the keys the fixture had the DP trust already (PROF-TC-02).
        var response = Expect.Reachable(await control.TrustAsync(dp.Parties.HarnessKeys), $"POST {path}/trust");
        Expect.That(response.Status != 404, "test-control-served", $"test control served at the advertised {path} (§8), so not a 404 there",
            response.Describe() + Expect.ProblemType(response));
    }

    private static readonly string[] DefinedClasses = ["core", "joint-signature", "tag-privacy", "lifecycle", "anti-enumeration", "federation"];

    [Fact, Requirement("PROF-META-01")]
    [Requirement("PROF-META-05")]
    public void Conformance_classes_are_core_and_only_classes_the_profile_defines()
    {
        var listed = DpMetadata.Strings(dp.Meta.Document["conformance_classes"]);
        var undefined = listed.Except(DefinedClasses, StringComparer.Ordinal).ToList();
        Expect.That(listed.Contains("core") && undefined.Count == 0, "conformance_classes", $"core, and only classes of §7 ({string.Join(", ", DefinedClasses)})",
            $"[{string.Join(", ", listed)}]" + (undefined.Count > 0 ? $"; not defined: {string.Join(", ", undefined)}" : ""));
    }

    [Fact, Requirement("PROF-META-01")]
    [Requirement("PROF-META-09")]
    public void Each_claimed_class_advertises_its_endpoint()
    {
        var endpoints = dp.Meta.Document["endpoints"] as JsonObject;
        var applicable = false;
        foreach (var (cls, endpoint) in new[] { ("joint-signature", "import"), ("lifecycle", "invalidate") })
        {
            if (!dp.Meta.ConformanceClasses.Contains(cls))
                continue;
            applicable = true;
            var path = endpoints?[endpoint] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
            Expect.That(!string.IsNullOrEmpty(path), $"endpoints.{endpoint}", $"advertised, since the DP claims {cls}", path ?? "(absent)");
        }
        if (!applicable)
            Expect.NotApplicable("the DP claims neither joint-signature nor lifecycle");
    }

    [Fact, Requirement("PROF-META-01")]
    [Requirement("PROF-META-08")]
    public void The_federation_member_matches_whether_the_dp_federates()
    {
        var federation = dp.Meta.Federation;
        var endpoints = dp.Meta.Document["endpoints"] as JsonObject;
        if (!dp.Meta.ConformanceClasses.Contains("federation"))
        {
            var modes = dp.Meta.FederationStrings("modes");
            var dflt = federation?["default"] is JsonValue d && d.TryGetValue<string>(out var ds) ? ds : null;
            Expect.That(dflt == "local" && modes is ["local"], "federation", "{\"default\": \"local\", \"modes\": [\"local\"]} from a DP that does not federate",
                federation?.ToJsonString() ?? "(absent)");
            return;
        }
        var path = endpoints?["peer_lookup"] is JsonValue v && v.TryGetValue<string>(out var p) ? p : null;
        Expect.That(!string.IsNullOrEmpty(path), "endpoints.peer_lookup", "advertised, since the DP claims federation (§11.4)", path ?? "(absent)");
    }
}
