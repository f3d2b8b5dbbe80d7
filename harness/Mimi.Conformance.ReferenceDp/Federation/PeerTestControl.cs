using System.Text.Json;
using Mimi.Conformance.Protocol.Profile;
using Mimi.Conformance.ReferenceDp.Discovery;
using Mimi.Conformance.ReferenceDp.Endpoints;
using static Mimi.Conformance.Protocol.Profile.ProfileConstants;

namespace Mimi.Conformance.ReferenceDp.Federation;

/// <summary>Test control <c>POST {base}/peers</c> (PROFILE.md §11.2): fetch a registry over pinned TLS and use it.</summary>
internal sealed class PeerTestControl(PeerDirectory directory, PeerClient client, DpTrust trust, DpIdentity identity, DpLimits limits)
{
    private const int MaxPins = 64;

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
        if (pins.Any(p => p.Length != 32))
            throw new ProblemException(Problems.MalformedRequest, "each pin is the base64url SHA-256 (32 bytes) of a certificate");

        // A failed fetch leaves the DP with no peers rather than a mix of old pins and no registry.
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
            var peers = PeerDirectory.Parse(document, identity.DpId);
            if (request.Preferred?.FirstOrDefault(d => peers.All(p => p.DpId != d)) is { } unknown)
                throw new ProblemException(Problems.MalformedRequest, $"preferred names {Clip(unknown)}, which the registry does not list");
            directory.SetPeers(peers, request.Preferred?.ToHashSet(StringComparer.Ordinal));
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
        await Replies.NoContent(ctx);
    }

    private static string Clip(string s) => s.Length <= 100 ? s : s[..100] + "…";
}
