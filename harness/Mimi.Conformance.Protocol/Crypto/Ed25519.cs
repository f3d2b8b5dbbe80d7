using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Mimi.Conformance.Protocol.Crypto;

/// <summary>Ed25519 (RFC 8032) through libsodium. Shaped like NSec's Key/PublicKey so a later swap is mechanical.</summary>
internal static class Ed25519
{
    public const int PublicKeySize = 32;
    public const int SeedSize = 32;
    public const int SignatureSize = 64;

    static Ed25519()
    {
        if (Native.sodium_init() < 0)
            throw new InvalidOperationException("libsodium failed to initialise (sodium_init < 0).");
    }

    public static bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        if (publicKey.Length != PublicKeySize || signature.Length != SignatureSize)
            return false;
        return Native.crypto_sign_verify_detached(signature.ToArray(), message.ToArray(), (ulong)message.Length, publicKey.ToArray()) == 0;
    }

    internal static (byte[] PublicKey, byte[] SecretKey) KeyPairFromSeed(ReadOnlySpan<byte> seed)
    {
        if (seed.Length != SeedSize)
            throw new ArgumentException("An Ed25519 seed is 32 bytes.", nameof(seed));
        var pk = new byte[PublicKeySize];
        var sk = new byte[64];
        if (Native.crypto_sign_seed_keypair(pk, sk, seed.ToArray()) != 0)
            throw new CryptographicException("crypto_sign_seed_keypair failed.");
        return (pk, sk);
    }

    internal static byte[] Sign(byte[] secretKey, ReadOnlySpan<byte> message)
    {
        var sig = new byte[SignatureSize];
        if (Native.crypto_sign_detached(sig, out _, message.ToArray(), (ulong)message.Length, secretKey) != 0)
            throw new CryptographicException("crypto_sign_detached failed.");
        return sig;
    }

    private static class Native
    {
        private const string Lib = "libsodium.so.23";
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)] public static extern int sodium_init();
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)] public static extern int crypto_sign_seed_keypair(byte[] pk, byte[] sk, byte[] seed);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)] public static extern int crypto_sign_detached(byte[] sig, out ulong siglen, byte[] m, ulong mlen, byte[] sk);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)] public static extern int crypto_sign_verify_detached(byte[] sig, byte[] m, ulong mlen, byte[] pk);
    }
}

/// <summary>An Ed25519 signing key. The secret never leaves this type (no ToString, no serialisation).</summary>
internal sealed class SigningKey
{
    private readonly byte[] _secretKey;

    private SigningKey(byte[] publicKey, byte[] secretKey)
    {
        PublicKey = publicKey;
        _secretKey = secretKey;
        KeyId = KeyIds.For(publicKey);
    }

    public byte[] PublicKey { get; }

    /// <summary>Profile key id: the first 16 bytes of SHA-256 over the raw public key.</summary>
    public byte[] KeyId { get; }

    public static SigningKey FromSeed(ReadOnlySpan<byte> seed)
    {
        var (pk, sk) = Ed25519.KeyPairFromSeed(seed);
        return new SigningKey(pk, sk);
    }

    public static SigningKey Generate() => FromSeed(RandomNumberGenerator.GetBytes(Ed25519.SeedSize));

    /// <summary>A deterministic key for vectors and fixtures: seed = SHA-256(label).</summary>
    public static SigningKey FromLabel(string label) => FromSeed(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(label)));

    public byte[] Sign(ReadOnlySpan<byte> message) => Ed25519.Sign(_secretKey, message);

    public override string ToString() => $"Ed25519 key {Convert.ToHexString(KeyId)}";
}

internal static class KeyIds
{
    public const int Size = 16;

    public static byte[] For(ReadOnlySpan<byte> publicKey) => SHA256.HashData(publicKey)[..Size];
}
