using System.Text.Json.Nodes;
using Mimi.Conformance.Protocol.Crypto;
using Mimi.Conformance.Protocol.Profile;

namespace Mimi.Conformance.Harness.Roles.Peers;

/// <summary>Builds registry documents (PROFILE.md §11.1) for fake peers and other DPs.</summary>
internal static class FakePeerRegistry
{
    public const string Version = "mimi-dp-registry/0.1";

    public static JsonObject Build(IEnumerable<FakePeerDp> peers) => Build(peers.Select(Entry));

    public static JsonObject Build(IEnumerable<JsonObject> entries) => new()
    {
        ["registry"] = Version,
        ["dps"] = new JsonArray([.. entries]),
    };

    public static JsonObject Entry(FakePeerDp peer) => Entry(peer.DpId, peer.BaseUrl, peer.Key, peer.Jurisdictions);

    public static JsonObject Entry(string dpId, Uri baseUrl, SigningKey key, IEnumerable<string> jurisdictions) => new()
    {
        ["dp_id"] = dpId,
        ["base_url"] = baseUrl.GetLeftPart(UriPartial.Authority),
        ["signing_keys"] = new JsonArray(KeyEntry(key)),
        ["jurisdictions"] = new JsonArray([.. jurisdictions.Select(j => (JsonNode)j)]),
        ["endpoints"] = new JsonObject
        {
            ["peer_lookup"] = FakePeerDp.PeerLookupPath,
            ["invalidate"] = FakePeerDp.InvalidatePath,
        },
    };

    public static JsonObject KeyEntry(SigningKey key) => new()
    {
        ["kid"] = B64.Encode(key.KeyId),
        ["alg"] = "EdDSA",
        ["crv"] = "Ed25519",
        ["x"] = B64.Encode(key.PublicKey),
    };
}
