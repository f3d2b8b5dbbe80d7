using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mimi.Conformance.Protocol.Crypto;
using Mimi.Conformance.Protocol.Profile;

namespace Mimi.Conformance.Tools.Vectors;

/// <summary>Wycheproof-shaped JSON for the generated vector files: stable formatting, LF line ends, flags explained in notes.</summary>
internal static class VectorFiles
{
    public const string MappingSchema = "mapping_verify_schema_v1.json";
    public const string EddsaSchema = "eddsa_verify_schema_v1.json";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, NewLine = "\n", Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Every flag a generated file may use: (bugType, description).</summary>
    public static readonly IReadOnlyDictionary<string, (string BugType, string Description)> Notes = new SortedDictionary<string, (string, string)>(StringComparer.Ordinal)
    {
        ["Valid"] = ("BASIC", "A correctly signed mapping that every conforming verifier accepts."),
        ["Boundary"] = ("EDGE_CASE", "Valid, at the edge of a validity window or the 300 s clock skew."),
        ["TamperedPayload"] = ("MODIFIED_PAYLOAD", "The payload was changed after the signatures were made."),
        ["TamperedProtectedHeader"] = ("MODIFIED_HEADER", "A protected header was changed after signing; the signature covers the original."),
        ["TamperedSignature"] = ("MODIFIED_SIGNATURE", "Signature bytes were flipped, truncated or zeroed."),
        ["WrongRole"] = ("WRONG_ROLE", "A signature carries a role its key does not hold, or an unknown role."),
        ["MissingRecipient"] = ("MISSING_SIGNER", "No signature with role recipient: nobody authorized the mapping (R1)."),
        ["DuplicateRole"] = ("DUPLICATE_SIGNER", "More than one recipient or more than one dp signature."),
        ["WrongKid"] = ("WRONG_KID", "The kid header names a key other than the one that must sign."),
        ["MissingKid"] = ("WRONG_KID", "The kid header is missing."),
        ["UnknownKid"] = ("UNTRUSTED_KEY", "The kid names no key the verifier trusts for that role."),
        ["CriticalHeader"] = ("UNKNOWN_CRITICAL_HEADER", "A crit header lists an extension; profile 0.1 defines none, so it must be rejected."),
        ["WrongAlgorithm"] = ("WRONG_ALGORITHM", "alg is not EdDSA (-8) or is missing."),
        ["UnprotectedHeader"] = ("UNPROTECTED_HEADER", "An unprotected header is not empty: the profile puts every header under a signature."),
        ["ContentType"] = ("WRONG_CONTENT_TYPE", "The body content type is not application/mimi-mapping+cbor."),
        ["NonDeterministicCbor"] = ("NON_DETERMINISTIC_CBOR", "Unsorted or duplicate map keys (RFC 8949 §4.2.1)."),
        ["IndefiniteLength"] = ("NON_DETERMINISTIC_CBOR", "An indefinite-length item; deterministic CBOR uses definite lengths only."),
        ["NonShortestInteger"] = ("NON_DETERMINISTIC_CBOR", "An integer or length not in its shortest form."),
        ["TrailingBytes"] = ("TRAILING_BYTES", "Bytes after the single CBOR item."),
        ["WrongTag"] = ("WRONG_TAG", "Not CBOR tag 98, or an extra tag."),
        ["MalformedCose"] = ("MALFORMED_COSE", "Not the 4-element COSE_Sign with an attached payload and at least one signature."),
        ["PayloadSchema"] = ("PAYLOAD_SCHEMA", "The payload does not match PROFILE.md §4.1 (types, sizes, keys, version, CSI syntax)."),
        ["Expired"] = ("EXPIRED", "now is at or after exp."),
        ["NotYetValid"] = ("NOT_YET_VALID", "iat is more than 300 s after now, or not before exp."),
        ["PopOtherCsi"] = ("POP_WRONG_SUBJECT", "The credential is for another CSI or CSI type."),
        ["PopOtherKey"] = ("POP_WRONG_KEY", "The credential binds another key than the one that signs as recipient."),
        ["PopUntrustedIssuer"] = ("POP_UNTRUSTED_ISSUER", "The credential is not signed by a trusted CSIP key under role csip for its iss."),
        ["PopDpSigned"] = ("POP_DP_SIGNED", "The credential is signed by a DP key: a DP cannot claim proof of possession (DISC-L-05)."),
        ["PopBadSignature"] = ("MODIFIED_SIGNATURE", "The credential's signature does not verify."),
        ["PopExpired"] = ("POP_EXPIRED", "The credential expired before the mapping was issued."),
        ["PopNotYetValid"] = ("POP_NOT_YET_VALID", "The credential was issued after the mapping (beyond skew) or assigned after its issue."),
        ["PopMalformed"] = ("POP_MALFORMED", "The credential is not the COSE_Sign1 of PROFILE.md §4.2."),
        ["MissingDpSignature"] = ("MISSING_SIGNER", "Joint class: no signature of the DP named in dp."),
        ["MissingMspSignature"] = ("MISSING_SIGNER", "Joint class: a listed MSP did not sign."),
        ["MspNotListed"] = ("MISSING_SIGNER", "An MSP signed that the payload does not list, or the listed MSP did not."),
        ["DpMismatch"] = ("WRONG_SIGNER", "The dp signature is by a trusted DP other than the one the payload names (a re-signing relay)."),
        ["SignatureMalleability"] = ("SIGNATURE_MALLEABILITY", "S >= L: RFC 8032 §5.1.7 requires rejecting it (RFC 8032 §8.4)."),
        ["SmallOrderPublicKey"] = ("EDGE_CASE", "A small-order public key; a forgery verifies under the cofactored equation. libsodium rejects it, ZIP-215 verifiers accept: acceptable."),
        ["NonCanonicalPublicKey"] = ("EDGE_CASE", "A public key with y >= p; libsodium rejects it, lax decoders reduce it: acceptable."),
        ["NonCanonicalR"] = ("EDGE_CASE", "R encoded with y >= p; libsodium rejects it, lax decoders reduce it: acceptable."),
        ["TruncatedSignature"] = ("MODIFIED_SIGNATURE", "The signature is not 64 bytes."),
        ["ModifiedMessage"] = ("MODIFIED_PAYLOAD", "The message differs from the one signed."),
        ["Normal"] = ("BASIC", "A valid signature that every conforming verifier accepts."),
        ["WrongSignatureLength"] = ("MODIFIED_SIGNATURE", "The signature is not exactly as long as the modulus (RFC 8017 §8.1.2 step 1)."),
        ["SignatureOutOfRange"] = ("MODIFIED_SIGNATURE", "The signature representative is 0, n or larger than n."),
        ["ModifiedPadding"] = ("CAN_OF_WORMS", "The encoded message was changed before signing (trailer, separator, top bit or H): a verifier that decodes EM carelessly accepts it."),
        ["WrongSaltLength"] = ("WRONG_PARAMETERS", "Signed with another salt length than the group's sLen."),
        ["WrongHash"] = ("WRONG_PARAMETERS", "Signed with another hash and MGF1 hash than the group's."),
        ["WrongPrimitive"] = ("WRONG_PRIMITIVE", "A PKCS #1 v1.5 signature where RSASSA-PSS is expected."),
    };

    public static string Iso(long unixSeconds) => DateTimeOffset.FromUnixTimeSeconds(unixSeconds).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string Hex(byte[] b) => Convert.ToHexStringLower(b);

    public static string ToJson(MappingVectorFile file, IReadOnlyList<TrustedKey> trust)
    {
        var tcId = 0;
        var flags = new SortedSet<string>(StringComparer.Ordinal);
        var groups = new JsonArray();
        foreach (var g in file.Groups)
        {
            var tests = new JsonArray();
            foreach (var t in g.Tests)
            {
                foreach (var f in t.Flags)
                    flags.Add(f);
                var o = new JsonObject
                {
                    ["tcId"] = ++tcId,
                    ["comment"] = t.Comment,
                    ["flags"] = new JsonArray([.. t.Flags.Select(f => (JsonNode)f)]),
                    ["requirement"] = t.Requirement,
                    ["now"] = Iso(t.Now),
                    ["mapping"] = Hex(t.Mapping),
                    ["result"] = t.Result,
                };
                if (t.Rule is not null)
                    o["rule"] = t.Rule;
                tests.Add(o);
            }
            groups.Add(new JsonObject
            {
                ["type"] = "MappingVerify",
                ["policy"] = g.Policy,
                ["comment"] = g.Comment,
                ["keys"] = new JsonArray([.. trust.Select(k => (JsonNode)new JsonObject { ["role"] = k.Role, ["owner"] = k.Owner, ["kid"] = Hex(k.KeyId), ["publicKey"] = Hex(k.PublicKey) })]),
                ["tests"] = tests,
            });
        }
        var root = new JsonObject
        {
            ["algorithm"] = "MIMI-MAPPING-EDDSA",
            ["schema"] = MappingSchema,
            ["generatorVersion"] = MappingVectorGenerator.GeneratorVersion,
            ["numberOfTests"] = tcId,
            ["header"] = new JsonArray(
                file.Description,
                "Each mapping is a COSE_Sign (hex) verified per PROFILE.md §5 at the instant now, with the group's keys as trust anchors and its policy.",
                "rule names the first §5 rule an invalid mapping breaks. Generated by ./run.sh vectors generate: do not edit by hand."),
            ["notes"] = NotesFor(flags),
            ["testGroups"] = groups,
        };
        return root.ToJsonString(Indented) + "\n";
    }

    public static JsonObject NotesFor(IEnumerable<string> flags)
    {
        var notes = new JsonObject();
        foreach (var f in flags.Order(StringComparer.Ordinal))
        {
            var (bug, description) = Notes.TryGetValue(f, out var n) ? n : throw new InvalidOperationException($"flag {f} has no note");
            notes[f] = new JsonObject { ["bugType"] = bug, ["description"] = description };
        }
        return notes;
    }

    public static string Serialize(JsonNode node) => node.ToJsonString(Indented) + "\n";

    /// <summary>Writes every generated file under <paramref name="vectorsRoot"/>; returns the paths written.</summary>
    public static IReadOnlyList<string> WriteAll(string vectorsRoot)
    {
        var written = new List<string>();
        void Write(string relative, string text)
        {
            var path = Path.Combine(vectorsRoot, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, text, new UTF8Encoding(false));
            written.Add(path);
        }
        var parties = new VectorParties();
        foreach (var file in MappingVectorGenerator.Generate())
            Write(Path.Combine("mappings", file.Name), ToJson(file, parties.Trust));
        Write(Path.Combine("ed25519", "ed25519_rfc8032_verify.json"), Serialize(EddsaVectorGenerator.Generate()));
        Write(Path.Combine("tags", TagSelectionVectors.FileName), Serialize(TagSelectionVectors.Generate()));
        Write(Path.Combine("privacypass", RsaPssVectorGenerator.FileName), Serialize(RsaPssVectorGenerator.Generate()));
        Write(Path.Combine("lifecycle", LifecycleVectors.FileName), Serialize(LifecycleVectors.Generate()));
        Write(Path.Combine("sender", SenderCaseVectors.FileName), Serialize(SenderCaseVectors.Generate()));
        foreach (var (name, text) in ExampleWriter.Generate())
            Write(Path.Combine("examples", name), text);
        return written;
    }

    internal static string EncodeLength(int n) => n.ToString(CultureInfo.InvariantCulture);

    internal static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    internal static bool VerifyEd25519(byte[] pk, byte[] msg, byte[] sig) => Ed25519.Verify(pk, msg, sig);
}

/// <summary>Numbers Wycheproof msg/sig signature tests (tcId from 1) and collects the flags they use.</summary>
internal sealed class SignatureTests
{
    public int Count { get; private set; }

    public SortedSet<string> Flags { get; } = new(StringComparer.Ordinal);

    public JsonObject Test(string comment, string flag, byte[] msg, byte[] sig, string result)
    {
        Flags.Add(flag);
        return new JsonObject
        {
            ["tcId"] = ++Count,
            ["comment"] = comment,
            ["flags"] = new JsonArray(flag),
            ["msg"] = VectorFiles.Hex(msg),
            ["sig"] = VectorFiles.Hex(sig),
            ["result"] = result,
        };
    }
}
