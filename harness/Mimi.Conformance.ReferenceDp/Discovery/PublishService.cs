using System.Text;
using Mimi.Conformance.Protocol.Cose;
using Mimi.Conformance.Protocol.Profile;
using Mimi.Conformance.ReferenceDp.Faults;
using Mimi.Conformance.ReferenceDp.Store;
using static Mimi.Conformance.Protocol.Profile.ProfileConstants;

namespace Mimi.Conformance.ReferenceDp.Discovery;

/// <summary>The result of an accepted publication: created now (201) or already live (200).</summary>
internal sealed record PublishResult(bool Created, string MappingId, byte[] Mapping);

/// <summary>PROFILE.md §6.2: verify, check the DP, countersign, store the exact bytes.</summary>
internal sealed class PublishService(DpIdentity identity, DpTrust trust, MappingStore store, TimeProvider time, FaultSet faults, DpLimits limits)
{
    public PublishResult Publish(byte[] encoded)
    {
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        var check = PublishVerification.Verify(encoded, trust.Current, now, faults);
        PublishVerification.ThrowOnFailure(check, identity.DpId);
        var cose = check.Cose!;
        var payload = check.Payload!;

        // §5 rule 6 compares the credential with the mapping's iat only; a DP accepting a mapping now also
        // needs the credential to still be valid now.
        if (check.Pop is { } pop && now >= pop.ExpiresAt && !faults.Has(FaultMode.AcceptExpiredPop))
            throw new ProblemException(Problems.PopInvalid, $"the credential expired at {pop.ExpiresAt}; now is {now}");
        CheckLimits(payload);

        if (faults.Has(FaultMode.StripMspSignature))
            cose = cose with { Signatures = [.. cose.Signatures.Where(s => s.Role != SignerRoles.Msp)] };
        var alreadyCountersigned = cose.Signatures.Any(s => s.Role == SignerRoles.Dp);
        var stored = alreadyCountersigned || faults.Has(FaultMode.SkipDpCountersign)
            ? cose
            : cose.AddSignature(identity.SigningKey, faults.Has(FaultMode.WrongRoleHeader) ? SignerRoles.Recipient : SignerRoles.Dp);
        var id = MappingPayload.IdOf(cose.Payload);
        var outcome = store.Publish(id, payload.Csi, payload.CsiType, stored.Encode(), now, payload.ExpiresAt);
        return outcome.State switch
        {
            PublishState.Inserted => new PublishResult(true, id, outcome.Mapping.Cose),
            PublishState.AlreadyLive => new PublishResult(false, id, outcome.Mapping.Cose),
            _ => throw new ProblemException(Problems.Replayed, $"mapping {id} was removed; its payload cannot be published again"),
        };
    }

    private void CheckLimits(MappingPayload payload)
    {
        if (payload.Msps.Count > limits.MaxMsps)
            throw new ProblemException(Problems.InvalidMapping, $"{payload.Msps.Count} MSPs; this DP accepts at most {limits.MaxMsps}");
        foreach (var entry in payload.Msps)
        {
            if (entry.Tags.Count > limits.MaxTags)
                throw new ProblemException(Problems.InvalidMapping, $"{entry.Tags.Count} tags for {entry.Msp}; this DP accepts at most {limits.MaxTags}");
            if (entry.Tags.FirstOrDefault(t => Encoding.UTF8.GetByteCount(t) > limits.MaxTagBytes) is { } tag)
                throw new ProblemException(Problems.InvalidMapping, $"a tag of {Encoding.UTF8.GetByteCount(tag)} bytes; this DP accepts at most {limits.MaxTagBytes}");
        }
    }
}
