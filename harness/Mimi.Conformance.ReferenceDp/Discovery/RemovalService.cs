using Mimi.Conformance.Protocol.Cose;
using Mimi.Conformance.Protocol.Crypto;
using Mimi.Conformance.Protocol.Profile;
using Mimi.Conformance.ReferenceDp.Faults;
using Mimi.Conformance.ReferenceDp.Store;
using static Mimi.Conformance.Protocol.Profile.ProfileConstants;

namespace Mimi.Conformance.ReferenceDp.Discovery;

/// <summary>PROFILE.md §6.4: a removal signed by the mapping's recipient or by a trusted CSIP.</summary>
internal sealed class RemovalService(DpIdentity identity, DpTrust trust, MappingStore store, TimeProvider time, FaultSet faults)
{
    private static readonly SignedRequest Checks = new("removal", "a removal request of §6.4");

    public IReadOnlyList<string> Remove(byte[] encoded)
    {
        var (removal, request) = Checks.Decode(encoded, RemovalRequest.Decode);
        Checks.RequireCanonicalCsi(request.CsiType, request.Csi);
        Checks.RequireAddressedTo(identity, request.Dp);
        var now = Checks.RequireFresh(time, request.IssuedAt);

        if (request.DisconnectedSince is { } since && (removal.Role != SignerRoles.Csip || request.Reason != "unassigned" || request.MappingId is not null || since > request.IssuedAt))
            throw new ProblemException(Problems.InvalidMapping, "disconnected_since belongs to a CSIP notice with reason \"unassigned\", no mapping_id, and a date not after its iat (§12.3)");
        if (!faults.Has(FaultMode.AcceptAnyRemover))
            Authorize(removal, request);

        var dryRun = faults.Has(FaultMode.IgnoreRemove) || (faults.Has(FaultMode.IgnoreCsipRemoval) && removal.Role == SignerRoles.Csip);
        var honourNonces = !faults.Has(FaultMode.AcceptReplayedRemoval);
        // A disconnect notice (§12.3) removes the mappings of assignments up to the date and refuses them from then on;
        // it succeeds even when this DP holds none.
        var outcome = request.DisconnectedSince is { } disconnected
            ? store.Remove(request.Nonce, now, request.Csi, request.CsiType, m => m.AssignedAt is null || m.AssignedAt <= disconnected, dryRun, honourNonces, allowEmpty: true, raiseFloorTo: disconnected + 1)
            : store.Remove(request.Nonce, now, request.Csi, request.CsiType, request.MappingId, dryRun, honourNonces);
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

    /// <summary>cnf of the credential inside the stored mapping; null if it cannot be read (only under publish faults).</summary>
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
