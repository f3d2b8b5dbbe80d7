using Mimi.Conformance.Protocol.Cose;
using Mimi.Conformance.Protocol.Profile;
using Mimi.Conformance.ReferenceDp.Discovery;
using Mimi.Conformance.ReferenceDp.Federation;
using static Mimi.Conformance.Protocol.Profile.ProfileConstants;
using Mimi.Conformance.ReferenceDp.Lifecycle;
using Mimi.Conformance.ReferenceDp.Hosting;

namespace Mimi.Conformance.ReferenceDp.Endpoints;

/// <summary>The default endpoint paths (PROFILE.md §6): where peers are reached, and test control.</summary>
internal static class Paths
{
    public const string Invalidate = ProfilePaths.Invalidate;
    public const string TestControl = ProfilePaths.TestControl;
    public const string PeerLookup = ProfilePaths.PeerLookup;
}

/// <summary>Publish, lookup, remove and invalidate (PROFILE.md §6.2–6.4, §12.5), and federated lookups (§11): JSON in and out; the work is in Discovery/, Lifecycle/ and Federation/.</summary>
internal sealed class DiscoveryEndpoints(DpEndpointPaths paths, PublishService publish, LookupService lookup, RemovalService removal, ImportService import, InvalidationService invalidation, DpLimits limits, Func<HttpContext, LookupRequest, Task<bool>>? admitLookup = null, FederationService? federation = null, string selfDpId = "")
{
    public IEnumerable<DpRoute> Routes =>
    [
        new(paths.Publish, new Dictionary<string, RequestDelegate> { [HttpMethods.Post] = PublishAsync }),
        new(paths.Lookup, new Dictionary<string, RequestDelegate> { [HttpMethods.Post] = LookupAsync }),
        new(paths.Remove, new Dictionary<string, RequestDelegate> { [HttpMethods.Post] = RemoveAsync }),
        new(paths.Import, new Dictionary<string, RequestDelegate> { [HttpMethods.Post] = ImportAsync }),
        new(paths.Invalidate, new Dictionary<string, RequestDelegate> { [HttpMethods.Post] = InvalidateAsync }),
    ];

    private async Task InvalidateAsync(HttpContext ctx)
    {
        var request = await RequestBody.ReadJsonAsync(ctx, DpJson.Default.InvalidateRequest, limits.MaxBodyBytes);
        var removed = invalidation.Receive(RequestBody.Base64Url(ctx, request.Invalidation, "invalidation"));
        await Replies.JsonAsync(ctx, StatusCodes.Status200OK, new RemoveResponse(removed), DpJson.Default.RemoveResponse);
    }

    private async Task ImportAsync(HttpContext ctx)
    {
        var request = await RequestBody.ReadJsonAsync(ctx, DpJson.Default.PublishRequest, limits.MaxBodyBytes);
        var result = import.Import(RequestBody.Base64Url(ctx, request.Mapping, "mapping"));
        await Replies.JsonAsync(ctx, result.Created ? StatusCodes.Status201Created : StatusCodes.Status200OK,
            new PublishResponse(result.MappingId, B64.Encode(result.Mapping)), DpJson.Default.PublishResponse);
    }

    private async Task PublishAsync(HttpContext ctx)
    {
        var request = await RequestBody.ReadJsonAsync(ctx, DpJson.Default.PublishRequest, limits.MaxBodyBytes);
        var disclosures = request.Disclosures?.Select(d => new TagDisclosure(RequestBody.Base64Url(ctx, d.Salt, "disclosures.salt"), d.Tag)).ToArray();
        var result = publish.Publish(RequestBody.Base64Url(ctx, request.Mapping, "mapping"), disclosures);
        await result.Awaited;
        await Replies.JsonAsync(ctx, result.Created ? StatusCodes.Status201Created : StatusCodes.Status200OK,
            new PublishResponse(result.MappingId, B64.Encode(result.Mapping)), DpJson.Default.PublishResponse);
    }

    private async Task LookupAsync(HttpContext ctx)
    {
        var request = await RequestBody.ReadJsonAsync(ctx, DpJson.Default.LookupRequest, limits.MaxBodyBytes);
        FederationService.Validate(request.Federation, request.Format, federation?.DpPolicy);
        if (federation is null)
            lookup.RefuseNonLocalMode(request.Federation?.Mode);
        if (admitLookup is not null && !await admitLookup(ctx, request))
            return;
        var hits = lookup.Lookup(request.Csi, request.CsiType, request.Tag, request.MspFilter);
        var local = hits;
        IReadOnlyList<UnavailablePeer> unavailable = [];
        var markComplete = false;
        if (federation is not null)
            (hits, unavailable, markComplete) = await federation.LookupAsync(request, hits, ctx, ctx.RequestAborted);
        if (unavailable.Count > 0 && federation?.FailOnPeerError == true)
            throw new ProblemException(Problems.PeerUnavailable, $"{unavailable.Count} peer(s) failed");
        var status = lookup.StatusOf(hits, request.Csi, request.CsiType, request.MspFilter);
        bool? partial = unavailable.Count > 0 ? true : markComplete ? false : null;
        var missing = unavailable.Count > 0 || markComplete ? unavailable : null;
        if (request.Format == "compact")
        {
            // Reachability only: the MSPs of the mappings a verbose answer would hold, sorted, each once.
            var reachable = federation?.FormatsIgnorePeers == true ? local : hits;
            var msps = reachable.SelectMany(h => MappingPayload.Decode(CoseSign.Decode(h.Mapping, strict: false).Payload, strict: false).Msps.Select(e => e.Msp))
                .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
            await Replies.JsonAsync(ctx, StatusCodes.Status200OK, new CompactLookupResponse(status, msps, partial, missing), DpJson.Default.CompactLookupResponse);
            return;
        }
        if (lookup.AnswersUnknownBare(hits, request))
        {
            await Replies.BytesAsync(ctx, StatusCodes.Status200OK, "application/json", "{\"status\":\"not_found\"}"u8.ToArray());
            return;
        }
        var verbose = request.Format == "verbose";
        var response = new LookupResponse(status,
            [.. hits.Select(h => new LookupEntry(h.MappingId, B64.Encode(h.Mapping), h.Disclosures is { } d ? B64.Encode(d) : null, verbose ? h.FoundAt ?? [selfDpId] : null))],
            partial, missing);
        await Replies.JsonAsync(ctx, StatusCodes.Status200OK, response, DpJson.Default.LookupResponse);
    }

    private async Task RemoveAsync(HttpContext ctx)
    {
        var request = await RequestBody.ReadJsonAsync(ctx, DpJson.Default.RemoveRequest, limits.MaxBodyBytes);
        var removed = removal.Remove(RequestBody.Base64Url(ctx, request.Removal, "removal"));
        await Replies.JsonAsync(ctx, StatusCodes.Status200OK, new RemoveResponse(removed), DpJson.Default.RemoveResponse);
    }
}
