using System.Text.Json.Nodes;
using FluentAssertions;
using Mimi.Conformance.Harness.Roles;
using Mimi.Conformance.Harness.Roles.Peers;
using Mimi.Conformance.Protocol.Profile;
using Mimi.Conformance.Protocol.Profile.Wire;
using static Mimi.Conformance.Harness.Tests.ReferenceDp.DpTestHost;
using static Mimi.Conformance.Protocol.Profile.ProfileConstants;

namespace Mimi.Conformance.Harness.Tests.ReferenceDp;

/// <summary>The reference DP's federation (PROFILE.md §11.3–11.7) beyond what the suite sees: timeouts, validation, its own peer endpoint.</summary>
public sealed class ReferenceDpFederationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Task<FakePeerDp> PeerAsync(string name) =>
        FakePeerDp.StartAsync(new FakePeerOptions { DpId = $"mimi://{name}.federation-tests.test" }, Ct);

    private static async Task PointAtAsync(DpTestHost dp, params FakePeerDp[] peers)
    {
        peers[0].SetRegistry(FakePeerRegistry.Build(peers));
        var response = await dp.Control!.PeersAsync(new PeersRequest(peers[0].RegistryUrl.ToString(), [.. peers.Select(p => p.CertificatePin)]), Ct);
        response.Status.Should().Be(204, response.Text);
    }

    private static async Task<JsonNode?> LookupAsync(DpTestHost dp, LookupRequest request)
    {
        var (status, body) = Answer(await dp.Profile.LookupWithAsync(request, null, ct: Ct));
        status.Should().Be(200);
        return body;
    }

    private static LookupRequest Federated(string csi, string mode) => new(csi, CsiTypes.E164, Federation: new FederationRequest(mode));

    /// <summary>A peer lookup as <paramref name="peer"/> (a registry peer of the DP) signs it (PROFILE.md §11.3).</summary>
    private static Task<Mimi.Conformance.Harness.Client.DpResponse> SignedPeerLookupAsync(DpTestHost dp, FakePeerDp peer, PeerLookupRequest request)
    {
        var body = PeerLookups.Body(request);
        var header = PeerLookups.Header(peer.Key, peer.DpId, dp.DpId, TimeProvider.System.GetUtcNow().ToUnixTimeSeconds(), System.Security.Cryptography.RandomNumberGenerator.GetBytes(16), body);
        return dp.Profile.PeerLookupAsync(body, header, Ct);
    }

    [Fact]
    public async Task A_silent_peer_times_out_into_a_partial_answer_with_the_other_peers_mappings()
    {
        await using var a = await PeerAsync("peer-a");
        await using var silent = await PeerAsync("peer-silent");
        silent.Behavior = FakePeerBehavior.Hang;
        await using var dp = await StartAsync(o => o with { PeerTimeout = TimeSpan.FromMilliseconds(400) });
        var parties = new Parties("federation-timeout", TimeProvider.System);
        await dp.TrustAsync(parties);
        await PointAtAsync(dp, a, silent);
        var csi = parties.NewE164();
        var mapping = a.Countersign(MappingBuilder.For(parties, a.DpId, csi, parties.NewRecipientKey(), ["default"]).Build().Cose);
        a.SetMappings(csi, mapping);

        var answer = await LookupAsync(dp, Federated(csi, "all"));

        answer!["status"]!.GetValue<string>().Should().Be("found");
        B64.TryDecode(answer["mappings"]![0]!["mapping"]!.GetValue<string>(), out var served).Should().BeTrue();
        served.Should().Equal(mapping);
        answer["partial"]!.GetValue<bool>().Should().BeTrue();
        answer["unavailable"]!.AsArray().Select(u => (u!["dp_id"]!.GetValue<string>(), u["reason"]!.GetValue<string>()))
            .Should().Equal((silent.DpId, "timeout"));
    }

    [Theory]
    [InlineData("{\"mode\":\"everywhere\"}")]
    [InlineData("{\"mode\":\"local\",\"dps\":[\"mimi://x.test\"]}")]
    [InlineData("{\"mode\":\"client_selected\"}")]
    [InlineData("{\"mode\":\"client_selected\",\"dps\":[]}")]
    [InlineData("{\"mode\":7}")]
    [InlineData("\"all\"")]
    public async Task A_malformed_federation_member_is_a_400_problem(string federation)
    {
        await using var dp = await StartAsync();
        using var response = await dp.PostAsync("/v1/lookup", new JsonObject { ["csi"] = "+15550100", ["csi_type"] = "e164", ["federation"] = JsonNode.Parse(federation) });
        await ShouldBeProblemAsync(response, 400, Problems.MalformedRequest);
    }

    [Fact]
    public async Task A_dp_without_federation_refuses_modes_other_than_local()
    {
        await using var dp = await StartAsync(o => o with { Federation = false });
        using var local = await dp.PostAsync(ProfilePaths.Lookup, Federated("+15550100", "local"), WireJson.Default.LookupRequest);
        using var all = await dp.PostAsync(ProfilePaths.Lookup, Federated("+15550100", "all"), WireJson.Default.LookupRequest);
        using var metadata = await dp.Http.GetAsync(new Uri(MetadataPath, UriKind.Relative), Ct);
        var doc = await JsonOf(metadata);

        ((int)local.StatusCode).Should().Be(200);
        await ShouldBeProblemAsync(all, 400, Problems.MalformedRequest);
        doc!["conformance_classes"]!.AsArray().Select(n => n!.GetValue<string>()).Should().NotContain("federation");
        doc["federation"]!["modes"]!.AsArray().Select(n => n!.GetValue<string>()).Should().Equal("local");
        doc["endpoints"]!["peer_lookup"].Should().BeNull();
    }

    [Fact]
    public async Task The_peer_endpoint_answers_one_csi_with_only_the_mappings_computed_here()
    {
        await using var b = await PeerAsync("peer-b");
        await using var dp = await StartAsync();
        var parties = new Parties("federation-peer-endpoint", TimeProvider.System);
        await dp.TrustAsync(parties);
        await PointAtAsync(dp, b);
        var csi = parties.NewE164();
        var (own, _) = MappingBuilder.For(parties, dp.DpId, csi, parties.NewRecipientKey(), ["default"]).Build();
        (await dp.PublishAsync(own)).Status.Should().Be(201);
        var imported = b.Countersign(MappingBuilder.For(parties, b.DpId, csi, parties.NewRecipientKey(), ["default"]).Build().Cose);
        Answer(await dp.Profile.ImportAsync(imported, Ct)).Status.Should().Be(201);

        var (status, answer) = Answer(await SignedPeerLookupAsync(dp, b, new PeerLookupRequest(csi, CsiTypes.E164, Origin: b.DpId)));
        var (wildcard, _) = Answer(await SignedPeerLookupAsync(dp, b, new PeerLookupRequest("*", CsiTypes.E164, Origin: b.DpId)));

        status.Should().Be(200);
        answer!["mappings"]!.AsArray().Should().ContainSingle();
        B64.TryDecode(answer["mappings"]![0]!["mapping"]!.GetValue<string>(), out var served).Should().BeTrue();
        Mimi.Conformance.Protocol.Cose.CoseSign.Decode(served).Payload.Should().Equal(Mimi.Conformance.Protocol.Cose.CoseSign.Decode(own).Payload);
        wildcard.Should().Be(400);
        b.RequestsTo(FakePeerDp.PeerLookupPath).Should().BeEmpty("a peer lookup is answered locally, never forwarded");
    }

    [Fact]
    public async Task Forwards_carry_a_peer_auth_that_verifies_and_unsigned_peer_lookups_are_refused()
    {
        await using var a = await PeerAsync("peer-a");
        await using var dp = await StartAsync();
        await PointAtAsync(dp, a);

        await LookupAsync(dp, Federated("+15550100", "all"));
        var forward = a.RequestsTo(FakePeerDp.PeerLookupPath).Should().ContainSingle().Subject;
        var (auth, problems) = PeerLookups.Check(forward, dp.Profile.Metadata.SigningKeys.Select(k => k.PublicKey), dp.DpId, a.DpId, TimeProvider.System.GetUtcNow().ToUnixTimeSeconds());
        var (unsigned, body) = Answer(await dp.Profile.PeerLookupAsync(PeerLookups.Body(new PeerLookupRequest("+15550100", CsiTypes.E164, Origin: a.DpId)), null, Ct));

        problems.Should().BeEmpty();
        auth!.Nonce.Should().HaveCount(16);
        unsigned.Should().Be(403);
        body!["type"]!.GetValue<string>().Should().Be(Problems.Unauthorized);
    }
}
