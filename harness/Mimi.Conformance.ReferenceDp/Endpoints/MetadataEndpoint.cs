using System.Text.Json;
using Mimi.Conformance.Protocol.Profile;
using Mimi.Conformance.ReferenceDp.Discovery;
using Mimi.Conformance.ReferenceDp.Federation;
using static Mimi.Conformance.Protocol.Profile.ProfileConstants;
using Mimi.Conformance.ReferenceDp.Faults;
using Mimi.Conformance.ReferenceDp.Hosting;

namespace Mimi.Conformance.ReferenceDp.Endpoints;

/// <summary>
/// GET /.well-known/mimi-discovery (PROFILE.md §6.1). Serialised once, and again only when the peer directory
/// changes (its preferred peers are part of <c>federation</c>, §11.4).
/// </summary>
internal sealed class MetadataEndpoint
{
    private readonly DpIdentity _identity;
    private readonly DpLimits _limits;
    private readonly DpEndpointPaths _paths;
    private readonly bool _testControl;
    private readonly Func<MetadataRateLimit>? _rateLimit;
    private readonly FederationPolicy? _federation;
    private readonly PeerDirectory? _peers;
    private readonly LivePolicy _policy;
    private readonly Lock _lock = new();
    private (int Version, DpPolicy Policy, MetadataRateLimit? RateLimit, MetadataDocument Document, byte[] Bytes) _current;

    public static readonly Duty DeclareFederation = new("metadata.declare-federation");
    public static readonly Duty DeclarePeerLimit = new("metadata.declare-peer-limit");
    public static readonly Duty NameKeysByTheirKid = new("metadata.name-keys-by-their-kid");
    public static readonly Duty DeclareOnlyDefinedClasses = new("metadata.declare-only-defined-classes");
    public static readonly Duty AdvertiseClassEndpoints = new("metadata.advertise-class-endpoints");
    public static readonly Duty NameProfileVersion = new("metadata.name-profile-version");
    public static readonly Duty AdvertiseTestControlOnlyWhenOffered = new("metadata.advertise-test-control-only-when-offered");
    public static readonly Duty AdvertiseServedPaths = new("metadata.advertise-served-paths");

    /// <summary>Where a DP that skips <see cref="AdvertiseServedPaths"/> says it receives invalidations: a path it does not serve.</summary>
    public const string UnservedInvalidatePath = "/v1/federation/invalidations";

    private static readonly Duty[] RenderDuties = [DeclareFederation, DeclarePeerLimit, NameKeysByTheirKid, DeclareOnlyDefinedClasses, AdvertiseClassEndpoints, NameProfileVersion];

    /// <param name="federation">Null: the DP does not federate (local only, no federation class).</param>
    public MetadataEndpoint(DpIdentity identity, DpLimits limits, DpEndpointPaths paths, bool testControl, Func<MetadataRateLimit>? rateLimit = null, FederationPolicy? federation = null, PeerDirectory? peers = null, LivePolicy? policy = null)
    {
        _policy = policy ?? LivePolicy.Correct();
        _identity = identity;
        _limits = limits;
        _paths = paths;
        _testControl = testControl;
        _rateLimit = rateLimit;
        _federation = federation;
        _peers = federation is null ? null : peers;
        _current = Render(_peers?.Version ?? 0, _policy.Current, _rateLimit?.Invoke());
    }

    public MetadataDocument Document => Current().Document;

    public DpRoute Route => new(MetadataPath, new Dictionary<string, RequestDelegate>
    {
        [HttpMethods.Get] = ctx => Replies.BytesAsync(ctx, StatusCodes.Status200OK, "application/json", Current().Bytes),
        [HttpMethods.Head] = ctx => Replies.BytesAsync(ctx, StatusCodes.Status200OK, "application/json", ReadOnlyMemory<byte>.Empty),
    });

    /// <summary>The document, rendered again when the peers, the faults or the rate-limit figures changed.</summary>
    private (int Version, DpPolicy Policy, MetadataRateLimit? RateLimit, MetadataDocument Document, byte[] Bytes) Current()
    {
        // The bytes served depend on every duty of the render, even when they come from an earlier one: the self-test's
        // trace credits them to the test that fetched (its targeting of metadata faults rests on it).
        foreach (var duty in RenderDuties)
            _policy.DependsOn(duty);
        var version = _peers?.Version ?? 0;
        var policy = _policy.Current;
        var rateLimit = _rateLimit?.Invoke();
        lock (_lock)
        {
            if (_current.Version != version || !ReferenceEquals(_current.Policy, policy) || _current.RateLimit != rateLimit)
                _current = Render(version, policy, rateLimit);
            return _current;
        }
    }

    private (int, DpPolicy, MetadataRateLimit?, MetadataDocument, byte[]) Render(int version, DpPolicy policy, MetadataRateLimit? rateLimit)
    {
        var declared = _policy.Performs(DeclareFederation);
        var peerLimit = _federation is null || _policy.Performs(DeclarePeerLimit);
        var classEndpoints = _policy.Performs(AdvertiseClassEndpoints);
        List<string> classes = ["core", "joint-signature", "tag-privacy", "lifecycle"];
        if (rateLimit is not null)
            classes.Add("anti-enumeration");
        if (_federation is not null)
            classes.Add("federation");
        if (!_policy.Performs(DeclareOnlyDefinedClasses))
            classes.Add("x-experimental");
        var publicKey = _identity.SigningKey.PublicKey;
        var kid = _policy.Performs(NameKeysByTheirKid) ? _identity.SigningKey.KeyId : System.Security.Cryptography.SHA256.HashData(publicKey)[16..];
        var document = new MetadataDocument(
            _policy.Performs(NameProfileVersion) ? ProfileConstants.Version : "mimi-dp-profile/0.1",
            _identity.DpId,
            new MetadataEndpoints(_paths.Publish, _paths.Lookup, _paths.Remove, classEndpoints ? _paths.Import : null, _federation is null || !declared ? null : _paths.PeerLookup,
                classEndpoints ? (_policy.Performs(AdvertiseServedPaths) ? _paths.Invalidate : UnservedInvalidatePath) : null),
            [new SigningKeyEntry(B64.Encode(kid), "EdDSA", "Ed25519", B64.Encode(publicKey))],
            [CsiTypes.E164, CsiTypes.Email],
            classes,
            _federation is { } f && declared
                ? new FederationInfo(f.Default, FederationModes.Every, f.Jurisdictions, f.ForwardJurisdictions, _peers?.Preferred ?? [], peerLimit ? f.PeerLimit : null)
                : new FederationInfo(FederationModes.Local, [FederationModes.Local]),
            new LimitsInfo(_limits.MaxBodyBytes, _limits.MaxMsps, _limits.MaxTags, _limits.MaxTagBytes, _limits.DisclosureBytes),
            _testControl || !_policy.Performs(AdvertiseTestControlOnlyWhenOffered) ? Paths.TestControl : null,
            rateLimit);
        return (version, policy, rateLimit, document, JsonSerializer.SerializeToUtf8Bytes(document, DpJson.Default.MetadataDocument));
    }
}
