using System.Text.Json;
using Mimi.Conformance.Protocol.Profile;
using Mimi.Conformance.ReferenceDp.Discovery;
using static Mimi.Conformance.Protocol.Profile.ProfileConstants;

namespace Mimi.Conformance.ReferenceDp.Endpoints;

/// <summary>GET /.well-known/mimi-discovery (PROFILE.md §6.1). The document never changes while the DP runs, so it is serialised once.</summary>
internal sealed class MetadataEndpoint
{
    private readonly byte[] _document;

    public MetadataEndpoint(DpIdentity identity, DpLimits limits, bool testControl, MetadataRateLimit? rateLimit = null)
    {
        Document = new MetadataDocument(
            ProfileConstants.Version,
            identity.DpId,
            new MetadataEndpoints(Paths.Publish, Paths.Lookup, Paths.Remove, Paths.Import, Paths.Invalidate),
            [new SigningKeyEntry(B64.Encode(identity.SigningKey.KeyId), "EdDSA", "Ed25519", B64.Encode(identity.SigningKey.PublicKey))],
            [CsiTypes.E164, CsiTypes.Email],
            rateLimit is null ? ["core", "joint-signature", "tag-privacy", "lifecycle"] : ["core", "joint-signature", "tag-privacy", "lifecycle", "anti-enumeration"],
            new FederationInfo("local", ["local"]),
            new LimitsInfo(limits.MaxBodyBytes, limits.MaxMsps, limits.MaxTags, limits.MaxTagBytes, limits.DisclosureBytes),
            testControl ? Paths.TestControl : null,
            rateLimit);
        _document = JsonSerializer.SerializeToUtf8Bytes(Document, DpJson.Default.MetadataDocument);
    }

    public MetadataDocument Document { get; }

    public DpRoute Route => new(MetadataPath, new Dictionary<string, RequestDelegate>
    {
        [HttpMethods.Get] = ctx => Replies.BytesAsync(ctx, StatusCodes.Status200OK, "application/json", _document),
        [HttpMethods.Head] = ctx => Replies.BytesAsync(ctx, StatusCodes.Status200OK, "application/json", ReadOnlyMemory<byte>.Empty),
    });
}
