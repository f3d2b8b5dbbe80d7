using System.Security.Cryptography;
using Mimi.Conformance.Protocol.Cose;
using Mimi.Conformance.Protocol.Profile;
using Mimi.Conformance.ReferenceDp.Discovery;
using Mimi.Conformance.ReferenceDp.Faults;
using static Mimi.Conformance.Protocol.Profile.ProfileConstants;

namespace Mimi.Conformance.ReferenceDp.Lifecycle;

/// <summary>A peer DP to tell about new holders: its dp_id and its invalidate endpoint.</summary>
internal sealed record InvalidationTarget(string DpId, Uri InvalidateUrl);

/// <summary>
/// PROFILE.md §12.5, sending side (-01 row 18): when a new holder's first mapping is accepted, every peer DP gets a
/// signed invalidation carrying that mapping as evidence. Sent in the background, time-boxed by the peer client; a
/// peer that is down does not hold up the publish. One peer gets its invalidations one after the other, in the order
/// their mappings were accepted (PROF-LC-15).
/// </summary>
internal sealed class InvalidationBroadcaster(
    DpIdentity identity,
    TimeProvider time,
    LivePolicy policy,
    Func<IReadOnlyList<InvalidationTarget>> peers,
    Func<Uri, byte[], CancellationToken, Task> post,
    ILogger logger)
{
    public static readonly Duty BroadcastInvalidations = new("lifecycle.broadcast-invalidations");
    public static readonly Duty UseDefaultInvalidatePath = new("lifecycle.use-default-invalidate-path");

    private readonly Lock _lock = new();
    private readonly Dictionary<Uri, Task> _lastSendTo = [];

    /// <summary>Starts the sends; the task ends when every peer has answered or its time box has run out.</summary>
    public Task Broadcast(string csi, string csiType, long assignedAt, byte[] evidence)
    {
        if (!policy.Performs(BroadcastInvalidations))
            return Task.CompletedTask;
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        var sends = new List<Task>();
        foreach (var peer in peers().Where(p => p.DpId != identity.DpId))
        {
            var payload = new Invalidation(identity.DpId, peer.DpId, csi, csiType, assignedAt, RandomNumberGenerator.GetBytes(MappingPayload.NonceSize), now, evidence);
            var signed = CoseSign1.Sign(identity.SigningKey, SignerRoles.Dp, payload.Encode()).Encode();
            var body = System.Text.Encoding.UTF8.GetBytes($"{{\"invalidation\":\"{B64.Encode(signed)}\"}}");
            lock (_lock)
            {
                var send = SendAfterAsync(_lastSendTo.GetValueOrDefault(peer.InvalidateUrl) ?? Task.CompletedTask, peer, body);
                _lastSendTo[peer.InvalidateUrl] = send;
                sends.Add(send);
            }
        }
        return Task.WhenAll(sends);
    }

    private async Task SendAfterAsync(Task previous, InvalidationTarget peer, byte[] body)
    {
        // Off the caller's thread (it holds the lock and answers the publish), after the peer's previous invalidation.
        await Task.Yield();
        await previous.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        try
        {
            await post(peer.InvalidateUrl, body, CancellationToken.None);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            logger.LogWarning("invalidation to {Peer} failed: {Reason}", peer.DpId, e.Message);
        }
    }
}
