using System.Text.Json.Serialization;

namespace Mimi.Conformance.Protocol.Profile.Wire;

/// <summary>
/// The wire records' serializer: optional members left out when null, and strict reads (a missing or null required
/// member, a wrong JSON type, a number in a string, a duplicate member or nesting deeper than 16 is a JsonException).
/// Unknown members are ignored, as the profile asks of clients and servers alike. Names come from the records.
/// </summary>
[JsonSourceGenerationOptions(
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
[JsonSerializable(typeof(PeerLookupRequest))]
[JsonSerializable(typeof(RemoveRequest))]
[JsonSerializable(typeof(RemoveResponse))]
[JsonSerializable(typeof(InvalidateRequest))]
[JsonSerializable(typeof(ProblemBody))]
[JsonSerializable(typeof(TrustRequest))]
[JsonSerializable(typeof(ClockRequest))]
[JsonSerializable(typeof(SeedRequest))]
[JsonSerializable(typeof(SeedResponse))]
[JsonSerializable(typeof(PeersRequest))]
[JsonSerializable(typeof(RegistryDocument))]
[JsonSerializable(typeof(SigningKeyEntry))]
[JsonSerializable(typeof(MetadataDocument))]
public sealed partial class WireJson : JsonSerializerContext;
