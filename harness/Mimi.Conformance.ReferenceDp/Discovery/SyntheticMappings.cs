using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Mimi.Conformance.Protocol.Cose;
using Mimi.Conformance.Protocol.Crypto;
using Mimi.Conformance.Protocol.Profile;
using static Mimi.Conformance.Protocol.Profile.ProfileConstants;

namespace Mimi.Conformance.ReferenceDp.Discovery;

/// <summary>
/// What test control's bulk seed (PROFILE.md §8) stores: ONE mapping, signed once by a throwaway recipient key
/// under a credential from a synthetic, untrusted CSIP, and countersigned by this DP. Every seeded row carries
/// these same bytes; only the row's id, seq and csi columns vary. Lookups therefore exercise the real index and
/// return a real countersigned mapping, but a sender would reject it for any CSI but the first (subject
/// mismatch, untrusted issuer): seeded rows are load, never evidence.
/// </summary>
internal static class SyntheticMappings
{
    public const string SyntheticCsip = "csip.synthetic-seed.test";
    public const string SyntheticMsp = "mimi://msp.synthetic-seed.test";
    public const int MaxCount = 2_000_000;

    /// <summary>The CSIs for prefix and count: prefix + zero-padded index, all of one width.</summary>
    public static string[] Csis(string prefix, int count)
    {
        var width = Math.Max(1, (count - 1).ToString(CultureInfo.InvariantCulture).Length);
        var format = "D" + width.ToString(CultureInfo.InvariantCulture);
        var csis = new string[count];
        for (var i = 0; i < count; i++)
            csis[i] = prefix + i.ToString(format, CultureInfo.InvariantCulture);
        return csis;
    }

    /// <summary>Synthetic ids cannot collide with real ones (those are hashes of a payload, base64url).</summary>
    public static string IdOf(string csi) => "seed:" + csi;

    public static byte[] Build(DpIdentity identity, string csi, long now)
    {
        var csip = SigningKey.FromSeed(SHA256.HashData(Encoding.UTF8.GetBytes("synthetic-seed/csip")));
        var recipient = SigningKey.FromSeed(SHA256.HashData(Encoding.UTF8.GetBytes("synthetic-seed/recipient")));
        var pop = CoseSign1.Sign(csip, SignerRoles.Csip,
            new PopCredential(SyntheticCsip, csi, CsiTypes.E164, recipient.PublicKey, now - 86_400, now - 60, now + (30 * 86_400)).Encode()).Encode();
        var nonce = SHA256.HashData(Encoding.UTF8.GetBytes($"synthetic-seed/{csi}/{now}"))[..MappingPayload.NonceSize];
        var payload = new MappingPayload(csi, CsiTypes.E164, [new MspEntry(SyntheticMsp, ["seed"])], now, now + (7 * 86_400), nonce, false, identity.DpId, pop);
        return CoseSign.Create(new CoseHeaderMap().Set(CoseHeaderMap.ContentType, MappingContentType), payload.Encode())
            .AddSignature(recipient, SignerRoles.Recipient)
            .AddSignature(identity.SigningKey, SignerRoles.Dp)
            .Encode();
    }
}
