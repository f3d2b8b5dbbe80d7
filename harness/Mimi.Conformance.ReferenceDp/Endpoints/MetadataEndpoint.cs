using System.Text.Json;
using Mimi.Conformance.Protocol.Profile;
using Mimi.Conformance.ReferenceDp.Discovery;
using Mimi.Conformance.ReferenceDp.Federation;
using static Mimi.Conformance.Protocol.Profile.ProfileConstants;

namespace Mimi.Conformance.ReferenceDp.Endpoints;

/// <summary>
/// GET /.well-known/mimi-discovery (PROFILE.md §6.1). Serialised once, and again only when the peer directory
/// changes (its preferred peers are part of <c>federation</c>, §11.4).
/// </summary>
internal sealed class MetadataEndpoint
{
    private readonly DpIdentity _identity;
    private readonly DpLimits _limits;
    private readonly bool _testControl;
    private readonly MetadataRateLimit? _rateLimit;
    private readonly FederationPolicy? _federation;
    private readonly PeerDirectory? _peers;
    private readonly bool _undeclared;
    private readonly Lock _lock = new();
    private (int Version, MetadataDocument Document, byte[] Bytes) _current;

    /// <param name="federation">Null: the DP does not federate (local only, no federation class).</param>
    public MetadataEndpoint(DpIdentity identity, DpLimits limits, bool testControl, MetadataRateLimit? rateLimit = null, FederationPolicy? federation = null, PeerDirectory? peers = null, bool undeclaredFederation = false)
    {
        _undeclared = undeclaredFederation;
        _identity = identity;
        _limits = limits;
        _testControl = testControl;
        _rateLimit = rateLimit;
        _federation = federation;
        _peers = federation is null ? null : peers;
        _current = Render(_peers?.Version ?? 0);
    }

    public MetadataDocument Document => Current().Document;

    public DpRoute Route => new(MetadataPath, new Dictionary<string, RequestDelegate>
    {
        [HttpMethods.Get] = ctx => Replies.BytesAsync(ctx, StatusCodes.Status200OK, "application/json", Current().Bytes),
        [HttpMethods.Head] = ctx => Replies.BytesAsync(ctx, StatusCodes.Status200OK, "application/json", ReadOnlyMemory<byte>.Empty),
    });

    private (int Version, MetadataDocument Document, byte[] Bytes) Current()
    {
        var version = _peers?.Version ?? 0;
        lock (_lock)
        {
            if (_current.Version != version)
                _current = Render(version);
            return _current;
        }
    }

    private (int, MetadataDocument, byte[]) Render(int version)
    {
        List<string> classes = ["core", "joint-signature", "tag-privacy", "lifecycle"];
        if (_rateLimit is not null)
            classes.Add("anti-enumeration");
        if (_federation is not null)
            classes.Add("federation");
        var document = new MetadataDocument(
            ProfileConstants.Version,
            _identity.DpId,
            new MetadataEndpoints(Paths.Publish, Paths.Lookup, Paths.Remove, Paths.Import, _federation is null || _undeclared ? null : Paths.PeerLookup, Paths.Invalidate),
            [new SigningKeyEntry(B64.Encode(_identity.SigningKey.KeyId), "EdDSA", "Ed25519", B64.Encode(_identity.SigningKey.PublicKey))],
            [CsiTypes.E164, CsiTypes.Email],
            classes,
            _federation is { } f && !_undeclared
                ? new FederationInfo(f.Default, FederationModes.Every, f.Jurisdictions, f.ForwardJurisdictions, _peers?.Preferred ?? [])
                : new FederationInfo(FederationModes.Local, [FederationModes.Local]),
            new LimitsInfo(_limits.MaxBodyBytes, _limits.MaxMsps, _limits.MaxTags, _limits.MaxTagBytes, _limits.DisclosureBytes),
            _testControl ? Paths.TestControl : null,
            _rateLimit);
        return (version, document, JsonSerializer.SerializeToUtf8Bytes(document, DpJson.Default.MetadataDocument));
    }
}
