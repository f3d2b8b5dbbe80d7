using System.Buffers.Binary;
using System.Buffers.Text;
using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Mimi.Conformance.Protocol.PrivacyPass;

/// <summary>Names fixed by RFC 9577/9578 and PROFILE.md §10 (anti-enumeration class).</summary>
public static class PrivacyPassConstants
{
    public const ushort TokenTypeBlindRsa = 0x0002;
    public const int Nk = 256;
    public const int NonceLength = 32;
    public const string Scheme = "PrivateToken";
    public const string DirectoryPath = "/.well-known/private-token-issuer-directory";
    public const string DirectoryContentType = "application/private-token-issuer-directory";
    public const string RequestContentType = "application/private-token-request";
    public const string ResponseContentType = "application/private-token-response";
}

/// <summary>RFC 9577 §2.1 TokenChallenge.</summary>
public sealed record TokenChallenge(ushort TokenType, string IssuerName, byte[] RedemptionContext, string OriginInfo)
{
    public byte[] Encode()
    {
        var issuer = Encoding.UTF8.GetBytes(IssuerName);
        var origin = Encoding.UTF8.GetBytes(OriginInfo);
        var output = new byte[2 + 2 + issuer.Length + 1 + RedemptionContext.Length + 2 + origin.Length];
        var o = output.AsSpan();
        BinaryPrimitives.WriteUInt16BigEndian(o, TokenType);
        BinaryPrimitives.WriteUInt16BigEndian(o[2..], (ushort)issuer.Length);
        issuer.CopyTo(o[4..]);
        var at = 4 + issuer.Length;
        o[at++] = (byte)RedemptionContext.Length;
        RedemptionContext.CopyTo(o[at..]);
        at += RedemptionContext.Length;
        BinaryPrimitives.WriteUInt16BigEndian(o[at..], (ushort)origin.Length);
        origin.CopyTo(o[(at + 2)..]);
        return output;
    }

    /// <summary>Strict decode; null when the bytes are not exactly one TokenChallenge.</summary>
    public static TokenChallenge? TryDecode(ReadOnlySpan<byte> b)
    {
        if (b.Length < 7)
            return null;
        var type = BinaryPrimitives.ReadUInt16BigEndian(b);
        int issuerLen = BinaryPrimitives.ReadUInt16BigEndian(b[2..]);
        if (issuerLen == 0 || b.Length < 4 + issuerLen + 1)
            return null;
        var issuer = b.Slice(4, issuerLen);
        var at = 4 + issuerLen;
        int ctxLen = b[at++];
        if (ctxLen is not (0 or 32) || b.Length < at + ctxLen + 2)
            return null;
        var ctx = b.Slice(at, ctxLen).ToArray();
        at += ctxLen;
        int originLen = BinaryPrimitives.ReadUInt16BigEndian(b[at..]);
        at += 2;
        if (b.Length != at + originLen)
            return null;
        return new TokenChallenge(type, Encoding.UTF8.GetString(issuer), ctx, Encoding.UTF8.GetString(b.Slice(at, originLen)));
    }

    public static byte[] Digest(ReadOnlySpan<byte> encodedChallenge) => SHA256.HashData(encodedChallenge);
}

/// <summary>RFC 9577 §2.2 Token for token type 0x0002 (Nk = 256).</summary>
public sealed record PrivateToken(ushort TokenType, byte[] Nonce, byte[] ChallengeDigest, byte[] TokenKeyId, byte[] Authenticator)
{
    public const int InputLength = 2 + 32 + 32 + 32;

    /// <summary>What the issuer's key signs: token_type || nonce || challenge_digest || token_key_id.</summary>
    public static byte[] Input(ushort tokenType, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> challengeDigest, ReadOnlySpan<byte> tokenKeyId)
    {
        var input = new byte[InputLength];
        BinaryPrimitives.WriteUInt16BigEndian(input, tokenType);
        nonce.CopyTo(input.AsSpan(2));
        challengeDigest.CopyTo(input.AsSpan(34));
        tokenKeyId.CopyTo(input.AsSpan(66));
        return input;
    }

    public byte[] AuthenticatorInput => Input(TokenType, Nonce, ChallengeDigest, TokenKeyId);

    public byte[] Encode() => [.. AuthenticatorInput, .. Authenticator];

    public static PrivateToken? TryDecode(ReadOnlySpan<byte> b)
    {
        if (b.Length != InputLength + PrivacyPassConstants.Nk || BinaryPrimitives.ReadUInt16BigEndian(b) != PrivacyPassConstants.TokenTypeBlindRsa)
            return null;
        return new PrivateToken(PrivacyPassConstants.TokenTypeBlindRsa, b.Slice(2, 32).ToArray(), b.Slice(34, 32).ToArray(), b.Slice(66, 32).ToArray(), b[InputLength..].ToArray());
    }
}

/// <summary>RFC 9578 §6.1 TokenRequest for type 0x0002: token_type, truncated_token_key_id, blinded_msg[Nk].</summary>
public sealed record TokenRequest(ushort TokenType, byte TruncatedTokenKeyId, byte[] BlindedMessage)
{
    public byte[] Encode()
    {
        var output = new byte[3 + BlindedMessage.Length];
        BinaryPrimitives.WriteUInt16BigEndian(output, TokenType);
        output[2] = TruncatedTokenKeyId;
        BlindedMessage.CopyTo(output, 3);
        return output;
    }

    public static TokenRequest? TryDecode(ReadOnlySpan<byte> b) =>
        b.Length == 3 + PrivacyPassConstants.Nk ? new TokenRequest(BinaryPrimitives.ReadUInt16BigEndian(b), b[2], b[3..].ToArray()) : null;
}

/// <summary>Token keys as RFC 9578 §6.5 publishes them: SubjectPublicKeyInfo with the id-RSASSA-PSS OID and SHA-384 parameters.</summary>
public static class TokenKeys
{
    private const string RsassaPss = "1.2.840.113549.1.1.10";
    private const string Sha384 = "2.16.840.1.101.3.4.2.2";
    private const string Mgf1 = "1.2.840.113549.1.1.8";

    public static byte[] EncodeSpki(RSAParameters publicKey)
    {
        using var rsa = RSA.Create();
        rsa.ImportParameters(new RSAParameters { Modulus = publicKey.Modulus, Exponent = publicKey.Exponent });
        var rsaPublicKey = rsa.ExportRSAPublicKey();
        var w = new AsnWriter(AsnEncodingRules.DER);
        using (w.PushSequence())
        {
            using (w.PushSequence())
            {
                w.WriteObjectIdentifier(RsassaPss);
                using (w.PushSequence())
                {
                    using (w.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0)))
                    using (w.PushSequence())
                        w.WriteObjectIdentifier(Sha384);
                    using (w.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 1)))
                    using (w.PushSequence())
                    {
                        w.WriteObjectIdentifier(Mgf1);
                        using (w.PushSequence())
                            w.WriteObjectIdentifier(Sha384);
                    }
                    using (w.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 2)))
                        w.WriteInteger(48);
                }
            }
            w.WriteBitString(rsaPublicKey);
        }
        return w.Encode();
    }

    /// <summary>The RSA public key inside an RSASSA-PSS (or rsaEncryption) SPKI; null when it is not one.</summary>
    public static RSAParameters? TryDecodeSpki(ReadOnlySpan<byte> spki)
    {
        try
        {
            var r = new AsnReader(spki.ToArray(), AsnEncodingRules.DER);
            var seq = r.ReadSequence();
            r.ThrowIfNotEmpty();
            var alg = seq.ReadSequence();
            var oid = alg.ReadObjectIdentifier();
            if (oid is not (RsassaPss or "1.2.840.113549.1.1.1"))
                return null;
            var key = seq.ReadBitString(out var unused);
            seq.ThrowIfNotEmpty();
            if (unused != 0)
                return null;
            using var rsa = RSA.Create();
            rsa.ImportRSAPublicKey(key, out var read);
            return read == key.Length ? rsa.ExportParameters(false) : null;
        }
        catch (Exception e) when (e is AsnContentException or CryptographicException)
        {
            return null;
        }
    }

    /// <summary>token_key_id = SHA-256(SPKI) (RFC 9578 §6.5).</summary>
    public static byte[] KeyId(ReadOnlySpan<byte> spki) => SHA256.HashData(spki);
}

/// <summary>RFC 9577 §2.1/§2.2 header values: the WWW-Authenticate challenge and the Authorization credential.</summary>
public static partial class PrivateTokenHeaders
{
    public static string Challenge(byte[] encodedChallenge, byte[] tokenKeySpki) =>
        $"{PrivacyPassConstants.Scheme} challenge=\"{Base64Url.EncodeToString(encodedChallenge)}\", token-key=\"{Base64Url.EncodeToString(tokenKeySpki)}\"";

    public static string Authorization(byte[] token) => $"{PrivacyPassConstants.Scheme} token=\"{Base64Url.EncodeToString(token)}\"";

    /// <summary>The auth-params of the first PrivateToken challenge or credential in a header value; null when there is none.</summary>
    public static IReadOnlyDictionary<string, string>? Parameters(string? headerValue)
    {
        if (headerValue is null)
            return null;
        var start = SchemeRegex().Match(headerValue);
        if (!start.Success)
            return null;
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var rest = headerValue[(start.Index + start.Length)..];
        foreach (Match m in ParamRegex().Matches(rest))
            result.TryAdd(m.Groups["k"].Value, m.Groups["q"].Success ? m.Groups["q"].Value : m.Groups["t"].Value);
        return result;
    }

    /// <summary>base64url with or without padding (RFC 9577 values are base64url; some issuers pad).</summary>
    public static byte[]? DecodeValue(string? value)
    {
        if (string.IsNullOrEmpty(value))
            return null;
        try
        {
            return Base64Url.DecodeFromChars(value.TrimEnd('='));
        }
        catch (FormatException)
        {
            return null;
        }
    }

    [GeneratedRegex(@"(?:^|[\s,])PrivateToken\s+", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SchemeRegex();

    [GeneratedRegex(@"(?<k>[A-Za-z0-9!#$%&'*+.^_`|~-]+)\s*=\s*(?:""(?<q>[^""]*)""|(?<t>[^\s,""]+))", RegexOptions.CultureInvariant)]
    private static partial Regex ParamRegex();
}
