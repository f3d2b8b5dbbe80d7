using System.Text.Json;
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
/// The registry document (PROFILE.md §11.1) and test control <c>/peers</c> (§11.2): what the DP accepts, refuses and
/// then uses. Other registries are served by fake peers B and C (their certificates are pinned); each test gives the DP
/// the class's registry back when it ends. Whether the DP has peers is seen from the peers' side: a client_selected
/// lookup naming one reaches it or not.
/// </summary>
public sealed class RegistryTests(ConformanceFixture dp, FederationPeers peers) : IClassFixture<FederationPeers>
{
    private readonly DpOperations _ops = new(dp);

    private Parties Parties => _ops.Parties;

    private TestControlClient Control => dp.TestControl!;

    private static byte[] Json(JsonNode node) => JsonSerializer.SerializeToUtf8Bytes(node);

    private static JsonObject Document(IEnumerable<RegistryEntry> entries) =>
        (JsonObject)JsonSerializer.SerializeToNode(RegistryDocument.Of(entries), WireJson.Default.RegistryDocument)!;

    /// <summary>The JSON of one entry, to change a member the wire record cannot hold.</summary>
    private static JsonObject Node(RegistryEntry entry) => (JsonObject)Document([entry])["dps"]![0]!.DeepClone();

    private static JsonObject With(JsonObject document, params JsonNode[] extra)
    {
        var dps = (JsonArray)document["dps"]!;
        foreach (var e in extra)
            dps.Add(e);
        return document;
    }

    private static JsonObject WrongVersion(JsonObject document)
    {
        document["registry"] = "mimi-dp-registry/9";
        return document;
    }

    private static RegistryEntry Self(PeerSetup setup) => setup.Entries[^1];

    /// <summary>Test control <c>/peers</c> pointed at <paramref name="document"/>, served by <paramref name="host"/>.</summary>
    private async Task<DpResponse> PointAtAsync(PeerSetup setup, FakePeerDp host, byte[] document, IReadOnlyList<string>? preferred = null, IReadOnlyList<string>? pins = null)
    {
        host.SetRegistry(document);
        return await Control.PeersAsync(new PeersRequest(host.RegistryUrl.ToString(), pins ?? setup.Request.TlsPins, preferred));
    }

    /// <summary>Whether a client_selected lookup naming <paramref name="peer"/> reaches it: the DP uses a registry listing it.</summary>
    private async Task<bool> AskedAsync(PeerSetup setup, FakePeerDp peer, DpOperations? ops = null)
    {
        setup.ClearRequests();
        await (ops ?? _ops).LookupAsync(Lookup(Parties.NewE164(), "client_selected", [peer]));
        setup.RecordEvidence();
        return peer.RequestsTo(FakePeerDp.PeerLookupPath).Count > 0;
    }

    private static bool Refused(DpResponse response, int status, string type) => response.Status == status && (!response.IsProblem || response.ProblemType == type);

    private async Task ExpectRefusedAsync(PeerSetup setup, string name, string what, DpResponse response, int status, string type, FakePeerDp listed)
    {
        Expect.That(Refused(response, status, type), $"{name}:refused", $"{what}: HTTP {status} {type}", response.Describe() + Expect.ProblemType(response));
        var asked = await AskedAsync(setup, listed);
        Expect.That(!asked, $"{name}:no-peers", $"then the DP has no peers: a client_selected lookup naming {Short(listed.DpId)} does not reach it", asked ? "it was asked" : "not asked");
    }

    [Fact, Requirement("DISC-L-RG")]
    [Requirement("PROF-FED-01")]
    public async Task Registry_entries_with_optional_endpoints_left_out_and_several_keys_are_accepted()
    {
        var setup = await peers.EnsureAsync(dp);
        try
        {
            var (a, c) = (setup.Entries[0], setup.Entries[2]);
            var extraKeys = Enumerable.Range(0, 15).Select(i => SigningKeyEntry.For(SigningKey.FromLabel($"registry-extra-{i}").PublicKey));
            var e = Node(setup.Entries[4]);
            e["endpoints"] = new JsonObject();
            var document = With(Document([a with { SigningKeys = [.. a.SigningKeys, .. extraKeys] }, c with { Endpoints = new RegistryEndpoints(FakePeerDp.PeerLookupPath) }, Self(setup)]), e);

            var response = await PointAtAsync(setup, setup.B, Json(document));

            Expect.That(TestControlClient.Succeeded(response), "accepted", "a registry with 16 signing keys for peer-a, no invalidate for peer-c and an empty endpoints object for peer-e: 204 (PROFILE.md §11.1)",
                response.Describe() + Expect.ProblemType(response));
            setup.ClearRequests();
            await _ops.LookupAsync(Lookup(Parties.NewE164(), "client_selected", [setup.A, setup.C]));
            setup.RecordEvidence();
            ExpectReached(setup, new HashSet<string> { setup.A.DpId, setup.C.DpId }, "in-use", "client_selected [peer-a, peer-c] under that registry");
        }
        finally
        {
            await peers.RestoreAsync(dp);
        }
    }

    [Fact, Requirement("DISC-L-RG")]
    [Requirement("PROF-FED-02")]
    public async Task A_registry_with_any_invalid_entry_is_refused_as_a_whole()
    {
        var setup = await peers.EnsureAsync(dp);
        var (a, c, e) = (setup.Entries[0], setup.Entries[2], setup.Entries[4]);
        var other = SigningKeyEntry.For(Parties.Stranger.PublicKey);
        (string Name, string What, JsonObject Entry)[] cases =
        [
            ("dp-id-not-mimi", "a dp_id that is not a mimi:// URI", Node(e with { DpId = "https://peer-x.federation.conformance.test" })),
            ("dp-id-twice", "peer-c listed twice", Node(c)),
            ("http-base-url", "an http base_url", Node(e with { BaseUrl = e.BaseUrl.Replace("https://", "http://", StringComparison.Ordinal) })),
            ("base-url-query", "a base_url with a query", Node(e with { BaseUrl = e.BaseUrl + "/?q=1" })),
            ("base-url-user-info", "a base_url with user info", Node(e with { BaseUrl = e.BaseUrl.Replace("https://", "https://user:pw@", StringComparison.Ordinal) })),
            ("no-keys", "no signing_keys", Node(e with { SigningKeys = [] })),
            ("seventeen-keys", "17 signing_keys", Node(e with { SigningKeys = [.. Enumerable.Range(0, 17).Select(i => SigningKeyEntry.For(SigningKey.FromLabel($"registry-key-{i}").PublicKey))] })),
            ("kid-mismatch", "a key whose kid is not kid(x)", Node(e with { SigningKeys = [e.SigningKeys[0] with { Kid = other.Kid }] })),
            ("relative-endpoint", "a peer_lookup that is not an absolute path", Node(e with { Endpoints = new RegistryEndpoints("v1/federation/lookup") })),
        ];
        try
        {
            foreach (var (name, what, entry) in cases)
            {
                // Before each: a valid registry listing peer-a only, so "no peers" afterwards cannot be the old registry either.
                var prior = await PointAtAsync(setup, setup.C, Json(Document([a, Self(setup)])));
                if (!TestControlClient.Succeeded(prior))
                    throw new HarnessErrorException($"test control /peers with a valid registry answered {prior.Describe()}{Expect.ProblemType(prior)}");
                var response = await PointAtAsync(setup, setup.B, Json(With(Document([c, Self(setup)]), entry)));
                await ExpectRefusedAsync(setup, name, $"a registry listing peer-c and {what}", response, 502, Problems.PeerUnavailable, setup.C);
            }
        }
        finally
        {
            await peers.RestoreAsync(dp);
        }
    }

    [Fact, Requirement("DISC-L-RG")]
    [Requirement("PROF-FED-03")]
    public async Task Every_registry_key_speaks_for_its_dp_and_the_dps_own_entry_is_ignored()
    {
        var setup = await peers.EnsureAsync(dp);
        dp.RequirePublishing();
        var (a, b, c) = (setup.Entries[0], setup.Entries[1], setup.Entries[2]);
        var ownEntryKey = SigningKey.FromLabel("registry-own-entry-key");
        // peer-b's own key second; the DP's own entry points at peer-c with a key the harness holds.
        var self = Self(setup) with { BaseUrl = c.BaseUrl, SigningKeys = [SigningKeyEntry.For(ownEntryKey.PublicKey)] };
        try
        {
            var response = await PointAtAsync(setup, setup.B, Json(Document([a, b with { SigningKeys = [SigningKeyEntry.For(Parties.Stranger.PublicKey), .. b.SigningKeys] }, c, self])));
            if (!TestControlClient.Succeeded(response))
                Expect.That(false, "accepted", "a valid registry: 204", response.Describe() + Expect.ProblemType(response));

            var csi = Parties.NewE164();
            var fromB = _ops.ComputedAt(setup.B, csi);
            setup.B.SetMappings(csi, fromB);
            var answer = await _ops.FederatedLookupAsync(setup, Lookup(csi, "client_selected", [setup.B]));
            Expect.That(answer.Mappings.Any(m => m.Bytes.AsSpan().SequenceEqual(fromB)), "second-key-answer", "peer-b's mapping, signed by the second of its registry keys, is served (PROFILE.md §11.5)",
                $"{answer.Status}: {Keys(answer.Mappings)}; {answer.Response.Json?["unavailable"]?.ToJsonString() ?? "nothing unavailable"}");

            var body = PeerLookups.Body(new PeerLookupRequest(Parties.NewE164(), CsiTypes.E164, Origin: setup.B.DpId, Hops: 1));
            var asB = Expect.Reachable(await dp.Profile.PeerLookupAsync(body, PeerLookups.Header(setup.B.Key, setup.B.DpId, dp.Meta.DpId, Parties.Now, Parties.Nonce(), body)), "peer lookup");
            Expect.That(asB.Status == 200, "second-key-peer-lookup", "a peer lookup signed by peer-b's second registry key is answered (PROFILE.md §11.3)", asB.Describe() + Expect.ProblemType(asB));

            var asSelf = PeerLookups.Body(new PeerLookupRequest(Parties.NewE164(), CsiTypes.E164, Origin: dp.Meta.DpId, Hops: 1));
            var own = Expect.Reachable(await dp.Profile.PeerLookupAsync(asSelf, PeerLookups.Header(ownEntryKey, dp.Meta.DpId, dp.Meta.DpId, Parties.Now, Parties.Nonce(), asSelf)), "peer lookup");
            Expect.That(Refused(own, 403, Problems.Unauthorized), "own-entry-key-untrusted", "a peer lookup from the DP's own dp_id signed by the key its own registry entry lists: 403 unauthorized",
                own.Describe() + Expect.ProblemType(own));

            setup.ClearRequests();
            await _ops.FederatedLookupAsync(setup, Lookup(Parties.NewE164(), "all"));
            var atC = setup.C.RequestsTo(FakePeerDp.PeerLookupPath).Count;
            Expect.That(atC <= 1, "own-entry-not-asked", "mode all asks peer-c at most once: the DP's own entry (pointing at peer-c's URL) is never asked", $"{atC} lookups reached peer-c's URL");
        }
        finally
        {
            await peers.RestoreAsync(dp);
        }
    }

    [Fact, Requirement("DISC-L-10A")]
    [Requirement("PROF-FED-04")]
    [Requirement("PROF-FED-34")]
    public async Task A_registry_dp_without_peer_lookup_is_never_asked()
    {
        var setup = await peers.EnsureAsync(dp);
        var (a, b, c) = (setup.Entries[0], setup.Entries[1], setup.Entries[2]);
        try
        {
            var response = await PointAtAsync(setup, setup.B, Json(Document([a, b, c with { Endpoints = new RegistryEndpoints(Invalidate: FakePeerDp.InvalidatePath) }, Self(setup)])));
            if (!TestControlClient.Succeeded(response))
                Expect.That(false, "accepted", "a registry whose peer-c entry has no peer_lookup: 204 (endpoints are each optional, PROFILE.md §11.1)", response.Describe() + Expect.ProblemType(response));

            setup.ClearRequests();
            await _ops.FederatedLookupAsync(setup, Lookup(Parties.NewE164(), "all"));
            var all = setup.C.RequestsTo(FakePeerDp.PeerLookupPath).Count;
            setup.ClearRequests();
            var selected = await _ops.FederatedLookupAsync(setup, Lookup(Parties.NewE164(), "client_selected", [setup.C]));
            var atC = all + setup.C.RequestsTo(FakePeerDp.PeerLookupPath).Count;
            Expect.That(atC == 0, "never-asked", "peer-c, listed without peer_lookup, receives nothing in modes all and client_selected [peer-c]", $"{atC} lookup(s) reached peer-c");
            var reason = (selected.Response.Json?["unavailable"] as JsonArray)?.FirstOrDefault(u => u?["dp_id"]?.ToString() == setup.C.DpId)?["reason"]?.ToString();
            Expect.That(reason == "no-peer-lookup" && selected.Response.Json?["partial"]?.ToString() == "true", "reported", "client_selected [peer-c]: partial true and peer-c unavailable with reason no-peer-lookup (PROFILE.md §11.5)",
                selected.Response.Json?["unavailable"]?.ToJsonString() ?? "no unavailable");
        }
        finally
        {
            await peers.RestoreAsync(dp);
        }
    }

    [Fact, Requirement("DISC-M-11")]
    [Requirement("PROF-FED-06")]
    public async Task Peers_answers_204_once_the_registry_is_in_use()
    {
        var setup = await peers.EnsureAsync(dp);

        var response = await Control.PeersAsync(setup.Request);

        Expect.That(response.Status == 204, "no-content", "test control /peers with a valid registry: HTTP 204 (PROFILE.md §11.2)", response.Describe() + Expect.ProblemType(response));
        Expect.That(await AskedAsync(setup, setup.A), "in-use", "right after the 204, a client_selected lookup naming peer-a reaches it", "not asked");
    }

    [Fact]
    [Requirement("PROF-FED-07")]
    public async Task A_peers_request_that_is_not_the_profiles_shape_gets_400()
    {
        var setup = await peers.EnsureAsync(dp);
        var url = setup.Request.RegistryUrl;
        var pins = setup.Request.TlsPins;
        B64.TryDecode(pins[0], out var firstPin);
        (string Name, string What, PeersRequest Request)[] cases =
        [
            ("http-url", "an http registry_url", setup.Request with { RegistryUrl = url.Replace("https://", "http://", StringComparison.Ordinal) }),
            ("no-pins", "no tls_pins", setup.Request with { TlsPins = [] }),
            ("65-pins", "65 tls_pins", setup.Request with { TlsPins = [.. pins, .. Enumerable.Range(0, 65 - pins.Count).Select(i => B64.Encode(SigningKey.FromLabel($"pin-{i}").PublicKey))] }),
            ("short-pin", "a pin of 31 bytes", setup.Request with { TlsPins = [.. pins.Skip(1), B64.Encode(firstPin.AsSpan(0, 31))] }),
        ];
        try
        {
            foreach (var (name, what, request) in cases)
            {
                var response = await Control.PeersAsync(request);
                Expect.That(Refused(response, 400, Problems.MalformedRequest), name, $"{what}: HTTP 400 malformed-request (PROFILE.md §11.2)", response.Describe() + Expect.ProblemType(response));
            }
        }
        finally
        {
            await peers.RestoreAsync(dp);
        }
    }

    [Fact, Requirement("DISC-L-10A")]
    [Requirement("PROF-FED-08")]
    public async Task A_preferred_dp_the_registry_does_not_list_gets_400_and_leaves_no_peers()
    {
        var setup = await peers.EnsureAsync(dp);
        try
        {
            var response = await Control.PeersAsync(setup.Request with { Preferred = [setup.B.DpId, "mimi://unlisted.federation.conformance.test"] });
            await ExpectRefusedAsync(setup, "unknown-preferred", "preferred naming a dp_id the registry does not list", response, 400, Problems.MalformedRequest, setup.A);
        }
        finally
        {
            await peers.RestoreAsync(dp);
        }
    }

    [Fact, Requirement("DISC-L-RG")]
    [Requirement("PROF-FED-09")]
    public async Task A_registry_that_cannot_be_fetched_or_read_gets_502_and_leaves_no_peers()
    {
        var setup = await peers.EnsureAsync(dp);
        var down = new Uri(new Uri(setup.Entries[4].BaseUrl), FakePeerDp.RegistryPath).ToString();
        (string Name, string What, Func<Task<DpResponse>> Send)[] cases =
        [
            ("unreachable", "a registry_url where nothing listens", () => Control.PeersAsync(setup.Request with { RegistryUrl = down })),
            ("unpinned", "a registry served under a certificate that is not pinned", () => PointAtAsync(setup, setup.B, Json(Document(setup.Entries)), pins: [.. setup.Request.TlsPins.Where(p => p != setup.B.CertificatePin)])),
            ("not-json", "a registry body that is not JSON", () => PointAtAsync(setup, setup.B, "{\"registry\": \"mimi-dp-registry/0.1\", \"dps\": [ <<"u8.ToArray())),
            ("not-an-object", "a JSON array instead of a registry document", () => PointAtAsync(setup, setup.B, "[]"u8.ToArray())),
            ("wrong-version", "registry \"mimi-dp-registry/9\"", () => PointAtAsync(setup, setup.B, Json(WrongVersion(Document(setup.Entries))))),
        ];
        try
        {
            foreach (var (name, what, send) in cases)
            {
                await peers.RestoreAsync(dp);
                await ExpectRefusedAsync(setup, name, what, await send(), 502, Problems.PeerUnavailable, setup.A);
            }
        }
        finally
        {
            await peers.RestoreAsync(dp);
        }
    }

    [Fact, Requirement("DISC-M-11")]
    [Requirement("PROF-FED-10")]
    public async Task A_new_registry_replaces_the_old_and_reset_forgets_it()
    {
        var setup = await peers.EnsureAsync(dp);
        try
        {
            var response = await PointAtAsync(setup, setup.C, Json(Document([setup.Entries[0], Self(setup)])));
            if (!TestControlClient.Succeeded(response))
                Expect.That(false, "accepted", "a valid registry listing peer-a: 204", response.Describe() + Expect.ProblemType(response));
            setup.ClearRequests();
            await _ops.FederatedLookupAsync(setup, Lookup(Parties.NewE164(), "all"));
            ExpectReached(setup, new HashSet<string> { setup.A.DpId }.Where(_ => setup.Allowed(setup.A)).ToHashSet(), "replaced", "mode all after /peers with a registry listing peer-a only");

            await Control.ResetAsync();
            await dp.ReestablishTrustAsync();
            // Reset forgot this test's client credential too: a new one for the lookup.
            var asked = await AskedAsync(setup, setup.A, new DpOperations(dp));
            Expect.That(!asked, "reset-forgets-registry", "after reset, a client_selected lookup naming peer-a does not reach it", "it was asked");
            var body = PeerLookups.Body(new PeerLookupRequest(Parties.NewE164(), CsiTypes.E164, Origin: setup.A.DpId, Hops: 1));
            var lookup = Expect.Reachable(await dp.Profile.PeerLookupAsync(body, PeerLookups.Header(setup.A.Key, setup.A.DpId, dp.Meta.DpId, Parties.Now, Parties.Nonce(), body)), "peer lookup");
            Expect.That(Refused(lookup, 403, Problems.Unauthorized), "reset-forgets-peer-keys", "after reset, a peer lookup signed by peer-a's key: 403 unauthorized (its key is forgotten)",
                lookup.Describe() + Expect.ProblemType(lookup));
        }
        finally
        {
            await peers.RestoreAsync(dp);
        }
    }
}
