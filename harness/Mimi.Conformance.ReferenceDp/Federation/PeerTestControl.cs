using System.Text.Json;
using Mimi.Conformance.Protocol.Profile;
using Mimi.Conformance.ReferenceDp.Discovery;
using Mimi.Conformance.ReferenceDp.Endpoints;
using Mimi.Conformance.ReferenceDp.Faults;
using static Mimi.Conformance.Protocol.Profile.ProfileConstants;

namespace Mimi.Conformance.ReferenceDp.Federation;

/// <summary>Test control <c>POST {base}/peers</c> (PROFILE.md §11.2): fetch a registry over pinned TLS and use it.</summary>
internal sealed class PeerTestControl(PeerDirectory directory, PeerClient client, DpTrust trust, DpIdentity identity, DpLimits limits, LivePolicy policy)
{
    private const int MaxPins = 64;

    public static readonly Duty AnswerNoContent = new("federation.answer-peers-with-204");
    public static readonly Duty RefuseMalformedPins = new("federation.refuse-malformed-pins");
    public static readonly Duty RefuseUnknownPreferred = new("federation.refuse-unknown-preferred");
    public static readonly Duty ForgetPeersOnFailedRegistry = new("federation.forget-peers-on-failed-registry");
    public static readonly Duty ReplaceRegistry = new("federation.replace-registry");

    public IEnumerable<DpRoute> Routes =>
    [
        new($"{Paths.TestControl}/peers", new Dictionary<string, RequestDelegate> { [HttpMethods.Post] = PeersAsync }),
    ];

    /// <summary>Part of test-control reset: forget the registry, its pins and the peer keys.</summary>
    public void Reset()
    {
        directory.Clear();
        trust.Reload();
    }

    private async Task PeersAsync(HttpContext ctx)
    {
        var request = await RequestBody.ReadControlJsonAsync(ctx, DpJson.Default.PeersRequest, limits.MaxBodyBytes);
        if (!Uri.TryCreate(request.RegistryUrl, UriKind.Absolute, out var url) || url.Scheme != Uri.UriSchemeHttps)
            throw new ProblemException(Problems.MalformedRequest, "registry_url must be an absolute https URL");
        if (request.TlsPins.Count is 0 or > MaxPins)
            throw new ProblemException(Problems.MalformedRequest, $"tls_pins must hold 1 to {MaxPins} pins");
        var pins = request.TlsPins.Select(p => RequestBody.Base64Url(p, "tls_pins[]")).ToArray();
        if (pins.Any(p => p.Length != 32) && policy.Performs(RefuseMalformedPins))
            throw new ProblemException(Problems.MalformedRequest, "each pin is the base64url SHA-256 (32 bytes) of a certificate");

        // A failed fetch leaves the DP with no peers rather than a mix of old pins and no registry.
        var previous = (directory.Peers, directory.Pins, directory.Preferred);
        directory.Clear();
        directory.SetPins(pins);
        try
        {
            var reply = await client.GetAsync(url, ctx.RequestAborted);
            if (!reply.Succeeded)
                throw new ProblemException(Problems.PeerUnavailable, $"fetching the registry failed: {reply.Describe()}");
            RegistryDocument? document;
            try
            {
                document = JsonSerializer.Deserialize(reply.Body, DpJson.Default.RegistryDocument);
            }
            catch (JsonException e)
            {
                throw new ProblemException(Problems.PeerUnavailable, $"the registry is not a registry document (problem at {e.Path ?? "$"})");
            }
            if (document is null)
                throw new ProblemException(Problems.PeerUnavailable, "the registry is JSON null");
            var peers = PeerDirectory.Parse(document, identity.DpId, policy);
            if (request.Preferred?.FirstOrDefault(d => peers.All(p => p.DpId != d)) is { } unknown && policy.Performs(RefuseUnknownPreferred))
                throw new ProblemException(Problems.MalformedRequest, $"preferred names {Clip(unknown)}, which the registry does not list");
            if (previous.Peers.Where(p => peers.All(n => n.DpId != p.DpId)).ToArray() is { Length: > 0 } dropped && !policy.Performs(ReplaceRegistry))
            {
                peers = [.. peers, .. dropped];
                directory.SetPins([.. pins, .. previous.Pins]);
            }
            directory.SetPeers(peers, request.Preferred?.ToHashSet(StringComparer.Ordinal));
        }
        catch (ProblemException e) when (e.Type == Problems.PeerUnavailable && previous.Peers.Count > 0 && !policy.Performs(ForgetPeersOnFailedRegistry))
        {
            directory.SetPins(previous.Pins);
            directory.SetPeers(previous.Peers, previous.Preferred.ToHashSet(StringComparer.Ordinal));
            throw;
        }
        catch
        {
            directory.Clear();
            throw;
        }
        finally
        {
            trust.Reload();
        }
        if (policy.Performs(AnswerNoContent))
            await Replies.NoContent(ctx);
        else
            await Replies.BytesAsync(ctx, StatusCodes.Status200OK, "application/json", "{}"u8.ToArray());
    }

    private static string Clip(string s) => s.Length <= 100 ? s : s[..100] + "…";
}
