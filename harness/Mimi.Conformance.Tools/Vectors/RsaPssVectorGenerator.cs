using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Mimi.Conformance.Protocol.Crypto;
using Mimi.Conformance.Protocol.Profile;

using Mimi.Conformance.Harness.Vectors;

namespace Mimi.Conformance.Tools.Vectors;

/// <summary>
/// The token's final signature check (RFC 9578 type 0x0002: RSASSA-PSS, SHA-384, MGF1-SHA-384, 48-byte salt) as a file
/// in Wycheproof's rsassa_pss_verify format, signed with the RFC 9474 Appendix A key: the RFC's own signature, seeded
/// valid cases, and invalid ones made by changing the padding before signing (Wycheproof's ModifiedSignature idea).
/// It stands in for Wycheproof's rsa_pss files, which no registry here ships; `vectors check` reads either.
/// </summary>
internal static class RsaPssVectorGenerator
{
    public const string Schema = "rsassa_pss_verify_schema.json";
    public const string FileName = "rsassa_pss_4096_sha384_mgf1_48_token_verify.json";
    private const int Seed = 9578;

    public static JsonObject Generate()
    {
        var key = Rfc9474Vector.PrivateKey();
        var n = BlindRsa.ToInt(key.Modulus!);
        var emBits = (int)n.GetBitLength() - 1;
        var random = new Random(Seed);
        byte[] Salt(int length)
        {
            var salt = new byte[length];
            random.NextBytes(salt);
            return salt;
        }
        byte[] SignEncoded(byte[] em) => BlindRsa.BlindSign(key, em);
        byte[] Sign(byte[] msg, byte[] salt, HashAlgorithmName hash) => SignEncoded(RsaPss.Encode(msg, salt, emBits, hash, hash));
        byte[] Edit(byte[] msg, Action<byte[]> change)
        {
            // A change to the top bits may push EM past n; another salt gives another EM.
            for (var attempt = 0; attempt < 64; attempt++)
            {
                var em = RsaPss.Encode(msg, Salt(BlindRsa.SaltLength), emBits, HashAlgorithmName.SHA384, HashAlgorithmName.SHA384);
                change(em);
                if (BlindRsa.ToInt(em) < n)
                    return SignEncoded(em);
            }
            throw new InvalidOperationException("no salt keeps the edited encoding below n");
        }

        var cases = new SignatureTests();

        var rfcMsg = Convert.FromHexString(Rfc9474Vector.Msg);
        var rfcSig = Convert.FromHexString(Rfc9474Vector.Sig);
        var token = "token input: type 0x0002 || nonce || context || key id"u8.ToArray();
        using var pkcs1 = RSA.Create(key);
        var tokenParameters = new JsonArray
        {
            cases.Test("RFC 9474 Appendix A final signature", "Normal", rfcMsg, rfcSig, "valid"),
            cases.Test("empty message, seeded salt", "Normal", [], Sign([], Salt(48), HashAlgorithmName.SHA384), "valid"),
            cases.Test("token-like message, seeded salt", "Normal", token, Sign(token, Salt(48), HashAlgorithmName.SHA384), "valid"),
            cases.Test("RFC 9474 signature, message with one byte appended", "ModifiedMessage", [.. rfcMsg, 0x00], rfcSig, "invalid"),
            cases.Test("RFC 9474 signature, last bit flipped", "TamperedSignature", rfcMsg, CborEdits.FlipLastBit(rfcSig), "invalid"),
            cases.Test("RFC 9474 signature, first bit flipped", "TamperedSignature", rfcMsg, CborEdits.FlipFirstBit(rfcSig), "invalid"),
            cases.Test("signature one byte short", "WrongSignatureLength", rfcMsg, rfcSig[1..], "invalid"),
            cases.Test("signature with a leading zero byte", "WrongSignatureLength", rfcMsg, [0x00, .. rfcSig], "invalid"),
            cases.Test("signature 0", "SignatureOutOfRange", rfcMsg, new byte[rfcSig.Length], "invalid"),
            cases.Test("signature s = n", "SignatureOutOfRange", rfcMsg, key.Modulus!, "invalid"),
            cases.Test("signature s + n (same value mod n, too long)", "SignatureOutOfRange", rfcMsg,
                (BlindRsa.ToInt(rfcSig) + n).ToByteArray(isUnsigned: true, isBigEndian: true), "invalid"),
            cases.Test("trailer byte 0xbd instead of 0xbc", "ModifiedPadding", token, Edit(token, em => em[^1] = 0xBD), "invalid"),
            // DB is masked: XOR-ing EM at the separator's index turns DB's 0x01 into 0x02.
            cases.Test("separator byte before the salt changed from 0x01 to 0x02", "ModifiedPadding", token,
                Edit(token, em => em[em.Length - 48 - 48 - 2] ^= 0x03), "invalid"),
            cases.Test("top bit of the encoded message set", "ModifiedPadding", token, Edit(token, em => em[0] |= 0x80), "invalid"),
            cases.Test("hash H flipped", "ModifiedPadding", token, Edit(token, em => em[^2] ^= 0x01), "invalid"),
            cases.Test("salt 32 bytes where 48 are expected", "WrongSaltLength", token, Sign(token, Salt(32), HashAlgorithmName.SHA384), "invalid"),
            cases.Test("empty salt where 48 bytes are expected", "WrongSaltLength", token, Sign(token, [], HashAlgorithmName.SHA384), "invalid"),
            cases.Test("PSS with SHA-256 and MGF1-SHA-256", "WrongHash", token, Sign(token, Salt(48), HashAlgorithmName.SHA256), "invalid"),
            cases.Test("PKCS #1 v1.5 signature with SHA-384", "WrongPrimitive", token,
                pkcs1.SignData(token, HashAlgorithmName.SHA384, RSASignaturePadding.Pkcs1), "invalid"),
        };
        var deterministic = new JsonArray
        {
            cases.Test("empty salt (RSABSSA-SHA384-PSSZERO), token-like message", "Normal", token, Sign(token, [], HashAlgorithmName.SHA384), "valid"),
            cases.Test("48-byte salt where none is expected", "WrongSaltLength", token, Sign(token, Salt(48), HashAlgorithmName.SHA384), "invalid"),
        };

        return new JsonObject
        {
            ["algorithm"] = "RSASSA-PSS",
            ["schema"] = Schema,
            ["generatorVersion"] = MappingVectorGenerator.GeneratorVersion,
            ["numberOfTests"] = cases.Count,
            ["header"] = new JsonArray(
                "RSASSA-PSS verification of Privacy Pass tokens (RFC 9578 type 0x0002) in Wycheproof's rsassa_pss_verify format.",
                "Key: RFC 9474 Appendix A. Generated by ./run.sh vectors generate with a fixed seed (not Wycheproof's own file)."),
            ["notes"] = VectorFiles.NotesFor(cases.Flags),
            ["testGroups"] = new JsonArray(Group(key, 48, tokenParameters), Group(key, 0, deterministic)),
        };
    }

    private static JsonObject Group(RSAParameters key, int saltLength, JsonArray tests) => new()
    {
        ["type"] = "RsassaPssVerify",
        ["keySize"] = key.Modulus!.Length * 8,
        ["sha"] = "SHA-384",
        ["mgf"] = "MGF1",
        ["mgfSha"] = "SHA-384",
        ["sLen"] = saltLength,
        ["publicKey"] = new JsonObject { ["modulus"] = VectorFiles.Hex([0x00, .. key.Modulus!]), ["publicExponent"] = VectorFiles.Hex(key.Exponent!) },
        ["publicKeyJwk"] = new JsonObject { ["kty"] = "RSA", ["alg"] = "PS384", ["n"] = B64.Encode(key.Modulus!), ["e"] = B64.Encode(key.Exponent!), ["kid"] = "none" },
        ["tests"] = tests,
    };
}
