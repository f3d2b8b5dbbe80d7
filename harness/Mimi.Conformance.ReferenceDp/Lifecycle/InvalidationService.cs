using Mimi.Conformance.Protocol.Cose;
using Mimi.Conformance.Protocol.Profile;
using Mimi.Conformance.ReferenceDp.Discovery;
using Mimi.Conformance.ReferenceDp.Faults;
using Mimi.Conformance.ReferenceDp.Store;
using static Mimi.Conformance.Protocol.Profile.ProfileConstants;

namespace Mimi.Conformance.ReferenceDp.Lifecycle;

/// <summary>
/// PROFILE.md §12.5, receiving side: a peer DP says a new holder's first mapping reached it. The DP checks the peer's
/// dp signature and the evidence itself (it trusts the CSIP, not the peer, for who holds the CSI), then drops the
/// mappings of older assignments and refuses them from now on.
/// </summary>
internal sealed class InvalidationService(DpIdentity identity, DpTrust trust, MappingStore store, TimeProvider time, LivePolicy policy)
{
    public static readonly Duty VerifyPeerSigner = new("lifecycle.verify-invalidation-signer");
    public static readonly Duty RefuseReplayedInvalidations = new("lifecycle.refuse-replayed-invalidations");
    public static readonly Duty RemoveOnlyOlderAssignments = new("lifecycle.invalidate-only-older-assignments");
    public static readonly Duty AnswerMalformedWith400 = new("lifecycle.answer-malformed-invalidations-with-400");
    public static readonly Duty CheckAddressee = new("lifecycle.check-invalidation-to-dp");
    public static readonly Duty CheckFreshness = new("lifecycle.check-invalidation-iat");
    public static readonly Duty VerifyEvidence = new("lifecycle.verify-invalidation-evidence");
    public static readonly Duty AcceptEvidenceWithoutDpSignature = new("lifecycle.accept-evidence-without-dp-signature");
    public static readonly Duty BindEvidence = new("lifecycle.bind-invalidation-evidence");

    private static readonly SignedRequest Checks = new("invalidation", "an invalidation of §12.5");

    public IReadOnlyList<string> Receive(byte[] encoded)
    {
        var (envelope, request) = Decode(encoded);
        Checks.RequireCanonicalCsi(request.CsiType, request.Csi);
        // Only a DP the registry or configuration names, under its own dp_id, may ask.
        var signer = envelope.Role == SignerRoles.Dp && envelope.KeyId is { } kid ? trust.Current.Find(SignerRoles.Dp, kid) : null;
        if (policy.Performs(VerifyPeerSigner) && (signer is null || signer.Owner != request.FromDp || signer.Owner == identity.DpId || !envelope.Verify(signer.PublicKey)))
            throw new ProblemException(Problems.Unauthorized, "the invalidation is not signed by a trusted peer DP key for its from_dp");
        if (policy.Performs(CheckAddressee))
            Checks.RequireAddressedTo(identity, request.ToDp);
        var now = policy.Performs(CheckFreshness) ? Checks.RequireFresh(time, request.IssuedAt) : time.GetUtcNow().ToUnixTimeSeconds();
        CheckEvidence(request, now);
        var outcome = store.Remove(new RemovalCommand(request.Nonce, now, request.Csi, request.CsiType, m => m.AssignedAt is { } a && (a < request.AssignedAt || !policy.Performs(RemoveOnlyOlderAssignments)),
            SucceedsWhenNothingMatches: true, RaiseFloorTo: request.AssignedAt));
        return outcome.State == RemoveState.Replayed && policy.Performs(RefuseReplayedInvalidations)
            ? throw new ProblemException(Problems.Replayed, "this invalidation nonce was already accepted")
            : outcome.Ids;
    }

    /// <summary>A DP that lets decoding errors escape answers a malformed invalidation with a 500.</summary>
    private (CoseSign1, Invalidation) Decode(byte[] encoded)
    {
        try
        {
            return Checks.Decode(encoded, Invalidation.Decode);
        }
        catch (ProblemException e) when (!policy.Performs(AnswerMalformedWith400))
        {
            throw new InvalidOperationException(e.Message);
        }
    }

    /// <summary>The evidence must be a valid new-holder mapping for this CSI, computed at the sender, with the claimed assignment.</summary>
    private void CheckEvidence(Invalidation request, long now)
    {
        var v = MappingVerifier.Verify(request.Evidence, trust.Current, now,
            policy.Performs(AcceptEvidenceWithoutDpSignature) ? VerificationPolicy.RecipientOnly : VerificationPolicy.RecipientOnly with { RequireDpSignature = true });
        if (!v.Valid && policy.Performs(VerifyEvidence))
        {
            var failure = v.FirstFailure!;
            throw new ProblemException(failure.Rule.StartsWith("pop-", StringComparison.Ordinal) ? Problems.PopInvalid : Problems.InvalidSignature,
                $"evidence: {failure.Rule}: {failure.Detail}");
        }
        if (v.Payload is not { } payload || (v.Pop ?? Precedence.ReadCredential(payload.Pop)) is not { } pop)
            throw new ProblemException(Problems.InvalidMapping, "evidence: not a mapping with a readable credential");
        if (policy.Performs(BindEvidence) && (payload.Csi != request.Csi || payload.CsiType != request.CsiType || !payload.NewHolder || payload.Dp != request.FromDp || pop.AssignedAt != request.AssignedAt))
            throw new ProblemException(Problems.InvalidMapping,
                "evidence: must be a new_holder mapping for the same CSI, computed at from_dp, whose credential carries the invalidation's assigned_at");
    }
}
