using Mimi.Conformance.Harness.Client;
using Mimi.Conformance.Harness.Roles.Peers;
using Mimi.Conformance.Suite.Infrastructure;
using static Mimi.Conformance.Protocol.Profile.ProfileConstants;

namespace Mimi.Conformance.Suite.Lifecycle;

/// <summary>
/// PROFILE.md §12.5, sending: which mappings a DP broadcasts, and that the sends never hold up the publish answer. The
/// DP learns one fake peer DP through test control /peers; the DP is reset before and after.
/// </summary>
public sealed class InvalidationSendingTests(ConformanceFixture dp)
{
    private readonly DpOperations _ops = new(dp);

    private async Task<(TestControlClient Control, FakePeerDp Peer)> StartAsync(string procedure)
    {
        if (!dp.Meta.ConformanceClasses.Contains("lifecycle"))
            Expect.NotApplicable("the DP does not claim the lifecycle class");
        var control = dp.TestControl;
        if (control is null)
            Expect.NotVerifiable($"the DP learns the peer that records its invalidations through test control /peers (PROFILE.md §11.2); by hand: {procedure}");
        dp.RequirePublishing();
        await control!.ResetAsync();
        await dp.ReestablishTrustAsync();
        dp.RequirePublishing();
        var peer = await FakePeerDp.StartAsync(new FakePeerOptions { DpId = "mimi://peer-sending.conformance.test", Key = _ops.Parties.Key("sending-fake-peer") }, TestContext.Current.CancellationToken);
        try
        {
            await TimelineRunner.ConnectPeerAsync(control, peer, $"by hand: {procedure}");
            return (control, peer);
        }
        catch
        {
            await peer.DisposeAsync();
            throw;
        }
    }

    private async Task StopAsync(TestControlClient control, FakePeerDp peer)
    {
        await control.ResetAsync();
        await dp.ReestablishTrustAsync();
        await peer.DisposeAsync();
    }

    private Harness.Roles.MappingBuilder NewHolder(string csi) =>
        _ops.Mapping(csi, _ops.Parties.NewRecipientKey(), ["default"]) with { NewHolder = true };

    [Fact, Requirement("DISC-L-18")]
    [Requirement("PROF-LC-15")]
    public async Task An_imported_new_holder_mapping_is_not_broadcast()
    {
        if (dp.Meta.ImportPath is null)
            Expect.NotApplicable("the DP advertises no import endpoint (joint-signature class, PROFILE.md §6.5)");
        var (control, peer) = await StartAsync("import a new_holder mapping computed at another DP, then publish one for another CSI; the peer gets an invalidation for the second alone");
        try
        {
            var imported = _ops.Parties.NewE164();
            var (computed, _) = (NewHolder(imported) with { DpId = _ops.Parties.PeerDp.Id, ExtraSigners = [(_ops.Parties.PeerDp.Key, SignerRoles.Dp)] }).Build();
            var import = await _ops.ImportAsync(computed);
            Expect.That(import!.Status == 201, "import", $"HTTP 201 for a new holder's mapping computed at {_ops.Parties.PeerDp.Id}", import.Describe() + Expect.ProblemType(import));
            // One peer gets its invalidations in the order their mappings were accepted: once the published mapping's
            // has arrived, one for the imported mapping would have arrived before it.
            var published = _ops.Parties.NewE164();
            await _ops.PublishValidAsync(NewHolder(published));
            if (await TimelineRunner.WaitForInvalidationAsync(peer, published) is null)
                Expect.NotVerifiable($"no invalidation for the published new holder reached the peer within {TimelineRunner.BroadcastWait.TotalSeconds:0} s, so nothing shows what the DP has sent (PROF-LC-13 checks the broadcast)");
            var forImported = TimelineRunner.InvalidationsTo(peer).Count(i => i.Payload.Csi == imported);
            Expect.That(forImported == 0, "imported-not-broadcast",
                $"no invalidation for the imported CSI {imported} before the published one's (its computing DP sent them)", $"{forImported} invalidation(s) for it");
        }
        finally
        {
            await StopAsync(control, peer);
        }
    }

    [Fact, Requirement("DISC-L-18")]
    [Requirement("PROF-LC-16")]
    public async Task The_publish_answer_does_not_wait_for_the_invalidations()
    {
        var (control, peer) = await StartAsync("publish a new_holder mapping while the peer holds invalidations unanswered; the publish is answered, the invalidation still pending");
        try
        {
            // The peer answers no invalidation until the harness has the publish answer: a DP that waited for the send
            // before answering gives up on it first (its time box), or never answers.
            peer.HoldInvalidations();
            var csi = _ops.Parties.NewE164();
            var (mapping, _) = NewHolder(csi).Build();
            // No Reachable: a publish left unanswered while the peer holds the invalidation is this rule's failure.
            var response = await _ops.PublishAsync(mapping);
            var abandoned = peer.AbandonedInvalidations;
            peer.ReleaseInvalidations();
            Expect.That(response.Status == 201, "publish-answered", "HTTP 201 while the invalidation is held at the peer (within the harness's request timeout)", response.Describe() + Expect.ProblemType(response));
            Expect.That(abandoned == 0, "answer-not-delayed", "the publish answered while the invalidation was still held at the peer",
                $"the DP gave up on {abandoned} held invalidation(s) before it answered: it waited for the send");
            if (await TimelineRunner.WaitForInvalidationAsync(peer, csi) is null)
                Expect.NotVerifiable($"no invalidation for the new holder reached the peer within {TimelineRunner.BroadcastWait.TotalSeconds:0} s (PROF-LC-13 checks the broadcast)");
        }
        finally
        {
            await StopAsync(control, peer);
        }
    }
}
