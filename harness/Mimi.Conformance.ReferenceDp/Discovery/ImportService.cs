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
internal sealed class ImportService(DpIdentity identity, DpTrust trust, MappingStore store, TimeProvider time, LivePolicy policy)
{
    public static readonly Duty KeepComputingDpSignature = new("import.keep-computing-dp-signature");

    public PublishResult Import(byte[] encoded)
    {
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        var v = MappingVerifier.Verify(encoded, trust.Current, now, VerificationPolicy.RecipientOnly);
        var check = new PublishCheck(v.Steps, v.Cose, v.Payload, v.Pop);
        if (v.Payload is { } p && p.Dp == identity.DpId)
            throw new ProblemException(Problems.WrongDp, "the mapping names this DP as its computing DP; publish it instead of importing it");
        if (v.Cose is { } c && v.Payload is { } payload && c.Signatures.All(s => s.Role != SignerRoles.Dp))
            throw new ProblemException(Problems.InvalidSignature, $"dp-signature: no signature of the computing DP {payload.Dp}");
        PublishVerification.ThrowOnFailure(check, v.Payload?.Dp ?? "");
        var cose = v.Cose!;
        var mapping = v.Payload!;
        if (v.Pop is { } pop && now >= pop.ExpiresAt)
            throw new ProblemException(Problems.PopInvalid, $"the credential expired at {pop.ExpiresAt}; now is {now}");
        var stored = !policy.Performs(KeepComputingDpSignature)
            ? (cose with { Signatures = [.. cose.Signatures.Where(s => s.Role != SignerRoles.Dp)] }).AddSignature(identity.SigningKey, SignerRoles.Dp).Encode()
            : encoded;
        var id = MappingPayload.IdOf(cose.Payload);
        var outcome = store.Publish(id, mapping.Csi, mapping.CsiType, stored, now, mapping.ExpiresAt, v.Pop?.AssignedAt,
            v.Pop is { } credential ? (live, floor) => Precedence.Decide(credential.AssignedAt, mapping.NewHolder, live, floor, policy) : null);
        return outcome.State switch
        {
            PublishState.Refused => throw new ProblemException(outcome.Decision.Problem!, outcome.Decision.Detail!),
            PublishState.Inserted => new PublishResult(true, id, outcome.Mapping.Cose),
            PublishState.AlreadyLive => new PublishResult(false, id, outcome.Mapping.Cose),
            _ => throw new ProblemException(Problems.Replayed, $"mapping {id} was removed; its payload cannot be imported again"),
        };
    }
}
