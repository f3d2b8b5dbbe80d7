using System.Text.Json.Serialization;
using Mimi.Conformance.Protocol.Crypto;

namespace Mimi.Conformance.Protocol.Profile.Wire;

/// <summary>The registry document (PROFILE.md §11.1).</summary>
public sealed record RegistryDocument(
    [property: JsonPropertyName("registry")] string Registry,
    [property: JsonPropertyName("dps")] IReadOnlyList<RegistryEntry> Dps)
{
    public const string Version = "mimi-dp-registry/0.1";

    public static RegistryDocument Of(IEnumerable<RegistryEntry> entries) => new(Version, [.. entries]);
}

public sealed record RegistryEntry(
    [property: JsonPropertyName("dp_id")] string DpId,
    [property: JsonPropertyName("base_url")] string BaseUrl,
    [property: JsonPropertyName("signing_keys")] IReadOnlyList<SigningKeyEntry> SigningKeys,
    [property: JsonPropertyName("jurisdictions")] IReadOnlyList<string> Jurisdictions,
    [property: JsonPropertyName("endpoints")] RegistryEndpoints Endpoints);

public sealed record RegistryEndpoints(
    [property: JsonPropertyName("peer_lookup")] string? PeerLookup = null,
    [property: JsonPropertyName("invalidate")] string? Invalidate = null);

/// <summary>A signing key as metadata (§6.1) and registry entries (§11.1) list it.</summary>
public sealed record SigningKeyEntry(
    [property: JsonPropertyName("kid")] string Kid,
    [property: JsonPropertyName("alg")] string Alg,
    [property: JsonPropertyName("crv")] string Crv,
    [property: JsonPropertyName("x")] string X)
{
    /// <summary>An Ed25519 public key with its kid (§3).</summary>
    public static SigningKeyEntry For(byte[] publicKey) => new(B64.Encode(KeyIds.For(publicKey)), "EdDSA", "Ed25519", B64.Encode(publicKey));
}
