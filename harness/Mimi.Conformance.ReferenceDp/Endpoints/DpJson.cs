using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mimi.Conformance.ReferenceDp.Endpoints;

// Wire DTOs (PROFILE.md §6, §8). Names become snake_case on the wire.

internal sealed record PublishRequest(string Mapping, IReadOnlyList<DisclosureEntry>? Disclosures = null);

/// <summary>An exact-match-only tag's disclosure, sent beside the signed mapping (PROFILE.md §4.4).</summary>
internal sealed record DisclosureEntry(string Salt, string Tag);

internal sealed record PublishResponse(string MappingId, string Mapping);

internal sealed record LookupRequest(string Csi, string CsiType, string? Tag = null, IReadOnlyList<string>? MspFilter = null, FederationRequest? Federation = null, string? Format = null);

/// <summary>Lookup member <c>federation</c> (PROFILE.md §11.4): which peers to ask.</summary>
internal sealed record FederationRequest(string Mode, IReadOnlyList<string>? Dps = null);

internal sealed record LookupEntry(string MappingId, string Mapping, string? Disclosures = null, IReadOnlyList<string>? FoundAt = null);

/// <summary>The compact answer (PROFILE.md §11.8): which MSPs the CSI is reachable on, no mappings.</summary>
internal sealed record CompactLookupResponse(string Status, IReadOnlyList<string> Msps, bool? Partial = null, IReadOnlyList<UnavailablePeer>? Unavailable = null);

internal sealed record LookupResponse(string Status, IReadOnlyList<LookupEntry> Mappings, bool? Partial = null, IReadOnlyList<UnavailablePeer>? Unavailable = null);

/// <summary>A peer a federated lookup should have asked but has no (usable) answer from (PROFILE.md §11.5).</summary>
internal sealed record UnavailablePeer(string DpId, string Reason);

/// <summary>The DP-to-DP lookup (PROFILE.md §11.3). <c>Sender</c> exists only for the forward-sender-identity fault.</summary>
internal sealed record PeerLookupRequest(string Csi, string CsiType, IReadOnlyList<string>? MspFilter = null, string? Origin = null, int Hops = 1, string? Sender = null);

internal sealed record RemoveRequest(string Removal);

internal sealed record RemoveResponse(IReadOnlyList<string> Removed);

/// <summary>DP-to-DP invalidation (PROFILE.md §12.5); answered with a <see cref="RemoveResponse"/>.</summary>
internal sealed record InvalidateRequest(string Invalidation);

internal sealed record TrustKeyEntry(string Owner, string X);

internal sealed record TrustRequest(IReadOnlyList<TrustKeyEntry>? CsipKeys = null, IReadOnlyList<TrustKeyEntry>? MspKeys = null, IReadOnlyList<TrustKeyEntry>? DpKeys = null);

internal sealed record ClockRequest(long AdvanceS);

internal sealed record SeedRequest(string CsiPrefix, int Count);

internal sealed record SeedResponse(int Inserted, string FirstCsi, string LastCsi, long DbBytes, double ElapsedMs);

/// <summary>Test control <c>/peers</c> (PROFILE.md §11.2).</summary>
internal sealed record PeersRequest(string RegistryUrl, IReadOnlyList<string> TlsPins, IReadOnlyList<string>? Preferred = null);

/// <summary>The registry document (PROFILE.md §11.1).</summary>
internal sealed record RegistryDocument(string Registry, IReadOnlyList<RegistryEntry> Dps);

internal sealed record RegistryEntry(string DpId, string BaseUrl, IReadOnlyList<SigningKeyEntry> SigningKeys, IReadOnlyList<string> Jurisdictions, RegistryEndpoints Endpoints);

internal sealed record RegistryEndpoints(string? PeerLookup = null, string? Invalidate = null);

internal sealed record ProblemBody(string Type, string Title, int Status, string? Detail);

internal sealed record MetadataEndpoints(string Publish, string Lookup, string Remove, string Import, string? PeerLookup = null, string? Invalidate = null);

internal sealed record SigningKeyEntry(string Kid, string Alg, string Crv, string X);

/// <summary>Metadata <c>federation</c> (PROFILE.md §11.4): default mode, modes, where the DP is and may forward to, its preferred peers.</summary>
internal sealed record FederationInfo(string Default, IReadOnlyList<string> Modes, IReadOnlyList<string>? Jurisdictions = null, IReadOnlyList<string>? ForwardJurisdictions = null, IReadOnlyList<string>? Preferred = null);

internal sealed record LimitsInfo(int MaxBodyBytes, int MaxMsps, int MaxTags, int MaxTagBytes, int DisclosureBytes);

internal sealed record MetadataDocument(
    string Profile,
    string DpId,
    MetadataEndpoints Endpoints,
    IReadOnlyList<SigningKeyEntry> SigningKeys,
    IReadOnlyList<string> CsiTypes,
    IReadOnlyList<string> ConformanceClasses,
    FederationInfo Federation,
    LimitsInfo Limits,
    string? TestControl,
    MetadataRateLimit? RateLimit = null);

/// <summary>Metadata <c>rate_limit</c> (PROFILE.md §10, anti-enumeration class).</summary>
internal sealed record MetadataRateLimit(AnonymousRateLimit Anonymous, IdentifiedRateLimit Identified);

internal sealed record AnonymousRateLimit(string Scheme, int TokenType, int Allowance, long WindowS, string IssuerDirectory, string IssuerRequestUri);

internal sealed record IdentifiedRateLimit(int Limit, long WindowS, string Auth);

/// <summary>The ready line / ready.json a launcher reads to find the DP.</summary>
internal sealed record ReadyInfo(string Url, string Cert, string PinSha256, string DpId);

/// <summary>
/// Source-generated, strict: a missing or null required member, a wrong JSON type, a number in a string, a
/// duplicate member or nesting deeper than 16 is a JsonException, which the endpoints turn into malformed-request.
/// Unknown members are ignored, as the profile asks of clients and servers alike.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.Strict,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true,
    AllowDuplicateProperties = false,
    MaxDepth = 16)]
[JsonSerializable(typeof(PublishRequest))]
[JsonSerializable(typeof(PublishResponse))]
[JsonSerializable(typeof(LookupRequest))]
[JsonSerializable(typeof(LookupResponse))]
[JsonSerializable(typeof(CompactLookupResponse))]
[JsonSerializable(typeof(RemoveRequest))]
[JsonSerializable(typeof(RemoveResponse))]
[JsonSerializable(typeof(InvalidateRequest))]
[JsonSerializable(typeof(TrustRequest))]
[JsonSerializable(typeof(ClockRequest))]
[JsonSerializable(typeof(SeedRequest))]
[JsonSerializable(typeof(SeedResponse))]
[JsonSerializable(typeof(PeersRequest))]
[JsonSerializable(typeof(PeerLookupRequest))]
[JsonSerializable(typeof(RegistryDocument))]
[JsonSerializable(typeof(ProblemBody))]
[JsonSerializable(typeof(MetadataDocument))]
[JsonSerializable(typeof(ReadyInfo))]
internal sealed partial class DpJson : JsonSerializerContext;
