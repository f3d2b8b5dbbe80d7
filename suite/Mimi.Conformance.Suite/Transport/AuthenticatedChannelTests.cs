using Mimi.Conformance.Harness.Client;
using Mimi.Conformance.Harness.Roles.Peers;
using Mimi.Conformance.Protocol.Profile;
using Mimi.Conformance.Protocol.Profile.Wire;
using Mimi.Conformance.Suite.Infrastructure;

namespace Mimi.Conformance.Suite.Transport;

/// <summary>
/// -01 row 23: every channel is encrypted and authenticated. Clients reach the DP only over TLS the harness has
/// authenticated (R7's tests); between DPs (federation class, PROFILE.md §11.2) the DP must authenticate its peers: it
/// speaks only to peers whose certificate is pinned, and the same peer is reached once its pin is added.
/// </summary>
public sealed class AuthenticatedChannelTests(ConformanceFixture dp)
{
    private readonly DpOperations _ops = new(dp);

    [Fact, Requirement("DISC-L-23")]
    [Requirement("PROF-FED-05")]
    public async Task The_dp_is_reached_over_authenticated_tls_and_talks_only_to_peers_it_authenticated()
    {
        var plain = dp.Meta.AdvertisedUrls.Select(u => dp.Client.Resolve(u)).Where(u => u.Scheme != "https").ToArray();
        Expect.That(dp.Client.Endpoint.Origin.Scheme == "https" && plain.Length == 0, "client-channel", "the DP and every advertised endpoint are https, and the harness authenticated the DP's certificate (--ca / --pin)",
            plain.Length == 0 ? $"{dp.Client.Endpoint.Origin.Scheme}, all https" : string.Join(", ", plain.Select(u => u.ToString())));
        if (!dp.Meta.ConformanceClasses.Contains(FederationPeers.ClassName))
            return; // a DP that does not federate has no DP-to-DP channel in this profile
        var testControl = dp.TestControl;
        if (testControl is null)
            Expect.NotVerifiable("the DP-to-DP half needs test control /peers (PROFILE.md §11.2) to point the DP at a peer whose certificate it was not given. " +
                "Manual procedure: give the DP a registry entry for a peer without that peer's pin and check the peer is never sent a lookup");

        var ct = TestContext.Current.CancellationToken;
        var jurisdictions = dp.Meta.FederationStrings(dp.Meta.Federation?["forward_jurisdictions"] is System.Text.Json.Nodes.JsonArray ? "forward_jurisdictions" : "jurisdictions");
        var home = jurisdictions.Count > 0 ? jurisdictions[0] : "EU";
        await using var registry = await FakePeerDp.StartAsync(new FakePeerOptions { DpId = "mimi://registry.transport.conformance.test", Jurisdictions = [home] }, ct);
        await using var peer = await FakePeerDp.StartAsync(new FakePeerOptions { DpId = "mimi://peer.transport.conformance.test", Jurisdictions = [home] }, ct);
        registry.SetRegistry(FakePeerRegistry.Build([FakePeerRegistry.Entry(peer)]));
        var lookup = new LookupRequest(_ops.Parties.NewE164(), ProfileConstants.CsiTypes.E164, Federation: new FederationRequest("client_selected", [peer.DpId]));
        async Task<int> LookupsReachingPeer(params string[] pins)
        {
            var set = await testControl.PeersAsync(new PeersRequest(registry.RegistryUrl.ToString(), pins));
            if (!TestControlClient.Succeeded(set))
                throw new HarnessErrorException($"test control /peers answered {set.Describe()}{Expect.ProblemType(set)}");
            peer.ClearRequests();
            var answer = await _ops.LookupAsync(lookup);
            Expect.Reachable(answer.Response, "federated lookup");
            return peer.RequestsTo(FakePeerDp.PeerLookupPath).Count;
        }
        try
        {
            var unpinned = await LookupsReachingPeer(registry.CertificatePin);
            Expect.That(unpinned == 0, "peer-authenticated", "no lookup reaches a registry peer whose certificate is not among the pins", $"{unpinned} lookup(s) reached it");
            var pinned = await LookupsReachingPeer(registry.CertificatePin, peer.CertificatePin);
            Expect.That(pinned == 1, "peer-reached-once-pinned", "with the peer's pin added, the same client_selected lookup reaches it (so the refusal above was authentication)", $"{pinned} lookup(s)");
        }
        finally
        {
            await dp.ResetOutsideTestAsync();
        }
    }
}
