using System.Text;
using System.Text.Json.Nodes;
using Mimi.Conformance.Harness.Client;
using Mimi.Conformance.Harness.Roles;
using Mimi.Conformance.Harness.Roles.Peers;
using Mimi.Conformance.Protocol.Crypto;
using Mimi.Conformance.Protocol.Profile;
using Mimi.Conformance.Protocol.Profile.Wire;
using Mimi.Conformance.Suite.Infrastructure;
using static Mimi.Conformance.Protocol.Profile.ProfileConstants;
using static Mimi.Conformance.Suite.Federation.FederatedLookups;

namespace Mimi.Conformance.Suite.Federation;

/// <summary>
/// The federation class (PROFILE.md §11) and the forwarding half of R6: fake peer DPs on 127.0.0.1 record what the DP
/// under test sends them, so each mode's reach, the aggregation of their answers and what a forward carries are
/// checked on the peers' side. The peers' recorded requests go into each test's evidence.
/// </summary>
public sealed class FederationTests(ConformanceFixture dp, FederationPeers peers) : IClassFixture<FederationPeers>
{
    /// <summary>The §11.3 members; anything else in a forward is oversharing (§11.6). <c>rl</c> only from an anti-enumeration DP.</summary>
    private static readonly HashSet<string> ForwardMembers = ["csi", "csi_type", "msp_filter", "origin", "hops"];

    /// <summary>Headers that carry a client's identity or address (§11.6).</summary>
    private static readonly string[] ForbiddenHeaders =
        ["Authorization", "Proxy-Authorization", "Cookie", "Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto", "X-Real-IP", "X-Request-Id"];

    private readonly DpOperations _ops = new(dp);

    private Parties Parties => _ops.Parties;

    private async Task<PeerSetup> SetupAsync()
    {
        var setup = await peers.EnsureAsync(dp);
        dp.RequirePublishing();
        return setup;
    }

    [Fact, Requirement("DISC-L-10")]
    [Requirement("PROF-FED-24")]
    public async Task Local_mode_reaches_no_peer()
    {
        var setup = await SetupAsync();
        var csi = Parties.NewE164();
        setup.A.SetMappings(csi, _ops.ComputedAt(setup.A, csi));
        setup.B.SetMappings(csi, _ops.ComputedAt(setup.B, csi));
        var local = await _ops.PublishLocalAsync(csi);

        var answer = await _ops.FederatedLookupAsync(setup, Lookup(csi, "local"));

        ExpectReached(setup, new HashSet<string>(), "local-reaches-none", "mode local");
        Expect.That(answer.Mappings.Select(m => m.Key).SequenceEqual([local.Key]), "local-answer", "the one local mapping, nothing from peers", Keys(answer.Mappings));
    }

    [Fact, Requirement("DISC-L-10")]
    [Requirement("PROF-FED-30")]
    public async Task Msp_filter_is_honoured_locally_and_on_peer_answers()
    {
        var setup = await SetupAsync();
        var csi = Parties.NewE164();
        string mspA = Parties.Msps[0].Id, mspB = Parties.Msps[1].Id;
        var localA = await _ops.PublishLocalAsync(csi, mspA);
        await _ops.PublishLocalAsync(csi, mspB);
        var peerA = _ops.ComputedAt(setup.A, csi, mspA);
        setup.A.SetMappings(csi, peerA, _ops.ComputedAt(setup.A, csi, mspB));

        var answer = await _ops.FederatedLookupAsync(setup, Lookup(csi, "client_selected", [setup.A], mspA));

        string[] expected = [localA.Key, Nonce(peerA)];
        Expect.That(answer.Mappings.Select(m => m.Key).SequenceEqual(expected), "filtered-answer",
            $"exactly the local and peer-a mappings listing {mspA}, local first ({string.Join(", ", expected.Select(k => k[..8]))})", Keys(answer.Mappings));
        var forwarded = setup.A.RequestsTo(FakePeerDp.PeerLookupPath).Select(r => r.Json?["msp_filter"]?.ToJsonString()).ToArray();
        Expect.That(forwarded is [var f] && f == new JsonArray(mspA).ToJsonString(), "filter-forwarded", $"the forward to peer-a carries msp_filter [\"{mspA}\"]",
            forwarded.Length == 0 ? "no forward" : string.Join("; ", forwarded.Select(x => x ?? "(no msp_filter)")));
    }

    [Fact, Requirement("DISC-L-10A")]
    [Requirement("PROF-FED-24")]
    public async Task Dp_preferred_mode_reaches_exactly_the_declared_preferred_peers()
    {
        var setup = await SetupAsync();
        Expect.That(setup.Modes.Contains("dp_preferred"), "mode-declared", "metadata federation.modes lists dp_preferred", string.Join(", ", setup.Modes));
        var expected = setup.Expected("dp_preferred");
        if (expected.Count == 0)
            Expect.NotVerifiable($"the DP prefers none of the harness's peers (metadata federation.preferred: {string.Join(", ", setup.Preferred)}), so mode dp_preferred cannot be told apart from local");

        await _ops.FederatedLookupAsync(setup, Lookup(Parties.NewE164(), "dp_preferred"));

        ExpectReached(setup, expected, "dp-preferred-reach", "mode dp_preferred (metadata preferred, within the forwarding jurisdictions)");
    }

    [Fact, Requirement("DISC-L-10A")]
    [Requirement("PROF-FED-24")]
    public async Task Client_selected_mode_reaches_exactly_the_listed_peer()
    {
        var setup = await SetupAsync();
        Expect.That(setup.Modes.Contains("client_selected"), "mode-declared", "metadata federation.modes lists client_selected", string.Join(", ", setup.Modes));

        var answer = await _ops.FederatedLookupAsync(setup, Lookup(Parties.NewE164(), "client_selected", [setup.C]));

        ExpectReached(setup, setup.Expected("client_selected", setup.C), "client-selected-reach", "mode client_selected with dps [peer-c]");
        Expect.That(answer.Response.Json?["partial"] is null, "complete", "no partial flag: the one listed peer answered", answer.Response.Json?["unavailable"]?.ToJsonString() ?? "partial without unavailable");
    }

    [Fact, Requirement("DISC-L-10A")]
    [Requirement("PROF-FED-24")]
    public async Task All_mode_reaches_every_registry_peer_it_may_forward_to()
    {
        var setup = await SetupAsync();
        Expect.That(setup.Modes.Contains("all"), "mode-declared", "metadata federation.modes lists all", string.Join(", ", setup.Modes));

        await _ops.FederatedLookupAsync(setup, Lookup(Parties.NewE164(), "all"));

        ExpectReached(setup, setup.Expected("all"), "all-reach", setup.Restricted ? "mode all (registry peers within forward_jurisdictions)" : "mode all (every registry peer)");
    }

    [Fact, Requirement("DISC-L-11")]
    [Requirement("PROF-FED-25")]
    public async Task Without_a_mode_the_declared_default_applies()
    {
        var setup = await SetupAsync();
        var declared = setup.Default;
        Expect.That(declared is not null && setup.Modes.Contains(declared), "default-declared", "metadata federation.default, one of federation.modes",
            $"default {declared ?? "(none)"}, modes {string.Join(", ", setup.Modes)}");
        if (declared == "client_selected")
            Expect.NotVerifiable("the declared default is client_selected, which needs a dps list a lookup without federation cannot give");
        var csi = Parties.NewE164();
        setup.A.SetMappings(csi, _ops.ComputedAt(setup.A, csi));

        var answer = await _ops.FederatedLookupAsync(setup, Lookup(csi));

        ExpectReached(setup, setup.Expected(declared!), "default-reach", $"a lookup without federation, declared default {declared}");
        if (declared == "local")
            Expect.That(answer.Mappings.Count == 0, "default-answer", "no peer mapping in a local answer", Keys(answer.Mappings));
    }

    [Fact, Requirement("DISC-R-03")]
    [Requirement("PROF-FED-31")]
    [Requirement("PROF-FED-32")]
    public async Task Answers_from_several_peers_are_aggregated_completely_deduplicated_and_byte_identical()
    {
        var setup = await SetupAsync();
        var csi = Parties.NewE164();
        var local = await _ops.PublishLocalAsync(csi);
        byte[] a1 = _ops.ComputedAt(setup.A, csi), a2 = _ops.ComputedAt(setup.A, csi), b1 = _ops.ComputedAt(setup.B, csi);
        setup.A.SetMappings(csi, a1, a2, a1);
        setup.B.SetMappings(csi, b1);

        var answer = await _ops.FederatedLookupAsync(setup, Lookup(csi, "all"));

        // §11.5 order: local first, then peers in registry order (A before B), each in the order it answered; a1 once.
        string[] expected = [local.Key, Nonce(a1), Nonce(a2), Nonce(b1)];
        Expect.That(answer.Mappings.Select(m => m.Key).SequenceEqual(expected), "aggregated",
            $"local, peer-a's two (the duplicate once), peer-b's: {string.Join(", ", expected.Select(k => k[..8]))}", Keys(answer.Mappings));
        var trust = new TrustStore([Parties.Csip.Trusted, .. Parties.Msps.Select(m => m.Trusted), setup.A.Trusted, setup.B.Trusted]);
        foreach (var (sent, name) in new[] { (a1, "peer-a #1"), (a2, "peer-a #2"), (b1, "peer-b") })
        {
            var served = answer.Mappings.FirstOrDefault(m => m.Key == Nonce(sent));
            Expect.That(served is not null && served.Bytes.AsSpan().SequenceEqual(sent), $"byte-identical:{name}", $"the {sent.Length} bytes {name} sent",
                served is null ? "not served" : $"{served.Bytes.Length} bytes, {(served.Bytes.AsSpan().SequenceEqual(sent) ? "identical" : "different")}");
            var v = MappingVerifier.Verify(served!.Bytes, trust, Parties.Now, VerificationPolicy.Joint);
            Expect.That(v.Valid, $"verifies:{name}", "verifies offline under the CSIP, MSP and computing peer's keys (PROFILE.md §5)", v.FirstFailure is { } f ? $"{f.Rule}: {f.Detail}" : "valid");
        }
    }

    [Fact, Requirement("DISC-M-10")]
    [Requirement("PROF-FED-33")]
    public async Task Failing_peers_give_a_partial_answer_naming_them_never_a_silent_loss()
    {
        var setup = await SetupAsync();
        var csi = Parties.NewE164();
        var a1 = _ops.ComputedAt(setup.A, csi);
        setup.A.SetMappings(csi, a1);
        setup.B.Behavior = FakePeerBehavior.ServerError;
        setup.C.Behavior = FakePeerBehavior.Garbage;

        var answer = await _ops.FederatedLookupAsync(setup, Lookup(csi, "all"));

        Expect.That(answer.Found && answer.Mappings.Any(m => m.Bytes.AsSpan().SequenceEqual(a1)), "healthy-peer-served", "peer-a's mapping, despite the failing peers",
            $"{answer.Status}: {Keys(answer.Mappings)}");
        var json = answer.Response.Json;
        Expect.That(json?["partial"] is JsonValue p && p.TryGetValue<bool>(out var partial) && partial, "partial-flag", "\"partial\": true", json?["partial"]?.ToJsonString() ?? "absent");
        var named = (json?["unavailable"] as JsonArray)?.Select(u => u?["dp_id"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : "").ToHashSet() ?? [];
        var must = new[] { setup.B.DpId, setup.C.DpId, setup.DeadPeer };
        Expect.That(must.All(named.Contains) && named.Count == must.Length, "unavailable-named", $"unavailable names exactly {string.Join(", ", must.Select(Short))} (500, garbage, down)",
            json?["unavailable"]?.ToJsonString() ?? "absent");
    }

    [Fact, Requirement("DISC-L-13")]
    [Requirement("PROF-FED-36")]
    public async Task A_peer_that_never_answers_costs_a_bounded_wait_and_is_reported_as_a_timeout()
    {
        var setup = await SetupAsync();
        var csi = Parties.NewE164();
        var a1 = _ops.ComputedAt(setup.A, csi);
        setup.A.SetMappings(csi, a1);
        setup.C.Behavior = FakePeerBehavior.Hang;

        var answer = await _ops.FederatedLookupAsync(setup, Lookup(csi, "client_selected", [setup.A, setup.C]));

        Expect.That(answer.Response.Status == 200 && answer.Mappings.Any(m => m.Bytes.AsSpan().SequenceEqual(a1)), "answered-despite-slow-peer",
            "200 with peer-a's mapping, within the harness's request timeout, while peer-c never answers", $"{answer.Response.Describe()}: {Keys(answer.Mappings)}");
        var json = answer.Response.Json;
        var unavailable = (json?["unavailable"] as JsonArray)?.FirstOrDefault(u => u?["dp_id"]?.GetValue<string>() == setup.C.DpId);
        Expect.That(json?["partial"] is JsonValue p && p.TryGetValue<bool>(out var partial) && partial && unavailable?["reason"]?.GetValue<string>() == "timeout",
            "slow-peer-flagged", "\"partial\": true and unavailable names peer-c with reason timeout (§11.5)", json?["unavailable"]?.ToJsonString() ?? "absent");
    }

    [Fact, Requirement("DISC-L-RG")]
    [Requirement("PROF-FED-28")]
    public async Task Only_mappings_signed_under_the_answering_peers_registry_keys_are_served()
    {
        var setup = await SetupAsync();
        var meta = dp.Meta.Document;
        var record = new[] { meta?["dp_id"], meta?["signing_keys"], meta?["endpoints"]?["peer_lookup"], meta?["federation"]?["jurisdictions"] };
        Expect.That(record.All(n => n is not null), "registry-record", "metadata carries a registry record's fields: dp_id, signing_keys, endpoints.peer_lookup, federation.jurisdictions (§11.1, §11.4)",
            string.Join(", ", new[] { "dp_id", "signing_keys", "endpoints.peer_lookup", "federation.jurisdictions" }.Where((_, i) => record[i] is null).DefaultIfEmpty("all present").Select(n => n == "all present" ? n : n + " missing")));
        var csi = Parties.NewE164();
        var good = _ops.ComputedAt(setup.A, csi);
        var unsigned = MappingBuilder.For(Parties, setup.A.DpId, csi, Parties.NewRecipientKey(), ["default"]).Build().Cose;
        var forged = Protocol.Cose.CoseSign.Decode(unsigned).AddSignature(Parties.Stranger, SignerRoles.Dp).Encode();
        var foreign = _ops.ComputedAt(setup.B, csi);
        setup.A.SetMappings(csi, good, forged, foreign);

        var answer = await _ops.FederatedLookupAsync(setup, Lookup(csi, "client_selected", [setup.A]));

        Expect.That(answer.Mappings.Count == 1 && answer.Mappings[0].Bytes.AsSpan().SequenceEqual(good), "registry-trust",
            "only peer-a's mapping signed under its registry key; not one signed by a key the registry does not list, nor one computed at peer-b",
            $"{answer.Mappings.Count} served: {string.Join(", ", answer.Mappings.Select(m => m.Key == Nonce(good) ? "good" : m.Key == Nonce(forged) ? "FORGED" : m.Key == Nonce(foreign) ? "FOREIGN" : "other"))}");
    }

    [Fact, Requirement("DISC-M-11")]
    public async Task A_mapping_held_only_by_a_registry_peer_is_found_through_the_registry()
    {
        var setup = await SetupAsync();
        var csi = Parties.NewE164();
        var remote = _ops.ComputedAt(setup.C, csi);
        setup.C.SetMappings(csi, remote);

        var answer = await _ops.FederatedLookupAsync(setup, Lookup(csi, "all"));

        Expect.That(answer.Found && answer.Mappings.Any(m => m.Bytes.AsSpan().SequenceEqual(remote)), "found-via-registry", "peer-c's mapping (the DP holds none for this CSI)",
            $"{answer.Status}: {answer.Mappings.Count} mapping(s)");
    }

    [Fact, Requirement("DISC-L-OP")]
    [Requirement("PROF-FED-41")]
    public async Task A_client_selected_dp_outside_the_forwarding_jurisdictions_is_not_asked_and_is_reported()
    {
        var setup = await SetupAsync();
        if (!setup.Restricted)
            Expect.NotApplicable("the DP declares no forwarding restriction (metadata federation.forward_jurisdictions)");

        var answer = await _ops.FederatedLookupAsync(setup, Lookup(Parties.NewE164(), "client_selected", [setup.A, setup.D]));

        ExpectReached(setup, new HashSet<string> { setup.A.DpId }, "policy-over-preference", $"client_selected [peer-a, peer-d] with peer-d in ZZ, outside {string.Join(", ", setup.ForwardJurisdictions)}");
        var reported = (answer.Response.Json?["unavailable"] as JsonArray)?.Any(u => u?["dp_id"]?.ToString() == setup.D.DpId && u?["reason"]?.ToString() == "jurisdiction") == true;
        Expect.That(reported && answer.Response.Json?["partial"]?.ToString() == "true", "reported", "partial: true and peer-d listed in unavailable with reason jurisdiction",
            answer.Response.Json?["unavailable"]?.ToJsonString() ?? "no unavailable");
    }

    [Fact, Requirement("DISC-M-12")]
    [Requirement("PROF-FED-41")]
    public async Task No_lookup_is_forwarded_outside_the_declared_jurisdictions()
    {
        var setup = await SetupAsync();
        var declared = setup.Federation?["jurisdictions"] as JsonArray;
        Expect.That(declared is { Count: > 0 }, "jurisdictions-declared", "metadata federation.jurisdictions, non-empty (§11.4)", declared?.ToJsonString() ?? "absent");
        if (!setup.Restricted)
            Expect.NotApplicable("the DP declares no forwarding restriction (metadata federation.forward_jurisdictions)");

        await _ops.FederatedLookupAsync(setup, Lookup(Parties.NewE164(), "all"));
        await _ops.FederatedLookupAsync(setup, Lookup(Parties.NewE164(), "dp_preferred"));

        var outside = setup.D.RequestsTo(FakePeerDp.PeerLookupPath).Count;
        Expect.That(outside == 0, "residency", $"peer-d (ZZ, outside {string.Join(", ", setup.ForwardJurisdictions)}) receives nothing in modes all and dp_preferred (it is preferred)",
            $"{outside} lookup(s) reached peer-d");
    }

    [Fact, Requirement("DISC-L-15")]
    [Requirement("PROF-FED-44")]
    [Requirement("PROF-FED-45")]
    public async Task Verbose_and_compact_answers_agree_and_say_where_each_mapping_was_found()
    {
        var setup = await SetupAsync();
        var csi = Parties.NewE164();
        string mspA = Parties.Msps[0].Id, mspB = Parties.Msps[1].Id;
        var local = await _ops.PublishLocalAsync(csi, mspA);
        var remote = _ops.ComputedAt(setup.A, csi, mspB);
        setup.A.SetMappings(csi, remote);
        LookupRequest Body(string c, string format) => Lookup(c, "client_selected", [setup.A]) with { Format = format };

        var verbose = await _ops.FederatedLookupAsync(setup, Body(csi, "verbose"));
        var compact = (await _ops.LookupAsync(Body(csi, "compact"))).Response;
        var empty = (await _ops.LookupAsync(Body(Parties.NewE164(), "compact"))).Response;
        setup.RecordEvidence();

        var foundAt = (verbose.Response.Json?["mappings"] as JsonArray ?? []).Zip(verbose.Mappings)
            .ToDictionary(p => p.Second.Key, p => string.Join(",", (p.First?["found_at"] as JsonArray ?? []).Select(n => n?.ToString())));
        Expect.That(foundAt.GetValueOrDefault(local.Key) == dp.Meta.DpId && foundAt.GetValueOrDefault(Nonce(remote)) == setup.A.DpId, "verbose-found-at",
            $"verbose entries name where each mapping was found: the local one [{dp.Meta.DpId}], peer-a's [{setup.A.DpId}] (PROFILE.md §11.8)",
            string.Join("; ", foundAt.Select(f => $"{f.Key[..8]}: [{f.Value}]")));
        string Msps(DpResponse r) => string.Join(",", (r.Json?["msps"] as JsonArray ?? []).Select(n => n?.ToString()));
        Expect.That(compact.Status == 200 && compact.Json?["status"]?.ToString() == "found" && Msps(compact) == string.Join(",", new[] { mspA, mspB }.Order(StringComparer.Ordinal)),
            "compact-reachability", $"compact: status found, msps [{string.Join(", ", new[] { mspA, mspB }.Order(StringComparer.Ordinal))}], the MSPs of the verbose answer",
            $"{compact.Describe()}: status {compact.Json?["status"]}, msps [{Msps(compact)}]");
        Expect.That(empty.Status == 200 && empty.Json?["status"]?.ToString() == "not_found" && Msps(empty).Length == 0 && empty.Json?["msps"] is JsonArray,
            "compact-not-found", "compact for an unknown CSI: status not_found, msps []", $"{empty.Describe()}: {Clip(empty.Text)}");
    }

    /// <summary>Distinctive values a careless DP would pass on; none may reach a peer in any form.</summary>
    private static IReadOnlyList<KeyValuePair<string, string>> SenderHeaders(string tag) =>
    [
        new("Cookie", $"mimi_session=sender-cookie-{tag}"),
        new("X-Forwarded-For", "198.51.100.23"),
        new("User-Agent", $"mimi-conformance-sender/{tag}"),
        new("X-Request-Id", $"sender-request-{tag}"),
        // W3C trace context: a DP that continues the client's trace hands peers a correlation id chosen by the client.
        new("traceparent", $"00-{TraceId(tag)}-00f067aa0ba902b7-01"),
        new("baggage", $"sender=baggage-{tag}"),
    ];

    /// <summary>A 32-hex-digit trace id derived from the test's tag.</summary>
    private static string TraceId(string tag) => tag.ToLowerInvariant().PadRight(32, '0')[..32];

    private static IEnumerable<string> Leaks(PeerSetup setup, IEnumerable<string> secrets)
    {
        var values = secrets.Where(s => s.Length >= 8).ToArray();
        foreach (var (peer, r) in setup.Forwards())
        {
            var text = string.Join("\n", r.Headers.Select(h => $"{h.Key}: {h.Value}")) + "\n" + Encoding.UTF8.GetString(r.Body);
            foreach (var v in values.Where(v => text.Contains(v, StringComparison.Ordinal)))
                yield return $"{Short(peer.DpId)} received \"{Clip(v)}\"";
            foreach (var h in ForbiddenHeaders.Where(r.HasHeader))
                yield return $"{Short(peer.DpId)} received header {h}";
        }
    }

    [Fact, Requirement("DISC-R-06")]
    [Requirement("PROF-FED-39")]
    public async Task A_forwarded_lookup_carries_no_sender_identity()
    {
        var setup = await SetupAsync();
        var tag = Convert.ToHexString(Parties.Nonce());
        var headers = SenderHeaders(tag);

        // Anonymous as the profile allows (a Privacy Pass token when the DP claims anti-enumeration), plus what a
        // browser or proxy would add.
        await _ops.FederatedLookupAsync(setup, Lookup(Parties.NewE164(), "client_selected", [setup.A, setup.B]), headers);

        var forwards = setup.Forwards();
        Expect.That(forwards.Count > 0, "forwarded", "the lookup reaches peer-a and peer-b", "no forward");
        var leaks = Leaks(setup, [.. headers.Select(h => h.Value), "198.51.100.23", TraceId(tag)]).ToArray();
        Expect.That(leaks.Length == 0, "no-sender-identity", "no cookie, client address, client User-Agent, client request or trace id, or forbidden header at any peer (PROFILE.md §11.6)",
            leaks.Length == 0 ? $"{forwards.Count} forward(s), none carries them" : string.Join("; ", leaks));
        var tokens = forwards.Where(f => f.Request.Header("Authorization") is not null).Select(f => Short(f.Peer.DpId)).ToArray();
        Expect.That(tokens.Length == 0, "no-token-forwarded", "no Authorization (Privacy Pass token) at any peer", tokens.Length == 0 ? "none" : $"at {string.Join(", ", tokens)}");
    }

    [Fact, Requirement("DISC-L-09")]
    [Requirement("PROF-FED-39")]
    public async Task An_identified_clients_lookup_reaches_peers_without_its_identity()
    {
        var setup = await SetupAsync();
        var credential = dp.Meta.ConformanceClasses.Contains("anti-enumeration") ? await _ops.Tokens.NewCredentialAsync() : $"harness-client-{Convert.ToHexString(Parties.Nonce())}";
        var csi = Parties.NewE164();
        IReadOnlyList<KeyValuePair<string, string>> headers = [new("Authorization", $"Bearer {credential}"), new("Forwarded", "for=198.51.100.42;proto=https")];

        await _ops.FederatedLookupAsync(setup, Lookup(csi, "client_selected", [setup.A]), headers);

        var forwards = setup.A.RequestsTo(FakePeerDp.PeerLookupPath);
        Expect.That(forwards.Count == 1 && forwards[0].Json?["csi"]?.ToString() == csi, "target-only", "peer-a receives the target CSI", $"{forwards.Count} forward(s) to peer-a");
        var leaks = Leaks(setup, [credential, "198.51.100.42"]).ToArray();
        Expect.That(leaks.Length == 0, "querier-protected", "neither the client's credential nor its address reaches the peer (PROFILE.md §11.6)", leaks.Length == 0 ? "none" : string.Join("; ", leaks));
    }

    [Fact, Requirement("DISC-M-09")]
    [Requirement("PROF-FED-37")]
    public async Task A_forward_carries_no_more_than_the_profile_allows()
    {
        var setup = await SetupAsync();
        var csi = Parties.NewE164();
        var body = Lookup(csi, "client_selected", [setup.A], Parties.Msps[0].Id) with { Tag = "work" };

        await _ops.FederatedLookupAsync(setup, body, SenderHeaders(Convert.ToHexString(Parties.Nonce())));

        var forwards = setup.A.RequestsTo(FakePeerDp.PeerLookupPath);
        Expect.That(forwards.Count == 1, "forwarded", "one forward to peer-a", $"{forwards.Count}");
        var json = forwards[0].Json;
        HashSet<string> allowed = dp.Meta.ConformanceClasses.Contains("anti-enumeration") ? [.. ForwardMembers, "rl"] : ForwardMembers;
        var extra = json?.Select(m => m.Key).Where(k => !allowed.Contains(k)).ToArray() ?? ["(not a JSON object)"];
        Expect.That(extra.Length == 0, "members", $"only {string.Join(", ", allowed)} (PROFILE.md §11.3; tag is not forwarded)", extra.Length == 0 ? "only those" : $"also {string.Join(", ", extra)}");
        Expect.That(json?["origin"]?.ToString() == dp.Meta.DpId && json?["hops"]?.ToString() == "1" && json?["csi"]?.ToString() == csi, "origin-hops",
            $"csi {csi}, origin {dp.Meta.DpId}, hops 1", $"csi {json?["csi"]}, origin {json?["origin"]}, hops {json?["hops"]}");
        var headers = ForbiddenHeaders.Where(forwards[0].HasHeader).ToArray();
        Expect.That(headers.Length == 0, "headers", "no header naming or locating the client", headers.Length == 0 ? "none" : string.Join(", ", headers));
    }

    [Fact, Requirement("DISC-L-23")]
    [Requirement("PROF-FED-15")]
    public async Task Every_forward_is_signed_by_the_forwarding_dp_for_the_peer_it_reaches()
    {
        var setup = await SetupAsync();

        await _ops.FederatedLookupAsync(setup, Lookup(Parties.NewE164(), "client_selected", [setup.A, setup.B]));
        await _ops.FederatedLookupAsync(setup, Lookup(Parties.NewE164(), "client_selected", [setup.A]));

        var forwards = setup.Forwards();
        Expect.That(forwards.Count(f => f.Peer == setup.A) >= 2 && forwards.Any(f => f.Peer == setup.B), "forwarded", "forwards to peer-a and peer-b, then to peer-a again",
            string.Join(", ", forwards.Select(f => Short(f.Peer.DpId))));
        var keys = dp.Meta.SigningKeys.Select(k => k.PublicKey).ToArray();
        var checks = forwards.Select(f => (f.Peer, Check: PeerLookups.Check(f.Request, keys, dp.Meta.DpId, f.Peer.DpId, Parties.Now))).ToArray();
        var problems = checks.SelectMany(c => c.Check.Problems.Select(p => $"{Short(c.Peer.DpId)}: {p}")).ToArray();
        Expect.That(problems.Length == 0, "peer-auth", "each forward carries Mimi-Peer-Auth signed under role dp by a key of the DP's metadata, from_dp the DP (= origin), " +
            "to_dp the peer, body = SHA-256 of the body sent, iat now (PROFILE.md §11.3)", problems.Length == 0 ? "all verify" : string.Join("; ", problems));
        var nonces = checks.Select(c => Convert.ToHexString(c.Check.Auth!.Nonce)).ToArray();
        Expect.That(nonces.Distinct().Count() == nonces.Length, "fresh-nonces", "a fresh nonce in every forward", string.Join(", ", nonces.Select(n => n[..8])));
    }
}
