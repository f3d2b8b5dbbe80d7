using Mimi.Conformance.Protocol.Cose;
using Mimi.Conformance.Protocol.Profile;
using Mimi.Conformance.ReferenceDp.Discovery;
using Mimi.Conformance.ReferenceDp.Store;
using static Mimi.Conformance.Protocol.Profile.ProfileConstants;

namespace Mimi.Conformance.ReferenceDp.Lifecycle;

/// <summary>
/// PROFILE.md §12.5, receiving side: a peer DP says a new holder's first mapping reached it. The DP checks the peer's
/// dp signature and the evidence itself (it trusts the CSIP, not the peer, for who holds the CSI), then drops the
/// mappings of older assignments and refuses them from now on.
/// </summary>
internal sealed class InvalidationService(DpIdentity identity, DpTrust trust, MappingStore store, TimeProvider time)
{
    private static readonly SignedRequest Checks = new("invalidation", "an invalidation of §12.5");

    public IReadOnlyList<string> Receive(byte[] encoded)
    {
        var (envelope, request) = Checks.Decode(encoded, Invalidation.Decode);
        Checks.RequireCanonicalCsi(request.CsiType, request.Csi);
        // Only a DP the registry or configuration names, under its own dp_id, may ask.
        var signer = envelope.Role == SignerRoles.Dp && envelope.KeyId is { } kid ? trust.Current.Find(SignerRoles.Dp, kid) : null;
        if (signer is null || signer.Owner != request.FromDp || signer.Owner == identity.DpId || !envelope.Verify(signer.PublicKey))
            throw new ProblemException(Problems.Unauthorized, "the invalidation is not signed by a trusted peer DP key for its from_dp");
        Checks.RequireAddressedTo(identity, request.ToDp);
        var now = Checks.RequireFresh(time, request.IssuedAt);
        CheckEvidence(request, now);
        var outcome = store.Remove(new RemovalCommand(request.Nonce, now, request.Csi, request.CsiType, m => m.AssignedAt is { } a && a < request.AssignedAt,
            SucceedsWhenNothingMatches: true, RaiseFloorTo: request.AssignedAt));
        return outcome.State == RemoveState.Replayed
            ? throw new ProblemException(Problems.Replayed, "this invalidation nonce was already accepted")
            : outcome.Ids;
    }

    /// <summary>The evidence must be a valid new-holder mapping for this CSI, computed at the sender, with the claimed assignment.</summary>
    private void CheckEvidence(Invalidation request, long now)
    {
        var v = MappingVerifier.Verify(request.Evidence, trust.Current, now, VerificationPolicy.RecipientOnly);
        if (!v.Valid)
        {
            var failure = v.FirstFailure!;
            throw new ProblemException(failure.Rule.StartsWith("pop-", StringComparison.Ordinal) ? Problems.PopInvalid : Problems.InvalidSignature,
                $"evidence: {failure.Rule}: {failure.Detail}");
        }
        var payload = v.Payload!;
        var pop = v.Pop!;
        if (payload.Csi != request.Csi || payload.CsiType != request.CsiType || !payload.NewHolder || payload.Dp != request.FromDp || pop.AssignedAt != request.AssignedAt)
            throw new ProblemException(Problems.InvalidMapping,
                "evidence: must be a new_holder mapping for the same CSI, computed at from_dp, whose credential carries the invalidation's assigned_at");
    }
}
