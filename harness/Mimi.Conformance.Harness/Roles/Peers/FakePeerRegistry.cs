using Mimi.Conformance.Protocol.Profile.Wire;

namespace Mimi.Conformance.Harness.Roles.Peers;

/// <summary>Builds registry documents (PROFILE.md §11.1) for fake peers and other DPs.</summary>
public static class FakePeerRegistry
{
    public const string Version = RegistryDocument.Version;

    public static RegistryDocument Build(IEnumerable<FakePeerDp> peers) => Build(peers.Select(Entry));

    public static RegistryDocument Build(IEnumerable<RegistryEntry> entries) => RegistryDocument.Of(entries);

    public static RegistryEntry Entry(FakePeerDp peer) => Entry(peer.DpId, peer.BaseUrl.GetLeftPart(UriPartial.Authority), [peer.Key.PublicKey], peer.Jurisdictions);

    /// <summary>
    /// An entry for any DP (e.g. the DP under test, from its metadata): <paramref name="baseUrl"/> is its origin,
    /// without a trailing slash; the endpoints are the fake peers' (the profile's defaults) unless given.
    /// </summary>
    public static RegistryEntry Entry(string dpId, string baseUrl, IEnumerable<byte[]> publicKeys, IEnumerable<string> jurisdictions, RegistryEndpoints? endpoints = null) =>
        new(dpId, baseUrl, [.. publicKeys.Select(SigningKeyEntry.For)], [.. jurisdictions], endpoints ?? new RegistryEndpoints(FakePeerDp.PeerLookupPath, FakePeerDp.InvalidatePath));
}
