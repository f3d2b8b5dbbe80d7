using Mimi.Conformance.Protocol.Cose;
using Mimi.Conformance.Protocol.Crypto;
using static Mimi.Conformance.Protocol.Profile.ProfileConstants;

namespace Mimi.Conformance.Harness.Vectors;

/// <summary>
/// One way to break a mapping (PROFILE.md §4.1), applied to a draft before it is encoded. <paramref name="Rule"/> is the
/// profile rule it breaks and <paramref name="Check"/> the §5 check a verifier stops at; the vector generator and the
/// suite's publish checks share these, so a vector and a publish test of the same defect carry the same bytes.
/// </summary>
public sealed record MappingDefect(string Name, string Rule, string Check, Func<MappingDraft, MappingDraft> Apply);

/// <summary>One way to break the credential inside a mapping (PROFILE.md §4.2): it encodes and signs a pop payload as the CSIP would.</summary>
public sealed record CredentialDefect(string Name, Func<SigningKey, byte[], byte[]> Issue);

/// <summary>The catalogue of encoding defects (PROF-MAP-01..05, PROF-CRED-01).</summary>
public static class MappingDefects
{
    // PROF-MAP-01: deterministic encoding, no trailing bytes.
    public static MappingDefect PayloadKeysUnsorted { get; } = new("payload-keys-unsorted", "PROF-MAP-01", "payload-format",
        d => d with { PayloadBytes = b => CborEdits.Map(Enumerable.Reverse(CborEdits.Entries(b))) });

    public static MappingDefect SignerHeaderUnsorted { get; } = new("signer-header-unsorted", "PROF-MAP-01", "cose-structure",
        d => OnFirstSigner(d, s => s with { ProtectedBytes = _ => UnsortedSignerHeader(s.Key.KeyId, s.Role!) }));

    public static MappingDefect IndefiniteArray { get; } = new("indefinite-cose-array", "PROF-MAP-01", "cose-structure",
        d => d with { Encoded = b => CborEdits.Cose(CborEdits.CoseParts(b), indefinite: true) });

    public static MappingDefect NonShortestSignatureLength { get; } = new("non-shortest-signature-length", "PROF-MAP-01", "cose-structure",
        d => d with { Encoded = NonShortestLastSignature });

    public static MappingDefect TrailingByte { get; } = new("trailing-byte", "PROF-MAP-01", "cose-structure",
        d => d with { Encoded = b => [.. b, 0x00] });

    // PROF-MAP-02: exactly the payload keys listed, with their types and sizes.
    public static MappingDefect UnknownPayloadKey { get; } = new("unknown-payload-key", "PROF-MAP-02", "payload-format",
        d => d with { PayloadBytes = b => CborEdits.AddSorted(b, "x", CborEdits.Encode(w => w.WriteInt64(1))) });

    public static MappingDefect PayloadWithoutNonce { get; } = new("payload-without-nonce", "PROF-MAP-02", "payload-format",
        d => d with { PayloadBytes = b => CborEdits.Map(CborEdits.Entries(b).Where(e => e.Key != "nonce")) });

    public static MappingDefect ShortNonce { get; } = new("nonce-of-15-bytes", "PROF-MAP-02", "payload-format",
        d => d with { PayloadBytes = b => CborEdits.ReplaceValue(b, "nonce", CborEdits.Encode(w => w.WriteByteString(new byte[15]))) });

    // PROF-MAP-03: empty unprotected headers, no crit.
    public static MappingDefect BodyCrit { get; } = new("crit-in-body", "PROF-MAP-03", "cose-structure",
        d => d with { Body = new CoseHeaderMap().Set(CoseHeaderMap.ContentType, MappingContentType).Set(CoseHeaderMap.Crit, new object[] { 99L }).Set(99, "x") });

    public static MappingDefect SignerCrit { get; } = new("crit-in-signer-header", "PROF-MAP-03", "cose-structure",
        d => OnFirstSigner(d, s => s with { Headers = h => h.Set(CoseHeaderMap.Crit, new object[] { "x-ext" }).Set("x-ext", 1L) }));

    public static MappingDefect BodyUnprotected { get; } = new("unprotected-body-header", "PROF-MAP-03", "cose-structure",
        d => d with { UnprotectedBody = true });

    public static MappingDefect SignerUnprotected { get; } = new("unprotected-signer-header", "PROF-MAP-03", "cose-structure",
        d => OnFirstSigner(d, s => s with { Unprotected = new CoseHeaderMap().Set(CoseHeaderMap.Kid, s.Key.KeyId) }));

    // PROF-MAP-05: EdDSA only; another alg, or none, does not verify.
    public static MappingDefect AlgEs256 { get; } = new("alg-es256", "PROF-MAP-05", "recipient-signature",
        d => OnFirstSigner(d, s => s with { Headers = h => h.Set(CoseHeaderMap.Alg, -7L) }));

    public static MappingDefect NoAlg { get; } = new("no-alg", "PROF-MAP-05", "recipient-signature",
        d => OnFirstSigner(d, s => s with { Headers = _ => WithoutAlg(s) }));

    /// <summary>PROF-MAP-04: labels a verifier ignores; a mapping carrying them is valid.</summary>
    public static MappingDefect ExtraBodyLabel { get; } = new("extra-body-label", "PROF-MAP-04", "",
        d => d with { Body = new CoseHeaderMap().Set(CoseHeaderMap.ContentType, MappingContentType).Set(99, "x") });

    public static MappingDefect ExtraSignerLabel { get; } = new("extra-signer-label", "PROF-MAP-04", "",
        d => OnFirstSigner(d, s => s with { Headers = h => h.Set(98, "x") }));

    /// <summary>Every defect a DP must refuse at publish with <c>400 invalid-mapping</c> (PROF-PUB-04).</summary>
    public static IReadOnlyList<MappingDefect> Malformed { get; } =
    [
        PayloadKeysUnsorted, SignerHeaderUnsorted, IndefiniteArray, NonShortestSignatureLength, TrailingByte,
        UnknownPayloadKey, PayloadWithoutNonce, ShortNonce, BodyCrit, SignerCrit, BodyUnprotected, SignerUnprotected,
    ];

    /// <summary>Signatures that do not verify because of their alg: <c>422 invalid-signature</c> (PROF-PUB-08).</summary>
    public static IReadOnlyList<MappingDefect> WrongAlgorithm { get; } = [AlgEs256, NoAlg];

    /// <summary>Labels a DP must ignore (PROF-MAP-04).</summary>
    public static IReadOnlyList<MappingDefect> Ignorable { get; } = [ExtraBodyLabel, ExtraSignerLabel];

    // PROF-CRED-01: the credential is encoded like the mapping.
    public static CredentialDefect CredentialKeysUnsorted { get; } = new("credential-keys-unsorted",
        (key, payload) => CoseSign1.Sign(key, SignerRoles.Csip, CborEdits.Map(Enumerable.Reverse(CborEdits.Entries(payload)))).Encode());

    public static CredentialDefect CredentialUnknownKey { get; } = new("credential-unknown-key",
        (key, payload) => CoseSign1.Sign(key, SignerRoles.Csip, CborEdits.AddSorted(payload, "x", [0x01])).Encode());

    public static CredentialDefect CredentialUnprotected { get; } = new("credential-unprotected-header",
        (key, payload) => (CoseSign1.Sign(key, SignerRoles.Csip, payload) with { Unprotected = new CoseHeaderMap().Set(CoseHeaderMap.Kid, key.KeyId) }).Encode());

    public static CredentialDefect CredentialCrit { get; } = new("credential-crit-header", (key, payload) =>
    {
        var headers = new CoseHeaderMap().Set(CoseHeaderMap.Alg, CoseSign.EdDsa).Set(CoseHeaderMap.Kid, key.KeyId).Set(CoseHeaderMap.Role, SignerRoles.Csip)
            .Set(CoseHeaderMap.Crit, new object[] { "x-ext" }).Set("x-ext", 1L);
        var pb = headers.Encode();
        return new CoseSign1(pb, headers, new CoseHeaderMap(), payload, key.Sign(CoseSign1.ToBeSigned(pb, payload))).Encode();
    });

    public static IReadOnlyList<CredentialDefect> Credential { get; } = [CredentialKeysUnsorted, CredentialUnknownKey, CredentialUnprotected, CredentialCrit];

    /// <summary>A signer header with its keys in reverse order, signed as sent.</summary>
    public static byte[] UnsortedSignerHeader(byte[] kid, string role) => CborEdits.Encode(w =>
    {
        w.WriteStartMap(3);
        w.WriteTextString("role"); w.WriteTextString(role);
        w.WriteInt32(4); w.WriteByteString(kid);
        w.WriteInt32(1); w.WriteInt32(-8);
        w.WriteEndMap();
    });

    /// <summary>The last signature's bstr head 0x58 0x40 rewritten as 0x59 0x00 0x40.</summary>
    public static byte[] NonShortestLastSignature(byte[] cose)
    {
        var at = cose.Length - 66;
        if (cose[at] != 0x58 || cose[at + 1] != 0x40)
            throw new InvalidOperationException("the last element is not a 64-byte signature");
        return [.. cose[..at], 0x59, 0x00, 0x40, .. cose[(at + 2)..]];
    }

    private static CoseHeaderMap WithoutAlg(DraftSigner s)
    {
        var h = new CoseHeaderMap().Set(CoseHeaderMap.Kid, s.Key.KeyId);
        return s.Role is null ? h : h.Set(CoseHeaderMap.Role, s.Role);
    }

    private static MappingDraft OnFirstSigner(MappingDraft d, Func<DraftSigner, DraftSigner> change) =>
        d with { Signers = [change(d.Signers[0]), .. d.Signers.Skip(1)] };
}
