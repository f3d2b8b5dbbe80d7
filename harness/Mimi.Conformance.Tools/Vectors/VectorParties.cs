using System.Formats.Cbor;
using Mimi.Conformance.Protocol.Cose;
using Mimi.Conformance.Protocol.Crypto;
using Mimi.Conformance.Protocol.Profile;
using static Mimi.Conformance.Protocol.Profile.ProfileConstants;

using Mimi.Conformance.Harness.Vectors;

namespace Mimi.Conformance.Tools.Vectors;

/// <summary>
/// The fixed parties of the generated vectors: keys from labels, nothing random. Nonces count up within one
/// <paramref name="nonceSeries"/>: cases added later take parties of their own series, so earlier nonces never move.
/// </summary>
public sealed class VectorParties(string nonceSeries = "nonce")
{
    public const string CsipId = "csip.vectors.test";
    public const string DpId = "mimi://dp-a.vectors.test";
    public const string DpBId = "mimi://dp-b.vectors.test";
    public const string MspA = "mimi://msp-a.vectors.test";
    public const string MspB = "mimi://msp-b.vectors.test";

    /// <summary>2026-01-01T00:00:00Z, the <c>now</c> of every vector unless a case moves it.</summary>
    public const long Now = 1_767_225_600;

    private int _nonce;

    public SigningKey Csip { get; } = SigningKey.FromLabel("mimi-vectors/csip");
    public SigningKey UntrustedCsip { get; } = SigningKey.FromLabel("mimi-vectors/untrusted-csip");
    public SigningKey Dp { get; } = SigningKey.FromLabel("mimi-vectors/dp-a");
    public SigningKey DpB { get; } = SigningKey.FromLabel("mimi-vectors/dp-b");
    public SigningKey MspAKey { get; } = SigningKey.FromLabel("mimi-vectors/msp-a");
    public SigningKey MspBKey { get; } = SigningKey.FromLabel("mimi-vectors/msp-b");
    public SigningKey Recipient { get; } = SigningKey.FromLabel("mimi-vectors/recipient");
    public SigningKey OtherRecipient { get; } = SigningKey.FromLabel("mimi-vectors/other-recipient");
    public SigningKey Stranger { get; } = SigningKey.FromLabel("mimi-vectors/stranger");

    public IReadOnlyList<TrustedKey> Trust =>
    [
        new(SignerRoles.Csip, CsipId, Csip.PublicKey),
        new(SignerRoles.Msp, MspA, MspAKey.PublicKey),
        new(SignerRoles.Msp, MspB, MspBKey.PublicKey),
        new(SignerRoles.Dp, DpId, Dp.PublicKey),
        new(SignerRoles.Dp, DpBId, DpB.PublicKey),
    ];

    public byte[] Nonce() => SigningKey.FromLabel($"mimi-vectors/{nonceSeries}-{++_nonce}").KeyId;

    public byte[] Credential(string csi = "+15550100001", string csiType = "e164", byte[]? cnf = null, SigningKey? issuer = null, string issuerId = CsipId,
        string role = SignerRoles.Csip, long assignedAt = Now - 86_400, long iat = Now - 3_600, long exp = Now + (30 * 86_400)) =>
        CoseSign1.Sign(issuer ?? Csip, role, new PopCredential(issuerId, csi, csiType, cnf ?? Recipient.PublicKey, assignedAt, iat, exp).Encode()).Encode();

    public MappingPayload Payload(string csi = "+15550100001", string csiType = "e164", IReadOnlyList<MspEntry>? msps = null, long iat = Now - 60,
        long exp = Now + (7 * 86_400), bool newHolder = false, string dp = DpId, byte[]? pop = null) =>
        new(csi, csiType, msps ?? [new MspEntry(MspA, ["default"])], iat, exp, Nonce(), newHolder, dp, pop ?? Credential(csi, csiType));

    internal DraftSigner AsRecipient => new(Recipient, SignerRoles.Recipient);
    internal DraftSigner AsMspA => new(MspAKey, SignerRoles.Msp);
    internal DraftSigner AsMspB => new(MspBKey, SignerRoles.Msp);
    internal DraftSigner AsDp => new(Dp, SignerRoles.Dp);

    /// <summary>The fully joint-signed mapping: recipient, the listed MSP, the computing DP.</summary>
    internal MappingDraft Joint(MappingPayload? payload = null) => new() { Payload = payload ?? Payload(), Signers = [AsRecipient, AsMspA, AsDp] };
}
