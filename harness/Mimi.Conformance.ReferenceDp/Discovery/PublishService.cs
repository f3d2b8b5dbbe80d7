using System.Text;
using Mimi.Conformance.Protocol.Cose;
using Mimi.Conformance.Protocol.Profile;
using Mimi.Conformance.ReferenceDp.Faults;
using Mimi.Conformance.ReferenceDp.Lifecycle;
using Mimi.Conformance.ReferenceDp.Store;
using static Mimi.Conformance.Protocol.Profile.ProfileConstants;

namespace Mimi.Conformance.ReferenceDp.Discovery;

/// <summary>The result of an accepted publication: created now (201) or already live (200).</summary>
internal sealed record PublishResult(bool Created, string MappingId, byte[] Mapping)
{
    /// <summary>Invalidations the answer must wait for: none, unless a fault makes the DP await its sends (PROF-LC-16).</summary>
    public Task Awaited { get; init; } = Task.CompletedTask;
}

/// <summary>PROFILE.md §6.2: verify, check the DP, countersign, store the exact bytes.</summary>
internal sealed class PublishService(DpIdentity identity, DpTrust trust, MappingStore store, TimeProvider time, LivePolicy policy, DpLimits limits, InvalidationBroadcaster? broadcaster = null)
{
    public static readonly Duty KeepMspSignatures = new("publish.keep-msp-signatures");
    public static readonly Duty BroadcastWhenNothingRemoved = new("publish.broadcast-when-nothing-removed");
    public static readonly Duty AnswerBeforeInvalidationsAreSent = new("publish.answer-before-invalidations-are-sent");
    public static readonly Duty Countersign = new("publish.countersign");
    public static readonly Duty CountersignAsDp = new("publish.countersign-as-dp");
    public static readonly Duty StoreDisclosures = new("publish.store-disclosures");
    public static readonly Duty CheckTagSyntax = new("publish.check-tag-syntax");
    public static readonly Duty DefaultStandsAlone = new("publish.default-stands-alone");
    public static readonly Duty ImplicitDefault = new("publish.untagged-is-default");
    public static readonly Duty EnforceTagLimits = new("publish.enforce-tag-limits");
    public static readonly Duty CountEveryTagOccurrence = new("publish.count-every-tag-occurrence");
    public static readonly Duty OpenCommitments = new("publish.disclosures-open-commitments");
    public static readonly Duty CheckDisclosedTags = new("publish.check-disclosed-tags");
    public static readonly Duty CheckSaltSize = new("publish.check-salt-size");
    public static readonly Duty FitDisclosureBlock = new("publish.fit-disclosure-block");
    public static readonly Duty CheckOwnDp = new("publish.check-own-dp");
    public static readonly Duty EnforceMspLimit = new("publish.enforce-msp-limit");
    public static readonly Duty RefuseRemovedPayload = new("publish.refuse-removed-payload");
    public static readonly Duty AnswerLiveWith200 = new("publish.answer-live-with-200");

    public PublishResult Publish(byte[] encoded, IReadOnlyList<TagDisclosure>? disclosures = null)
    {
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        var check = PublishVerification.Verify(encoded, trust.Current, now, policy);
        // Without the dp check the DP takes a mapping addressed to any DP as if it were its own.
        var expectedDp = check.Payload is { } named && named.Dp != identity.DpId && !policy.Performs(CheckOwnDp) ? named.Dp : identity.DpId;
        PublishVerification.ThrowOnFailure(check, expectedDp, policy);
        var cose = check.Cose!;
        var payload = check.Payload!;

        // §5 rule 6 compares the credential with the mapping's iat only; a DP accepting a mapping now also
        // needs the credential to still be valid now.
        if (check.Pop is { } pop && now >= pop.ExpiresAt && policy.Performs(PublishVerification.CheckCredentialValidity))
            throw new ProblemException(Problems.PopInvalid, $"the credential expired at {pop.ExpiresAt}; now is {now}");
        CheckLimits(payload);
        CheckTags(payload, disclosures ??= []);

        if (cose.Signatures.Any(s => s.Role == SignerRoles.Msp) && !policy.Performs(KeepMspSignatures))
            cose = cose with { Signatures = [.. cose.Signatures.Where(s => s.Role != SignerRoles.Msp)] };
        var alreadyCountersigned = cose.Signatures.Any(s => s.Role == SignerRoles.Dp);
        var stored = alreadyCountersigned || !policy.Performs(Countersign)
            ? cose
            : cose.AddSignature(identity.SigningKey, policy.Performs(CountersignAsDp) ? SignerRoles.Dp : SignerRoles.Recipient);
        var id = MappingPayload.IdOf(cose.Payload);
        // With verification duties skipped the verifier may stop before reading the credential; lifecycle still needs it.
        var credential = check.Pop ?? Precedence.ReadCredential(payload.Pop);
        var outcome = store.Publish(id, payload.Csi, payload.CsiType, stored.Encode(), now, payload.ExpiresAt, credential?.AssignedAt,
            credential is null ? null : (live, floor) => Precedence.Decide(credential.AssignedAt, payload.NewHolder, live, floor, policy));
        if (outcome.State == PublishState.Refused)
            throw new ProblemException(outcome.Decision.Problem!, outcome.Decision.Detail!);
        // Other DPs may still hold the previous holder's mappings, whether or not this DP did (§12.2).
        var sending = Task.CompletedTask;
        if (outcome.State == PublishState.Inserted && payload.NewHolder && credential is not null && broadcaster is not null
            && (outcome.Decision.Invalidate.Count > 0 || policy.Performs(BroadcastWhenNothingRemoved)))
            sending = broadcaster.Broadcast(payload.Csi, payload.CsiType, credential.AssignedAt, outcome.Mapping.Cose);
        var awaited = sending.IsCompleted || policy.Performs(AnswerBeforeInvalidationsAreSent) ? Task.CompletedTask : sending;
        if (outcome.State is PublishState.Inserted or PublishState.AlreadyLive && disclosures.Count > 0 && policy.Performs(StoreDisclosures))
            store.AddDisclosures(id, disclosures);
        return outcome.State switch
        {
            PublishState.Inserted => new PublishResult(true, id, outcome.Mapping.Cose) { Awaited = awaited },
            PublishState.AlreadyLive => new PublishResult(!policy.Performs(AnswerLiveWith200), id, outcome.Mapping.Cose),
            // A DP that forgets removals answers a re-publication as if the mapping were still live.
            PublishState.Replayed when !policy.Performs(RefuseRemovedPayload) => new PublishResult(false, id, outcome.Mapping.Cose),
            _ => throw new ProblemException(Problems.Replayed, $"mapping {id} was removed; its payload cannot be published again"),
        };
    }

    /// <summary>PROFILE.md §4.4: tag syntax, the default rule, and disclosures that open a commitment of this payload.</summary>
    private void CheckTags(MappingPayload payload, IReadOnlyList<TagDisclosure> disclosures)
    {
        foreach (var entry in payload.Msps)
        {
            if (entry.Tags.FirstOrDefault(t => !TagRules.IsWellFormed(t)) is { } bad && policy.Performs(CheckTagSyntax))
                throw new ProblemException(Problems.InvalidMapping, $"tag \"{Truncate(bad)}\" of {entry.Msp} is neither a registered tag nor an RFC 4151 tag: URI");
            if (entry.Tags.Contains(TagRules.Default) && (entry.Tags.Count != 1 || entry.SdTags is not null) && policy.Performs(DefaultStandsAlone))
                throw new ProblemException(Problems.InvalidMapping, $"\"default\" cannot be combined with other tags ({entry.Msp})");
            if (entry.Tags.Count == 0 && !policy.Performs(ImplicitDefault))
                throw new ProblemException(Problems.InvalidMapping, $"{entry.Msp} has no tag");
        }
        var digests = payload.Msps.SelectMany(m => m.SdTags ?? []).Select(Convert.ToHexString).ToHashSet();
        foreach (var d in disclosures)
        {
            if (d.Salt.Length != TagRules.SaltSize && policy.Performs(CheckSaltSize))
                throw new ProblemException(Problems.MalformedRequest, $"a disclosure salt must be {TagRules.SaltSize} bytes");
            if ((!TagRules.IsWellFormed(d.Tag) || d.Tag == TagRules.Default) && policy.Performs(CheckDisclosedTags))
                throw new ProblemException(Problems.InvalidMapping, $"disclosed tag \"{Truncate(d.Tag)}\" is not a well-formed non-default tag");
            if (Encoding.UTF8.GetByteCount(d.Tag) > limits.MaxTagBytes && policy.Performs(CheckDisclosedTags))
                throw new ProblemException(Problems.InvalidMapping, $"a disclosed tag of {Encoding.UTF8.GetByteCount(d.Tag)} bytes; this DP accepts at most {limits.MaxTagBytes}");
            if (!digests.Contains(Convert.ToHexString(d.Digest)) && policy.Performs(OpenCommitments))
                throw new ProblemException(Problems.InvalidMapping, "a disclosure opens none of the payload's sd_tags commitments");
        }
        foreach (var group in disclosures.GroupBy(d => d.Tag))
        {
            if (TagRules.EncodeList([.. group]).Length > limits.DisclosureBytes && policy.Performs(FitDisclosureBlock))
                throw new ProblemException(Problems.InvalidMapping, $"the disclosures of one tag exceed disclosure_bytes ({limits.DisclosureBytes})");
        }
    }

    private static string Truncate(string s) => s.Length <= 64 ? s : s[..64] + "…";

    private void CheckLimits(MappingPayload payload)
    {
        if (payload.Msps.Count > limits.MaxMsps && policy.Performs(EnforceMspLimit))
            throw new ProblemException(Problems.InvalidMapping, $"{payload.Msps.Count} MSPs; this DP accepts at most {limits.MaxMsps}");
        foreach (var entry in payload.Msps)
        {
            // PROF-TAG-04: a repeated tag counts once per occurrence.
            var tags = entry.Tags.Count != entry.Tags.Distinct(StringComparer.Ordinal).Count() && !policy.Performs(CountEveryTagOccurrence)
                ? entry.Tags.Distinct(StringComparer.Ordinal).Count() : entry.Tags.Count;
            if (tags + (entry.SdTags?.Count ?? 0) > limits.MaxTags && policy.Performs(EnforceTagLimits))
                throw new ProblemException(Problems.InvalidMapping, $"{entry.Tags.Count} tags for {entry.Msp}; this DP accepts at most {limits.MaxTags}");
            if (entry.Tags.FirstOrDefault(t => Encoding.UTF8.GetByteCount(t) > limits.MaxTagBytes) is { } tag && policy.Performs(EnforceTagLimits))
                throw new ProblemException(Problems.InvalidMapping, $"a tag of {Encoding.UTF8.GetByteCount(tag)} bytes; this DP accepts at most {limits.MaxTagBytes}");
        }
    }
}
