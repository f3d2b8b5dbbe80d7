using Mimi.Conformance.Protocol.Cose;
using Mimi.Conformance.Protocol.Profile;
using Mimi.Conformance.ReferenceDp.Discovery;
using Mimi.Conformance.ReferenceDp.Endpoints;
using static Mimi.Conformance.Protocol.Profile.ProfileConstants;

namespace Mimi.Conformance.ReferenceDp.Federation;

/// <summary>
/// PROFILE.md §11.3: another DP asks for one CSI. The answer is this DP's own computed mappings for it (never imported
/// ones, never a forward to a third DP), byte for byte; there is no bulk or wildcard form.
/// </summary>
internal sealed class PeerLookupEndpoint(LookupService lookup, DpIdentity identity, DpLimits limits)
{
    public DpRoute Route => new(Paths.PeerLookup, new Dictionary<string, RequestDelegate> { [HttpMethods.Post] = LookupAsync });

    private async Task LookupAsync(HttpContext ctx)
    {
        var request = await RequestBody.ReadJsonAsync(ctx, DpJson.Default.PeerLookupRequest, limits.MaxBodyBytes);
        if (request.Hops < 1)
            throw new ProblemException(Problems.MalformedRequest, "hops counts the DP-to-DP hops taken and is at least 1");
        var own = lookup.Lookup(request.Csi, request.CsiType, null, request.MspFilter)
            .Where(h => MappingPayload.Decode(CoseSign.Decode(h.Mapping, strict: false).Payload, strict: false).Dp == identity.DpId)
            .ToArray();
        var response = new LookupResponse(own.Length > 0 ? "found" : "not_found", [.. own.Select(h => new LookupEntry(h.MappingId, B64.Encode(h.Mapping)))]);
        await Replies.JsonAsync(ctx, StatusCodes.Status200OK, response, DpJson.Default.LookupResponse);
    }
}
