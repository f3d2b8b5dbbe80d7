using static Mimi.Conformance.Protocol.Profile.ProfileConstants;

namespace Mimi.Conformance.Harness.Lifecycle;

/// <summary>
/// PROFILE.md §6.4 and §12 as an in-memory model of one CSI at one DP, in timeline seconds. <c>vectors check</c> runs
/// every timeline through it, so an expectation that contradicts the profile's rules is caught without a DP.
/// </summary>
public sealed class LifecycleModel(Timeline timeline)
{
    private sealed record Live(string Label, long AssignedAt);

    private sealed record Sent(string Action, long IssuedAt, bool Trusted, long AssignedAt, string? Mapping, string? By, long? DisconnectedSince, string? Defect = null);

    private readonly List<Live> _live = [];
    private readonly Dictionary<string, Sent> _requests = new(StringComparer.Ordinal);
    private readonly HashSet<string> _acceptedNonces = new(StringComparer.Ordinal);
    private readonly Dictionary<string, bool> _acceptedNewHolder = new(StringComparer.Ordinal);
    private long _floor = long.MinValue;

    public TimelineOutcome Apply(TimelineStep step) => step.Action switch
    {
        TimelineStep.Publish => Publish(step.AtS, step.Mapping!, timeline.AssignedAtS(step.Holder!), step.NewHolder),
        TimelineStep.Remove => Send(step.Request!, new Sent(step.Action, step.AtS, true, 0, step.Mapping, step.By, null)),
        TimelineStep.Disconnect => Send(step.Request!, new Sent(step.Action, step.AtS, true, 0, null, "csip", step.DisconnectedSinceS, step.Defect)),
        TimelineStep.PeerInvalidate => Send(step.Request!, new Sent(step.Action, step.AtS, step.Signer == "peer", timeline.AssignedAtS(step.Holder!), null, null, null, step.Defect)),
        TimelineStep.Replay => Replay(step.AtS, step.Request!),
        TimelineStep.Lookup => new TimelineOutcome(_live.Count > 0 ? TimelineExpect.Found : TimelineExpect.NotFound, 200, null, [.. _live.Select(l => l.Label)]),
        TimelineStep.ExpectBroadcast => _acceptedNewHolder.GetValueOrDefault(step.Mapping!)
            ? new TimelineOutcome(TimelineExpect.Sent, null, null, [step.Mapping!])
            : new TimelineOutcome("not-sent", null, null, []),
        _ => throw new InvalidOperationException($"unknown action \"{step.Action}\""),
    };

    private TimelineOutcome Publish(long now, string label, long assignedAt, bool newHolder)
    {
        // §5 rule 6: assigned_at <= the credential's iat, which the harness sets 60 s before the publish.
        if (assignedAt > now - 60)
            throw new InvalidOperationException($"{label}: a credential cannot be assigned after it is issued (assigned t{assignedAt}, published t{now})");
        if (assignedAt < _floor)
            return Refuse(409, Problems.StaleAssignment);
        var others = _live.Where(l => l.AssignedAt != assignedAt).ToList();
        if (others.Count > 0)
        {
            if (!newHolder)
                return Refuse(409, Problems.Conflict);
            if (assignedAt <= others.Max(o => o.AssignedAt))
                return Refuse(409, Problems.StaleAssignment);
            _live.RemoveAll(others.Contains);
        }
        if (newHolder)
            _floor = Math.Max(_floor, assignedAt);
        _live.Add(new Live(label, assignedAt));
        _acceptedNewHolder[label] = newHolder;
        return new TimelineOutcome(TimelineExpect.Accepted, 201, null, []);
    }

    private TimelineOutcome Send(string request, Sent sent)
    {
        _requests[request] = sent;
        return Process(request, sent, sent.IssuedAt);
    }

    private TimelineOutcome Replay(long now, string request) =>
        _requests.TryGetValue(request, out var sent) ? Process(request, sent, now) : throw new InvalidOperationException($"replay of unknown request {request}");

    private TimelineOutcome Process(string request, Sent sent, long now)
    {
        if (sent.Defect is { } defect && RequestDefect.Get(defect).Refusal is { } refusal)
            return refusal;
        if (!sent.Trusted)
            return Refuse(403, Problems.Unauthorized);
        if (Math.Abs(now - sent.IssuedAt) > ClockSkewSeconds)
            return Refuse(422, Problems.Expired);
        if (_acceptedNonces.Contains(request))
            return Refuse(409, Problems.Replayed);
        List<Live> removed;
        switch (sent.Action)
        {
            case TimelineStep.Remove:
                removed = [.. _live.Where(l => sent.By == "csip" || l.Label == sent.Mapping)];
                if (removed.Count == 0)
                    return Refuse(404, Problems.NotFound);
                break;
            case TimelineStep.Disconnect:
                removed = [.. _live.Where(l => l.AssignedAt <= sent.DisconnectedSince)];
                _floor = Math.Max(_floor, sent.DisconnectedSince!.Value + 1);
                break;
            default:
                removed = [.. _live.Where(l => l.AssignedAt < sent.AssignedAt)];
                _floor = Math.Max(_floor, sent.AssignedAt);
                break;
        }
        _acceptedNonces.Add(request);
        _live.RemoveAll(removed.Contains);
        return new TimelineOutcome(TimelineExpect.Accepted, 200, null, [.. removed.Select(r => r.Label)]);
    }

    private static TimelineOutcome Refuse(int status, string problem) => new(TimelineExpect.Refused, status, problem, []);

    /// <summary>Runs a whole timeline; returns one line per step whose expectation the model contradicts.</summary>
    public static IReadOnlyList<string> Check(Timeline timeline)
    {
        var model = new LifecycleModel(timeline);
        var mismatches = new List<string>();
        long previous = long.MinValue;
        foreach (var (step, i) in timeline.Steps.Select((s, i) => (s, i + 1)))
        {
            if (step.AtS < previous)
                mismatches.Add($"step {i}: at_s goes backwards (time only moves forward)");
            previous = step.AtS;
            var (ok, expected, actual) = step.Expect.Matches(model.Apply(step));
            if (!ok)
                mismatches.Add($"step {i} ({step.Action}): expected {expected}, the profile's rules give {actual}");
        }
        return mismatches;
    }
}
