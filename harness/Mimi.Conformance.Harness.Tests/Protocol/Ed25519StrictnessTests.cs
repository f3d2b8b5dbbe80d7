using System.Numerics;
using System.Security.Cryptography;
using FluentAssertions;
using Mimi.Conformance.Tools.Vectors;
using Mimi.Conformance.Protocol.Crypto;

namespace Mimi.Conformance.Harness.Tests.Protocol;

/// <summary>
/// The verification edges PROFILE.md §4.3 asks for, each one isolated under a real key: signatures that satisfy the
/// cofactorless equation [S]B = R + [h]A, so only the strict checks (small-order R, non-canonical R, S &lt; L, canonical
/// key) can reject them. A verifier that dropped one of those checks would accept the matching case here.
/// </summary>
public sealed class Ed25519StrictnessTests
{
    private static readonly byte[] Seed = SHA256.HashData("mimi-tests/ed25519-strictness"u8);
    private static readonly SigningKey Key = SigningKey.FromSeed(Seed);
    private static readonly byte[] Message = "strict verification"u8.ToArray();

    /// <summary>The secret scalar a (A = [a]B): the clamped first half of SHA-512(seed), RFC 8032 §5.1.5.</summary>
    private static BigInteger SecretScalar()
    {
        var h = SHA512.HashData(Seed)[..32];
        h[0] &= 248;
        h[31] &= 127;
        h[31] |= 64;
        return Le(h);
    }

    private static BigInteger Le(ReadOnlySpan<byte> b) => new(b, isUnsigned: true, isBigEndian: false);

    private static byte[] Scalar32(BigInteger s)
    {
        var bytes = new byte[32];
        s.ToByteArray(isUnsigned: true, isBigEndian: false).CopyTo(bytes, 0);
        return bytes;
    }

    /// <summary>h = SHA-512(R || A || M) mod L, RFC 8032 §5.1.7 step 2.</summary>
    private static BigInteger Challenge(byte[] r) => Le(SHA512.HashData([.. r, .. Key.PublicKey, .. Message])) % Ed25519Edges.L;

    /// <summary>R with discrete log 0 (an encoding of the neutral element) and S = h·a: then [S]B = [h]A = R + [h]A.</summary>
    private static byte[] NeutralRSignature(byte[] r) => [.. r, .. Scalar32(Challenge(r) * SecretScalar() % Ed25519Edges.L)];

    [Fact]
    public void The_scalar_arithmetic_reproduces_a_real_signature()
    {
        // Positive control for the forgeries below: S = r + h·a mod L with r = SHA-512(prefix || M) (RFC 8032 §5.1.6).
        var sig = Key.Sign(Message);
        var r = Le(SHA512.HashData([.. SHA512.HashData(Seed)[32..], .. Message])) % Ed25519Edges.L;
        Scalar32((r + (Challenge(sig[..32]) * SecretScalar())) % Ed25519Edges.L).Should().Equal(sig[32..]);
        Ed25519.Verify(Key.PublicKey, Message, sig).Should().BeTrue();
    }

    [Fact]
    public void A_small_order_R_is_rejected()
    {
        // R = (0, 1) canonically encoded: [S]B − [h]A re-encodes to exactly R, so only the small-order check rejects it.
        Ed25519.Verify(Key.PublicKey, Message, NeutralRSignature(Ed25519Edges.IdentityPoint)).Should().BeFalse();
    }

    [Fact]
    public void A_non_canonical_R_is_rejected()
    {
        // R = (0, 1) encoded with y = p + 1: a decoder that reduces y accepts it; the strict byte comparison does not.
        Ed25519.Verify(Key.PublicKey, Message, NeutralRSignature(Ed25519Edges.NonCanonicalIdentity)).Should().BeFalse();
    }

    [Fact]
    public void S_at_or_above_L_is_rejected_and_just_below_it_is_checked()
    {
        var sig = Key.Sign(Message);
        Ed25519.Verify(Key.PublicKey, Message, Ed25519Edges.WithSPlusL(sig)).Should().BeFalse("S + L satisfies the equation but S >= L");
        Ed25519.Verify(Key.PublicKey, Message, [.. sig[..32], .. Scalar32(Ed25519Edges.L)]).Should().BeFalse();
        Ed25519.Verify(Key.PublicKey, Message, [.. sig[..32], .. Scalar32(Ed25519Edges.L - 1)]).Should().BeFalse("a canonical but wrong S");
    }

    public static TheoryData<string> SmallOrderKeys => new()
    {
        "0100000000000000000000000000000000000000000000000000000000000000", // neutral element
        "0100000000000000000000000000000000000000000000000000000000000080", // neutral element, sign bit set (non-canonical)
        "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // neutral element, y = p + 1 (non-canonical)
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // order 2
        "0000000000000000000000000000000000000000000000000000000000000000", // order 4
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05", // order 8
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a", // order 8
    };

    [Theory]
    [MemberData(nameof(SmallOrderKeys))]
    public void Small_order_and_non_canonical_keys_are_rejected_even_for_a_universal_forgery(string keyHex)
    {
        // R = [s]B, S = s satisfies the equation whenever [h]A = O: for every message under the neutral element.
        Ed25519.Verify(Convert.FromHexString(keyHex), Message, Ed25519Edges.UniversalForgery("mimi-tests/strictness")).Should().BeFalse();
    }
}
