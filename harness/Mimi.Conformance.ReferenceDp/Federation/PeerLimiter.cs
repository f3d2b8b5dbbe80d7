using Mimi.Conformance.Protocol.Profile.Wire;
using Mimi.Conformance.ReferenceDp.Faults;
using Mimi.Conformance.ReferenceDp.Hosting;

namespace Mimi.Conformance.ReferenceDp.Federation;

/// <summary>
/// The per-peer limit of PROFILE.md §11.3 (<c>federation.peer_limit</c>): per authenticated <c>from_dp</c>, at most
/// <c>limit</c> answered peer lookups in a window that starts at its first counted one and lasts <c>window_s</c>. Kept in
/// memory (reset forgets it); the windows follow the DP's clock, so test control <c>/clock</c> moves them.
/// </summary>
internal sealed class PeerLimiter(RateWindow limit, AdjustableClock clock, LivePolicy policy)
{
    public static readonly RateWindow Default = new(120, 60);

    /// <summary>Without it the windows follow the wall clock, so test control's clock does not end them.</summary>
    public static readonly Duty FollowTestClock = new("federation.peer-limit-follows-test-clock");

    private readonly Lock _lock = new();
    private readonly Dictionary<string, (long Start, int Used)> _windows = new(StringComparer.Ordinal);

    public RateWindow Limit => limit;

    /// <summary>Counts one lookup of <paramref name="peer"/>; null when it is within the limit, else the seconds until its window ends.</summary>
    public long? TryCharge(string peer)
    {
        var moved = clock.Offset != TimeSpan.Zero && !policy.Performs(FollowTestClock);
        var now = (clock.GetUtcNow() - (moved ? clock.Offset : TimeSpan.Zero)).ToUnixTimeSeconds();
        lock (_lock)
        {
            var (start, used) = _windows.TryGetValue(peer, out var w) && now >= w.Start && now < w.Start + limit.WindowS ? w : (now, 0);
            if (used >= limit.Limit)
                return Math.Max(1, start + limit.WindowS - now);
            _windows[peer] = (start, used + 1);
            return null;
        }
    }

    public void Reset()
    {
        lock (_lock)
            _windows.Clear();
    }
}
