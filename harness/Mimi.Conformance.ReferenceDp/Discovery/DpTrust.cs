using Mimi.Conformance.Protocol.Profile;
using Mimi.Conformance.ReferenceDp.Federation;
using Mimi.Conformance.ReferenceDp.Store;
using static Mimi.Conformance.Protocol.Profile.ProfileConstants;

namespace Mimi.Conformance.ReferenceDp.Discovery;

/// <summary>
/// The keys the DP trusts: configured ones (options/flags), ones added through test control (persisted, so a
/// restart keeps them until reset), the keys of the peers in its registry (PROFILE.md §11.1, role dp), and its own
/// signing key under role dp so a mapping it already countersigned verifies when it comes back.
/// </summary>
internal sealed class DpTrust
{
    private readonly IReadOnlyList<TrustedKey> _configured;
    private readonly MappingStore _store;
    private readonly TrustedKey _self;
    private readonly PeerDirectory? _peers;
    private readonly Lock _lock = new();
    private TrustStore _current;

    public DpTrust(IEnumerable<TrustedKey> configured, DpIdentity identity, MappingStore store, PeerDirectory? peers = null)
    {
        _peers = peers;
        _configured = [.. configured];
        _store = store;
        _self = new TrustedKey(SignerRoles.Dp, identity.DpId, identity.SigningKey.PublicKey);
        _current = Build();
    }

    public TrustStore Current
    {
        get
        {
            lock (_lock)
                return _current;
        }
    }

    public void Add(IReadOnlyCollection<TrustedKey> keys)
    {
        lock (_lock)
        {
            _store.AddTrustedKeys(keys);
            _current = Build();
        }
    }

    /// <summary>Call after the store forgot its test-control keys, or the peer directory changed.</summary>
    public void Reload()
    {
        lock (_lock)
            _current = Build();
    }

    private TrustStore Build() => new([.. _configured, .. _store.TrustedKeys(), .. _peers?.TrustedKeys ?? [], _self]);
}
