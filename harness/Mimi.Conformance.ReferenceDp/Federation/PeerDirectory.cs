using Mimi.Conformance.Protocol.Crypto;
using Mimi.Conformance.Protocol.Profile;
using Mimi.Conformance.ReferenceDp.Discovery;
using Mimi.Conformance.ReferenceDp.Endpoints;
using Mimi.Conformance.ReferenceDp.Faults;
using static Mimi.Conformance.Protocol.Profile.ProfileConstants;

namespace Mimi.Conformance.ReferenceDp.Federation;

/// <summary>One peer DP from the registry (PROFILE.md §11.1): where it is, which keys speak for it, where it may be asked.</summary>
internal sealed record PeerEntry(string DpId, Uri BaseUrl, IReadOnlyList<byte[]> SigningKeys, IReadOnlyList<string> Jurisdictions, string? PeerLookupPath, string? InvalidatePath)
{
    /// <summary>The absolute URL of one of the peer's endpoints (a path from its registry entry).</summary>
    public Uri Endpoint(string path) => new(BaseUrl, path);

    public IEnumerable<TrustedKey> TrustedKeys => SigningKeys.Select(k => new TrustedKey(SignerRoles.Dp, DpId, k));
}

/// <summary>
/// The peers this DP knows (PROFILE.md §11): the registry it was pointed at, minus its own entry, and the TLS pins
/// that authenticate them. Held in memory: test control sets it, reset forgets it.
/// </summary>
internal sealed class PeerDirectory
{
    public const string RegistryVersion = "mimi-dp-registry/0.1";

    public static readonly Duty AcceptOptionalEndpoints = new("federation.accept-optional-registry-endpoints");
    public static readonly Duty RefuseInvalidRegistry = new("federation.refuse-invalid-registry");
    public static readonly Duty TrustEveryRegistryKey = new("federation.trust-every-registry-key");
    private const int MaxPeers = 256;
    private const int MaxKeysPerPeer = 16;
    private const int MaxJurisdictions = 32;
    private const int MaxStringLength = 512;

    private readonly Lock _lock = new();
    private IReadOnlyList<PeerEntry> _peers = [];
    private IReadOnlyList<byte[]> _pins = [];
    private IReadOnlyList<string> _preferred = [];
    private int _version;

    /// <summary>Changes whenever the peers or preferences change, so metadata knows when to re-render.</summary>
    public int Version => Volatile.Read(ref _version);

    /// <summary>The dp_ids of the peers mode dp_preferred asks (PROFILE.md §11.4), in registry order.</summary>
    public IReadOnlyList<string> Preferred
    {
        get
        {
            lock (_lock)
                return _preferred;
        }
    }

    public IReadOnlyList<PeerEntry> Peers
    {
        get
        {
            lock (_lock)
                return _peers;
        }
    }

    /// <summary>SHA-256 digests of the certificates (DER) a peer connection may present.</summary>
    public IReadOnlyList<byte[]> Pins
    {
        get
        {
            lock (_lock)
                return _pins;
        }
    }

    public PeerEntry? Find(string dpId) => Peers.FirstOrDefault(p => p.DpId == dpId);

    public IEnumerable<TrustedKey> TrustedKeys => Peers.SelectMany(p => p.TrustedKeys);

    public void SetPins(IReadOnlyList<byte[]> pins)
    {
        lock (_lock)
            _pins = pins;
    }

    public void SetPeers(IReadOnlyList<PeerEntry> peers, IReadOnlyCollection<string>? preferred = null)
    {
        lock (_lock)
        {
            _peers = peers;
            _preferred = preferred is null ? [] : [.. peers.Select(p => p.DpId).Where(preferred.Contains)];
            _version++;
        }
    }

    public void Clear()
    {
        lock (_lock)
        {
            _peers = [];
            _pins = [];
            _preferred = [];
            _version++;
        }
    }

    /// <summary>
    /// Validates a registry document and turns it into peers, skipping the entry of <paramref name="selfDpId"/>.
    /// Anything off (version, a non-https URL, a key whose kid does not match) rejects the whole document.
    /// </summary>
    public static IReadOnlyList<PeerEntry> Parse(RegistryDocument document, string selfDpId, LivePolicy policy)
    {
        if (document.Registry != RegistryVersion)
            throw Bad($"\"registry\" must be \"{RegistryVersion}\"");
        if (document.Dps.Count > MaxPeers)
            throw Bad($"at most {MaxPeers} DPs");
        var peers = new List<PeerEntry>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var e in document.Dps)
        {
            PeerEntry entry;
            try
            {
                entry = ParseEntry(e, seen, policy);
            }
            catch (ProblemException) when (!policy.Performs(RefuseInvalidRegistry))
            {
                continue;
            }
            if (e.DpId == selfDpId)
                continue;
            peers.Add(entry);
        }
        return peers;
    }

    /// <summary>One entry of PROFILE.md §11.1; anything off is a <see cref="ProblemException"/> for the whole document.</summary>
    private static PeerEntry ParseEntry(RegistryEntry e, HashSet<string> seen, LivePolicy policy)
    {
        if (!e.DpId.StartsWith("mimi://", StringComparison.Ordinal) || e.DpId.Length > MaxStringLength || !Uri.IsWellFormedUriString(e.DpId, UriKind.Absolute))
            throw Bad("every dp_id must be a mimi:// URI");
        if (!seen.Add(e.DpId))
            throw Bad($"{e.DpId} is listed twice");
        if (!Uri.TryCreate(e.BaseUrl, UriKind.Absolute, out var baseUrl) || baseUrl.Scheme != Uri.UriSchemeHttps || e.BaseUrl.Length > MaxStringLength
            || !string.IsNullOrEmpty(baseUrl.Query) || !string.IsNullOrEmpty(baseUrl.Fragment) || !string.IsNullOrEmpty(baseUrl.UserInfo))
            throw Bad($"{e.DpId}: base_url must be an absolute https URL without query, fragment or user info");
        if (e.SigningKeys.Count is 0 or > MaxKeysPerPeer)
            throw Bad($"{e.DpId}: 1 to {MaxKeysPerPeer} signing_keys");
        if (e.Jurisdictions.Count > MaxJurisdictions || e.Jurisdictions.Any(j => j.Length is 0 or > 64))
            throw Bad($"{e.DpId}: at most {MaxJurisdictions} jurisdictions, each a non-empty code");
        // Strict reads leave a missing member null: the object is required, its members are not.
        if (e.Endpoints is not { } endpoints)
            throw Bad($"{e.DpId}: endpoints must be an object (possibly empty)");
        CheckPath(e.DpId, "peer_lookup", endpoints.PeerLookup);
        CheckPath(e.DpId, "invalidate", endpoints.Invalidate);
        if ((endpoints.PeerLookup is null || endpoints.Invalidate is null) && !policy.Performs(AcceptOptionalEndpoints))
            throw Bad($"{e.DpId}: endpoints must name peer_lookup and invalidate");
        var keys = e.SigningKeys.Select(k => Key(e.DpId, k)).ToArray();
        if (keys.Length > 1 && !policy.Performs(TrustEveryRegistryKey))
            keys = keys[..1];
        return new PeerEntry(e.DpId, baseUrl, keys, [.. e.Jurisdictions], endpoints.PeerLookup, endpoints.Invalidate);
    }

    private static void CheckPath(string dpId, string name, string? path)
    {
        if (path is not null && (!path.StartsWith('/') || path.StartsWith("//", StringComparison.Ordinal) || path.Length > MaxStringLength || path.Contains('?') || path.Contains('#')))
            throw Bad($"{dpId}: endpoints.{name} must be an absolute path");
    }

    private static byte[] Key(string dpId, SigningKeyEntry k)
    {
        if (k.Alg != "EdDSA" || k.Crv != "Ed25519" || !B64.TryDecode(k.X, out var x) || x.Length != Ed25519.PublicKeySize)
            throw Bad($"{dpId}: signing keys must be EdDSA/Ed25519 with a 32-byte x");
        if (!B64.TryDecode(k.Kid, out var kid) || !kid.AsSpan().SequenceEqual(KeyIds.For(x)))
            throw Bad($"{dpId}: a signing key's kid is not the first 16 bytes of SHA-256(x)");
        return x;
    }

    private static ProblemException Bad(string detail) => new(Problems.PeerUnavailable, $"the registry document is not valid: {detail}");
}
