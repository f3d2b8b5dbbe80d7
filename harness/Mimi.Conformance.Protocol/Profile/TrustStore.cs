using Mimi.Conformance.Protocol.Crypto;

namespace Mimi.Conformance.Protocol.Profile;

/// <summary>A public key trusted for one role, owned by one party (a CSIP id, an MSP URI or a DP id).</summary>
public sealed record TrustedKey(string Role, string Owner, byte[] PublicKey)
{
    public byte[] KeyId { get; } = KeyIds.For(PublicKey);
}

/// <summary>The keys a verifier trusts, looked up by role and key id. Immutable once built.</summary>
public sealed class TrustStore
{
    private readonly IReadOnlyList<TrustedKey> _keys;

    public TrustStore(IEnumerable<TrustedKey> keys) => _keys = keys.ToArray();

    public static TrustStore Empty { get; } = new([]);

    public IReadOnlyList<TrustedKey> Keys => _keys;

    public TrustedKey? Find(string role, ReadOnlySpan<byte> keyId)
    {
        foreach (var k in _keys)
        {
            if (k.Role == role && k.KeyId.AsSpan().SequenceEqual(keyId))
                return k;
        }
        return null;
    }

    public TrustStore With(IEnumerable<TrustedKey> more) => new(_keys.Concat(more));
}
