using System.Collections.Immutable;
using Mimi.Conformance.ReferenceDp.AntiEnumeration;
using Mimi.Conformance.ReferenceDp.Discovery;
using Mimi.Conformance.ReferenceDp.Endpoints;
using Mimi.Conformance.ReferenceDp.Federation;
using Mimi.Conformance.ReferenceDp.Hosting;
using Mimi.Conformance.ReferenceDp.Lifecycle;

namespace Mimi.Conformance.ReferenceDp.Faults;

/// <summary>
/// One deliberate defect: the duties the DP skips, and the catalog IDs (requirements and profile rules) the suite must
/// fail under it, and no others. <paramref name="AtStart"/>: it shapes the listener, the peer client or the issuer, so
/// it needs a DP started with it and cannot be switched on a running one.
/// </summary>
internal sealed record Fault(string Name, string Description, IReadOnlyList<string> Breaks, IReadOnlyList<Duty> Skips, bool AtStart = false);

/// <summary>
/// The single source of the reference DP's fault modes (<c>--fault NAME</c>). vectors/self-test/faults.json is
/// generated from it (<c>./run.sh vectors generate</c>); the self-test proves that each fault fails exactly
/// <see cref="Fault.Breaks"/>.
/// </summary>
internal static class FaultRegistry
{
    public static IReadOnlyList<Fault> All { get; } =
    [
        new("accept-unsigned", "publish skips the recipient-signature and credential checks (still countersigns and stores)",
            ["DISC-L-01", "DISC-L-04", "DISC-L-05", "DISC-L-06", "DISC-L-21", "DISC-R-01", "PROF-SIG-02", "PROF-SIG-03", "PROF-SIG-04", "PROF-SIG-05", "PROF-PUB-03", "PROF-PUB-07", "PROF-PUB-08", "PROF-CRED-03"], [PublishVerification.VerifyRecipientAndCredential]),
        new("accept-untrusted-pop", "publish accepts a credential issued by an untrusted CSIP key",
            ["DISC-L-01", "DISC-L-05", "DISC-R-01", "PROF-SIG-03", "PROF-SIG-05", "PROF-PUB-03", "PROF-PUB-07", "PROF-CRED-03"], [PublishVerification.TrustOnlyKnownCsips]),
        new("skip-dp-countersign", "publish stores and returns the mapping without the DP's countersignature",
            ["DISC-L-03", "PROF-SIG-01"], [PublishService.Countersign]),
        new("newest-first", "lookup serves the mappings of a CSI newest first: stable, but not the order the profile fixes",
            ["DISC-M-03", "PROF-LU-05"], [LookupService.OldestFirst]),
        new("drop-second-mapping", "lookup returns only the first live mapping of a CSI",
            ["DISC-L-14", "DISC-M-02", "DISC-M-06", "DISC-L-17", "DISC-R-03", "DISC-R-05", "DISC-R-09", "PROF-TAG-08"], [LookupService.ServeEveryMapping]),
        new("conflate-opt-out", "lookup answers not_found when every live mapping of the CSI lists no MSP (opt-out)",
            ["DISC-R-05", "PROF-LU-03"], [LookupService.DistinguishOptOut]),
        new("re-encode-payload", "lookup serves each mapping with its payload re-encoded in non-canonical key order",
            ["DISC-L-02", "DISC-L-03", "DISC-L-05", "DISC-L-06", "DISC-M-01", "DISC-M-02", "DISC-M-04", "DISC-M-08", "DISC-R-02", "DISC-R-04", "PROF-SIG-01", "PROF-SIG-02", "PROF-SIG-03", "PROF-TAG-01", "PROF-TAG-17", "PROF-SV-01", "PROF-IMP-04", "DISC-L-23", "PROF-FED-12", "PROF-FED-14", "PROF-FED-19"], [LookupService.ServeExactBytes]),
        new("ignore-remove", "remove answers 200 with the mapping ids but removes nothing",
            ["DISC-L-16", "DISC-L-17", "DISC-L-19", "DISC-L-19A", "DISC-M-06", "DISC-R-09", "DISC-R-10", "PROF-RM-05", "PROF-RM-12", "PROF-RM-13"], [RemovalService.ApplyRecipientRemoval, RemovalService.ApplyCsipRemoval]),
        new("accept-any-remover", "remove skips signer authorization: any well-formed removal is accepted",
            ["DISC-R-10", "PROF-RM-09", "PROF-RM-02", "PROF-RM-04", "DISC-R-09", "PROF-RM-03"], [RemovalService.AuthorizeRemover]),
        new("serve-plain-http", "the DP listens with plain HTTP (no TLS) and advertises an http:// URL",
            ["DISC-R-07", "DISC-L-23", "PROF-TR-01", "PROF-TR-02", "PROF-TR-03", "PROF-FED-05"], [ReferenceDpHost.ServeTls], AtStart: true),
        new("problem-as-html", "refusals keep their status but come as an HTML page instead of problem+json",
            ["PROF-ERR-01", "PROF-ERR-02", "DISC-R-01", "DISC-R-04", "DISC-R-09", "DISC-R-10", "DISC-L-01", "DISC-L-07A", "DISC-L-08", "DISC-M-01", "DISC-M-05", "PROF-ERR-03", "PROF-ID-01", "PROF-CRED-03", "PROF-TAG-02", "PROF-TAG-06", "PROF-PUB-01", "PROF-PUB-03", "PROF-PUB-05", "PROF-PUB-06", "PROF-PUB-07", "PROF-PUB-08", "PROF-PUB-09", "PROF-RM-03", "PROF-RM-06", "PROF-RM-07", "PROF-RM-08", "PROF-RM-10", "PROF-RM-11", "PROF-RM-13", "PROF-IMP-01", "PROF-IMP-02", "PROF-IMP-03", "DISC-R-02", "PROF-PUB-11"], [ErrorHandling.AnswerProblemJson]),
        new("server-error-on-bad-input", "malformed JSON gets a 500 instead of a 400",
            ["PROF-ERR-01", "PROF-ERR-02", "PROF-ERR-03"], [ErrorHandling.AnswerBadInputWith4xx]),
        new("normalize-csi", "lookup strips spaces and punctuation from a non-canonical CSI instead of refusing it",
            ["DISC-L-08", "PROF-ID-02", "PROF-ID-01", "PROF-PUB-05"], [LookupService.RefuseNonCanonicalCsi]),
        new("accept-replayed-removal", "remove ignores nonces, so a captured removal can be replayed later",
            ["DISC-R-10", "PROF-RM-08", "PROF-RM-11"], [RemovalService.SingleUseNonces]),
        new("unstable-order", "lookup returns the mappings of a CSI in a different order on every other call",
            ["DISC-M-03", "PROF-LU-05"], [LookupService.StableOrder]),
        new("dp-signs-without-recipient", "publish accepts a mapping with no recipient signature (credential still checked) and countersigns it",
            ["DISC-L-04", "DISC-L-21", "DISC-R-01", "PROF-SIG-04", "PROF-PUB-03", "PROF-PUB-08"], [PublishVerification.RequireRecipientSignature]),
        new("strip-msp-signature", "publish stores and serves the mapping without its msp signatures",
            ["DISC-L-02", "DISC-L-03"], [PublishService.KeepMspSignatures]),
        new("wrong-role-header", "the DP's countersignature carries role \"recipient\" instead of \"dp\"",
            ["DISC-L-03", "DISC-L-06", "DISC-L-18", "DISC-M-02", "DISC-M-04", "DISC-M-06", "DISC-M-08", "DISC-R-02", "DISC-R-04", "PROF-SIG-01", "PROF-SIG-02", "PROF-TAG-01", "PROF-TAG-17", "PROF-SV-01"], [PublishService.CountersignAsDp]),
        new("accept-expired-pop", "publish accepts an expired proof-of-possession credential",
            ["DISC-L-01", "PROF-PUB-03", "PROF-PUB-07"], [PublishVerification.CheckCredentialValidity]),
        new("re-sign-relayed", "import replaces the computing DP's signature with the importing DP's own",
            ["DISC-M-01", "PROF-IMP-04", "PROF-IMP-05"], [ImportService.KeepComputingDpSignature]),
        new("no-token-required", "anonymous lookups are answered without a Privacy Pass token",
            ["DISC-R-08", "DISC-M-07", "PROF-AE-04", "PROF-AE-05", "PROF-AE-11", "PROF-AE-15", "PROF-AE-18", "PROF-AE-19", "PROF-AE-23"], [AntiEnumerationEndpoints.RequireToken]),
        new("accept-reused-token", "lookup skips the double-spend check: a redeemed token is accepted again",
            ["DISC-R-08", "DISC-M-07", "PROF-AE-19"], [AntiEnumerationEndpoints.SpendTokensOnce]),
        new("fixed-redemption-context", "tokens are not bound to the allowance window: one challenge with an empty redemption_context, so a token fetched in an earlier window is still redeemed",
            ["DISC-M-07", "PROF-AE-18"], [PrivacyPassIssuer.BindTokensToWindow], AtStart: true),
        new("allowance-not-enforced", "the token issuer ignores the per-window allowance",
            ["DISC-R-08", "DISC-M-07", "PROF-AE-11"], [AntiEnumerationEndpoints.EnforceAllowance]),
        new("existence-oracle", "the 401 for a token-less lookup says whether the CSI has mappings",
            ["DISC-R-08", "PROF-AE-23"], [AntiEnumerationEndpoints.UniformChallenge]),
        new("floor-too-low", "anonymous allowance and identified limit are 10 per window (below the floor of 50)",
            ["DISC-M-07", "PROF-AE-04", "PROF-AE-05"], [AntiEnumerationPolicy.AllowanceAtFloor], AtStart: true),
        new("ignore-retry-after", "429 answers carry no Retry-After",
            ["DISC-L-22", "DISC-M-07", "PROF-AE-11", "PROF-AE-22", "DISC-L-12", "PROF-AE-25", "PROF-AE-26"], [AntiEnumerationEndpoints.SendRetryAfter]),
        new("leak-exact-tags-in-general-lookup", "a general lookup (no tag) releases every exact-match-only tag's disclosure",
            ["DISC-M-04", "PROF-TAG-18"], [LookupService.WithholdUnnamedDisclosures]),
        new("drop-tags", "publish discards the exact-match-only tag disclosures, so no lookup can ever disclose them",
            ["DISC-M-04", "PROF-TAG-17"], [PublishService.StoreDisclosures]),
        new("accept-oversize-tags", "publish skips the max_tags / max_tag_bytes limits",
            ["DISC-R-02"], [PublishService.EnforceTagLimits]),
        new("disclose-on-prefix-match", "an exact lookup also discloses tags that merely start with the named tag",
            ["DISC-M-04", "PROF-TAG-16", "PROF-TAG-19"], [LookupService.ExactTagMatch]),
        new("size-leak", "the disclosures field is padded to the mapping's own disclosures, not to the declared disclosure_bytes",
            ["DISC-M-04", "PROF-TAG-16", "PROF-TAG-17", "PROF-TAG-18", "PROF-TAG-19"], [LookupService.FixedDisclosureSize]),
        new("accept-malformed-tags", "publish accepts tags that are neither registered tokens nor RFC 4151 tag URIs",
            ["DISC-M-05", "PROF-TAG-02"], [PublishService.CheckTagSyntax]),
        new("accept-default-in-list", "publish accepts \"default\" combined with other tags for one MSP",
            ["DISC-L-07A", "PROF-TAG-06"], [PublishService.DefaultStandsAlone]),
        new("dedup-defaults", "lookup returns only the first of several mappings whose MSPs are all tagged default",
            ["DISC-M-02", "DISC-R-09", "PROF-TAG-08"], [LookupService.ServeEveryDefault]),
        new("require-tags", "publish refuses an MSP entry without tags instead of taking it as the implicit default",
            ["DISC-L-07", "PROF-TAG-07"], [PublishService.ImplicitDefault]),
        new("forward-sender-identity", "forwarded lookups carry the client's Authorization, Cookie, User-Agent and IP (X-Forwarded-For, body member \"sender\")",
            ["DISC-L-09", "DISC-M-09", "DISC-R-06", "PROF-FED-37", "PROF-FED-39"], [FederationService.StripSenderIdentity]),
        new("ignore-msp-filter", "lookup ignores msp_filter (locally and on peer results) and does not forward it",
            ["DISC-L-10", "PROF-FED-30", "PROF-LU-07", "DISC-R-05", "PROF-LU-08"], [LookupService.ApplyMspFilter]),
        new("federate-despite-local-mode", "a lookup in mode local (or with no mode, default local) is forwarded to every registry peer",
            ["DISC-L-10", "DISC-L-11", "PROF-FED-24", "PROF-FED-25"], [FederationService.HonourLocalMode]),
        new("ignore-dp-list", "dp_preferred and client_selected lookups are forwarded to every registry peer",
            ["DISC-L-10A", "DISC-L-OP", "PROF-FED-24", "PROF-FED-41"], [FederationService.HonourDpList]),
        new("drop-peer-results", "federated lookups ask the peers but serve only local mappings, silently",
            ["DISC-L-10", "DISC-L-13", "DISC-L-15", "DISC-L-RG", "DISC-M-10", "DISC-M-11", "DISC-R-03", "PROF-FED-28", "PROF-FED-30", "PROF-FED-31", "PROF-FED-32", "PROF-FED-33", "PROF-FED-36", "PROF-FED-44", "PROF-FED-45"], [FederationService.ServePeerResults]),
        new("cross-jurisdiction-forward", "forwarding ignores the declared forward_jurisdictions restriction",
            ["DISC-L-10A", "DISC-L-OP", "DISC-M-12", "PROF-FED-24", "PROF-FED-41"], [FederationService.RespectJurisdictions]),
        new("skip-peer-verification", "mappings answered by peers are served without §5 verification or the peer's dp signature check",
            ["DISC-L-RG", "PROF-FED-28"], [FederationService.VerifyPeerAnswers]),
        new("hide-partial-results", "a federated lookup with unreachable or failing peers answers without partial/unavailable",
            ["DISC-L-13", "DISC-L-OP", "DISC-M-10", "PROF-FED-33", "PROF-FED-36", "PROF-FED-41"], [FederationService.ReportUnavailablePeers]),
        new("duplicate-peer-mappings", "byte-identical mappings from several sources are served once per source (no deduplication)",
            ["DISC-R-03", "PROF-FED-31", "PROF-FED-32"], [FederationService.DeduplicateAnswers]),
        new("ignore-peer-pins", "the DP-to-DP client accepts any peer certificate instead of the pinned ones",
            ["DISC-L-23", "PROF-FED-05"], [PeerClient.AuthenticatePeers], AtStart: true),
        new("set-tracking-cookie", "every response sets a persistent tracking cookie",
            ["DISC-R-06", "PROF-LU-10", "PROF-LU-11"], [ReferenceDpHost.SetNoCookies]),
        new("undeclared-federation", "metadata claims federation but declares only mode local, no jurisdictions, no peer_limit and no peer_lookup endpoint (behaviour unchanged)",
            ["DISC-L-10A", "DISC-L-RG", "DISC-M-12", "PROF-FED-24", "PROF-FED-28", "PROF-FED-41", "DISC-L-22", "PROF-FED-20"], [MetadataEndpoint.DeclareFederation]),
        new("fail-on-peer-error", "a federated lookup answers 502 when any asked peer fails, instead of a partial answer",
            ["DISC-L-10A", "DISC-L-13", "DISC-L-OP", "DISC-L-RG", "DISC-M-10", "DISC-M-11", "DISC-M-12", "DISC-R-03", "PROF-FED-24", "PROF-FED-28", "PROF-FED-31", "PROF-FED-32", "PROF-FED-33", "PROF-FED-36", "PROF-FED-41"], [FederationService.TolerateFailingPeers]),
        new("formats-ignore-peers", "compact answers list only local MSPs and verbose found_at names only this DP, whatever the peers answered",
            ["DISC-L-15", "PROF-FED-44", "PROF-FED-45"], [FederationService.CreditPeersInFormats]),
        new("ignore-new-holder", "publish ignores the new_holder bit: a reissued CSI's new holder gets a conflict and nothing is invalidated",
            ["DISC-L-17", "DISC-L-17A", "DISC-L-18", "DISC-L-19A", "DISC-M-06"], [Precedence.HonourNewHolder]),
        new("accept-new-holder-without-newer-assignment", "new_holder invalidates the current holder even when the credential's assignment is not newer",
            ["DISC-L-17"], [Precedence.RequireNewerAssignment]),
        new("no-invalidation-broadcast", "a new holder's first mapping is accepted but no invalidation is sent to peer DPs",
            ["DISC-L-18", "DISC-M-06"], [InvalidationBroadcaster.BroadcastInvalidations]),
        new("ignore-csip-removal", "CSIP-signed removals and disconnect notices answer 200 but remove nothing",
            ["DISC-L-16", "DISC-L-19A", "DISC-M-06", "DISC-R-09", "DISC-R-10", "PROF-RM-05"], [RemovalService.ApplyCsipRemoval]),
        new("newest-wins", "a conflicting publish by another holder silently replaces that holder's mappings",
            ["DISC-L-17A", "DISC-L-19"], [Precedence.RefuseConflicts]),
        new("accept-other-dp", "publish takes a mapping whose dp names another DP as if it were its own",
            ["DISC-R-01", "PROF-PUB-01", "PROF-PUB-03", "PROF-PUB-09"], [PublishService.CheckOwnDp]),
        new("accept-out-of-window-mapping", "publish skips the mapping's validity window (iat ahead, exp passed, iat >= exp)",
            ["DISC-R-04", "PROF-PUB-03", "PROF-PUB-06"], [PublishVerification.CheckMappingValidity]),
        new("csi-as-invalid-mapping", "publish and import refuse a CSI outside the §3 syntax as invalid-mapping instead of unsupported-csi",
            ["DISC-L-08", "PROF-ID-01", "PROF-PUB-05"], [PublishVerification.NameUnsupportedCsi]),
        new("publish-again-answers-201", "publishing a live mapping again answers 201 as if it were new",
            ["DISC-R-03", "PROF-MAP-06", "PROF-PUB-13", "PROF-PUB-14"], [PublishService.AnswerLiveWith200]),
        new("republish-removed", "re-publishing a removed mapping's payload answers 200 as if it were still live",
            ["DISC-R-09", "PROF-RM-13"], [PublishService.RefuseRemovedPayload]),
        new("accept-removal-for-other-dp", "remove skips the removal's dp check",
            ["DISC-R-10", "PROF-RM-06"], [RemovalService.CheckRemovalDp]),
        new("accept-stale-removal", "remove skips the 300 s freshness check on the removal's iat",
            ["DISC-R-10", "PROF-RM-07"], [RemovalService.CheckRemovalFreshness]),
        new("recipient-removal-without-id-removes-all", "a recipient removal without mapping_id is taken unchecked and removes every mapping of the CSI",
            ["DISC-R-09", "PROF-RM-03"], [RemovalService.RequireRecipientMappingId]),
        new("remove-unknown-id-succeeds", "a removal naming a mapping the DP does not hold answers 200 with nothing removed",
            ["DISC-R-09", "PROF-RM-10"], [RemovalService.ReportUnknownMapping]),
        new("import-own-mapping", "import skips the check that the mapping's dp is not the importing DP's own",
            ["DISC-M-01", "PROF-IMP-02"], [ImportService.RefuseOwnMappings]),
        new("import-without-dp-signature", "import accepts a mapping that carries no dp signature",
            ["DISC-M-01", "PROF-IMP-03"], [ImportService.RequireDpSignature]),
        new("import-skips-recipient-checks", "import skips §5 rules 3-8 and the credential's expiry: whatever a trusted DP signed is stored",
            ["DISC-M-01", "PROF-IMP-01", "DISC-L-04", "PROF-SIG-04"], [ImportService.VerifyRecipientRules]),
        new("import-again-answers-201", "importing a live mapping again answers 201 as if it were new",
            ["DISC-M-01", "PROF-IMP-05"], [ImportService.AnswerLiveWith200]),
        new("unknown-path-as-malformed", "a path that is no profile endpoint gets 400 malformed-request instead of 404 not-found",
            ["PROF-ERR-01", "PROF-ERR-04"], [Router.AnswerUnknownPathNotFound]),
        new("no-allow-header", "405 answers carry no Allow header",
            ["PROF-ERR-01", "PROF-ERR-05"], [Router.NameAllowedMethods]),
        new("accept-too-many-msps", "publish skips the limits.max_msps bound",
            ["DISC-R-02", "PROF-PUB-11"], [PublishService.EnforceMspLimit]),
        new("replay-as-not-found", "a replayed removal whose mapping is gone gets 404 not-found: liveness is checked before the nonce",
            ["DISC-R-10", "PROF-RM-08", "PROF-RM-11"], [RemovalService.NonceBeforeLiveness]),
        new("found-before-filter", "lookup status says found when the CSI has live mappings, even when msp_filter leaves none",
            ["DISC-R-05", "PROF-LU-08"], [LookupService.StatusAfterFilter]),
        new("problem-status-always-400", "every problem body says status 400, whatever the HTTP status",
            ["PROF-ERR-01", "PROF-ERR-03"], [ErrorHandling.StatusMemberMatches]),
        new("accept-unauthenticated-peer-lookup", "the peer endpoint answers lookups without Mimi-Peer-Auth, or with one that does not decode or is not signed under role dp by a key trusted for its from_dp",
            ["DISC-L-23", "PROF-FED-16"], [PeerLookupEndpoint.AuthenticatePeerLookups]),
        new("peer-auth-ignores-origin", "the peer endpoint accepts a Mimi-Peer-Auth whose from_dp is not the body's origin",
            ["DISC-L-23", "PROF-FED-16"], [PeerLookupEndpoint.BindPeerAuthToOrigin]),
        new("peer-auth-ignores-body", "the peer endpoint accepts a Mimi-Peer-Auth signed over another body",
            ["DISC-L-23", "PROF-FED-16"], [PeerLookupEndpoint.BindPeerAuthToBody]),
        new("accept-peer-lookup-for-another-dp", "the peer endpoint answers a peer lookup whose to_dp names another DP",
            ["DISC-L-23", "PROF-FED-17"], [PeerLookupEndpoint.CheckPeerAuthAddressee]),
        new("accept-stale-peer-lookup", "the peer endpoint answers a peer lookup whose iat is more than 300 s from its clock",
            ["DISC-L-23", "PROF-FED-18"], [PeerLookupEndpoint.CheckPeerAuthFreshness]),
        new("accept-replayed-peer-lookup", "the peer endpoint ignores Mimi-Peer-Auth nonces, so a captured peer lookup can be replayed",
            ["DISC-L-23", "PROF-FED-19"], [PeerLookupEndpoint.SingleUsePeerNonces]),
        new("token-gate-on-peer-lookup", "authenticated peer lookups also go through the anti-enumeration gate and get a 401 PrivateToken challenge",
            ["DISC-L-22", "DISC-L-23", "PROF-FED-12", "PROF-FED-14", "PROF-FED-19", "PROF-FED-21", "PROF-TC-04"], [PeerLookupEndpoint.ExemptPeersFromTokenGate]),
        new("unsigned-peer-lookups", "forwarded lookups carry no Mimi-Peer-Auth",
            ["DISC-L-23", "PROF-FED-15"], [FederationService.SignPeerLookups]),
        new("no-peer-limit", "the peer endpoint answers any number of authenticated peer lookups (the declared federation.peer_limit is not enforced)",
            ["DISC-L-22", "PROF-FED-21", "PROF-TC-04"], [PeerLookupEndpoint.LimitPeerLookups]),
        new("undeclared-peer-limit", "metadata federation carries no peer_limit (the limit is still enforced)",
            ["DISC-L-22", "PROF-FED-20"], [MetadataEndpoint.DeclarePeerLimit]),
        new("non-default-limit-not-enforced", "identified clients get any number of lookups in a non-default federation mode (rate_limit.non_default declared, not enforced)",
            ["DISC-L-12", "PROF-AE-25", "PROF-AE-26"], [AntiEnumerationEndpoints.LimitNonDefaultLookups]),
        new("undeclared-non-default-limit", "non-default lookups are limited, but metadata rate_limit carries no non_default",
            ["DISC-L-12", "PROF-AE-25", "PROF-AE-26"], [AntiEnumerationEndpoints.DeclareNonDefaultLimit]),
        new("no-rl", "forwarded lookups carry no rate-limit context rl",
            ["DISC-L-11A", "PROF-AE-27", "PROF-AE-28", "PROF-AE-29", "PROF-AE-30"], [FederationService.SendRateLimitContext]),
        new("rl-is-credential-hash", "an identified client's rl is SHA-256 of its credential: the same for every peer and window",
            ["DISC-L-11A", "PROF-AE-27", "PROF-AE-28"], [RateLimitContext.KeyPerPeerAndWindow]),
        new("rl-leaks-credential", "rl is the first 16 bytes of what the client sent (its bearer credential, or its Authorization value)",
            ["DISC-L-11A", "PROF-AE-27", "PROF-AE-28", "PROF-AE-29", "PROF-AE-30"], [RateLimitContext.KeepClientDataOut]),
        new("linkable-anonymous-rl", "token lookups get an rl keyed only by peer and window, the same for every anonymous client",
            ["DISC-L-11A", "PROF-AE-27", "PROF-AE-29"], [RateLimitContext.FreshForTokens]),
        new("peer-limit-on-wall-clock", "the per-peer windows follow the wall clock, not the DP's clock, so test control /clock does not end them",
            ["DISC-L-22", "PROF-FED-21", "PROF-TC-04"], [PeerLimiter.FollowTestClock]),
        // §10 anti-enumeration: metadata, issuance and the lookup gate (issue #14)
        new("unknown-bearer-unauthenticated", "a lookup with an unknown Bearer credential gets 401 unauthenticated without a PrivateToken challenge",
            ["DISC-M-07", "PROF-AE-16"], [AntiEnumerationEndpoints.ChallengeUnknownBearer]),
        new("invalid-token-no-challenge", "a refused token gets 401 invalid-token without a fresh WWW-Authenticate challenge",
            ["DISC-M-07", "PROF-AE-20"], [AntiEnumerationEndpoints.RechallengeInvalidTokens]),
        new("issue-to-anyone", "the issuer signs token requests carrying any Bearer credential, known to it or not",
            ["DISC-M-07", "PROF-AE-12"], [AntiEnumerationEndpoints.AuthenticateIssuance]),
        new("issuer-ignores-media-type", "the issuer accepts a token request whatever its Content-Type",
            ["DISC-M-07", "PROF-AE-13"], [AntiEnumerationEndpoints.CheckTokenRequestMediaType]),
        new("csi-syntax-before-credential", "a lookup's CSI syntax is checked before its credential: an anonymous lookup of a malformed CSI gets 400, not 401",
            ["DISC-M-07", "PROF-AE-14"], [AntiEnumerationEndpoints.GateBeforeCsiSyntax]),
        new("padded-challenge", "the WWW-Authenticate challenge and token-key values carry base64url padding",
            ["DISC-M-07", "PROF-AE-17"], [PrivacyPassIssuer.UnpaddedChallenge]),
        new("rate-limit-misnamed", "metadata rate_limit names scheme \"privacy-pass\" and auth \"Bearer\" instead of the profile's values",
            ["DISC-M-07", "PROF-AE-01"], [AntiEnumerationEndpoints.DeclareRateLimitAsShown]),
        new("issuer-uri-mismatch", "metadata rate_limit.anonymous.issuer_request_uri names another endpoint than the issuer directory's issuer-request-uri",
            ["DISC-M-07", "PROF-AE-07"], [AntiEnumerationEndpoints.NameOneIssuerEndpoint]),
        new("directory-as-json", "the issuer directory is served as application/json, not application/private-token-issuer-directory",
            ["DISC-M-07", "PROF-AE-06"], [AntiEnumerationEndpoints.ServeDirectoryMediaType]),
    ];

    private static readonly Dictionary<string, Fault> ByName = All.ToDictionary(f => f.Name, StringComparer.Ordinal);

    public static bool IsKnown(string name) => ByName.ContainsKey(name);

    public static Fault Get(string name) => ByName.TryGetValue(name, out var fault) ? fault
        : throw new ArgumentException($"unknown fault mode \"{name}\" (the list: --list-faults)", nameof(name));

    /// <summary>The policy of a DP with these faults; an unknown name is an <see cref="ArgumentException"/> naming every unknown one.</summary>
    public static DpPolicy PolicyFor(IEnumerable<string> names)
    {
        var wanted = names.Distinct(StringComparer.Ordinal).ToArray();
        var unknown = wanted.Where(n => !IsKnown(n)).Order(StringComparer.Ordinal).ToArray();
        if (unknown.Length > 0)
            throw new ArgumentException($"unknown fault mode(s): {string.Join(", ", unknown)} (the list: --list-faults)", nameof(names));
        return new DpPolicy { Skipped = [.. wanted.SelectMany(n => ByName[n].Skips)] };
    }

    /// <summary>The valid names, one per line with descriptions, for --list-faults.</summary>
    public static string Describe() => string.Join(Environment.NewLine, All.Select(f => $"  {f.Name,-44} {f.Description}"));
}
