using Mimi.Conformance.Protocol.Cose;
using Mimi.Conformance.Protocol.Profile;
using static Mimi.Conformance.Protocol.Profile.ProfileConstants;

namespace Mimi.Conformance.ReferenceDp.Discovery;

/// <summary>
/// The checks a signed request to this DP starts with (removals §6.4, invalidations §12.5): a COSE_Sign1 whose payload
/// decodes, a canonical CSI, addressed to this DP, and issued within the clock skew. <see cref="Noun"/> names the request
/// in every problem detail, <see cref="Section"/> the profile text it must follow.
/// </summary>
internal sealed record SignedRequest(string Noun, string Section)
{
    public (CoseSign1 Envelope, T Request) Decode<T>(byte[] encoded, Func<byte[], T> decodePayload)
    {
        try
        {
            var envelope = CoseSign1.Decode(encoded);
            return (envelope, decodePayload(envelope.Payload));
        }
        catch (Exception e) when (e is CoseFormatException or ProfileFormatException)
        {
            throw new ProblemException(Problems.InvalidMapping, $"not {Section}: {e.Message}");
        }
    }

    public void RequireCanonicalCsi(string csiType, string csi)
    {
        if (!Csis.IsValid(csiType, csi))
            throw new ProblemException(Problems.UnsupportedCsi, $"the {Noun} names a CSI that is not a canonical {csiType} CSI");
    }

    public void RequireAddressedTo(DpIdentity identity, string dp)
    {
        if (dp != identity.DpId)
            throw new ProblemException(Problems.WrongDp, $"the {Noun} is for DP \"{dp}\"; this DP is \"{identity.DpId}\"");
    }

    /// <summary>The DP's clock now, after checking that <paramref name="issuedAt"/> is within the skew of it.</summary>
    public long RequireFresh(TimeProvider time, long issuedAt)
    {
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        if (Math.Abs(now - issuedAt) > ClockSkewSeconds)
            throw new ProblemException(Problems.Expired, $"{Noun} iat {issuedAt} is more than {ClockSkewSeconds} s from now ({now})");
        return now;
    }
}
