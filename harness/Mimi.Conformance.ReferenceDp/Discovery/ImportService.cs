using Mimi.Conformance.Protocol.Profile;
using Mimi.Conformance.ReferenceDp.Faults;
using Mimi.Conformance.ReferenceDp.Lifecycle;
using Mimi.Conformance.ReferenceDp.Store;
using static Mimi.Conformance.Protocol.Profile.ProfileConstants;

namespace Mimi.Conformance.ReferenceDp.Discovery;

/// <summary>
/// PROFILE.md §6.5: a mapping computed at another DP, relayed here. Verified like a publication, plus the computing
/// DP's signature under a key trusted for that DP; then stored and served as the exact bytes received, never re-signed.
/// </summary>
internal sealed class ImportService(DpIdentity identity, DpTrust trust, MappingStore store, TimeProvider time, LivePolicy policy, InvalidationBroadcaster? broadcaster = null)
{
    /// <summary>An imported new holder's computing DP sent the invalidations (PROFILE.md §12.5); without it, this DP broadcasts too.</summary>
    public static readonly Duty LeaveBroadcastToComputingDp = new("import.leave-broadcast-to-computing-dp");
    public static readonly Duty KeepComputingDpSignature = new("import.keep-computing-dp-signature");
    public static readonly Duty RefuseOwnMappings = new("import.refuse-own-mappings");
    public static readonly Duty RequireDpSignature = new("import.require-dp-signature");
    public static readonly Duty VerifyRecipientRules = new("import.verify-rules-1-8");
    public static readonly Duty AnswerLiveWith200 = new("import.answer-live-with-200");

    /// <summary>§5 rules 1–8 and the credential's validity now: what import checks like publish.</summary>
    private static readonly HashSet<string> RecipientRules =
        ["mapping-validity", "pop-format", "pop-issuer-trusted", "pop-signature", "pop-subject", "pop-validity", "signer-roles", "recipient-key-bound", "recipient-signature"];

    public PublishResult Import(byte[] encoded)
    {
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        var v = PublishVerification.VerifyAsDp(encoded, trust.Current, now, policy);
        var recipientRulesHold = v.Steps.All(s => s.Passed || !RecipientRules.Contains(s.Rule)) && !(v.Pop is { } held && now >= held.ExpiresAt);
        // A DP that skips them imports whatever a trusted DP signed, however the recipient's part fails.
        var checksRecipientRules = recipientRulesHold || policy.Performs(VerifyRecipientRules);
        var steps = checksRecipientRules ? v.Steps : [.. v.Steps.Select(s => RecipientRules.Contains(s.Rule) ? s with { Passed = true } : s)];
        var check = new PublishCheck(steps, v.Cose, v.Payload, v.Pop);
        if (v.Payload is { } p && p.Dp == identity.DpId && policy.Performs(RefuseOwnMappings))
            throw new ProblemException(Problems.WrongDp, "the mapping names this DP as its computing DP; publish it instead of importing it");
        if (v.Cose is { } c && v.Payload is { } payload && c.Signatures.All(s => s.Role != SignerRoles.Dp) && policy.Performs(RequireDpSignature))
            throw new ProblemException(Problems.InvalidSignature, $"dp-signature: no signature of the computing DP {payload.Dp}");
        PublishVerification.ThrowOnFailure(check, v.Payload?.Dp ?? "", policy);
        var cose = v.Cose!;
        var mapping = v.Payload!;
        if (v.Pop is { } pop && now >= pop.ExpiresAt && checksRecipientRules)
            throw new ProblemException(Problems.PopInvalid, $"the credential expired at {pop.ExpiresAt}; now is {now}");
        var stored = !policy.Performs(KeepComputingDpSignature)
            ? (cose with { Signatures = [.. cose.Signatures.Where(s => s.Role != SignerRoles.Dp)] }).AddSignature(identity.SigningKey, SignerRoles.Dp).Encode()
            : encoded;
        var id = MappingPayload.IdOf(cose.Payload);
        var outcome = store.Publish(id, mapping.Csi, mapping.CsiType, stored, now, mapping.ExpiresAt, v.Pop?.AssignedAt,
            v.Pop is { } credential ? (live, floor) => Precedence.Decide(credential.AssignedAt, mapping.NewHolder, live, floor, policy) : null);
        if (outcome.State == PublishState.Inserted && mapping.NewHolder && v.Pop is { } holder && broadcaster is not null && !policy.Performs(LeaveBroadcastToComputingDp))
            _ = broadcaster.Broadcast(mapping.Csi, mapping.CsiType, holder.AssignedAt, outcome.Mapping.Cose);
        return outcome.State switch
        {
            PublishState.Refused => throw new ProblemException(outcome.Decision.Problem!, outcome.Decision.Detail!),
            PublishState.Inserted => new PublishResult(true, id, outcome.Mapping.Cose),
            PublishState.AlreadyLive => new PublishResult(!policy.Performs(AnswerLiveWith200), id, outcome.Mapping.Cose),
            _ => throw new ProblemException(Problems.Replayed, $"mapping {id} was removed; its payload cannot be imported again"),
        };
    }
}
