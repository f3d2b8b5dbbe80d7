using System.Numerics;
using System.Security.Cryptography;

namespace Mimi.Conformance.Protocol.Crypto;

/// <summary>The client's secret from <see cref="BlindRsa.Blind"/>: the blinded message to send and the inverse to keep.</summary>
public sealed record BlindingResult(byte[] BlindedMessage, byte[] Inverse);

/// <summary>
/// RSA blind signatures, RFC 9474 variant RSABSSA-SHA384-PSS-Deterministic (identity preparation, EMSA-PSS with
/// SHA-384, MGF1-SHA-384, 48-byte salt): Blind and Finalize for the client, BlindSign for the issuer, Verify with the
/// BCL's RSASSA-PSS. Raw RSA is BigInteger arithmetic (no blind-RSA library is available, PACKAGES.md).
/// Randomness (salt, blinding factor) comes from the caller so the harness stays reproducible from its seed.
/// </summary>
public static class BlindRsa
{
    public const int SaltLength = 48;

    /// <summary>RFC 9474 §4.2 Blind: PSS-encode the message with a fresh salt and multiply by r^e for a random r.</summary>
    public static BlindingResult Blind(RSAParameters publicKey, ReadOnlySpan<byte> message, Func<int, byte[]> random)
    {
        var n = ToInt(publicKey.Modulus!);
        var kLen = publicKey.Modulus!.Length;
        var salt = random(SaltLength);
        for (var attempt = 0; attempt < 64; attempt++)
        {
            var r = ToInt(random(kLen)) % n;
            if (r <= BigInteger.One || TryModInverse(r, n) is not { } inverse)
                continue;
            return BlindCore(publicKey, message, salt, r, inverse);
        }
        throw new CryptographicException("no invertible blinding factor found");
    }

    /// <summary>Blind with a given salt and inverse (the RFC 9474 test vectors fix both).</summary>
    public static BlindingResult BlindWith(RSAParameters publicKey, ReadOnlySpan<byte> message, byte[] salt, BigInteger inverse) =>
        BlindCore(publicKey, message, salt, ModInverse(inverse, ToInt(publicKey.Modulus!)), inverse);

    private static BlindingResult BlindCore(RSAParameters publicKey, ReadOnlySpan<byte> message, byte[] salt, BigInteger r, BigInteger inverse)
    {
        var n = ToInt(publicKey.Modulus!);
        var e = ToInt(publicKey.Exponent!);
        var kLen = publicKey.Modulus!.Length;
        var encoded = EncodePss(message, salt, Bits(n) - 1);
        var m = ToInt(encoded);
        var blinded = m * BigInteger.ModPow(r, e, n) % n;
        return new BlindingResult(ToBytes(blinded, kLen), ToBytes(inverse, kLen));
    }

    /// <summary>RFC 9474 §4.3 BlindSign: s = m^d mod n (CRT), checked by s^e = m before it leaves the issuer.</summary>
    public static byte[] BlindSign(RSAParameters privateKey, ReadOnlySpan<byte> blindedMessage)
    {
        var n = ToInt(privateKey.Modulus!);
        var kLen = privateKey.Modulus!.Length;
        if (blindedMessage.Length != kLen)
            throw new CryptographicException($"a blinded message is {kLen} bytes");
        var m = ToInt(blindedMessage);
        if (m >= n)
            throw new CryptographicException("message representative out of range");
        var p = ToInt(privateKey.P!);
        var q = ToInt(privateKey.Q!);
        var s1 = BigInteger.ModPow(m % p, ToInt(privateKey.DP!), p);
        var s2 = BigInteger.ModPow(m % q, ToInt(privateKey.DQ!), q);
        var h = (s1 - s2) * ToInt(privateKey.InverseQ!) % p;
        if (h.Sign < 0)
            h += p;
        var s = s2 + h * q;
        if (BigInteger.ModPow(s, ToInt(privateKey.Exponent!), n) != m)
            throw new CryptographicException("signing failure: s^e != m");
        return ToBytes(s, kLen);
    }

    /// <summary>RFC 9474 §4.4 Finalize: unblind with the inverse and verify; null when the issuer's answer does not verify.</summary>
    public static byte[]? Finalize(RSAParameters publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> blindSignature, ReadOnlySpan<byte> inverse)
    {
        var n = ToInt(publicKey.Modulus!);
        var kLen = publicKey.Modulus!.Length;
        if (blindSignature.Length != kLen || inverse.Length != kLen)
            return null;
        var z = ToInt(blindSignature);
        if (z >= n)
            return null;
        var signature = ToBytes(z * ToInt(inverse) % n, kLen);
        return Verify(publicKey, message, signature) ? signature : null;
    }

    /// <summary>RSASSA-PSS verification (SHA-384, MGF1-SHA-384, salt length 48) by the BCL.</summary>
    public static bool Verify(RSAParameters publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        using var rsa = RSA.Create();
        rsa.ImportParameters(new RSAParameters { Modulus = publicKey.Modulus, Exponent = publicKey.Exponent });
        try
        {
            return rsa.VerifyData(message, signature, HashAlgorithmName.SHA384, RSASignaturePadding.Pss);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    /// <summary>EMSA-PSS-ENCODE (RFC 8017 §9.1.1) with SHA-384, MGF1-SHA-384 and the given salt.</summary>
    public static byte[] EncodePss(ReadOnlySpan<byte> message, ReadOnlySpan<byte> salt, int emBits) =>
        RsaPss.Encode(message, salt, emBits, HashAlgorithmName.SHA384, HashAlgorithmName.SHA384);

    public static BigInteger ModInverse(BigInteger a, BigInteger n) => TryModInverse(a, n) ?? throw new CryptographicException("not invertible");

    private static BigInteger? TryModInverse(BigInteger a, BigInteger n)
    {
        BigInteger t = 0, newT = 1, r = n, newR = a % n;
        while (!newR.IsZero)
        {
            var quotient = r / newR;
            (t, newT) = (newT, t - quotient * newT);
            (r, newR) = (newR, r - quotient * newR);
        }
        if (!r.IsOne)
            return null;
        return t.Sign < 0 ? t + n : t;
    }

    public static BigInteger ToInt(ReadOnlySpan<byte> bigEndian) => new(bigEndian, isUnsigned: true, isBigEndian: true);

    public static byte[] ToBytes(BigInteger value, int length)
    {
        var raw = value.ToByteArray(isUnsigned: true, isBigEndian: true);
        if (raw.Length > length)
            throw new CryptographicException("integer too large");
        var output = new byte[length];
        raw.CopyTo(output, length - raw.Length);
        return output;
    }

    private static int Bits(BigInteger n) => (int)n.GetBitLength();
}
