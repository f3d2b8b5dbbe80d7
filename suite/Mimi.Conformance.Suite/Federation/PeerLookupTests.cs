using System.Text.Json.Nodes;
using Mimi.Conformance.Harness.Client;
using Mimi.Conformance.Harness.Roles;
using Mimi.Conformance.Harness.Roles.Peers;
using Mimi.Conformance.Protocol.Crypto;
using Mimi.Conformance.Protocol.Profile;
using Mimi.Conformance.Protocol.Profile.Wire;
using Mimi.Conformance.Suite.Infrastructure;
using static Mimi.Conformance.Protocol.Profile.ProfileConstants;

namespace Mimi.Conformance.Suite.Federation;

/// <summary>
/// The DP's own DP-to-DP endpoint (PROFILE.md §11.3), called by the harness playing registry peers A and B (their keys
/// are in the registry the DP was given through test control <c>/peers</c>): a peer lookup is answered only when
/// <c>Mimi-Peer-Auth</c> proves a trusted peer asked, for this DP, now, once, for exactly the body sent.
/// </summary>
public sealed class PeerLookupTests(ConformanceFixture dp, FederationPeers peers) : IClassFixture<FederationPeers>
{
    /// <summary>The harness's loop bound: a declared limit above it makes the limit test not-verifiable.</summary>
    private const int MaxLoop = 1000;

    private readonly DpOperations _ops = new(dp);

    private Parties Parties => _ops.Parties;

    private async Task<PeerSetup> SetupAsync()
    {
        var setup = await peers.EnsureAsync(dp);
        dp.RequirePublishing();
        return setup;
    }

    /// <summary>A mapping the DP computed for a fresh CSI: what a peer lookup may get, and what every refusal must keep to itself.</summary>
    private async Task<(string Csi, string MappingId, byte[] Stored)> PublishedAsync()
    {
        var csi = Parties.NewE164();
        var (cose, payload) = _ops.Mapping(csi, Parties.NewRecipientKey(), ["default"]).Build();
        var response = Expect.Reachable(await _ops.PublishAsync(cose), "publish");
        Expect.That(response.Status is 200 or 201 && response.As(WireJson.Default.PublishResponse) is { } p && B64.TryDecode(p.Mapping, out _),
            "publish-accepted", "HTTP 201 {mapping_id, mapping} for a valid mapping", response.Describe() + Expect.ProblemType(response));
        B64.TryDecode(response.As(WireJson.Default.PublishResponse)!.Mapping, out var stored);
        return (csi, MappingPayload.IdOf(payload.Encode()), stored);
    }

    private static PeerLookupRequest Request(string csi, FakePeerDp origin) => new(csi, CsiTypes.E164, Origin: origin.DpId, Hops: 1);

    /// <summary>Mimi-Peer-Auth as <paramref name="from"/> would sign it for this DP, now; each argument can make it wrong.</summary>
    private string Signed(FakePeerDp from, byte[] body, long? iat = null, string? toDp = null, byte[]? nonce = null, SigningKey? key = null, string role = SignerRoles.Dp) =>
        PeerLookups.Header(key ?? from.Key, from.DpId, toDp ?? dp.Meta.DpId, iat ?? Parties.Now, nonce ?? Parties.Nonce(), body, role);

    private async Task<DpResponse> AskAsync(byte[] body, string? peerAuth) =>
        Expect.Reachable(await dp.Profile.PeerLookupAsync(body, peerAuth), "peer lookup");

    /// <summary>
    /// The refusal the profile gives (its problem type compared when the answer is problem+json: the shape is
    /// PROF-ERR-01's subject), and not one byte of the CSI's mapping with it.
    /// </summary>
    private static void ExpectRefused(DpResponse response, string type, string name, string what, string mappingId)
    {
        var status = ProblemStatus(type);
        Expect.That(response.Status == status && (!response.IsProblem || response.ProblemType == type), name, $"{what}: HTTP {status} {type}", response.Describe() + Expect.ProblemType(response));
        Expect.That(response.Json?["mappings"] is null && !response.Text.Contains(mappingId, StringComparison.Ordinal), $"{name}:no-mapping-data",
            "no mapping data in the refusal", response.Json?["mappings"] is null ? "the mapping's id in the body" : "a mappings member");
    }

    private static int ProblemStatus(string type) => type switch
    {
        Problems.Unauthorized => 403,
        Problems.WrongDp or Problems.Expired => 422,
        Problems.Replayed => 409,
        Problems.RateLimited => 429,
        _ => 400,
    };

    private static void ExpectServed(DpResponse response, byte[] stored, string name, string what)
    {
        var answer = response.As(WireJson.Default.LookupResponse);
        var served = answer?.Mappings.Select(m => B64.TryDecode(m.Mapping, out var b) ? b : []).ToArray() ?? [];
        Expect.That(response.Status == 200 && answer?.Status == "found" && served.Length == 1 && served[0].AsSpan().SequenceEqual(stored), name,
            $"{what}: HTTP 200 found with the DP's one mapping for the CSI, byte for byte as it stored it", $"{response.Describe()}{Expect.ProblemType(response)}, {served.Length} mapping(s)");
    }

    [Fact, Requirement("DISC-L-23")]
    [Requirement("PROF-FED-12")]
    [Requirement("PROF-FED-14")]
    public async Task A_peer_lookup_signed_by_a_registry_peer_is_answered_without_any_token()
    {
        var setup = await SetupAsync();
        var (csi, _, stored) = await PublishedAsync();
        var body = PeerLookups.Body(Request(csi, setup.A));

        var response = await AskAsync(body, Signed(setup.A, body));

        ExpectServed(response, stored, "signed-peer-lookup-served", "a lookup signed by peer-a (registry key), with no token or client credential");
    }

    [Fact, Requirement("DISC-L-23")]
    [Requirement("PROF-FED-16")]
    public async Task An_unauthenticated_peer_lookup_is_refused_without_mapping_data()
    {
        var setup = await SetupAsync();
        var (csi, id, _) = await PublishedAsync();
        var body = PeerLookups.Body(Request(csi, setup.A));
        var asB = PeerLookups.Body(Request(csi, setup.B));
        var other = PeerLookups.Body(Request(Parties.NewE164(), setup.A));

        (string Name, string What, byte[] Body, string? Header)[] cases =
        [
            ("no-header", "no Mimi-Peer-Auth", body, null),
            ("not-base64url", "a header that is not base64url", body, "not base64url!"),
            ("not-cose", "a header that is not a COSE_Sign1", body, B64.Encode("not a COSE_Sign1"u8)),
            ("stranger", "signed by a key the registry does not list for peer-a", body, Signed(setup.A, body, key: Parties.Stranger)),
            ("other-peers-key", "from_dp peer-a, signed by peer-b's registry key", body, Signed(setup.A, body, key: setup.B.Key)),
            ("wrong-role", "signed by peer-a's key under role msp", body, Signed(setup.A, body, role: SignerRoles.Msp)),
            ("origin-mismatch", "signed as peer-a for a body whose origin is peer-b", asB, Signed(setup.A, asB)),
            ("tampered-body", "a header signed over another body (another CSI)", body, Signed(setup.A, other)),
        ];
        foreach (var c in cases)
            ExpectRefused(await AskAsync(c.Body, c.Header), Problems.Unauthorized, $"refused:{c.Name}", c.What, id);
    }

    [Fact, Requirement("DISC-L-23")]
    [Requirement("PROF-FED-17")]
    public async Task A_peer_lookup_addressed_to_another_dp_is_refused()
    {
        var setup = await SetupAsync();
        var (csi, id, _) = await PublishedAsync();
        var body = PeerLookups.Body(Request(csi, setup.A));

        var response = await AskAsync(body, Signed(setup.A, body, toDp: setup.B.DpId));

        ExpectRefused(response, Problems.WrongDp, "wrong-dp", "a lookup signed by peer-a with to_dp peer-b", id);
    }

    [Fact, Requirement("DISC-L-23")]
    [Requirement("PROF-FED-18")]
    public async Task A_peer_lookup_outside_the_clock_skew_is_refused()
    {
        var setup = await SetupAsync();
        var (csi, id, _) = await PublishedAsync();
        var body = PeerLookups.Body(Request(csi, setup.A));

        foreach (var (name, offset) in new[] { ("stale", -(ClockSkewSeconds + 300)), ("future", ClockSkewSeconds + 300) })
            ExpectRefused(await AskAsync(body, Signed(setup.A, body, iat: Parties.Now + offset)), Problems.Expired, $"expired:{name}", $"a lookup signed by peer-a with iat now {offset:+0;-0} s", id);
    }

    [Fact, Requirement("DISC-L-23")]
    [Requirement("PROF-FED-19")]
    public async Task A_replayed_peer_lookup_is_refused()
    {
        var setup = await SetupAsync();
        var (csi, id, stored) = await PublishedAsync();
        var body = PeerLookups.Body(Request(csi, setup.A));
        var header = Signed(setup.A, body);

        ExpectServed(await AskAsync(body, header), stored, "first-served", "the signed lookup the first time");
        ExpectRefused(await AskAsync(body, header), Problems.Replayed, "replay-refused", "the same request (same nonce) again", id);
    }

    /// <summary>Metadata <c>federation.peer_limit</c> when it is a valid declaration, else null; and what was declared.</summary>
    private static (RateWindow? Limit, string Declared) PeerLimit(DpMetadata meta)
    {
        var node = meta.Federation?["peer_limit"];
        var limit = node?["limit"] is JsonValue l && l.TryGetValue<int>(out var n) ? n : (int?)null;
        var window = node?["window_s"] is JsonValue w && w.TryGetValue<long>(out var v) ? v : (long?)null;
        return (limit is >= 1 && window is >= 1 ? new RateWindow(limit.Value, window.Value) : null, node?.ToJsonString() ?? "absent");
    }

    [Fact, Requirement("DISC-L-22")]
    [Requirement("PROF-FED-20")]
    public void The_dp_declares_its_per_peer_limit()
    {
        if (!dp.Meta.ConformanceClasses.Contains(FederationPeers.ClassName))
            Expect.NotApplicable("the DP does not claim the federation class in conformance_classes");
        var (limit, declared) = PeerLimit(dp.Meta);
        Expect.That(limit is not null, "peer-limit-declared", "metadata federation.peer_limit {\"limit\": L ≥ 1, \"window_s\": S ≥ 1} (PROFILE.md §11.3)", declared);
    }

    [Fact, Requirement("DISC-L-22")]
    [Requirement("PROF-FED-21")]
    [Requirement("PROF-TC-04")]
    public async Task A_peer_over_its_limit_gets_429_with_Retry_After_and_other_peers_are_still_served()
    {
        var setup = await SetupAsync();
        var (limit, declared) = PeerLimit(dp.Meta);
        if (limit is null)
            Expect.NotVerifiable($"the DP declares no valid federation.peer_limit ({declared}), so the harness does not know how many lookups a peer gets; PROF-FED-20's check reports it");
        if (limit.Limit > MaxLoop)
            Expect.NotVerifiable($"the declared peer limit {limit.Limit} is above the harness's loop bound of {MaxLoop}");
        var csi = Parties.NewE164();
        // Peer-c is asked by no other test of this class, so its window is this test's alone.
        async Task<DpResponse> AskAsC(long? iat = null, byte[]? bodyOf = null)
        {
            var body = PeerLookups.Body(Request(csi, setup.C));
            return await AskAsync(body, Signed(setup.C, bodyOf ?? body, iat: iat));
        }

        // Refused lookups first (stale, signed over another body): only answered ones count towards the limit.
        var answered = 0;
        foreach (var refused in new[] { await AskAsC(iat: Parties.Now - (3 * ClockSkewSeconds)), await AskAsC(bodyOf: "{}"u8.ToArray()) })
            answered += refused.Status == 200 ? 1 : 0;
        DpResponse? throttled = null;
        for (var i = answered; i <= limit.Limit && throttled is null; i++)
        {
            var response = await AskAsC();
            if (response.Status == 200)
                answered++;
            else
                throttled = response;
        }
        Expect.That(answered == limit.Limit && throttled?.Status == 429 && (!throttled.IsProblem || throttled.ProblemType == Problems.RateLimited), "peer-limit",
            $"{limit.Limit} answered lookups from peer-c (two refused ones not counted), the next one 429 rate-limited",
            $"{answered} answered{(throttled is null ? ", none refused" : $", then {throttled.Describe()}{Expect.ProblemType(throttled)}")}");
        var retryAfter = throttled!.Headers.GetValueOrDefault("retry-after");
        Expect.That(PrivacyPassClient.RetryAfterIsValid(retryAfter), "retry-after", "a Retry-After header (seconds or HTTP-date) on the 429", retryAfter ?? "no Retry-After");
        var bBody = PeerLookups.Body(Request(csi, setup.B));
        var other = await AskAsync(bBody, Signed(setup.B, bBody));
        Expect.That(other.Status == 200, "other-peer-served", "peer-b, under its own limit, still served", other.Describe() + Expect.ProblemType(other));

        var testControl = dp.TestControl!;
        try
        {
            var advance = await testControl.AdvanceClockAsync(limit.WindowS);
            if (!TestControlClient.Succeeded(advance))
                Expect.NotVerifiable($"test control /clock answered {advance.Describe()}");
            var later = await AskAsC(iat: Parties.Now + limit.WindowS);
            Expect.That(later.Status == 200, "window-ends", $"peer-c served again once test control moved the DP's clock by window_s ({limit.WindowS} s)", later.Describe() + Expect.ProblemType(later));
        }
        finally
        {
            await peers.ResetDpAsync(dp);
        }
    }

    [Fact, Requirement("DISC-L-10")]
    [Requirement("PROF-FED-22")]
    public async Task The_dp_serves_peer_lookups_at_the_endpoint_its_metadata_advertises()
    {
        var setup = await SetupAsync();
        var meta = dp.Meta.Document;
        var advertised = meta?["endpoints"]?["peer_lookup"]?.ToString();
        Expect.That(advertised is not null && meta?["federation"] is JsonObject, "declared", "metadata endpoints.peer_lookup and a federation object (PROFILE.md §11.4)",
            $"peer_lookup {advertised ?? "absent"}, federation {(meta?["federation"] is JsonObject ? "present" : "absent")}");
        var (csi, _, stored) = await PublishedAsync();
        var body = PeerLookups.Body(Request(csi, setup.A));

        // The profile client posts to the advertised path.
        ExpectServed(await AskAsync(body, Signed(setup.A, body)), stored, "served-at-advertised-path", $"a peer lookup signed by peer-a at {advertised}");
    }

    [Fact, Requirement("DISC-M-09")]
    [Requirement("PROF-FED-11")]
    public async Task A_peer_lookup_is_answered_from_the_peers_own_store_and_never_forwarded()
    {
        var setup = await SetupAsync();
        var csi = Parties.NewE164();
        var atB = _ops.ComputedAt(setup.B, csi);
        setup.B.SetMappings(csi, atB);
        setup.C.SetMappings(csi, _ops.ComputedAt(setup.C, csi));
        var body = PeerLookups.Body(Request(csi, setup.A));

        var response = await AskAsync(body, Signed(setup.A, body));
        setup.RecordEvidence();

        var answer = response.As(WireJson.Default.LookupResponse);
        Expect.That(response.Status == 200 && answer is { Status: "not_found", Mappings.Count: 0 }, "own-store-only",
            "HTTP 200 not_found: the DP holds nothing for the CSI, and what peers b and c hold is not its to answer (PROFILE.md §11.3)", $"{response.Describe()}, {answer?.Mappings.Count ?? 0} mapping(s)");
        var forwarded = setup.Forwards().Select(f => FederatedLookups.Short(f.Peer.DpId)).ToArray();
        Expect.That(forwarded.Length == 0, "not-forwarded", "no peer receives a lookup because of a peer lookup (hops is 1)", forwarded.Length == 0 ? "none" : $"forwarded to {string.Join(", ", forwarded)}");
    }

    [Fact]
    [Requirement("PROF-FED-13")]
    public async Task A_peer_lookup_with_hops_below_one_gets_400_malformed_request()
    {
        var setup = await SetupAsync();
        var (csi, id, _) = await PublishedAsync();
        foreach (var hops in new[] { 0, -1 })
        {
            var body = PeerLookups.Body(Request(csi, setup.A) with { Hops = hops });
            var response = await AskAsync(body, Signed(setup.A, body));
            Expect.That(response.Status == 400 && response.IsProblem && response.ProblemType == Problems.MalformedRequest, $"hops-{hops}", $"hops {hops}, signed by peer-a: HTTP 400 malformed-request, application/problem+json (PROFILE.md §2, §11.3)",
                response.Describe() + Expect.ProblemType(response));
            Expect.That(!response.Text.Contains(id, StringComparison.Ordinal), $"hops-{hops}:no-mapping-data", "no mapping data in the refusal", "the mapping's id in the body");
        }
    }

    [Fact, Requirement("DISC-M-09")]
    [Requirement("PROF-FED-40")]
    public async Task A_peer_lookup_names_exactly_one_csi_with_no_bulk_or_wildcard_form()
    {
        var setup = await SetupAsync();
        var (first, firstId, _) = await PublishedAsync();
        var (second, secondId, _) = await PublishedAsync();
        (string Name, string What, byte[] Body, string Type)[] cases =
        [
            ("list", "two CSIs, comma-separated", PeerLookups.Body(Request($"{first},{second}", setup.A)), Problems.UnsupportedCsi),
            ("wildcard", "a wildcard CSI", PeerLookups.Body(Request(first[..^3] + "*", setup.A)), Problems.UnsupportedCsi),
            ("array", "csi as an array of both", System.Text.Encoding.UTF8.GetBytes(new JsonObject
            {
                ["csi"] = new JsonArray(first, second), ["csi_type"] = CsiTypes.E164, ["origin"] = setup.A.DpId, ["hops"] = 1,
            }.ToJsonString()), Problems.MalformedRequest),
        ];
        foreach (var (name, what, body, type) in cases)
        {
            var response = await AskAsync(body, Signed(setup.A, body));
            Expect.That(response.Status == 400 && (!response.IsProblem || response.ProblemType == type), name, $"{what}, signed by peer-a: HTTP 400 {type} (PROFILE.md §3, §11.6)",
                response.Describe() + Expect.ProblemType(response));
            Expect.That(response.Json?["mappings"] is null && !response.Text.Contains(firstId, StringComparison.Ordinal) && !response.Text.Contains(secondId, StringComparison.Ordinal),
                $"{name}:no-mapping-data", "no mapping data in the refusal", response.Json?["mappings"]?.ToJsonString() ?? "a mapping's id in the body");
        }
    }
}
