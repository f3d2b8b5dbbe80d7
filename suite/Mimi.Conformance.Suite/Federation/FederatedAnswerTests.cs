using System.Text.Json.Nodes;
using Mimi.Conformance.Harness.Client;
using Mimi.Conformance.Harness.Roles;
using Mimi.Conformance.Harness.Roles.Peers;
using Mimi.Conformance.Protocol.Profile.Wire;
using Mimi.Conformance.Suite.Infrastructure;
using static Mimi.Conformance.Protocol.Profile.ProfileConstants;
using static Mimi.Conformance.Suite.Federation.FederatedLookups;

namespace Mimi.Conformance.Suite.Federation;

/// <summary>
/// What a federating DP declares and answers (PROFILE.md §11.4, §11.5, §11.6, §11.8): the request members it refuses,
/// which peer mappings it serves, how it names the peers it could not use, the headers a forward carries and the
/// response formats. The fake peers record what reached them.
/// </summary>
public sealed class FederatedAnswerTests(ConformanceFixture dp, FederationPeers peers) : IClassFixture<FederationPeers>
{
    /// <summary>The headers HTTP needs, Mimi-Peer-Auth and the DP's own User-Agent (PROFILE.md §11.6), lower-cased.</summary>
    private static readonly HashSet<string> ForwardHeaders =
        ["host", "content-type", "content-length", "transfer-encoding", "accept", "accept-encoding", "connection", "keep-alive", "te", "expect", "mimi-peer-auth", "user-agent"];

    private readonly DpOperations _ops = new(dp);

    private Parties Parties => _ops.Parties;

    private async Task<PeerSetup> SetupAsync()
    {
        var setup = await peers.EnsureAsync(dp);
        dp.RequirePublishing();
        return setup;
    }

    private void RequireFederation()
    {
        if (!dp.Meta.ConformanceClasses.Contains(FederationPeers.ClassName))
            Expect.NotApplicable("the DP does not claim the federation class in conformance_classes");
    }

    private static string? Reason(LookupAnswer answer, string dpId) =>
        (answer.Response.Json?["unavailable"] as JsonArray)?.FirstOrDefault(u => u?["dp_id"]?.ToString() == dpId)?["reason"]?.ToString();

    private static bool Partial(LookupAnswer answer) => answer.Response.Json?["partial"] is JsonValue v && v.TryGetValue<bool>(out var p) && p;

    private static string Unavailable(DpResponse response) => response.Json?["unavailable"]?.ToJsonString() ?? "no unavailable";

    [Fact, Requirement("DISC-L-11")]
    [Requirement("PROF-FED-23")]
    public void The_dp_declares_all_four_modes_a_default_among_them_and_where_it_is()
    {
        RequireFederation();
        var federation = dp.Meta.Federation;
        var modes = DpMetadata.Strings(federation?["modes"]);
        string[] every = ["local", "dp_preferred", "client_selected", "all"];
        Expect.That(every.All(modes.Contains), "modes", "metadata federation.modes lists local, dp_preferred, client_selected and all (PROFILE.md §11.4)", federation?["modes"]?.ToJsonString() ?? "absent");
        var declared = federation?["default"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
        Expect.That(declared is not null && modes.Contains(declared), "default", "federation.default is one of the modes", declared ?? "absent");
        var jurisdictions = federation?["jurisdictions"] as JsonArray;
        Expect.That(jurisdictions is { Count: > 0 } && jurisdictions.All(j => j is JsonValue c && c.TryGetValue<string>(out var code) && code.Length > 0), "jurisdictions",
            "federation.jurisdictions, a non-empty list of codes", jurisdictions?.ToJsonString() ?? "absent");
    }

    [Fact, Requirement("DISC-L-10")]
    [Requirement("PROF-FED-26")]
    public async Task A_federation_member_that_is_not_the_profiles_shape_gets_400()
    {
        var setup = await SetupAsync();
        string[] a = [setup.A.DpId];
        (string Name, string What, FederationRequest Federation)[] cases =
        [
            ("unknown-mode", "mode nearest", new("nearest")),
            ("dps-missing", "client_selected without dps", new("client_selected")),
            ("dps-in-local", "dps in mode local", new("local", a)),
            ("dps-in-all", "dps in mode all", new("all", a)),
            ("dps-empty", "client_selected with dps []", new("client_selected", [])),
            ("dps-65", "client_selected with 65 dps", new("client_selected", [.. Enumerable.Range(0, 65).Select(i => $"mimi://dp-{i}.federation.conformance.test")])),
        ];
        foreach (var (name, what, federation) in cases)
        {
            var response = (await _ops.LookupAsync(new LookupRequest(Parties.NewE164(), CsiTypes.E164, federation))).Response;
            Expect.That(response.Status == 400 && (!response.IsProblem || response.ProblemType == Problems.MalformedRequest), name, $"{what}: HTTP 400 malformed-request (PROFILE.md §11.4)",
                response.Describe() + Expect.ProblemType(response));
        }
        setup.RecordEvidence();
    }

    [Fact, Requirement("DISC-L-10A")]
    [Requirement("PROF-FED-27")]
    public async Task The_dps_own_dp_id_in_dps_is_ignored_and_its_store_searched()
    {
        var setup = await SetupAsync();
        var csi = Parties.NewE164();
        var local = await _ops.PublishLocalAsync(csi);
        var atA = _ops.ComputedAt(setup.A, csi);
        setup.A.SetMappings(csi, atA);
        var self = new FederationRequest("client_selected", [dp.Meta.DpId]);

        var alone = await _ops.FederatedLookupAsync(setup, new LookupRequest(csi, CsiTypes.E164, self));
        ExpectReached(setup, new HashSet<string>(), "self-alone-reaches-none", "client_selected [this DP]");
        Expect.That(alone.Mappings.Select(m => m.Key).SequenceEqual([local.Key]) && !Partial(alone) && Reason(alone, dp.Meta.DpId) is null, "self-alone",
            "the local mapping, not partial, the DP itself not unavailable: its own dp_id is its own store (PROFILE.md §11.4)", $"{Keys(alone.Mappings)}; {Unavailable(alone.Response)}");

        setup.ClearRequests();
        var both = await _ops.FederatedLookupAsync(setup, new LookupRequest(csi, CsiTypes.E164, self with { Dps = [dp.Meta.DpId, setup.A.DpId] }));
        ExpectReached(setup, setup.Expected("client_selected", setup.A), "self-and-a-reach", "client_selected [this DP, peer-a]");
        string[] expected = setup.Allowed(setup.A) ? [local.Key, Nonce(atA)] : [local.Key];
        Expect.That(both.Mappings.Select(m => m.Key).SequenceEqual(expected) && Reason(both, dp.Meta.DpId) is null && (!Partial(both) || !setup.Allowed(setup.A)), "self-and-a",
            "the local mapping, then peer-a's, not partial, the DP itself not unavailable", $"{Keys(both.Mappings)}; {Unavailable(both.Response)}");
    }

    [Fact, Requirement("DISC-L-RG")]
    [Requirement("PROF-FED-29")]
    public async Task Peer_mappings_need_no_msp_signature_nor_pass_precedence_but_a_bad_msp_signature_is_refused()
    {
        var setup = await SetupAsync();
        var csi = Parties.NewE164();
        var local = await _ops.PublishLocalAsync(csi);
        var unsigned = _ops.ComputedAt(setup.A, csi, shape: b => b with { SignAsMsps = false });
        var badMsp = _ops.ComputedAt(setup.A, csi, shape: b => b with { ExtraSigners = [(Parties.Stranger, SignerRoles.Msp)] });
        // Another holder (an earlier assigned_at, no new_holder): §12.2 would refuse it at publish with 409 conflict.
        var otherHolder = _ops.ComputedAt(setup.A, csi, shape: b => b with { AssignedAt = Parties.DefaultAssignedAt - 3600 });
        setup.A.SetMappings(csi, unsigned, badMsp, otherHolder);

        var answer = await _ops.FederatedLookupAsync(setup, Lookup(csi, "client_selected", [setup.A]));

        string Name(ServedMapping m) => m.Key == local.Key ? "local" : m.Key == Nonce(unsigned) ? "no-msp-signature" : m.Key == Nonce(badMsp) ? "BAD-MSP-SIGNATURE" : m.Key == Nonce(otherHolder) ? "other-holder" : "other";
        Expect.That(answer.Mappings.Select(m => m.Key).SequenceEqual([local.Key, Nonce(unsigned), Nonce(otherHolder)]), "served",
            "the local mapping, peer-a's without msp signature and peer-a's of another holder, not the one whose msp signature is by a key no listed MSP holds (PROFILE.md §11.5)",
            string.Join(", ", answer.Mappings.Select(Name)));
    }

    [Fact, Requirement("DISC-M-10")]
    [Requirement("PROF-FED-34")]
    public async Task Each_unavailable_peer_is_named_with_the_reason_it_gave_no_usable_answer()
    {
        var setup = await SetupAsync();
        var csi = Parties.NewE164();
        var good = _ops.ComputedAt(setup.A, csi);
        var forged = Protocol.Cose.CoseSign.Decode(MappingBuilder.For(Parties, setup.A.DpId, csi, Parties.NewRecipientKey(), ["default"]).Build().Cose).AddSignature(Parties.Stranger, SignerRoles.Dp).Encode();
        setup.A.SetMappings(csi, good, forged);
        setup.B.Behavior = FakePeerBehavior.ServerError;
        setup.C.Behavior = FakePeerBehavior.Garbage;

        var answer = await _ops.FederatedLookupAsync(setup, Lookup(csi, "all"));
        var unknown = await _ops.FederatedLookupAsync(setup, Lookup(csi, "client_selected") with
        {
            Federation = new FederationRequest("client_selected", ["mimi://unlisted.federation.conformance.test"]),
        });

        Expect.That(answer.Mappings.Any(m => m.Bytes.AsSpan().SequenceEqual(good)) && answer.Mappings.All(m => !m.Bytes.AsSpan().SequenceEqual(forged)), "others-served",
            "peer-a's valid mapping is served, its forged one is not", Keys(answer.Mappings));
        (string Peer, string? Got, string Want)[] reasons =
        [
            ("peer-a", Reason(answer, setup.A.DpId), "invalid-mapping"),
            ("peer-b", Reason(answer, setup.B.DpId), "http-500"),
            ("peer-c", Reason(answer, setup.C.DpId), "bad-answer"),
            ("peer-e", Reason(answer, setup.DeadPeer), "unreachable"),
            ("unlisted", Reason(unknown, "mimi://unlisted.federation.conformance.test"), "unknown-dp"),
        ];
        var wrong = reasons.Where(r => r.Got != r.Want).ToArray();
        Expect.That(wrong.Length == 0, "reasons", "unavailable reasons (PROFILE.md §11.5): peer-a invalid-mapping, peer-b (500) http-500, peer-c (garbage) bad-answer, peer-e (down) unreachable, an unlisted dp_id unknown-dp",
            wrong.Length == 0 ? "all as expected" : string.Join("; ", wrong.Select(r => $"{r.Peer}: {r.Got ?? "not listed"}")));
    }

    [Fact, Requirement("DISC-M-10")]
    [Requirement("PROF-FED-35")]
    public async Task Partial_and_unavailable_are_absent_when_nothing_is_missing()
    {
        var setup = await SetupAsync();
        var csi = Parties.NewE164();
        setup.A.SetMappings(csi, _ops.ComputedAt(setup.A, csi));

        var answers = new (string Name, DpResponse Response)[]
        {
            ("client-selected", (await _ops.FederatedLookupAsync(setup, Lookup(csi, "client_selected", [setup.A, setup.B]))).Response),
            ("local", (await _ops.FederatedLookupAsync(setup, Lookup(csi, "local"))).Response),
            ("compact", (await _ops.LookupAsync(Lookup(csi, "client_selected", [setup.A]) with { Format = "compact" })).Response),
        };

        foreach (var (name, response) in answers)
            Expect.That(response.Status == 200 && response.Json is JsonObject o && !o.ContainsKey("partial") && !o.ContainsKey("unavailable"), name,
                $"{name}: every asked peer answered, so neither partial nor unavailable is present (PROFILE.md §11.5)", $"{response.Describe()}: partial {response.Json?["partial"]?.ToJsonString() ?? "absent"}, {Unavailable(response)}");
    }

    [Fact, Requirement("DISC-M-09")]
    [Requirement("PROF-FED-38")]
    public async Task A_forward_carries_only_the_headers_http_needs_peer_auth_and_the_dps_own_user_agent()
    {
        var setup = await SetupAsync();
        var tag = Convert.ToHexString(Parties.Nonce());
        IReadOnlyList<KeyValuePair<string, string>> client = [new("User-Agent", $"mimi-conformance-client/{tag}"), new("Accept-Language", $"x-client-{tag[..8]}"), new("DNT", "1")];

        await _ops.FederatedLookupAsync(setup, Lookup(Parties.NewE164(), "client_selected", [setup.A, setup.B]), client);

        var forwards = setup.Forwards();
        Expect.That(forwards.Count > 0, "forwarded", "the lookup reaches peer-a and peer-b", "no forward");
        var extra = forwards.SelectMany(f => f.Request.Headers.Select(h => h.Key.ToLowerInvariant()).Where(h => !ForwardHeaders.Contains(h)).Distinct().Select(h => $"{Short(f.Peer.DpId)}: {h}")).ToArray();
        Expect.That(extra.Length == 0, "only-allowed-headers", $"only {string.Join(", ", ForwardHeaders.Order(StringComparer.Ordinal))} (PROFILE.md §11.6)", extra.Length == 0 ? "only those" : string.Join("; ", extra));
        var agents = forwards.Select(f => f.Request.Headers.Where(h => h.Key.Equals("User-Agent", StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).ToArray()).ToArray();
        Expect.That(agents.All(a => a.Length <= 1 && !a.Any(v => v.Contains(tag, StringComparison.Ordinal))), "own-user-agent", "at most one User-Agent per forward, never the client's",
            string.Join("; ", agents.Select(a => a.Length == 0 ? "none" : string.Join(", ", a.Select(Clip)))));
    }

    [Fact, Requirement("DISC-L-15")]
    [Requirement("PROF-FED-42")]
    public async Task A_format_other_than_verbose_or_compact_gets_400()
    {
        RequireFederation();
        foreach (var format in new[] { "full", "VERBOSE", "" })
        {
            var response = (await _ops.LookupAsync(new LookupRequest(Parties.NewE164(), CsiTypes.E164, Format: format))).Response;
            Expect.That(response.Status == 400 && (!response.IsProblem || response.ProblemType == Problems.MalformedRequest), $"format-{(format.Length == 0 ? "empty" : format)}",
                $"format \"{format}\": HTTP 400 malformed-request (PROFILE.md §11.8)", response.Describe() + Expect.ProblemType(response));
        }
    }

    [Fact, Requirement("DISC-L-15")]
    [Requirement("PROF-FED-43")]
    public async Task Both_formats_are_served_and_without_format_the_answer_is_unchanged()
    {
        var setup = await SetupAsync();
        var csi = Parties.NewE164();
        var msp = Parties.Msps[0].Id;
        var local = await _ops.PublishLocalAsync(csi, msp);

        var plain = await _ops.FederatedLookupAsync(setup, Lookup(csi, "local"));
        var verbose = await _ops.FederatedLookupAsync(setup, Lookup(csi, "local") with { Format = "verbose" });
        var compact = (await _ops.LookupAsync(Lookup(csi, "local") with { Format = "compact" })).Response;

        var entries = plain.Response.Json?["mappings"] as JsonArray ?? [];
        Expect.That(plain.Mappings.Select(m => m.Key).SequenceEqual([local.Key]) && entries.All(e => e?["found_at"] is null) && plain.Response.Json?["msps"] is null, "default-unchanged",
            "without format: the §6.3 answer, no found_at and no msps", plain.Response.Text.Length > 300 ? plain.Response.Text[..300] : plain.Response.Text);
        var foundAt = (verbose.Response.Json?["mappings"] as JsonArray ?? []).Select(e => (e?["found_at"] as JsonArray)?.ToJsonString()).ToArray();
        Expect.That(verbose.Mappings.Select(m => m.Key).SequenceEqual([local.Key]) && foundAt.All(f => f is not null), "verbose-served", "format verbose: HTTP 200, the mapping with found_at",
            $"{verbose.Response.Describe()}: found_at {string.Join("; ", foundAt.Select(f => f ?? "absent"))}");
        var msps = compact.Json?["msps"] as JsonArray;
        Expect.That(compact.Status == 200 && compact.Json?["status"]?.ToString() == "found" && msps?.Select(m => m?.ToString()).SequenceEqual([msp]) == true && compact.Json?["mappings"] is null,
            "compact-served", $"format compact: HTTP 200 {{\"status\": \"found\", \"msps\": [\"{msp}\"]}} without mappings", compact.Describe() + Expect.ProblemType(compact));
    }
}
