using Mimi.Conformance.Protocol.Cose;
using Mimi.Conformance.Protocol.Profile;
using static Mimi.Conformance.Protocol.Profile.ProfileConstants;

using Mimi.Conformance.Harness.Vectors;

namespace Mimi.Conformance.Tools.Vectors;

/// <summary>One generated mapping vector before tcIds are assigned.</summary>
internal sealed record MappingVectorCase(string Comment, IReadOnlyList<string> Flags, string Result, string Requirement, string? Rule, byte[] Mapping, long Now);

/// <summary>Vectors that share a verification policy and trust anchors.</summary>
internal sealed record MappingVectorGroup(string Policy, string Comment, IReadOnlyList<MappingVectorCase> Tests);

/// <summary>One vector file: its name under vectors/mappings/ and its groups.</summary>
internal sealed record MappingVectorFile(string Name, string Description, IReadOnlyList<MappingVectorGroup> Groups);

/// <summary>
/// The deterministic generator of vectors/mappings/*.json (PROFILE.md §5 verification). Keys come from fixed labels,
/// nonces from counters, Ed25519 is deterministic: running it twice writes the same bytes. New cases are appended,
/// so existing tcIds never move.
/// </summary>
internal static class MappingVectorGenerator
{
    public const string GeneratorVersion = "mimi-vectorgen/1";

    public static IReadOnlyList<MappingVectorFile> Generate()
    {
        var p = new VectorParties();
        return [Signatures(p), Encoding(p), Credentials(p), Joint(p), EdwardsEdges(p)];
    }

    private sealed class Cases(long defaultNow)
    {
        public List<MappingVectorCase> List { get; } = [];

        public void Valid(string comment, MappingDraft draft, string requirement = "DISC-R-04", long? now = null, params string[] flags) =>
            List.Add(new(comment, flags.Length == 0 ? ["Valid"] : flags, "valid", requirement, null, draft.Encode(), now ?? defaultNow));

        public void Invalid(string comment, string flag, string requirement, string rule, MappingDraft draft, long? now = null) =>
            List.Add(new(comment, [flag], "invalid", requirement, rule, draft.Encode(), now ?? defaultNow));

        public void InvalidBytes(string comment, string flag, string requirement, string rule, byte[] bytes) =>
            List.Add(new(comment, [flag], "invalid", requirement, rule, bytes, defaultNow));

        public void Acceptable(string comment, string flag, string requirement, MappingDraft draft) =>
            List.Add(new(comment, [flag], "acceptable", requirement, null, draft.Encode(), defaultNow));
    }

    private static MappingVectorFile Signatures(VectorParties p)
    {
        var c = new Cases(VectorParties.Now);
        c.Valid("recipient only (1 signer)", new MappingDraft { Payload = p.Payload(), Signers = [p.AsRecipient] });
        c.Valid("recipient and MSP (2 signers)", new MappingDraft { Payload = p.Payload(), Signers = [p.AsRecipient, p.AsMspA] });
        c.Valid("recipient, MSP and DP (3 signers)", p.Joint());
        c.Valid("DP signature first, then recipient and MSP", new MappingDraft { Payload = p.Payload(), Signers = [p.AsDp, p.AsRecipient, p.AsMspA] });
        c.Valid("email CSI", new MappingDraft { Payload = p.Payload(csi: "alice@example.com", csiType: CsiTypes.Email), Signers = [p.AsRecipient] });
        c.Valid("opt-out: empty MSP set", new MappingDraft { Payload = p.Payload(msps: []), Signers = [p.AsRecipient, p.AsDp] }, "DISC-R-05");
        c.Valid("two MSPs with tags, one a tag: URI", new MappingDraft
        {
            Payload = p.Payload(msps: [new MspEntry(VectorParties.MspA, ["default", "tag:example.com,2026:work"]), new MspEntry(VectorParties.MspB, ["personal"])]),
            Signers = [p.AsRecipient, p.AsMspA, p.AsMspB, p.AsDp],
        }, "DISC-R-02");
        c.Valid("new_holder set", new MappingDraft { Payload = p.Payload(newHolder: true), Signers = [p.AsRecipient] });

        c.Invalid("payload changed after signing (exp + 1)", "TamperedPayload", "DISC-R-04", "recipient-signature",
            new MappingDraft { Payload = p.Payload(), Signers = [p.AsRecipient], PayloadAfterSigning = b => CborEdits.ReplaceValue(b, "exp", CborEdits.Encode(w => w.WriteInt64(VectorParties.Now + (7 * 86_400) + 1))) });
        c.Invalid("payload changed after signing: an MSP added", "TamperedPayload", "DISC-R-04", "recipient-signature",
            new MappingDraft { Payload = p.Payload(), Signers = [p.AsRecipient], PayloadAfterSigning = b => (MappingPayload.Decode(b) is var m ? m with { Msps = [.. m.Msps, new MspEntry(VectorParties.MspB, ["default"])] } : null)!.Encode() });
        c.Invalid("payload changed after signing: tag changed", "TamperedPayload", "DISC-R-04", "recipient-signature",
            new MappingDraft { Payload = p.Payload(), Signers = [p.AsRecipient], PayloadAfterSigning = b => (MappingPayload.Decode(b) is var m ? m with { Msps = [new MspEntry(m.Msps[0].Msp, ["business"])] } : null)!.Encode() });
        c.Invalid("payload changed after signing: new_holder flipped", "TamperedPayload", "DISC-R-04", "recipient-signature",
            new MappingDraft { Payload = p.Payload(), Signers = [p.AsRecipient], PayloadAfterSigning = b => CborEdits.ReplaceValue(b, "new_holder", CborEdits.Encode(w => w.WriteBoolean(true))) });
        c.Invalid("payload changed after signing: nonce", "TamperedPayload", "DISC-R-04", "recipient-signature",
            new MappingDraft { Payload = p.Payload(), Signers = [p.AsRecipient], PayloadAfterSigning = b => CborEdits.ReplaceValue(b, "nonce", CborEdits.Encode(w => w.WriteByteString(new byte[16]))) });
        c.Invalid("body protected header changed after signing", "TamperedProtectedHeader", "DISC-R-04", "recipient-signature",
            new MappingDraft { Payload = p.Payload(), Signers = [p.AsRecipient], BodyAfterSigning = _ => new CoseHeaderMap().Set(CoseHeaderMap.ContentType, MappingContentType).Set(99, "x").Encode() });
        c.Invalid("recipient protected header changed after signing (extra label)", "TamperedProtectedHeader", "DISC-R-04", "recipient-signature",
            new MappingDraft { Payload = p.Payload(), Signers = [p.AsRecipient with { ProtectedAfterSigning = _ => new CoseHeaderMap().Set(CoseHeaderMap.Alg, CoseSign.EdDsa).Set(CoseHeaderMap.Kid, p.Recipient.KeyId).Set(CoseHeaderMap.Role, SignerRoles.Recipient).Set(98, "x").Encode() }] });
        c.Invalid("recipient signature: last bit flipped", "TamperedSignature", "DISC-R-04", "recipient-signature",
            new MappingDraft { Payload = p.Payload(), Signers = [p.AsRecipient with { Signature = CborEdits.FlipLastBit }] });
        c.Invalid("recipient signature: first bit of R flipped", "TamperedSignature", "DISC-R-04", "recipient-signature",
            new MappingDraft { Payload = p.Payload(), Signers = [p.AsRecipient with { Signature = CborEdits.FlipFirstBit }] });
        c.Invalid("recipient signature truncated to 63 bytes", "TamperedSignature", "DISC-R-04", "recipient-signature",
            new MappingDraft { Payload = p.Payload(), Signers = [p.AsRecipient with { Signature = s => s[..63] }] });
        c.Invalid("recipient signature all zero", "TamperedSignature", "DISC-R-04", "recipient-signature",
            new MappingDraft { Payload = p.Payload(), Signers = [p.AsRecipient with { Signature = _ => new byte[64] }] });

        c.Invalid("recipient key signs under role msp; no recipient signature", "WrongRole", "DISC-R-01", "signer-roles",
            new MappingDraft { Payload = p.Payload(), Signers = [new(p.Recipient, SignerRoles.Msp)] });
        c.Invalid("recipient key signs under role dp; no recipient signature", "WrongRole", "DISC-R-01", "signer-roles",
            new MappingDraft { Payload = p.Payload(), Signers = [new(p.Recipient, SignerRoles.Dp)] });
        c.Invalid("MSP key claims role recipient", "WrongRole", "DISC-L-21", "recipient-key-bound",
            new MappingDraft { Payload = p.Payload(), Signers = [new(p.MspAKey, SignerRoles.Recipient)] });
        c.Invalid("DP countersignature carries role recipient (two recipient signatures)", "WrongRole", "PROF-SIG-01", "signer-roles",
            new MappingDraft { Payload = p.Payload(), Signers = [p.AsRecipient, new(p.Dp, SignerRoles.Recipient)] });
        c.Invalid("recipient signature with an unknown role csip", "WrongRole", "DISC-R-01", "signer-roles",
            new MappingDraft { Payload = p.Payload(), Signers = [p.AsRecipient, new(p.Csip, SignerRoles.Csip)] });
        c.Invalid("recipient signature without a role header", "MissingRecipient", "DISC-R-01", "signer-roles",
            new MappingDraft { Payload = p.Payload(), Signers = [new(p.Recipient, null)] });
        c.Invalid("only MSP and DP signatures (no recipient)", "MissingRecipient", "DISC-L-04", "signer-roles",
            new MappingDraft { Payload = p.Payload(), Signers = [p.AsMspA, p.AsDp] });
        c.Invalid("only an MSP signature (blackhole attempt)", "MissingRecipient", "DISC-L-21", "signer-roles",
            new MappingDraft { Payload = p.Payload(), Signers = [p.AsMspA] });
        c.Invalid("only a DP signature", "MissingRecipient", "DISC-L-04", "signer-roles",
            new MappingDraft { Payload = p.Payload(), Signers = [p.AsDp] });
        c.Invalid("two recipient signatures (the second by a stranger)", "DuplicateRole", "DISC-R-01", "signer-roles",
            new MappingDraft { Payload = p.Payload(), Signers = [p.AsRecipient, new(p.Stranger, SignerRoles.Recipient)] });
        c.Invalid("two dp signatures", "DuplicateRole", "PROF-SIG-01", "signer-roles",
            new MappingDraft { Payload = p.Payload(), Signers = [p.AsRecipient, p.AsDp, new(p.DpB, SignerRoles.Dp)] });
        c.Invalid("recipient kid names another key (signature by the bound key)", "WrongKid", "DISC-L-06", "recipient-key-bound",
            new MappingDraft { Payload = p.Payload(), Signers = [p.AsRecipient with { Headers = h => h.Set(CoseHeaderMap.Kid, p.OtherRecipient.KeyId) }] });
        c.Invalid("recipient kid missing", "MissingKid", "DISC-L-06", "recipient-key-bound",
            new MappingDraft { Payload = p.Payload(), Signers = [p.AsRecipient with { Headers = _ => new CoseHeaderMap().Set(CoseHeaderMap.Alg, CoseSign.EdDsa).Set(CoseHeaderMap.Role, SignerRoles.Recipient) }] });
        c.Invalid("stranger signs as recipient with the bound kid", "WrongKid", "DISC-R-01", "recipient-signature",
            new MappingDraft { Payload = p.Payload(), Signers = [new(p.Stranger, SignerRoles.Recipient) { Headers = h => h.Set(CoseHeaderMap.Kid, p.Recipient.KeyId) }] });
        c.Invalid("dp signature by an unknown key", "UnknownKid", "PROF-SIG-01", "dp-key-trusted",
            new MappingDraft { Payload = p.Payload(), Signers = [p.AsRecipient, new(p.Stranger, SignerRoles.Dp)] });
        c.Invalid("dp signature whose kid names an MSP key", "WrongKid", "PROF-SIG-01", "dp-key-trusted",
            new MappingDraft { Payload = p.Payload(), Signers = [p.AsRecipient, p.AsDp with { Headers = h => h.Set(CoseHeaderMap.Kid, p.MspAKey.KeyId) }] });
        c.Invalid("msp signature by an unknown key", "UnknownKid", "DISC-L-02", "msp-signers-listed",
            new MappingDraft { Payload = p.Payload(), Signers = [p.AsRecipient, new(p.Stranger, SignerRoles.Msp)] });
        c.Invalid("dp signature: last bit flipped", "TamperedSignature", "PROF-SIG-01", "dp-signature",
            new MappingDraft { Payload = p.Payload(), Signers = [p.AsRecipient, p.AsDp with { Signature = CborEdits.FlipLastBit }] });
        c.Invalid("msp signature: last bit flipped", "TamperedSignature", "DISC-L-02", "msp-signature",
            new MappingDraft { Payload = p.Payload(), Signers = [p.AsRecipient, p.AsMspA with { Signature = CborEdits.FlipLastBit }] });
        c.Invalid("recipient signature header says alg ES256 (-7)", "WrongAlgorithm", "DISC-R-04", "recipient-signature",
            MappingDefects.AlgEs256.Apply(new MappingDraft { Payload = p.Payload(), Signers = [p.AsRecipient] }));
        c.Invalid("recipient signature header without alg", "WrongAlgorithm", "DISC-R-04", "recipient-signature",
            MappingDefects.NoAlg.Apply(new MappingDraft { Payload = p.Payload(), Signers = [p.AsRecipient] }));
        c.Invalid("dp signature header says alg -35 (ES384)", "WrongAlgorithm", "PROF-SIG-01", "dp-signature",
            new MappingDraft { Payload = p.Payload(), Signers = [p.AsRecipient, p.AsDp with { Headers = h => h.Set(CoseHeaderMap.Alg, -35L) }] });
        c.Invalid("dp signature for another DP than the payload names", "DpMismatch", "PROF-SIG-01", "dp-key-trusted",
            new MappingDraft { Payload = p.Payload(), Signers = [p.AsRecipient, new(p.DpB, SignerRoles.Dp)] });
        c.Invalid("msp signature by an MSP the payload does not list", "MspNotListed", "DISC-L-02", "msp-signers-listed",
            new MappingDraft { Payload = p.Payload(), Signers = [p.AsRecipient, p.AsMspA, p.AsMspB] });
        return new("mapping_verify_signatures.json", "Signers, roles, key ids and signatures of a mapping (PROFILE.md §4.3, §5 rules 7-9).",
            [new("recipient-only", "DPs and MSPs are trusted but not required: every signature present must verify.", c.List)]);
    }

    private static MappingVectorFile Encoding(VectorParties p)
    {
        var c = new Cases(VectorParties.Now);
        MappingDraft Draft(Func<byte[], byte[]>? payloadBytes = null) => new() { Payload = p.Payload(), Signers = [p.AsRecipient], PayloadBytes = payloadBytes };
        byte[] Good() => Draft().Encode();

        c.Valid("baseline: deterministic COSE_Sign", Draft());
        c.Invalid("critical header in the body", "CriticalHeader", "DISC-R-04", "cose-structure", MappingDefects.BodyCrit.Apply(Draft()));
        c.Invalid("critical header in the recipient signature", "CriticalHeader", "DISC-R-04", "cose-structure", MappingDefects.SignerCrit.Apply(Draft()));
        c.Invalid("non-empty unprotected body header", "UnprotectedHeader", "DISC-R-04", "cose-structure", MappingDefects.BodyUnprotected.Apply(Draft()));
        c.Invalid("wrong body content type", "ContentType", "DISC-R-04", "cose-structure",
            new MappingDraft { Payload = p.Payload(), Signers = [p.AsRecipient], Body = new CoseHeaderMap().Set(CoseHeaderMap.ContentType, "application/cbor") });
        c.Invalid("no body content type", "ContentType", "DISC-R-04", "cose-structure",
            new MappingDraft { Payload = p.Payload(), Signers = [p.AsRecipient], Body = new CoseHeaderMap() });
        c.Invalid("payload map keys unsorted (signed as sent)", "NonDeterministicCbor", "DISC-R-02", "payload-format", MappingDefects.PayloadKeysUnsorted.Apply(Draft()));
        c.Invalid("payload map of indefinite length", "IndefiniteLength", "DISC-R-02", "payload-format",
            Draft(b => CborEdits.Map(CborEdits.Entries(b), indefinite: true)));
        c.Invalid("msps array of indefinite length", "IndefiniteLength", "DISC-R-02", "payload-format",
            Draft(b => CborEdits.ReplaceValue(b, "msps", CborEdits.Encode(w =>
            {
                w.WriteStartArray(null);
                w.WriteStartMap(2); w.WriteTextString("msp"); w.WriteTextString(VectorParties.MspA); w.WriteTextString("tags"); w.WriteStartArray(1); w.WriteTextString("default"); w.WriteEndArray(); w.WriteEndMap();
                w.WriteEndArray();
            }))));
        c.Invalid("csi as an indefinite-length text string", "IndefiniteLength", "DISC-R-02", "payload-format",
            Draft(b => CborEdits.ReplaceValue(b, "csi", CborEdits.Encode(w => { w.WriteStartIndefiniteLengthTextString(); w.WriteTextString("+1555"); w.WriteTextString("0100001"); w.WriteEndIndefiniteLengthTextString(); }))));
        c.Invalid("iat as a non-shortest 8-byte integer", "NonShortestInteger", "DISC-R-02", "payload-format",
            Draft(b => CborEdits.ReplaceValue(b, "iat", [0x1b, .. BitConverterBigEndian(VectorParties.Now - 60)])));
        c.Invalid("v as a non-shortest 1-byte integer (0x1801)", "NonShortestInteger", "DISC-R-02", "payload-format",
            Draft(b => CborEdits.ReplaceValue(b, "v", [0x18, 0x01])));
        c.Invalid("csi with a non-shortest length (0x78 0x0c)", "NonShortestInteger", "DISC-R-02", "payload-format",
            Draft(b => CborEdits.ReplaceValue(b, "csi", [0x78, 0x0c, .. "+15550100001"u8.ToArray()])));
        c.Invalid("iat as a float", "PayloadSchema", "DISC-R-02", "payload-format",
            Draft(b => CborEdits.ReplaceValue(b, "iat", CborEdits.Encode(w => w.WriteDouble(VectorParties.Now - 60)))));
        c.Invalid("payload with a duplicate key", "NonDeterministicCbor", "DISC-R-02", "payload-format",
            Draft(b => CborEdits.Map([.. CborEdits.Entries(b), CborEdits.Entries(b)[^1]])));
        c.Invalid("payload with an unknown key", "PayloadSchema", "DISC-R-04", "payload-format", MappingDefects.UnknownPayloadKey.Apply(Draft()));
        c.Invalid("payload version 2", "PayloadSchema", "DISC-R-04", "payload-format", Draft(b => CborEdits.ReplaceValue(b, "v", [0x02])));
        c.Invalid("payload without nonce", "PayloadSchema", "DISC-R-04", "payload-format", MappingDefects.PayloadWithoutNonce.Apply(Draft()));
        c.Invalid("nonce of 15 bytes", "PayloadSchema", "DISC-R-04", "payload-format", MappingDefects.ShortNonce.Apply(Draft()));
        c.Invalid("CSI not canonical (spaces)", "PayloadSchema", "DISC-L-08", "payload-format",
            new MappingDraft { Payload = p.Payload(csi: "+1 555 0100001", pop: p.Credential("+1 555 0100001")), Signers = [p.AsRecipient] });
        c.Invalid("payload followed by a trailing byte (signed as sent)", "TrailingBytes", "DISC-R-02", "payload-format", Draft(b => [.. b, 0x00]));
        c.InvalidBytes("trailing byte after the COSE_Sign", "TrailingBytes", "DISC-R-04", "cose-structure", MappingDefects.TrailingByte.Apply(Draft()).Encode());
        c.InvalidBytes("tag 18 (COSE_Sign1) instead of 98", "WrongTag", "DISC-R-04", "cose-structure", CborEdits.Cose(CborEdits.CoseParts(Good()), tag: 18));
        c.InvalidBytes("tag 96 (COSE_Encrypt) instead of 98", "WrongTag", "DISC-R-04", "cose-structure", CborEdits.Cose(CborEdits.CoseParts(Good()), tag: 96));
        c.InvalidBytes("no tag", "WrongTag", "DISC-R-04", "cose-structure", CborEdits.Cose(CborEdits.CoseParts(Good()), tag: null));
        c.InvalidBytes("self-described CBOR tag 55799 around tag 98", "WrongTag", "DISC-R-04", "cose-structure", [0xd9, 0xd9, 0xf7, .. Good()]);
        c.InvalidBytes("COSE_Sign array of indefinite length", "IndefiniteLength", "DISC-R-04", "cose-structure", MappingDefects.IndefiniteArray.Apply(Draft()).Encode());
        c.InvalidBytes("signature length with a non-shortest head (0x59 0x0040)", "NonShortestInteger", "DISC-R-04", "cose-structure", MappingDefects.NonShortestSignatureLength.Apply(Draft()).Encode());
        c.InvalidBytes("detached payload (nil)", "MalformedCose", "DISC-R-04", "cose-structure", WithPart(Good(), 2, [0xf6]));
        c.InvalidBytes("empty signatures array", "MalformedCose", "DISC-R-04", "cose-structure", WithPart(Good(), 3, [0x80]));
        c.InvalidBytes("COSE_Sign array of three elements", "MalformedCose", "DISC-R-04", "cose-structure", CborEdits.Cose(CborEdits.CoseParts(Good()).Take(3)));
        c.Invalid("recipient protected header with unsorted keys (signed as sent)", "NonDeterministicCbor", "DISC-R-04", "cose-structure", MappingDefects.SignerHeaderUnsorted.Apply(Draft()));
        c.Invalid("recipient protected header with a duplicate label", "NonDeterministicCbor", "DISC-R-04", "cose-structure",
            new MappingDraft { Payload = p.Payload(), Signers = [p.AsRecipient with { ProtectedBytes = b => [(byte)(b[0] + 1), .. b[1..], 0x01, 0x27] }] });

        var iat = VectorParties.Now - 60;
        var exp = VectorParties.Now + (7 * 86_400);
        c.Invalid("expired: now = exp", "Expired", "DISC-R-04", "mapping-validity", Draft(), exp);
        c.Invalid("expired: now one day after exp", "Expired", "DISC-R-04", "mapping-validity", Draft(), exp + 86_400);
        c.Valid("last valid second: now = exp - 1", Draft(), now: exp - 1, flags: "Boundary");
        c.Invalid("not yet valid: iat = now + 301", "NotYetValid", "DISC-R-04", "mapping-validity", Draft(), iat - 301);
        c.Valid("clock skew: iat = now + 300", Draft(), now: iat - 300, flags: "Boundary");
        c.Invalid("iat after exp", "NotYetValid", "DISC-R-04", "mapping-validity",
            new MappingDraft { Payload = p.Payload(iat: VectorParties.Now - 60, exp: VectorParties.Now - 120), Signers = [p.AsRecipient] }, VectorParties.Now - 130);
        return new("mapping_verify_encoding.json", "COSE structure, deterministic CBOR (RFC 8949 §4.2.1) and validity windows (PROFILE.md §4.1, §5 rules 1-3).",
            [new("recipient-only", "Structural and encoding rules; only the recipient signs.", c.List)]);
    }

    private static MappingVectorFile Credentials(VectorParties p)
    {
        var c = new Cases(VectorParties.Now);
        MappingDraft With(byte[] pop, string csi = "+15550100001") => new() { Payload = p.Payload(csi: csi, pop: pop), Signers = [p.AsRecipient] };
        c.Valid("credential issued an hour before the mapping", With(p.Credential()), "DISC-L-01");
        c.Valid("credential issued 300 s after the mapping's iat (clock skew)", With(p.Credential(iat: VectorParties.Now + 240, assignedAt: VectorParties.Now)), "DISC-L-01", flags: "Boundary");
        c.Invalid("credential for another CSI", "PopOtherCsi", "DISC-L-01", "pop-subject", With(p.Credential(csi: "+15550100002")));
        c.Invalid("credential for another CSI type", "PopOtherCsi", "DISC-L-01", "pop-subject", With(p.Credential(csiType: CsiTypes.Email)));
        c.Invalid("credential binds another recipient key (kid of the signer)", "PopOtherKey", "DISC-L-06", "recipient-key-bound", With(p.Credential(cnf: p.OtherRecipient.PublicKey)));
        c.Invalid("credential binds another key; signature claims its kid", "PopOtherKey", "DISC-L-06", "recipient-signature",
            new MappingDraft { Payload = p.Payload(pop: p.Credential(cnf: p.OtherRecipient.PublicKey)), Signers = [p.AsRecipient with { Headers = h => h.Set(CoseHeaderMap.Kid, p.OtherRecipient.KeyId) }] });
        c.Invalid("credential from an untrusted CSIP", "PopUntrustedIssuer", "DISC-L-01", "pop-issuer-trusted", With(p.Credential(issuer: p.UntrustedCsip, issuerId: "csip.untrusted.test")));
        c.Invalid("credential iss names another CSIP than the key's owner", "PopUntrustedIssuer", "DISC-L-01", "pop-issuer-trusted", With(p.Credential(issuerId: "csip.other.test")));
        c.Invalid("credential signed with role recipient instead of csip", "PopUntrustedIssuer", "DISC-L-01", "pop-issuer-trusted", With(p.Credential(role: SignerRoles.Recipient)));
        c.Invalid("credential signed by the DP's own key", "PopDpSigned", "DISC-L-05", "pop-issuer-trusted", With(p.Credential(issuer: p.Dp, issuerId: VectorParties.DpId)));
        c.Invalid("credential signed by the DP's key under role csip, claiming the CSIP as issuer", "PopDpSigned", "DISC-L-05", "pop-issuer-trusted", With(p.Credential(issuer: p.Dp)));
        var good = CoseSign1.Decode(p.Credential());
        c.Invalid("credential signature: last bit flipped", "PopBadSignature", "DISC-L-01", "pop-signature",
            With((good with { Signature = CborEdits.FlipLastBit(good.Signature) }).Encode()));
        c.Invalid("credential expired before the mapping was issued", "PopExpired", "DISC-L-01", "pop-validity",
            With(p.Credential(iat: VectorParties.Now - (40 * 86_400), assignedAt: VectorParties.Now - (41 * 86_400), exp: VectorParties.Now - 86_400)));
        c.Invalid("credential issued after the mapping (beyond skew)", "PopNotYetValid", "DISC-L-01", "pop-validity", With(p.Credential(iat: VectorParties.Now + 600, assignedAt: VectorParties.Now)));
        c.Invalid("credential assigned_at after its iat", "PopNotYetValid", "DISC-L-01", "pop-validity", With(p.Credential(assignedAt: VectorParties.Now)));
        c.Invalid("credential without its tag 18", "PopMalformed", "DISC-L-01", "pop-format", With(p.Credential()[1..]));
        c.Invalid("credential payload with an unknown key", "PopMalformed", "DISC-L-01", "pop-format",
            With(MappingDefects.CredentialUnknownKey.Issue(p.Csip, CoseSign1.Decode(p.Credential()).Payload)));
        c.Invalid("credential with cnf of 31 bytes", "PopMalformed", "DISC-L-01", "pop-format",
            With(CoseSign1.Sign(p.Csip, SignerRoles.Csip, CborEdits.ReplaceValue(CoseSign1.Decode(p.Credential()).Payload, "cnf", CborEdits.Encode(w => w.WriteByteString(new byte[31])))).Encode()));
        c.Invalid("pop is not a credential at all", "PopMalformed", "DISC-L-01", "pop-format", With([0xa0]));
        // PROFILE.md §4.2 (0.2): the credential's own headers. Parties of their own, so the later files' nonces stay.
        var headers = new VectorParties("credential-headers-nonce");
        MappingDraft WithOwn(byte[] pop) => new() { Payload = headers.Payload(pop: pop), Signers = [headers.AsRecipient] };
        c.Invalid("credential with a non-empty unprotected header", "PopMalformed", "DISC-L-01", "pop-format",
            WithOwn(MappingDefects.CredentialUnprotected.Issue(headers.Csip, CoseSign1.Decode(headers.Credential()).Payload)));
        c.Invalid("credential with a crit header", "PopMalformed", "DISC-L-01", "pop-format",
            WithOwn(MappingDefects.CredentialCrit.Issue(headers.Csip, CoseSign1.Decode(headers.Credential()).Payload)));
        return new("mapping_verify_credentials.json", "The CSIP proof-of-possession credential inside a mapping (PROFILE.md §4.2, §5 rules 4-6 and 8).",
            [new("recipient-only", "The CSIP key csip.vectors.test is trusted; csip.untrusted.test is not.", c.List)]);
    }

    private static MappingVectorFile Joint(VectorParties p)
    {
        var c = new Cases(VectorParties.Now);
        c.Valid("recipient, MSP and DP", p.Joint(), "DISC-L-03");
        c.Valid("two MSPs, each signing", new MappingDraft
        {
            Payload = p.Payload(msps: [new MspEntry(VectorParties.MspA, ["default"]), new MspEntry(VectorParties.MspB, ["business"])]),
            Signers = [p.AsRecipient, p.AsMspA, p.AsMspB, p.AsDp],
        }, "DISC-L-03");
        c.Valid("opt-out: recipient and DP, no MSP to sign", new MappingDraft { Payload = p.Payload(msps: []), Signers = [p.AsRecipient, p.AsDp] }, "DISC-L-03");
        c.Valid("computed at DP B (payload dp = DP B, signed by DP B)", new MappingDraft { Payload = p.Payload(dp: VectorParties.DpBId), Signers = [p.AsRecipient, p.AsMspA, new(p.DpB, SignerRoles.Dp)] }, "DISC-M-01");
        c.Invalid("no dp signature", "MissingDpSignature", "PROF-SIG-01", "dp-signature", new MappingDraft { Payload = p.Payload(), Signers = [p.AsRecipient, p.AsMspA] });
        c.Invalid("no msp signature", "MissingMspSignature", "DISC-L-02", "msp-signature", new MappingDraft { Payload = p.Payload(), Signers = [p.AsRecipient, p.AsDp] });
        c.Invalid("one of two MSPs did not sign", "MissingMspSignature", "DISC-L-02", "msp-signature", new MappingDraft
        {
            Payload = p.Payload(msps: [new MspEntry(VectorParties.MspA, ["default"]), new MspEntry(VectorParties.MspB, ["business"])]),
            Signers = [p.AsRecipient, p.AsMspA, p.AsDp],
        });
        c.Invalid("MSP B signs for a mapping that lists only MSP A", "MspNotListed", "DISC-L-02", "msp-signature", new MappingDraft { Payload = p.Payload(), Signers = [p.AsRecipient, p.AsMspB, p.AsDp] });
        c.Invalid("relay re-signed: DP B's signature replaces DP A's", "DpMismatch", "DISC-M-01", "dp-key-trusted", new MappingDraft { Payload = p.Payload(), Signers = [p.AsRecipient, p.AsMspA, new(p.DpB, SignerRoles.Dp)] });
        c.Invalid("relay stripped the MSP signature", "MissingMspSignature", "DISC-M-01", "msp-signature", new MappingDraft { Payload = p.Payload(), Signers = [p.AsRecipient, p.AsDp] });
        c.Invalid("relay re-encoded the payload (keys reversed), signatures kept", "NonDeterministicCbor", "DISC-M-01", "payload-format",
            p.Joint() with { PayloadAfterSigning = b => CborEdits.Map(Enumerable.Reverse(CborEdits.Entries(b))) });
        c.Invalid("DP-only: DP signs as every role", "MissingRecipient", "DISC-L-04", "recipient-key-bound",
            new MappingDraft { Payload = p.Payload(), Signers = [new(p.Dp, SignerRoles.Recipient), new(p.Dp, SignerRoles.Msp), p.AsDp] });
        c.Invalid("DP-signed credential and DP signature as recipient", "PopDpSigned", "DISC-L-05", "pop-issuer-trusted",
            new MappingDraft { Payload = p.Payload(pop: p.Credential(cnf: p.Dp.PublicKey, issuer: p.Dp, issuerId: VectorParties.DpId)), Signers = [new(p.Dp, SignerRoles.Recipient), p.AsMspA, p.AsDp] });
        return new("mapping_verify_joint.json", "The joint-signature class: recipient, every listed MSP and the computing DP (PROFILE.md §4.3, §5 rule 9, §6.5).",
            [new("joint", "DP and MSP signatures are required; trust: CSIP, MSP A and B, DP A and DP B.", c.List)]);
    }

    private static MappingVectorFile EdwardsEdges(VectorParties p)
    {
        var c = new Cases(VectorParties.Now);
        MappingDraft ForKey(byte[] publicKey, Func<byte[], byte[]> sign) => new()
        {
            Payload = p.Payload(pop: p.Credential(cnf: publicKey)),
            Signers = [new(p.Recipient, SignerRoles.Recipient) { Headers = h => h.Set(CoseHeaderMap.Kid, Protocol.Crypto.KeyIds.For(publicKey)), Signer = sign }],
        };
        c.Valid("reference: recipient signature by the bound key", new MappingDraft { Payload = p.Payload(), Signers = [p.AsRecipient] });
        c.Invalid("recipient signature with S + L (S >= L, malleated)", "SignatureMalleability", "DISC-R-04", "recipient-signature",
            new MappingDraft { Payload = p.Payload(), Signers = [p.AsRecipient with { Signature = Ed25519Edges.WithSPlusL }] });
        c.Invalid("dp signature with S + L", "SignatureMalleability", "PROF-SIG-01", "dp-signature",
            new MappingDraft { Payload = p.Payload(), Signers = [p.AsRecipient, p.AsDp with { Signature = Ed25519Edges.WithSPlusL }] });
        c.Acceptable("small-order recipient key (identity) with a universal forgery", "SmallOrderPublicKey", "DISC-R-04",
            ForKey(Ed25519Edges.IdentityPoint, _ => Ed25519Edges.UniversalForgery("mimi-vectors/forgery-1")));
        c.Acceptable("non-canonical recipient key (y = p + 1) with a universal forgery", "NonCanonicalPublicKey", "DISC-R-04",
            ForKey(Ed25519Edges.NonCanonicalIdentity, _ => Ed25519Edges.UniversalForgery("mimi-vectors/forgery-2")));
        c.Acceptable("small-order recipient key, R non-canonical (y = p + 1), S = 0", "NonCanonicalR", "DISC-R-04",
            ForKey(Ed25519Edges.IdentityPoint, _ => Ed25519Edges.NonCanonicalRForgery));
        return new("mapping_verify_ed25519.json", "Ed25519 edge cases inside mapping signatures (RFC 8032 §5.1.7, §8.4).",
            [new("recipient-only", "Where strict RFC 8032 verifiers and ZIP-215 verifiers differ the result is acceptable.", c.List)]);
    }

    private static byte[] BitConverterBigEndian(long v)
    {
        var b = new byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(b, v);
        return b;
    }

    private static byte[] WithPart(byte[] cose, int index, byte[] part)
    {
        var parts = CborEdits.CoseParts(cose);
        parts[index] = part;
        return CborEdits.Cose(parts);
    }
}
