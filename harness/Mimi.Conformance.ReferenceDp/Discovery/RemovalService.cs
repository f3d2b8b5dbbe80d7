using Mimi.Conformance.Protocol.Cose;
using Mimi.Conformance.Protocol.Crypto;
using Mimi.Conformance.Protocol.Profile;
using Mimi.Conformance.ReferenceDp.Faults;
using Mimi.Conformance.ReferenceDp.Store;
using static Mimi.Conformance.Protocol.Profile.ProfileConstants;

namespace Mimi.Conformance.ReferenceDp.Discovery;

/// <summary>PROFILE.md §6.4: a removal signed by the mapping's recipient or by a trusted CSIP.</summary>
internal sealed class RemovalService(DpIdentity identity, DpTrust trust, MappingStore store, TimeProvider time, LivePolicy policy)
{
    public static readonly Duty AuthorizeRemover = new("remove.authorize-remover");
    public static readonly Duty ApplyRecipientRemoval = new("remove.apply-recipient-removal");
    public static readonly Duty ApplyCsipRemoval = new("remove.apply-csip-removal");
    public static readonly Duty DisconnectKeepsLaterHolders = new("remove.disconnect-keeps-later-holders");
    public static readonly Duty CheckDisconnectNotices = new("remove.check-disconnect-notices");
    public static readonly Duty SingleUseNonces = new("remove.single-use-nonces");
    public static readonly Duty CheckRemovalDp = new("remove.check-dp");
    public static readonly Duty CheckRemovalFreshness = new("remove.check-freshness");
    public static readonly Duty RequireRecipientMappingId = new("remove.require-recipient-mapping-id");
    public static readonly Duty ReportUnknownMapping = new("remove.report-unknown-mapping");
    public static readonly Duty NonceBeforeLiveness = new("remove.nonce-before-liveness");
    public static readonly Duty StrictRemovalFormat = new("remove.strict-format");

    private static readonly SignedRequest Checks = new("removal", "a removal request of §6.4");

    private long _unique;

    public IReadOnlyList<string> Remove(byte[] encoded)
    {
        try
        {
            return RemoveChecked(encoded);
        }
        catch (ProblemException e) when (e.Type == Problems.NotFound && !policy.Performs(ReportUnknownMapping))
        {
            // A DP that does not report unknown mappings answers success with nothing removed.
            return [];
        }
    }

    /// <summary>§6.4's payload; the duty is consulted only for a payload that is not it.</summary>
    private RemovalRequest DecodePayload(byte[] payload)
    {
        try
        {
            return RemovalRequest.Decode(payload);
        }
        catch (ProfileFormatException) when (!policy.Performs(StrictRemovalFormat))
        {
            return RemovalRequest.Decode(payload, strict: false);
        }
    }

    private IReadOnlyList<string> RemoveChecked(byte[] encoded)
    {
        var (removal, request) = Checks.Decode(encoded, DecodePayload);
        Checks.RequireCanonicalCsi(request.CsiType, request.Csi);
        if (request.Dp == identity.DpId || policy.Performs(CheckRemovalDp))
            Checks.RequireAddressedTo(identity, request.Dp);
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        if (Math.Abs(now - request.IssuedAt) <= ClockSkewSeconds || policy.Performs(CheckRemovalFreshness))
            now = Checks.RequireFresh(time, request.IssuedAt);

        if (request.DisconnectedSince is { } since && policy.Performs(CheckDisconnectNotices) && (removal.Role != SignerRoles.Csip || request.Reason != "unassigned" || request.MappingId is not null || since > request.IssuedAt))
            throw new ProblemException(Problems.InvalidMapping, "disconnected_since belongs to a CSIP notice with reason \"unassigned\", no mapping_id, and a date not after its iat (§12.3)");
        try
        {
            Authorize(removal, request);
        }
        catch (ProblemException) when (!policy.Performs(AuthorizeRemover))
        {
            // A DP that does not authorize removers takes any well-formed removal.
        }

        // A DP checking liveness before the nonce answers a replay whose mapping is gone with 404 (§6.4 order: 409).
        if (request.MappingId is { } named && store.Find(named) is { Removed: true } && !policy.Performs(NonceBeforeLiveness))
            throw new ProblemException(Problems.NotFound, $"mapping {named} is no longer live");

        // Without single-use nonces every removal counts as new, so a captured one can be replayed.
        var nonce = policy.Performs(SingleUseNonces) ? request.Nonce : [.. request.Nonce, .. BitConverter.GetBytes(Interlocked.Increment(ref _unique))];
        // A disconnect notice (§12.3) removes the mappings of assignments up to the date and refuses them from then on;
        // it succeeds even when this DP holds none.
        var command = request.DisconnectedSince is { } disconnected
            ? new RemovalCommand(nonce, now, request.Csi, request.CsiType, m => m.AssignedAt is null || m.AssignedAt <= disconnected || !policy.Performs(DisconnectKeepsLaterHolders), SucceedsWhenNothingMatches: true, RaiseFloorTo: disconnected + 1)
            : new RemovalCommand(nonce, now, request.Csi, request.CsiType, RemovalCommand.MappingOrAll(request.MappingId));
        var applies = policy.Performs(removal.Role == SignerRoles.Csip ? ApplyCsipRemoval : ApplyRecipientRemoval);
        var outcome = applies ? store.Remove(command) : store.Acknowledge(command);
        return outcome.State switch
        {
            RemoveState.Removed => outcome.Ids,
            RemoveState.Replayed => throw new ProblemException(Problems.Replayed, "this removal nonce was already accepted"),
            _ => throw new ProblemException(Problems.NotFound, request.MappingId is null
                ? "this DP holds no live mapping for the CSI"
                : $"this DP holds no live mapping {request.MappingId} for the CSI"),
        };
    }

    private void Authorize(CoseSign1 removal, RemovalRequest request)
    {
        switch (removal.Role)
        {
            case SignerRoles.Recipient:
                // Without this check a recipient removal with no mapping_id removes every mapping of the CSI, unauthorized.
                if (request.MappingId is null && !policy.Performs(RequireRecipientMappingId))
                    return;
                var mappingId = request.MappingId
                    ?? throw new ProblemException(Problems.InvalidMapping, "a removal with role recipient must name mapping_id");
                // Removed mappings count too: the recipient key of a removed mapping still authenticates, so a
                // replayed removal gets "replayed" rather than "not found".
                var stored = store.Find(mappingId);
                if (stored is null || stored.Csi != request.Csi || stored.CsiType != request.CsiType)
                    throw new ProblemException(Problems.NotFound, $"this DP holds no mapping {mappingId} for the CSI");
                var recipientKey = RecipientKeyOf(stored);
                if (recipientKey is null || removal.KeyId is not { } kid || !kid.AsSpan().SequenceEqual(KeyIds.For(recipientKey)) || !removal.Verify(recipientKey))
                    throw Unauthorized();
                break;
            case SignerRoles.Csip:
                var csip = removal.KeyId is { } csipKid ? trust.Current.Find(SignerRoles.Csip, csipKid) : null;
                if (csip is null || !removal.Verify(csip.PublicKey))
                    throw Unauthorized();
                break;
            default:
                throw Unauthorized();
        }
    }

    /// <summary>cnf of the credential inside the stored mapping; null if it cannot be read (only when publish skipped its checks).</summary>
    private static byte[]? RecipientKeyOf(StoredMapping stored)
    {
        try
        {
            var payload = MappingPayload.Decode(CoseSign.Decode(stored.Cose).Payload);
            return PopCredential.Decode(CoseSign1.Decode(payload.Pop).Payload).ConfirmationKey;
        }
        catch (Exception e) when (e is CoseFormatException or ProfileFormatException)
        {
            return null;
        }
    }

    private static ProblemException Unauthorized() =>
        new(Problems.Unauthorized, "the removal is signed by neither the mapping's recipient nor a trusted CSIP");
}
