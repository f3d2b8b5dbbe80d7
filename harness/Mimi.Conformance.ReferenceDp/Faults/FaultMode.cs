namespace Mimi.Conformance.ReferenceDp.Faults;

/// <summary>One deliberate defect the reference DP can be started with (<c>--fault NAME</c>).</summary>
internal sealed record FaultInfo(string Name, string Description);

/// <summary>
/// The fault catalogue. Each mode breaks exactly one behaviour so the suite's self-test can check that exactly the
/// requirements mapped to it (vectors/self-test/faults.json) fail and nothing else does.
/// </summary>
internal static class FaultMode
{
    public const string AcceptUnsigned = "accept-unsigned";
    public const string AcceptUntrustedPop = "accept-untrusted-pop";
    public const string SkipDpCountersign = "skip-dp-countersign";
    public const string DropSecondMapping = "drop-second-mapping";
    public const string ConflateOptOut = "conflate-opt-out";
    public const string ReEncodePayload = "re-encode-payload";
    public const string IgnoreRemove = "ignore-remove";
    public const string AcceptAnyRemover = "accept-any-remover";
    public const string ServePlainHttp = "serve-plain-http";
    public const string ProblemAsHtml = "problem-as-html";
    public const string ServerErrorOnBadInput = "server-error-on-bad-input";
    public const string NormalizeCsi = "normalize-csi";
    public const string AcceptReplayedRemoval = "accept-replayed-removal";
    public const string UnstableOrder = "unstable-order";
    public const string DpSignsWithoutRecipient = "dp-signs-without-recipient";
    public const string StripMspSignature = "strip-msp-signature";
    public const string WrongRoleHeader = "wrong-role-header";
    public const string AcceptExpiredPop = "accept-expired-pop";
    public const string ReSignRelayed = "re-sign-relayed";
    public const string NoTokenRequired = "no-token-required";
    public const string AcceptReusedToken = "accept-reused-token";
    public const string FixedRedemptionContext = "fixed-redemption-context";
    public const string AllowanceNotEnforced = "allowance-not-enforced";
    public const string ExistenceOracle = "existence-oracle";
    public const string FloorTooLow = "floor-too-low";
    public const string IgnoreRetryAfter = "ignore-retry-after";
    public const string LeakExactTags = "leak-exact-tags-in-general-lookup";
    public const string DropTags = "drop-tags";
    public const string AcceptOversizeTags = "accept-oversize-tags";
    public const string DiscloseOnPrefixMatch = "disclose-on-prefix-match";
    public const string SizeLeak = "size-leak";
    public const string AcceptMalformedTags = "accept-malformed-tags";
    public const string AcceptDefaultInList = "accept-default-in-list";
    public const string DedupDefaults = "dedup-defaults";
    public const string RequireTags = "require-tags";
    public const string ForwardSenderIdentity = "forward-sender-identity";
    public const string IgnoreMspFilter = "ignore-msp-filter";
    public const string FederateDespiteLocalMode = "federate-despite-local-mode";
    public const string IgnoreDpList = "ignore-dp-list";
    public const string DropPeerResults = "drop-peer-results";
    public const string CrossJurisdictionForward = "cross-jurisdiction-forward";
    public const string SkipPeerVerification = "skip-peer-verification";
    public const string HidePartialResults = "hide-partial-results";
    public const string DuplicatePeerMappings = "duplicate-peer-mappings";
    public const string SetTrackingCookie = "set-tracking-cookie";
    public const string IgnorePeerPins = "ignore-peer-pins";
    public const string UndeclaredFederation = "undeclared-federation";
    public const string FailOnPeerError = "fail-on-peer-error";
    public const string FormatsIgnorePeers = "formats-ignore-peers";
    public const string IgnoreNewHolder = "ignore-new-holder";
    public const string AcceptNewHolderWithoutNewerAssignment = "accept-new-holder-without-newer-assignment";
    public const string NoInvalidationBroadcast = "no-invalidation-broadcast";
    public const string IgnoreCsipRemoval = "ignore-csip-removal";
    public const string NewestWins = "newest-wins";

    /// <summary>Every fault with a one-line description, in a stable order (for --help and the CLI).</summary>
    public static IReadOnlyList<FaultInfo> All { get; } =
    [
        new(AcceptUnsigned, "publish skips the recipient-signature and credential checks (still countersigns and stores)"),
        new(AcceptUntrustedPop, "publish accepts a credential issued by an untrusted CSIP key"),
        new(SkipDpCountersign, "publish stores and returns the mapping without the DP's countersignature"),
        new(DropSecondMapping, "lookup returns only the first live mapping of a CSI"),
        new(ConflateOptOut, "lookup answers not_found when every live mapping of the CSI lists no MSP (opt-out)"),
        new(ReEncodePayload, "lookup serves each mapping with its payload re-encoded in non-canonical key order"),
        new(IgnoreRemove, "remove answers 200 with the mapping ids but removes nothing"),
        new(AcceptAnyRemover, "remove skips signer authorization: any well-formed removal is accepted"),
        new(ServePlainHttp, "the DP listens with plain HTTP (no TLS) and advertises an http:// URL"),
        new(ProblemAsHtml, "refusals keep their status but come as an HTML page instead of problem+json"),
        new(ServerErrorOnBadInput, "malformed JSON gets a 500 instead of a 400"),
        new(NormalizeCsi, "lookup strips spaces and punctuation from a non-canonical CSI instead of refusing it"),
        new(AcceptReplayedRemoval, "remove ignores nonces, so a captured removal can be replayed later"),
        new(UnstableOrder, "lookup returns the mappings of a CSI in a different order on every other call"),
        new(DpSignsWithoutRecipient, "publish accepts a mapping with no recipient signature (credential still checked) and countersigns it"),
        new(StripMspSignature, "publish stores and serves the mapping without its msp signatures"),
        new(WrongRoleHeader, "the DP's countersignature carries role \"recipient\" instead of \"dp\""),
        new(AcceptExpiredPop, "publish accepts an expired proof-of-possession credential"),
        new(ReSignRelayed, "import replaces the computing DP's signature with the importing DP's own"),
        new(NoTokenRequired, "anonymous lookups are answered without a Privacy Pass token"),
        new(AcceptReusedToken, "lookup skips the double-spend check: a redeemed token is accepted again"),
        new(FixedRedemptionContext, "tokens are not bound to the allowance window: one challenge with an empty redemption_context, so a token fetched in an earlier window is still redeemed"),
        new(AllowanceNotEnforced, "the token issuer ignores the per-window allowance"),
        new(ExistenceOracle, "the 401 for a token-less lookup says whether the CSI has mappings"),
        new(FloorTooLow, "anonymous allowance and identified limit are 10 per window (below the floor of 50)"),
        new(IgnoreRetryAfter, "429 answers carry no Retry-After"),
        new(LeakExactTags, "a general lookup (no tag) releases every exact-match-only tag's disclosure"),
        new(DropTags, "publish discards the exact-match-only tag disclosures, so no lookup can ever disclose them"),
        new(AcceptOversizeTags, "publish skips the max_tags / max_tag_bytes limits"),
        new(DiscloseOnPrefixMatch, "an exact lookup also discloses tags that merely start with the named tag"),
        new(SizeLeak, "the disclosures field is padded to the mapping's own disclosures, not to the declared disclosure_bytes"),
        new(AcceptMalformedTags, "publish accepts tags that are neither registered tokens nor RFC 4151 tag URIs"),
        new(AcceptDefaultInList, "publish accepts \"default\" combined with other tags for one MSP"),
        new(DedupDefaults, "lookup returns only the first of several mappings whose MSPs are all tagged default"),
        new(RequireTags, "publish refuses an MSP entry without tags instead of taking it as the implicit default"),
        new(ForwardSenderIdentity, "forwarded lookups carry the client's Authorization, Cookie, User-Agent and IP (X-Forwarded-For, body member \"sender\")"),
        new(IgnoreMspFilter, "lookup ignores msp_filter (locally and on peer results) and does not forward it"),
        new(FederateDespiteLocalMode, "a lookup in mode local (or with no mode, default local) is forwarded to every registry peer"),
        new(IgnoreDpList, "dp_preferred and client_selected lookups are forwarded to every registry peer"),
        new(DropPeerResults, "federated lookups ask the peers but serve only local mappings, silently"),
        new(CrossJurisdictionForward, "forwarding ignores the declared forward_jurisdictions restriction"),
        new(SkipPeerVerification, "mappings answered by peers are served without §5 verification or the peer's dp signature check"),
        new(HidePartialResults, "a federated lookup with unreachable or failing peers answers without partial/unavailable"),
        new(DuplicatePeerMappings, "byte-identical mappings from several sources are served once per source (no deduplication)"),
        new(IgnorePeerPins, "the DP-to-DP client accepts any peer certificate instead of the pinned ones"),
        new(SetTrackingCookie, "every response sets a persistent tracking cookie"),
        new(UndeclaredFederation, "metadata claims federation but declares only mode local, no jurisdictions and no peer_lookup endpoint (behaviour unchanged)"),
        new(FailOnPeerError, "a federated lookup answers 502 when any asked peer fails, instead of a partial answer"),
        new(FormatsIgnorePeers, "compact answers list only local MSPs and verbose found_at names only this DP, whatever the peers answered"),
        new(IgnoreNewHolder, "publish ignores the new_holder bit: a reissued CSI's new holder gets a conflict and nothing is invalidated"),
        new(AcceptNewHolderWithoutNewerAssignment, "new_holder invalidates the current holder even when the credential's assignment is not newer"),
        new(NoInvalidationBroadcast, "a new holder's first mapping is accepted but no invalidation is sent to peer DPs"),
        new(IgnoreCsipRemoval, "CSIP-signed removals and disconnect notices answer 200 but remove nothing"),
        new(NewestWins, "a conflicting publish by another holder silently replaces that holder's mappings"),
    ];

    public static bool IsKnown(string name) => All.Any(f => f.Name == name);

    /// <summary>The valid names, one per line with descriptions, for error messages.</summary>
    public static string Describe() => string.Join(Environment.NewLine, All.Select(f => $"  {f.Name,-22} {f.Description}"));
}

/// <summary>The faults a running DP was started with.</summary>
internal sealed class FaultSet
{
    private readonly HashSet<string> _active;

    public FaultSet(IEnumerable<string> names)
    {
        _active = [.. names];
        var unknown = _active.Where(n => !FaultMode.IsKnown(n)).Order(StringComparer.Ordinal).ToArray();
        if (unknown.Length > 0)
            throw new ArgumentException($"unknown fault mode(s): {string.Join(", ", unknown)}. Valid faults:{Environment.NewLine}{FaultMode.Describe()}", nameof(names));
    }

    public static FaultSet None { get; } = new([]);

    public bool Has(string name) => _active.Contains(name);

    public IReadOnlyCollection<string> Active => _active;
}
