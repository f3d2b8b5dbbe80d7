using System.Text.Json.Serialization;

namespace Mimi.Conformance.Protocol.Profile.Wire;

// Request bodies of PROFILE.md §6 and §11-12, shared by the reference DP (strict reads) and the harness (writes).
// The JSON names live here, once: [JsonPropertyName] wins over any naming policy of a serializer context.

/// <summary>§6.2 publish and §6.5 import: the mapping, plus exact-match-only tag disclosures on publish (§4.4).</summary>
public sealed record PublishRequest(
    [property: JsonPropertyName("mapping")] string Mapping,
    [property: JsonPropertyName("disclosures")] IReadOnlyList<DisclosureEntry>? Disclosures = null);

/// <summary>An exact-match-only tag's disclosure, sent beside the signed mapping (PROFILE.md §4.4).</summary>
public sealed record DisclosureEntry(
    [property: JsonPropertyName("salt")] string Salt,
    [property: JsonPropertyName("tag")] string Tag);

/// <summary>§6.3 lookup, with the optional members of §11.4 (federation), §6.3 (msp_filter), §4.4 (tag) and §11.8 (format).</summary>
public sealed record LookupRequest(
    [property: JsonPropertyName("csi")] string Csi,
    [property: JsonPropertyName("csi_type")] string CsiType,
    [property: JsonPropertyName("federation")] FederationRequest? Federation = null,
    [property: JsonPropertyName("msp_filter")] IReadOnlyList<string>? MspFilter = null,
    [property: JsonPropertyName("tag")] string? Tag = null,
    [property: JsonPropertyName("format")] string? Format = null);

/// <summary>Lookup member <c>federation</c> (PROFILE.md §11.4): which peers to ask.</summary>
public sealed record FederationRequest(
    [property: JsonPropertyName("mode")] string Mode,
    [property: JsonPropertyName("dps")] IReadOnlyList<string>? Dps = null);

/// <summary>
/// The DP-to-DP lookup (PROFILE.md §11.3); <c>rl</c> is the rate-limit context of §11.6 (anti-enumeration class).
/// <c>Sender</c> is not in the profile: only the forward-sender-identity fault writes it.
/// </summary>
public sealed record PeerLookupRequest(
    [property: JsonPropertyName("csi")] string Csi,
    [property: JsonPropertyName("csi_type")] string CsiType,
    [property: JsonPropertyName("msp_filter")] IReadOnlyList<string>? MspFilter = null,
    [property: JsonPropertyName("origin")] string? Origin = null,
    [property: JsonPropertyName("hops")] int Hops = 1,
    [property: JsonPropertyName("sender")] string? Sender = null,
    [property: JsonPropertyName("rl")] string? Rl = null);

/// <summary>§6.4 remove.</summary>
public sealed record RemoveRequest([property: JsonPropertyName("removal")] string Removal);

/// <summary>DP-to-DP invalidation (PROFILE.md §12.5); answered with a <see cref="RemoveResponse"/>.</summary>
public sealed record InvalidateRequest([property: JsonPropertyName("invalidation")] string Invalidation);
