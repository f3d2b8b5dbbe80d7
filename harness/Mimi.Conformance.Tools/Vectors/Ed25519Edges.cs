using System.Numerics;
using System.Security.Cryptography;
using Mimi.Conformance.Protocol.Crypto;

namespace Mimi.Conformance.Tools.Vectors;

/// <summary>
/// Ed25519 edge cases for vectors (RFC 8032 §5.1.7, §8.4). Built from arithmetic on encodings only: no curve code
/// beyond NSec's key derivation. libsodium's crypto_sign_verify_detached (1.0.18 and the bundled 1.0.22 alike) rejects all of them; verifiers
/// that follow ZIP-215 accept the small-order and non-canonical ones, so those are <c>acceptable</c>.
/// </summary>
public static class Ed25519Edges
{
    /// <summary>The group order L = 2^252 + 27742317777372353535851937790883648493.</summary>
    public static readonly BigInteger L = BigInteger.Pow(2, 252) + BigInteger.Parse("27742317777372353535851937790883648493", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The neutral element (0, 1), canonically encoded: a small-order public key.</summary>
    public static byte[] IdentityPoint => [0x01, .. new byte[31]];

    /// <summary>The neutral element with y = p + 1 (p = 2^255 − 19): a non-canonical encoding.</summary>
    public static byte[] NonCanonicalIdentity => [0xee, .. Enumerable.Repeat((byte)0xff, 30), 0x7f];

    /// <summary>Adds L to the S half of a signature: the same point equation, a malleated (non-canonical) S ≥ L.</summary>
    public static byte[] WithSPlusL(byte[] signature)
    {
        var s = new BigInteger(signature.AsSpan(32, 32), isUnsigned: true, isBigEndian: false) + L;
        var result = (byte[])signature.Clone();
        var bytes = s.ToByteArray(isUnsigned: true, isBigEndian: false);
        Array.Clear(result, 32, 32);
        bytes.CopyTo(result, 32);
        return result;
    }

    /// <summary>
    /// A signature that holds for every message under a small-order public key A (k·A = O in the cofactored group):
    /// R = [s]B, S = s mod L, so [S]B = R + [k]A whenever [k]A is the neutral element.
    /// </summary>
    public static byte[] UniversalForgery(string label)
    {
        var seed = SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(label));
        var key = SigningKey.FromSeed(seed);
        var h = SHA512.HashData(seed)[..32];
        h[0] &= 248;
        h[31] &= 127;
        h[31] |= 64;
        var s = new BigInteger(h, isUnsigned: true, isBigEndian: false) % L;
        var sig = new byte[64];
        key.PublicKey.CopyTo(sig, 0);
        s.ToByteArray(isUnsigned: true, isBigEndian: false).CopyTo(sig, 32);
        return sig;
    }

    /// <summary>R = the neutral element, non-canonically encoded, S = 0: valid under the identity key for a lax decoder.</summary>
    public static byte[] NonCanonicalRForgery => [.. NonCanonicalIdentity, .. new byte[32]];
}
