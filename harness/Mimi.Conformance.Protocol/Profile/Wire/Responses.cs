using System.Text.Json.Serialization;

namespace Mimi.Conformance.Protocol.Profile.Wire;

/// <summary>§6.2/§6.5 answer: the id and the mapping as stored.</summary>
public sealed record PublishResponse(
    [property: JsonPropertyName("mapping_id")] string MappingId,
    [property: JsonPropertyName("mapping")] string Mapping);

/// <summary>One mapping of a lookup answer (§6.3); <c>found_at</c> only in the verbose format (§11.8).</summary>
public sealed record LookupEntry(
    [property: JsonPropertyName("mapping_id")] string MappingId,
    [property: JsonPropertyName("mapping")] string Mapping,
    [property: JsonPropertyName("disclosures")] string? Disclosures = null,
    [property: JsonPropertyName("found_at")] IReadOnlyList<string>? FoundAt = null);

/// <summary>§6.3 (and §11.3) lookup answer, with §11.5's partial/unavailable.</summary>
public sealed record LookupResponse(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("mappings")] IReadOnlyList<LookupEntry> Mappings,
    [property: JsonPropertyName("partial")] bool? Partial = null,
    [property: JsonPropertyName("unavailable")] IReadOnlyList<UnavailablePeer>? Unavailable = null);

/// <summary>The compact answer (PROFILE.md §11.8): which MSPs the CSI is reachable on, no mappings.</summary>
public sealed record CompactLookupResponse(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("msps")] IReadOnlyList<string> Msps,
    [property: JsonPropertyName("partial")] bool? Partial = null,
    [property: JsonPropertyName("unavailable")] IReadOnlyList<UnavailablePeer>? Unavailable = null);

/// <summary>A peer a federated lookup should have asked but has no (usable) answer from (PROFILE.md §11.5).</summary>
public sealed record UnavailablePeer(
    [property: JsonPropertyName("dp_id")] string DpId,
    [property: JsonPropertyName("reason")] string Reason);

/// <summary>§6.4 remove and §12.5 invalidate answer.</summary>
public sealed record RemoveResponse([property: JsonPropertyName("removed")] IReadOnlyList<string> Removed);

/// <summary>An RFC 9457 problem (PROFILE.md §2).</summary>
public sealed record ProblemBody(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("status")] int Status,
    [property: JsonPropertyName("detail")] string? Detail);
