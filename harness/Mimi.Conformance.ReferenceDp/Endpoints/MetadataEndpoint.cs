using System.Text.Json;
using Mimi.Conformance.Protocol.Profile;
using Mimi.Conformance.ReferenceDp.Discovery;
using Mimi.Conformance.ReferenceDp.Federation;
using static Mimi.Conformance.Protocol.Profile.ProfileConstants;
using Mimi.Conformance.ReferenceDp.Faults;

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
    private readonly Func<MetadataRateLimit>? _rateLimit;
    private readonly FederationPolicy? _federation;
    private readonly PeerDirectory? _peers;
    private readonly LivePolicy _policy;
    private readonly Lock _lock = new();
    private (int Version, bool Declared, bool PeerLimit, MetadataRateLimit? RateLimit, MetadataDocument Document, byte[] Bytes) _current;

    public static readonly Duty DeclareFederation = new("metadata.declare-federation");
    public static readonly Duty DeclarePeerLimit = new("metadata.declare-peer-limit");

    /// <param name="federation">Null: the DP does not federate (local only, no federation class).</param>
    public MetadataEndpoint(DpIdentity identity, DpLimits limits, bool testControl, Func<MetadataRateLimit>? rateLimit = null, FederationPolicy? federation = null, PeerDirectory? peers = null, LivePolicy? policy = null)
    {
        _policy = policy ?? LivePolicy.Correct();
        _identity = identity;
        _limits = limits;
        _testControl = testControl;
        _rateLimit = rateLimit;
        _federation = federation;
        _peers = federation is null ? null : peers;
        _current = Render(_peers?.Version ?? 0, _policy.Performs(DeclareFederation), federation is null || _policy.Performs(DeclarePeerLimit), _rateLimit?.Invoke());
    }

    public MetadataDocument Document => Current().Document;

    public DpRoute Route => new(MetadataPath, new Dictionary<string, RequestDelegate>
    {
        [HttpMethods.Get] = ctx => Replies.BytesAsync(ctx, StatusCodes.Status200OK, "application/json", Current().Bytes),
        [HttpMethods.Head] = ctx => Replies.BytesAsync(ctx, StatusCodes.Status200OK, "application/json", ReadOnlyMemory<byte>.Empty),
    });

    private (int Version, bool Declared, bool PeerLimit, MetadataRateLimit? RateLimit, MetadataDocument Document, byte[] Bytes) Current()
    {
        var version = _peers?.Version ?? 0;
        var declared = _policy.Performs(DeclareFederation);
        var peerLimit = _federation is null || _policy.Performs(DeclarePeerLimit);
        var rateLimit = _rateLimit?.Invoke();
        lock (_lock)
        {
            if (_current.Version != version || _current.Declared != declared || _current.PeerLimit != peerLimit || _current.RateLimit != rateLimit)
                _current = Render(version, declared, peerLimit, rateLimit);
            return _current;
        }
    }

    private (int, bool, bool, MetadataRateLimit?, MetadataDocument, byte[]) Render(int version, bool declared, bool peerLimit, MetadataRateLimit? rateLimit)
    {
        List<string> classes = ["core", "joint-signature", "tag-privacy", "lifecycle"];
        if (rateLimit is not null)
            classes.Add("anti-enumeration");
        if (_federation is not null)
            classes.Add("federation");
        var document = new MetadataDocument(
            ProfileConstants.Version,
            _identity.DpId,
            new MetadataEndpoints(Paths.Publish, Paths.Lookup, Paths.Remove, Paths.Import, _federation is null || !declared ? null : Paths.PeerLookup, Paths.Invalidate),
            [new SigningKeyEntry(B64.Encode(_identity.SigningKey.KeyId), "EdDSA", "Ed25519", B64.Encode(_identity.SigningKey.PublicKey))],
            [CsiTypes.E164, CsiTypes.Email],
            classes,
            _federation is { } f && declared
                ? new FederationInfo(f.Default, FederationModes.Every, f.Jurisdictions, f.ForwardJurisdictions, _peers?.Preferred ?? [], peerLimit ? f.PeerLimit : null)
                : new FederationInfo(FederationModes.Local, [FederationModes.Local]),
            new LimitsInfo(_limits.MaxBodyBytes, _limits.MaxMsps, _limits.MaxTags, _limits.MaxTagBytes, _limits.DisclosureBytes),
            _testControl ? Paths.TestControl : null,
            rateLimit);
        return (version, declared, peerLimit, rateLimit, document, JsonSerializer.SerializeToUtf8Bytes(document, DpJson.Default.MetadataDocument));
    }
}
