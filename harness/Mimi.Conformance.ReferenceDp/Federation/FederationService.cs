using System.Security.Cryptography;
using System.Text.Json;
using Mimi.Conformance.Protocol.Cose;
using Mimi.Conformance.Protocol.Profile;
using Mimi.Conformance.ReferenceDp.AntiEnumeration;
using Mimi.Conformance.ReferenceDp.Discovery;
using Mimi.Conformance.ReferenceDp.Endpoints;
using Mimi.Conformance.ReferenceDp.Faults;
using static Mimi.Conformance.Protocol.Profile.ProfileConstants;

namespace Mimi.Conformance.ReferenceDp.Federation;

/// <summary>The lookup modes of PROFILE.md §11.4.</summary>
internal static class FederationModes
{
    public const string Local = "local";
    public const string DpPreferred = "dp_preferred";
    public const string ClientSelected = "client_selected";
    public const string All = "all";

    public static IReadOnlyList<string> Every { get; } = [Local, DpPreferred, ClientSelected, All];
}

/// <summary>What the DP declares in metadata <c>federation</c>: its default mode, where it is, where it may forward to (null = anywhere).</summary>
internal sealed record FederationPolicy(string Default, IReadOnlyList<string> Jurisdictions, IReadOnlyList<string>? ForwardJurisdictions)
{
    /// <summary>What one asking DP gets at this DP's peer endpoint (metadata <c>federation.peer_limit</c>, PROFILE.md §11.3).</summary>
    public RateWindow PeerLimit { get; init; } = PeerLimiter.Default;
}

/// <summary>A federated lookup's outcome: local and peer mappings merged (§11.5), and the peers without a usable answer.</summary>
/// <param name="MarkComplete">Set only under the always-report-partial fault: say "partial": false and an empty list instead of leaving both out.</param>
internal sealed record FederatedResult(IReadOnlyList<LookupHit> Hits, IReadOnlyList<UnavailablePeer> Unavailable, bool MarkComplete = false);

/// <summary>
/// PROFILE.md §11.4–11.6: picks the peers a lookup's mode names, forwards only the allowed members (never anything
/// that identifies the sender), verifies what they answer under their registry keys, and merges it with the local
/// answer: local first, then peers in registry order, byte-identical duplicates once, failures reported, never hidden.
/// </summary>
/// <param name="rateLimitContext">Set when the DP also claims anti-enumeration: every forward then carries <c>rl</c> (§11.6).</param>
internal sealed class FederationService(PeerDirectory directory, PeerClient client, DpTrust trust, DpIdentity identity, TimeProvider time, LivePolicy dpPolicy, FederationPolicy policy, DpLimits limits,
    RateLimitContext? rateLimitContext = null)
{
    public static readonly Duty StripSenderIdentity = new("federation.strip-sender-identity");
    public static readonly Duty HonourLocalMode = new("federation.honour-local-mode");
    public static readonly Duty HonourDpList = new("federation.honour-dp-list");
    public static readonly Duty ServePeerResults = new("federation.serve-peer-results");
    public static readonly Duty DeduplicateAnswers = new("federation.deduplicate-answers");
    public static readonly Duty ReportUnavailablePeers = new("federation.report-unavailable-peers");
    public static readonly Duty RespectJurisdictions = new("federation.respect-jurisdictions");
    public static readonly Duty VerifyPeerAnswers = new("federation.verify-peer-answers");
    public static readonly Duty TolerateFailingPeers = new("federation.tolerate-failing-peers");
    public static readonly Duty CreditPeersInFormats = new("federation.credit-peers-in-formats");
    public static readonly Duty SignPeerLookups = new("federation.sign-peer-lookups");
    public static readonly Duty SendRateLimitContext = new("federation.send-rate-limit-context");
    public static readonly Duty RefuseUnknownFormats = new("federation.refuse-unknown-formats");
    public static readonly Duty ServeCompactFormat = new("federation.serve-compact-format");
    public static readonly Duty RefuseMisplacedDps = new("federation.refuse-misplaced-dps");
    public static readonly Duty IgnoreOwnDpIdInDps = new("federation.ignore-own-dp-id-in-dps");
    public static readonly Duty AskOnlyPeerLookupEndpoints = new("federation.ask-only-peer-lookup-endpoints");
    public static readonly Duty AcceptPeerMappingsWithoutMspSignatures = new("federation.accept-peer-mappings-without-msp-signatures");
    public static readonly Duty ServePeerMappingsOfAnyHolder = new("federation.serve-peer-mappings-of-any-holder");
    public static readonly Duty NameHttpStatusInReasons = new("federation.name-http-status-in-reasons");
    public static readonly Duty OmitPartialWhenComplete = new("federation.omit-partial-when-complete");
    public static readonly Duty SendOnlyProfileHeaders = new("federation.send-only-profile-headers");

    public const int MaxConcurrentPeers = 16;
    public const int MaxListedDps = 64;

    public FederationPolicy Policy => policy;

    /// <summary>Not tolerating failing peers: one failing peer sinks the whole lookup.</summary>
    public bool FailOnPeerError => !dpPolicy.Performs(TolerateFailingPeers);

    /// <summary>Not crediting peers: the compact answer is computed from local mappings only.</summary>
    public bool FormatsIgnorePeers => !dpPolicy.Performs(CreditPeersInFormats);

    /// <summary>The policy of this DP, for the body checks of <see cref="Validate"/>.</summary>
    public LivePolicy DpPolicy => dpPolicy;

    /// <summary>Whether a lookup could reach a registry peer other than <paramref name="dpId"/>.</summary>
    public bool HasPeersBesides(string? dpId) => directory.Peers.Any(p => p.DpId != dpId);

    /// <summary>
    /// Body checks for <c>federation</c> and <c>format</c>, before anything else happens (a malformed request says
    /// nothing about a CSI). <paramref name="policy"/>: the federating DP's; null for a DP without federation.
    /// </summary>
    public static void Validate(FederationRequest? request, string? format = null, LivePolicy? policy = null)
    {
        if (format is not (null or "verbose" or "compact") && (policy?.Performs(RefuseUnknownFormats) ?? true))
            throw new ProblemException(Problems.MalformedRequest, "format must be verbose or compact");
        if (format == "compact" && policy is not null && !policy.Performs(ServeCompactFormat))
            throw new ProblemException(Problems.MalformedRequest, "format compact is not supported");
        if (request is null)
            return;
        if (!FederationModes.Every.Contains(request.Mode))
            throw new ProblemException(Problems.MalformedRequest, $"federation.mode must be one of {string.Join(", ", FederationModes.Every)}");
        if (request.Mode == FederationModes.ClientSelected)
        {
            if (request.Dps is not { Count: > 0 and <= MaxListedDps })
                throw new ProblemException(Problems.MalformedRequest, $"federation.dps must list 1 to {MaxListedDps} dp_ids in mode client_selected");
            if (request.Dps.Any(d => d.Length is 0 or > 512))
                throw new ProblemException(Problems.MalformedRequest, "federation.dps entries are dp_ids (non-empty, at most 512 characters)");
        }
        else if (request.Dps is not null && (policy?.Performs(RefuseMisplacedDps) ?? true))
        {
            throw new ProblemException(Problems.MalformedRequest, "federation.dps is only allowed in mode client_selected");
        }
    }

    public async Task<FederatedResult> LookupAsync(LookupRequest request, IReadOnlyList<LookupHit> local, HttpContext sender, CancellationToken ct)
    {
        var mode = request.Federation?.Mode ?? policy.Default;
        if (mode == FederationModes.Local && !dpPolicy.Performs(HonourLocalMode))
            mode = FederationModes.All;
        if (mode is FederationModes.DpPreferred or FederationModes.ClientSelected && !dpPolicy.Performs(HonourDpList))
            mode = FederationModes.All;
        // The hot path: local hits as they are (found_at defaults to this DP).
        if (mode == FederationModes.Local)
            return new FederatedResult(local, []);

        var unavailable = new List<UnavailablePeer>();
        var targets = Targets(mode, request.Federation?.Dps, unavailable);
        var filter = request.MspFilter is not null && dpPolicy.Performs(LookupService.ApplyMspFilter) ? request.MspFilter : null;
        var forward = new PeerLookupRequest(request.Csi, request.CsiType, filter, identity.DpId, 1, dpPolicy.Performs(StripSenderIdentity) ? null : SenderOf(sender));
        var leaked = dpPolicy.Performs(StripSenderIdentity) ? null : SenderHeaders(sender);
        var now = time.GetUtcNow().ToUnixTimeSeconds();

        using var gate = new SemaphoreSlim(MaxConcurrentPeers);
        var replies = await Task.WhenAll(targets.Select(async peer =>
        {
            await gate.WaitAsync(ct);
            try
            {
                var rl = rateLimitContext is not null && dpPolicy.Performs(SendRateLimitContext) ? B64.Encode(rateLimitContext.For(sender, peer.DpId)) : null;
                var body = JsonSerializer.SerializeToUtf8Bytes(forward with { Rl = rl }, DpJson.Default.PeerLookupRequest);
                return await client.PostJsonAsync(peer, peer.PeerLookupPath ?? Paths.PeerLookup, body, ct, HeadersFor(peer, body, now, leaked));
            }
            finally
            {
                gate.Release();
            }
        }));

        // Byte-identical mappings are served once; found_at (verbose format) collects every DP that had them.
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var hits = new List<LookupHit>();
        var foundAt = new List<List<string>>();
        foreach (var hit in local)
        {
            index.TryAdd(Convert.ToBase64String(hit.Mapping), hits.Count);
            hits.Add(hit);
            foundAt.Add([identity.DpId]);
        }
        var empty = TagRules.EncodeBlock([], limits.DisclosureBytes);
        var credit = !FormatsIgnorePeers;
        var holders = local.Select(h => AssignedAtOf(h.Mapping)).OfType<long>().ToHashSet();
        for (var i = 0; i < targets.Count; i++)
        {
            var (accepted, problem) = Accept(targets[i], replies[i], request, filter, holders);
            if (problem is not null)
                unavailable.Add(new UnavailablePeer(targets[i].DpId, problem));
            if (accepted.Count > 0 && !dpPolicy.Performs(ServePeerResults))
                continue;
            foreach (var mapping in accepted)
            {
                var key = Convert.ToBase64String(mapping);
                if (index.TryGetValue(key, out var at) && dpPolicy.Performs(DeduplicateAnswers))
                {
                    if (credit && !foundAt[at].Contains(targets[i].DpId))
                        foundAt[at].Add(targets[i].DpId);
                    continue;
                }
                index.TryAdd(key, hits.Count);
                hits.Add(new LookupHit(MappingPayload.IdOf(CoseSign.Decode(mapping, strict: false).Payload), mapping, empty));
                foundAt.Add([credit ? targets[i].DpId : identity.DpId]);
            }
        }
        return new FederatedResult([.. hits.Select((h, i) => h with { FoundAt = foundAt[i] })], unavailable.Count == 0 || dpPolicy.Performs(ReportUnavailablePeers) ? unavailable : [],
            MarkComplete: unavailable.Count == 0 && !dpPolicy.Performs(OmitPartialWhenComplete));
    }

    private List<PeerEntry> Targets(string mode, IReadOnlyList<string>? listed, List<UnavailablePeer> unavailable)
    {
        var peers = directory.Peers;
        List<PeerEntry> targets;
        if (mode == FederationModes.ClientSelected)
        {
            targets = [];
            foreach (var dpId in listed!.Distinct(StringComparer.Ordinal))
            {
                if (dpId == identity.DpId && dpPolicy.Performs(IgnoreOwnDpIdInDps))
                    continue;
                if (dpId == identity.DpId)
                    unavailable.Add(new UnavailablePeer(dpId, "unknown-dp"));
                if (peers.FirstOrDefault(p => p.DpId == dpId) is not { } peer)
                    unavailable.Add(new UnavailablePeer(dpId, "unknown-dp"));
                else if (peer.PeerLookupPath is null && dpPolicy.Performs(AskOnlyPeerLookupEndpoints))
                    unavailable.Add(new UnavailablePeer(dpId, "no-peer-lookup"));
                else if (!Allowed(peer))
                    unavailable.Add(new UnavailablePeer(dpId, "jurisdiction"));
                else
                    targets.Add(peer);
            }
            // Registry order, whatever order the client listed them in, so the merged answer is stable.
            return [.. peers.Where(targets.Contains)];
        }
        var preferred = directory.Preferred;
        targets = [.. peers.Where(p => mode == FederationModes.All || preferred.Contains(p.DpId))];
        return [.. targets.Where(p => (p.PeerLookupPath is not null || !dpPolicy.Performs(AskOnlyPeerLookupEndpoints)) && Allowed(p))];
    }

    /// <summary>Data residency: a peer is asked only if it shares a jurisdiction with the declared forwarding restriction.</summary>
    private bool Allowed(PeerEntry peer) =>
        policy.ForwardJurisdictions is not { } allowed || peer.Jurisdictions.Any(allowed.Contains) || !dpPolicy.Performs(RespectJurisdictions);

    /// <summary>The peer's mappings that may be served, and why the peer counts as unavailable, if it does.</summary>
    /// <param name="localHolders">The credential assigned_at of the local mappings: §12 precedence does not apply to peer mappings (PROFILE.md §11.5).</param>
    private (IReadOnlyList<byte[]> Mappings, string? Problem) Accept(PeerEntry peer, PeerReply reply, LookupRequest request, IReadOnlyList<string>? filter, HashSet<long> localHolders)
    {
        if (reply.Error is { } error)
            return ([], error.StartsWith("no answer", StringComparison.Ordinal) ? "timeout" : "unreachable");
        if (!reply.Succeeded)
            return ([], dpPolicy.Performs(NameHttpStatusInReasons) ? $"http-{reply.Status}" : "http-error");
        LookupResponse? answer;
        try
        {
            answer = JsonSerializer.Deserialize(reply.Body, DpJson.Default.LookupResponse);
        }
        catch (JsonException)
        {
            return ([], "bad-answer");
        }
        if (answer is null || answer.Status is not ("found" or "not_found"))
            return ([], "bad-answer");
        var accepted = new List<byte[]>();
        string? problem = null;
        var trusted = trust.Current;
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        foreach (var entry in answer.Mappings)
        {
            if (!B64.TryDecode(entry.Mapping, out var bytes))
            {
                problem ??= "bad-answer";
                continue;
            }
            var v = MappingVerifier.Verify(bytes, trusted, now, new VerificationPolicy(RequireDpSignature: true, RequireMspSignatures: false));
            if ((!v.Valid || v.Payload is not { } p || p.Dp != peer.DpId || p.Csi != request.Csi || p.CsiType != request.CsiType) && dpPolicy.Performs(VerifyPeerAnswers))
            {
                problem ??= "invalid-mapping";
                continue;
            }
            // An msp signature is verified when present (above) but none is required of a peer mapping.
            if (v.Valid && !MappingVerifier.Verify(bytes, trusted, now, VerificationPolicy.Joint).Valid && !dpPolicy.Performs(AcceptPeerMappingsWithoutMspSignatures))
            {
                problem ??= "invalid-mapping";
                continue;
            }
            if (v.Pop is { } pop && localHolders.Count > 0 && !localHolders.Contains(pop.AssignedAt) && !dpPolicy.Performs(ServePeerMappingsOfAnyHolder))
                continue;
            if (filter is not null && !Lists(bytes, filter))
                continue;
            accepted.Add(bytes);
        }
        return (accepted, problem);
    }

    /// <summary>The credential's assigned_at of a stored mapping (its holder, PROFILE.md §12.1).</summary>
    private static long? AssignedAtOf(byte[] mapping)
    {
        try
        {
            var payload = MappingPayload.Decode(CoseSign.Decode(mapping, strict: false).Payload, strict: false);
            return PopCredential.Decode(CoseSign1.Decode(payload.Pop).Payload).AssignedAt;
        }
        catch (Exception e) when (e is CoseFormatException or ProfileFormatException)
        {
            return null;
        }
    }

    private static bool Lists(byte[] mapping, IReadOnlyList<string> filter)
    {
        try
        {
            return MappingPayload.Decode(CoseSign.Decode(mapping, strict: false).Payload, strict: false).Msps.Any(e => filter.Contains(e.Msp));
        }
        catch (Exception e) when (e is CoseFormatException or ProfileFormatException)
        {
            return false;
        }
    }

    /// <summary>Mimi-Peer-Auth (PROFILE.md §11.3): this DP, the peer, now, a fresh nonce and the hash of exactly these body bytes.</summary>
    private List<KeyValuePair<string, string>> HeadersFor(PeerEntry peer, byte[] body, long now, IReadOnlyList<KeyValuePair<string, string>>? leaked)
    {
        List<KeyValuePair<string, string>> headers = [.. leaked ?? []];
        if (!dpPolicy.Performs(SendOnlyProfileHeaders))
            headers.Add(new("X-Mimi-Forward-Id", Convert.ToHexString(RandomNumberGenerator.GetBytes(8))));
        if (dpPolicy.Performs(SignPeerLookups))
            headers.Add(new(PeerAuth.Header, PeerAuth.For(identity.DpId, peer.DpId, now, RandomNumberGenerator.GetBytes(MappingPayload.NonceSize), body).Sign(identity.SigningKey)));
        return headers;
    }

    /// <summary>forward-sender-identity: what a careless DP passes on.</summary>
    private static string SenderOf(HttpContext sender) =>
        $"{sender.Connection.RemoteIpAddress}; {sender.Request.Headers.Authorization}";

    private static List<KeyValuePair<string, string>> SenderHeaders(HttpContext sender)
    {
        var headers = new List<KeyValuePair<string, string>>();
        foreach (var name in new[] { "Authorization", "Cookie", "User-Agent", "X-Request-Id" })
        {
            if (sender.Request.Headers.TryGetValue(name, out var value) && value.Count > 0)
                headers.Add(new(name, value.ToString()));
        }
        headers.Add(new("X-Forwarded-For", sender.Connection.RemoteIpAddress?.ToString() ?? "unknown"));
        return headers;
    }
}
