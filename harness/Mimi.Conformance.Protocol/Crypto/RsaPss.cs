using System.Numerics;
using System.Security.Cryptography;

namespace Mimi.Conformance.Protocol.Crypto;

/// <summary>
/// RSASSA-PSS (RFC 8017 §8.1, §9.1) with any BCL hash, MGF1 hash and salt length. The BCL's own PSS fixes the salt
/// length to the hash length and MGF1 to the message hash, so Wycheproof groups with other parameters need this;
/// blind RSA (RFC 9474) uses it for the encoding step.
/// </summary>
public static class RsaPss
{
    /// <summary>The BCL hash for a Wycheproof/JOSE hash name; null when the platform has none (SHA-224, SHA-512/t).</summary>
    public static HashAlgorithmName? HashNamed(string name) => name switch
    {
        "SHA-1" => HashAlgorithmName.SHA1,
        "SHA-256" => HashAlgorithmName.SHA256,
        "SHA-384" => HashAlgorithmName.SHA384,
        "SHA-512" => HashAlgorithmName.SHA512,
        "SHA3-256" when SHA3_256.IsSupported => HashAlgorithmName.SHA3_256,
        "SHA3-384" when SHA3_384.IsSupported => HashAlgorithmName.SHA3_384,
        "SHA3-512" when SHA3_512.IsSupported => HashAlgorithmName.SHA3_512,
        _ => null,
    };

    /// <summary>EMSA-PSS-ENCODE (RFC 8017 §9.1.1) with the given salt.</summary>
    public static byte[] Encode(ReadOnlySpan<byte> message, ReadOnlySpan<byte> salt, int emBits, HashAlgorithmName hash, HashAlgorithmName mgfHash)
    {
        var emLen = (emBits + 7) / 8;
        var mHash = CryptographicOperations.HashData(hash, message);
        var hLen = mHash.Length;
        if (emLen < hLen + salt.Length + 2)
            throw new CryptographicException("encoding error: modulus too small");
        var h = CryptographicOperations.HashData(hash, MPrime(mHash, salt));
        var db = new byte[emLen - hLen - 1];
        db[emLen - salt.Length - hLen - 2] = 0x01;
        salt.CopyTo(db.AsSpan(db.Length - salt.Length));
        Xor(db, Mgf1(h, db.Length, mgfHash));
        db[0] &= (byte)(0xFF >> (8 * emLen - emBits));
        return [.. db, .. h, 0xBC];
    }

    /// <summary>RSASSA-PSS-VERIFY (RFC 8017 §8.1.2): RSAVP1, then EMSA-PSS-VERIFY (§9.1.2). Never throws on bad input.</summary>
    public static bool Verify(BigInteger n, BigInteger e, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature,
        HashAlgorithmName hash, HashAlgorithmName mgfHash, int saltLength)
    {
        var k = (int)((n.GetBitLength() + 7) / 8);
        if (n.Sign <= 0 || e.Sign <= 0 || saltLength < 0 || signature.Length != k)
            return false;
        var s = BlindRsa.ToInt(signature);
        if (s >= n)
            return false;
        var emBits = (int)n.GetBitLength() - 1;
        var emLen = (emBits + 7) / 8;
        var m = BigInteger.ModPow(s, e, n);
        if (m.GetBitLength() > 8L * emLen)
            return false;
        return VerifyEncoding(message, BlindRsa.ToBytes(m, emLen), emBits, hash, mgfHash, saltLength);
    }

    private static bool VerifyEncoding(ReadOnlySpan<byte> message, byte[] em, int emBits, HashAlgorithmName hash, HashAlgorithmName mgfHash, int saltLength)
    {
        var mHash = CryptographicOperations.HashData(hash, message);
        var hLen = mHash.Length;
        var emLen = em.Length;
        if (emLen < hLen + saltLength + 2 || em[^1] != 0xBC)
            return false;
        var db = em[..(emLen - hLen - 1)];
        var h = em[(emLen - hLen - 1)..^1];
        var topMask = (byte)(0xFF << (8 - (8 * emLen - emBits)));
        if (8 * emLen - emBits > 0 && (db[0] & topMask) != 0)
            return false;
        Xor(db, Mgf1(h, db.Length, mgfHash));
        db[0] &= (byte)(0xFF >> (8 * emLen - emBits));
        var separator = emLen - hLen - saltLength - 2;
        if (db.AsSpan(0, separator).ContainsAnyExcept((byte)0) || db[separator] != 0x01)
            return false;
        var expected = CryptographicOperations.HashData(hash, MPrime(mHash, db.AsSpan(db.Length - saltLength)));
        return CryptographicOperations.FixedTimeEquals(expected, h);
    }

    private static byte[] MPrime(ReadOnlySpan<byte> mHash, ReadOnlySpan<byte> salt)
    {
        var mPrime = new byte[8 + mHash.Length + salt.Length];
        mHash.CopyTo(mPrime.AsSpan(8));
        salt.CopyTo(mPrime.AsSpan(8 + mHash.Length));
        return mPrime;
    }

    private static void Xor(byte[] target, byte[] mask)
    {
        for (var i = 0; i < target.Length; i++)
            target[i] ^= mask[i];
    }

    private static byte[] Mgf1(byte[] seed, int length, HashAlgorithmName hash)
    {
        var output = new byte[length];
        var input = new byte[seed.Length + 4];
        seed.CopyTo(input, 0);
        for (uint counter = 0, offset = 0; offset < length; counter++)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(input.AsSpan(seed.Length), counter);
            var block = CryptographicOperations.HashData(hash, input);
            var take = Math.Min(block.Length, length - (int)offset);
            block.AsSpan(0, take).CopyTo(output.AsSpan((int)offset));
            offset += (uint)take;
        }
        return output;
    }
}
