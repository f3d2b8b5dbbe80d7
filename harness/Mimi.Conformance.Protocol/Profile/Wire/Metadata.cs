using System.Text.Json.Serialization;

namespace Mimi.Conformance.Protocol.Profile.Wire;

/// <summary>The metadata document (PROFILE.md §6.1), as the reference DP writes it.</summary>
public sealed record MetadataDocument(
    [property: JsonPropertyName("profile")] string Profile,
    [property: JsonPropertyName("dp_id")] string DpId,
    [property: JsonPropertyName("endpoints")] MetadataEndpoints Endpoints,
    [property: JsonPropertyName("signing_keys")] IReadOnlyList<SigningKeyEntry> SigningKeys,
    [property: JsonPropertyName("csi_types")] IReadOnlyList<string> CsiTypes,
    [property: JsonPropertyName("conformance_classes")] IReadOnlyList<string> ConformanceClasses,
    [property: JsonPropertyName("federation")] FederationInfo Federation,
    [property: JsonPropertyName("limits")] LimitsInfo Limits,
    [property: JsonPropertyName("test_control")] string? TestControl,
    [property: JsonPropertyName("rate_limit")] MetadataRateLimit? RateLimit = null);

public sealed record MetadataEndpoints(
    [property: JsonPropertyName("publish")] string Publish,
    [property: JsonPropertyName("lookup")] string Lookup,
    [property: JsonPropertyName("remove")] string Remove,
    [property: JsonPropertyName("import")] string? Import,
    [property: JsonPropertyName("peer_lookup")] string? PeerLookup = null,
    [property: JsonPropertyName("invalidate")] string? Invalidate = null);

/// <summary>Metadata <c>federation</c> (PROFILE.md §11.4): default mode, modes, where the DP is and may forward to, its preferred peers.</summary>
public sealed record FederationInfo(
    [property: JsonPropertyName("default")] string Default,
    [property: JsonPropertyName("modes")] IReadOnlyList<string> Modes,
    [property: JsonPropertyName("jurisdictions")] IReadOnlyList<string>? Jurisdictions = null,
    [property: JsonPropertyName("forward_jurisdictions")] IReadOnlyList<string>? ForwardJurisdictions = null,
    [property: JsonPropertyName("preferred")] IReadOnlyList<string>? Preferred = null,
    [property: JsonPropertyName("peer_limit")] RateWindow? PeerLimit = null);

/// <summary>A limit per window: <c>federation.peer_limit</c> (§11.3) and <c>rate_limit.non_default</c> (§10.2).</summary>
public sealed record RateWindow(
    [property: JsonPropertyName("limit")] int Limit,
    [property: JsonPropertyName("window_s")] long WindowS);

public sealed record LimitsInfo(
    [property: JsonPropertyName("max_body_bytes")] int MaxBodyBytes,
    [property: JsonPropertyName("max_msps")] int MaxMsps,
    [property: JsonPropertyName("max_tags")] int MaxTags,
    [property: JsonPropertyName("max_tag_bytes")] int MaxTagBytes,
    [property: JsonPropertyName("disclosure_bytes")] int DisclosureBytes);

/// <summary>Metadata <c>rate_limit</c> (PROFILE.md §10.2, anti-enumeration class).</summary>
public sealed record MetadataRateLimit(
    [property: JsonPropertyName("anonymous")] AnonymousRateLimit Anonymous,
    [property: JsonPropertyName("identified")] IdentifiedRateLimit Identified,
    [property: JsonPropertyName("non_default")] RateWindow? NonDefault = null);

public sealed record AnonymousRateLimit(
    [property: JsonPropertyName("scheme")] string Scheme,
    [property: JsonPropertyName("token_type")] int TokenType,
    [property: JsonPropertyName("allowance")] int Allowance,
    [property: JsonPropertyName("window_s")] long WindowS,
    [property: JsonPropertyName("issuer_directory")] string IssuerDirectory,
    [property: JsonPropertyName("issuer_request_uri")] string IssuerRequestUri);

public sealed record IdentifiedRateLimit(
    [property: JsonPropertyName("limit")] int Limit,
    [property: JsonPropertyName("window_s")] long WindowS,
    [property: JsonPropertyName("auth")] string Auth);
