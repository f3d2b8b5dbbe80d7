using System.Security.Cryptography;
using Mimi.Conformance.Protocol.Cose;
using Mimi.Conformance.Protocol.Profile;
using Mimi.Conformance.ReferenceDp.Discovery;
using Mimi.Conformance.ReferenceDp.Endpoints;
using Mimi.Conformance.ReferenceDp.Faults;
using Mimi.Conformance.ReferenceDp.Store;
using static Mimi.Conformance.Protocol.Profile.ProfileConstants;

namespace Mimi.Conformance.ReferenceDp.Federation;

/// <summary>
/// PROFILE.md §11.3: another DP asks for one CSI. The asking DP proves who it is with <c>Mimi-Peer-Auth</c> (a role-dp
/// COSE_Sign1 over who asks whom, when, a nonce and the body's hash); the answer is this DP's own computed mappings for
/// the CSI (never imported ones, never a forward to a third DP), byte for byte; there is no bulk or wildcard form.
/// </summary>
internal sealed class PeerLookupEndpoint(string path, LookupService lookup, DpIdentity identity, DpLimits limits, DpTrust trust, MappingStore store, TimeProvider time, LivePolicy policy,
    PeerLimiter limiter, Func<HttpContext, LookupRequest, Task<bool>>? clientGate = null, FederationService? federation = null)
{
    public static readonly Duty AuthenticatePeerLookups = new("federation.authenticate-peer-lookups");
    public static readonly Duty BindPeerAuthToOrigin = new("federation.bind-peer-auth-to-origin");
    public static readonly Duty BindPeerAuthToBody = new("federation.bind-peer-auth-to-body");
    public static readonly Duty CheckPeerAuthAddressee = new("federation.check-peer-auth-addressee");
    public static readonly Duty CheckPeerAuthFreshness = new("federation.check-peer-auth-freshness");
    public static readonly Duty SingleUsePeerNonces = new("federation.single-use-peer-nonces");
    public static readonly Duty ExemptPeersFromTokenGate = new("federation.exempt-peers-from-token-gate");
    public static readonly Duty LimitPeerLookups = new("federation.limit-peer-lookups");
    public static readonly Duty RefuseHopsBelowOne = new("federation.refuse-hops-below-one");
    public static readonly Duty OneCsiPerPeerLookup = new("federation.one-csi-per-peer-lookup");
    public static readonly Duty AnswerFromOwnStore = new("federation.answer-peer-lookups-from-own-store");

    /// <summary>Peer-lookup nonces share the nonce table with removals and invalidations; the prefix keeps them apart.</summary>
    private static readonly byte[] NonceDomain = "mimi-dp-peer-lookup/"u8.ToArray();

    public DpRoute Route => new(path, new Dictionary<string, RequestDelegate> { [HttpMethods.Post] = LookupAsync });

    private async Task LookupAsync(HttpContext ctx)
    {
        var (request, body) = await RequestBody.ReadJsonWithBytesAsync(ctx, DpJson.Default.PeerLookupRequest, limits.MaxBodyBytes);
        if (request.Hops < 1 && policy.Performs(RefuseHopsBelowOne))
            throw new ProblemException(Problems.MalformedRequest, "hops counts the DP-to-DP hops taken and is at least 1");
        var auth = Authenticate(ctx.Request.Headers[PeerAuth.Header].ToString(), request, body);
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        if (auth is not null)
        {
            if (auth.ToDp != identity.DpId && policy.Performs(CheckPeerAuthAddressee))
                throw new ProblemException(Problems.WrongDp, $"the peer lookup is for DP \"{Clip(auth.ToDp)}\"; this DP is \"{identity.DpId}\"");
            if (Math.Abs(now - auth.IssuedAt) > ClockSkewSeconds && policy.Performs(CheckPeerAuthFreshness))
                throw new ProblemException(Problems.Expired, $"Mimi-Peer-Auth iat {auth.IssuedAt} is more than {ClockSkewSeconds} s from now ({now})");
        }
        // The §10.4 gate is for clients; a DP that applies it to peers asks them for a token they never carry.
        if (clientGate is not null && !policy.Performs(ExemptPeersFromTokenGate) && !await clientGate(ctx, new LookupRequest(request.Csi, request.CsiType)))
            return;
        // bulk-peer-lookup: a comma-separated list looked up CSI by CSI.
        var csis = request.Csi.Contains(',', StringComparison.Ordinal) && !policy.Performs(OneCsiPerPeerLookup) ? request.Csi.Split(',') : [request.Csi];
        if (request.CsiType is not (CsiTypes.E164 or CsiTypes.Email) || !csis.All(c => Csis.IsValid(request.CsiType, c)))
            throw new ProblemException(Problems.UnsupportedCsi, "a peer lookup names one CSI in the canonical syntax of §3 (e164 or email)");
        if (auth is not null && !store.TrySpendNonce([.. NonceDomain, .. auth.Nonce], now) && policy.Performs(SingleUsePeerNonces))
            throw new ProblemException(Problems.Replayed, "this Mimi-Peer-Auth nonce was already accepted");
        // Only lookups that passed every check count (PROFILE.md §11.3): a refused one spends nothing of the peer's window.
        if (auth is not null && limiter.TryCharge(auth.FromDp) is { } retryAfter && policy.Performs(LimitPeerLookups))
            throw new ProblemException(Problems.RateLimited, $"at most {limiter.Limit.Limit} peer lookups per {limiter.Limit.WindowS} s from {Clip(auth.FromDp)}")
            {
                Headers = [new("Retry-After", retryAfter.ToString(System.Globalization.CultureInfo.InvariantCulture))],
            };

        IReadOnlyList<LookupHit> own = [.. csis.SelectMany(c => lookup.Lookup(c, request.CsiType, null, request.MspFilter))
            .Where(h => MappingPayload.Decode(CoseSign.Decode(h.Mapping, strict: false).Payload, strict: false).Dp == identity.DpId)];
        // hops is 1 (PROFILE.md §11.3): a peer lookup is never forwarded; forward-peer-lookups asks every peer again.
        if (federation is not null && federation.HasPeersBesides(auth?.FromDp) && !policy.Performs(AnswerFromOwnStore))
            own = (await federation.LookupAsync(new LookupRequest(request.Csi, request.CsiType, new FederationRequest(FederationModes.All), request.MspFilter), own, ctx, ctx.RequestAborted)).Hits;
        var response = new LookupResponse(own.Count > 0 ? "found" : "not_found", [.. own.Select(h => new LookupEntry(h.MappingId, B64.Encode(h.Mapping)))]);
        await Replies.JsonAsync(ctx, StatusCodes.Status200OK, response, DpJson.Default.LookupResponse);
    }

    /// <summary>
    /// The asking DP, proven: a role-dp signature by a key trusted for <c>from_dp</c> (registry or test control, never this
    /// DP's own), naming the body's <c>origin</c> and the hash of the bytes received. Null only when a fault lets an
    /// unauthenticated lookup through.
    /// </summary>
    private PeerAuth? Authenticate(string header, PeerLookupRequest request, byte[] body)
    {
        PeerAuth? auth = null;
        string? refusal = null;
        if (header.Length == 0)
            refusal = $"a peer lookup carries a {PeerAuth.Header} header";
        else if (!B64.TryDecode(header, out var bytes))
            refusal = $"{PeerAuth.Header} is not base64url without padding";
        else
        {
            try
            {
                var envelope = CoseSign1.Decode(bytes);
                auth = PeerAuth.Decode(envelope.Payload);
                var signer = envelope.Role == SignerRoles.Dp && envelope.KeyId is { } kid ? trust.Current.Find(SignerRoles.Dp, kid) : null;
                if (signer is null || signer.Owner != auth.FromDp || signer.Owner == identity.DpId || !envelope.Verify(signer.PublicKey))
                    refusal = $"{PeerAuth.Header} is not signed under role dp by a key trusted for from_dp \"{Clip(auth.FromDp)}\"";
            }
            catch (Exception e) when (e is CoseFormatException or ProfileFormatException)
            {
                refusal = $"{PeerAuth.Header} is not the COSE_Sign1 of §11.3: {e.Message}";
            }
        }
        if (refusal is not null && policy.Performs(AuthenticatePeerLookups))
            throw new ProblemException(Problems.Unauthorized, refusal);
        if (auth is null)
            return null;
        if (auth.FromDp != request.Origin && policy.Performs(BindPeerAuthToOrigin))
            throw new ProblemException(Problems.Unauthorized, $"{PeerAuth.Header} from_dp \"{Clip(auth.FromDp)}\" is not the body's origin");
        if (!CryptographicOperations.FixedTimeEquals(auth.Body, SHA256.HashData(body)) && policy.Performs(BindPeerAuthToBody))
            throw new ProblemException(Problems.Unauthorized, $"{PeerAuth.Header} body is not the SHA-256 of the body received");
        return auth;
    }

    private static string Clip(string s) => s.Length <= 100 ? s : s[..100] + "…";
}
