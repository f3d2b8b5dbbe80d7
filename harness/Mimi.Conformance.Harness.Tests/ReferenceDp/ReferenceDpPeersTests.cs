using System.Text;
using System.Text.Json.Nodes;
using FluentAssertions;
using Mimi.Conformance.Harness.Roles;
using Mimi.Conformance.Harness.Roles.Peers;
using Mimi.Conformance.Protocol.Profile;
using Mimi.Conformance.Protocol.Profile.Wire;
using Mimi.Conformance.ReferenceDp.Federation;
using static Mimi.Conformance.Harness.Tests.ReferenceDp.DpTestHost;
using static Mimi.Conformance.Protocol.Profile.ProfileConstants;

namespace Mimi.Conformance.Harness.Tests.ReferenceDp;

/// <summary>The peer plumbing (PROFILE.md §11.1–11.2): fake peers, test control /peers, the DP's PeerClient.</summary>
public sealed class ReferenceDpPeersTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Task<FakePeerDp> PeerAsync(string name, params string[] jurisdictions) =>
        FakePeerDp.StartAsync(new FakePeerOptions { DpId = $"mimi://{name}.peers.test", Jurisdictions = jurisdictions.Length == 0 ? ["EU"] : jurisdictions }, Ct);

    [Fact]
    public async Task A_fake_peer_serves_registry_metadata_lookups_and_invalidations_and_records_every_request()
    {
        await using var peer = await PeerAsync("peer-a");
        var parties = new Parties("fake-peer-tests", TimeProvider.System);
        var csi = parties.NewE164();
        var (mapping, _) = MappingBuilder.For(parties, peer.DpId, csi, parties.NewRecipientKey(), ["default"]).Build();
        var signed = peer.Countersign(mapping);
        peer.SetMappings(csi, signed);
        var directory = new PeerDirectory();
        directory.SetPins([B64.TryDecode(peer.CertificatePin, out var pin) ? pin : []]);
        using var client = new PeerClient(directory);

        var registry = await client.GetAsync(peer.RegistryUrl, Ct);
        var lookup = await client.PostJsonAsync(new Uri(peer.BaseUrl, FakePeerDp.PeerLookupPath), Encoding.UTF8.GetBytes($$"""{"csi":"{{csi}}","csi_type":"e164"}"""), Ct);
        var invalidate = await client.PostJsonAsync(new Uri(peer.BaseUrl, FakePeerDp.InvalidatePath), "{}"u8.ToArray(), Ct);
        var unknown = await client.GetAsync(new Uri(peer.BaseUrl, "/nowhere"), Ct);

        registry.Status.Should().Be(200, registry.Describe());
        var doc = JsonNode.Parse(registry.Body)!;
        doc["registry"]!.GetValue<string>().Should().Be(FakePeerRegistry.Version);
        doc["dps"]![0]!["dp_id"]!.GetValue<string>().Should().Be(peer.DpId);
        lookup.Status.Should().Be(200, lookup.Describe());
        var answer = JsonNode.Parse(lookup.Body)!;
        answer["status"]!.GetValue<string>().Should().Be("found");
        B64.TryDecode(answer["mappings"]![0]!["mapping"]!.GetValue<string>(), out var served).Should().BeTrue();
        served.Should().Equal(signed);
        invalidate.Status.Should().Be(202);
        unknown.Status.Should().Be(404);
        peer.Requests.Select(r => $"{r.Method} {r.Path}").Should().Equal("GET /registry", $"POST {FakePeerDp.PeerLookupPath}", $"POST {FakePeerDp.InvalidatePath}", "GET /nowhere");
        peer.Requests.Should().OnlyContain(r => !r.HasHeader("Authorization") && !r.HasHeader("Cookie"));
        peer.RequestsTo(FakePeerDp.PeerLookupPath).Single().Json!["csi"]!.GetValue<string>().Should().Be(csi);
        peer.ClearRequests();
        peer.Requests.Should().BeEmpty();
    }

    [Fact]
    public async Task The_peer_client_refuses_an_unpinned_peer_and_gives_up_on_a_silent_one()
    {
        await using var peer = await PeerAsync("peer-b");
        var directory = new PeerDirectory();
        directory.SetPins([new byte[32]]);
        using var client = new PeerClient(directory, TimeSpan.FromMilliseconds(500));

        var unpinned = await client.GetAsync(peer.RegistryUrl, Ct);
        B64.TryDecode(peer.CertificatePin, out var pin);
        directory.SetPins([pin]);
        peer.Behavior = FakePeerBehavior.Hang;
        var silent = await client.PostJsonAsync(new Uri(peer.BaseUrl, FakePeerDp.PeerLookupPath), "{\"csi\":\"+15550100\"}"u8.ToArray(), Ct);

        unpinned.Succeeded.Should().BeFalse();
        unpinned.Error.Should().NotBeNull();
        silent.Succeeded.Should().BeFalse();
        silent.Error.Should().Contain("no answer");
    }

    [Fact]
    public async Task Test_control_peers_loads_the_registry_trusts_peer_keys_for_import_and_reset_forgets_them()
    {
        await using var a = await PeerAsync("peer-a");
        await using var b = await PeerAsync("peer-b", "US");
        await using var dp = await StartAsync();
        var parties = new Parties("peers-test-control", TimeProvider.System);
        await dp.TrustAsync(parties);
        a.SetRegistry(FakePeerRegistry.Build([FakePeerRegistry.Entry(a), FakePeerRegistry.Entry(b), FakePeerRegistry.Entry(dp.DpId, dp.Dp.Url.GetLeftPart(UriPartial.Authority), [parties.Key("self").PublicKey], ["EU"])]));
        var (mapping, _) = MappingBuilder.For(parties, b.DpId, parties.NewE164(), parties.NewRecipientKey(), ["default"]).Build();
        var computedAtB = b.Countersign(mapping);

        var before = await ImportAsync(dp, computedAtB);
        using (var response = await PeersAsync(dp, PeersBody(a.RegistryUrl, a, b)))
            ((int)response.StatusCode).Should().Be(204, await response.Content.ReadAsStringAsync(Ct));
        var after = await ImportAsync(dp, computedAtB);
        (await dp.Control!.ResetAsync(Ct)).Status.Should().Be(204);
        await dp.TrustAsync(parties);
        var afterReset = await ImportAsync(dp, b.Countersign(MappingBuilder.For(parties, b.DpId, parties.NewE164(), parties.NewRecipientKey(), ["default"]).Build().Cose));

        before.Should().Be(422, "the DP does not trust peer-b's key before it has a registry");
        after.Should().Be(201, "the registry lists peer-b's key");
        afterReset.Should().Be(422, "reset forgets the registry");
        a.RequestsTo(FakePeerDp.RegistryPath).Should().ContainSingle().Which.HasHeader("Cookie").Should().BeFalse();
    }

    [Fact]
    public async Task Test_control_peers_refuses_bad_requests_and_reports_registry_failures_as_problems()
    {
        await using var a = await PeerAsync("peer-a");
        await using var dp = await StartAsync();

        using var plainHttp = await PeersAsync(dp, new PeersRequest("http://127.0.0.1:1/registry", [a.CertificatePin]));
        using var noPins = await PeersAsync(dp, new PeersRequest(a.RegistryUrl.ToString(), []));
        using var wrongPin = await PeersAsync(dp, new PeersRequest(a.RegistryUrl.ToString(), [B64.Encode(new byte[32])]));
        a.SetRegistry(new RegistryDocument("something-else/9", []));
        using var badDocument = await PeersAsync(dp, PeersBody(a.RegistryUrl, a));

        await ShouldBeProblemAsync(plainHttp, 400, Problems.MalformedRequest);
        await ShouldBeProblemAsync(noPins, 400, Problems.MalformedRequest);
        await ShouldBeProblemAsync(wrongPin, 502, Problems.PeerUnavailable);
        await ShouldBeProblemAsync(badDocument, 502, Problems.PeerUnavailable);
    }

    private static PeersRequest PeersBody(Uri registry, params FakePeerDp[] peers) => new(registry.ToString(), [.. peers.Select(p => p.CertificatePin)]);

    /// <summary>Test control /peers, answered as an HttpResponseMessage for the problem checks.</summary>
    private static Task<HttpResponseMessage> PeersAsync(DpTestHost dp, PeersRequest request) =>
        dp.PostAsync(dp.Control!.PathOf(ProfilePaths.Control.Peers), request, WireJson.Default.PeersRequest);

    private static async Task<int> ImportAsync(DpTestHost dp, byte[] mapping) => DpTestHost.Answer(await dp.Profile.ImportAsync(mapping, Ct)).Status;
}
