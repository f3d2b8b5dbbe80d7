using System.Security.Cryptography;
using NSec.Cryptography;

namespace Mimi.Conformance.Protocol.Crypto;

/// <summary>
/// Ed25519 (RFC 8032) through NSec, whose libsodium (the NuGet <c>libsodium</c> package) ships with the build.
/// Verification is libsodium's strict one (PROFILE.md §4.3): S &lt; L, small-order and non-canonical keys and R rejected.
/// </summary>
public static class Ed25519
{
    public const int PublicKeySize = 32;
    public const int SeedSize = 32;
    public const int SignatureSize = 64;

    internal static SignatureAlgorithm Algorithm => SignatureAlgorithm.Ed25519;

    /// <summary>False for a wrong size or any key NSec will not import: a verifier never throws on hostile input.</summary>
    public static bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        if (publicKey.Length != PublicKeySize || signature.Length != SignatureSize)
            return false;
        return PublicKey.TryImport(Algorithm, publicKey, KeyBlobFormat.RawPublicKey, out var key) && Algorithm.Verify(key!, message, signature);
    }
}

/// <summary>An Ed25519 signing key. The secret never leaves this type (no ToString, no serialisation, no export).</summary>
public sealed class SigningKey
{
    // Keys live as long as the run or the DP that made them; NSec's key handle is a SafeHandle, freed by its finaliser.
    private readonly Key _key;

    private SigningKey(Key key)
    {
        _key = key;
        PublicKey = key.PublicKey.Export(KeyBlobFormat.RawPublicKey);
        KeyId = KeyIds.For(PublicKey);
    }

    public byte[] PublicKey { get; }

    /// <summary>Profile key id: the first 16 bytes of SHA-256 over the raw public key.</summary>
    public byte[] KeyId { get; }

    public static SigningKey FromSeed(ReadOnlySpan<byte> seed)
    {
        if (seed.Length != Ed25519.SeedSize)
            throw new ArgumentException("An Ed25519 seed is 32 bytes.", nameof(seed));
        return new SigningKey(Key.Import(Ed25519.Algorithm, seed, KeyBlobFormat.RawPrivateKey));
    }

    public static SigningKey Generate() => FromSeed(RandomNumberGenerator.GetBytes(Ed25519.SeedSize));

    /// <summary>A deterministic key for vectors and fixtures: seed = SHA-256(label).</summary>
    public static SigningKey FromLabel(string label) => FromSeed(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(label)));

    public byte[] Sign(ReadOnlySpan<byte> message) => Ed25519.Algorithm.Sign(_key, message);

    public override string ToString() => $"Ed25519 key {Convert.ToHexString(KeyId)}";
}

public static class KeyIds
{
    public const int Size = 16;

    public static byte[] For(ReadOnlySpan<byte> publicKey) => SHA256.HashData(publicKey)[..Size];
}
