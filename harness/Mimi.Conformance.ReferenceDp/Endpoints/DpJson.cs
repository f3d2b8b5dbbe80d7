using System.Text.Json.Serialization;
using Mimi.Conformance.Protocol.Profile.Wire;

namespace Mimi.Conformance.ReferenceDp.Endpoints;

// The wire records (PROFILE.md §6, §8, §11, §12) are shared with the harness: Protocol/Profile/Wire, where their
// JSON names are. This context adds the reference DP's strict read options (and the launcher's ready line).

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
