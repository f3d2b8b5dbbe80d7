using System.Collections.Immutable;

namespace Mimi.Conformance.ReferenceDp.Faults;

/// <summary>How the DP behaves: every duty performed, unless a fault skips it.</summary>
internal sealed record DpPolicy
{
    public static DpPolicy Correct { get; } = new();

    public ImmutableHashSet<Duty> Skipped { get; init; } = [];

    /// <summary>Duties an intermittent fault skips on every second consultation only (<see cref="Fault.Intermittent"/>).</summary>
    public ImmutableHashSet<Duty> SkippedSometimes { get; init; } = [];

    public bool Performs(Duty duty) => !Skipped.Contains(duty);
}

/// <summary>
/// The policy the running DP follows. Services read it on every request, so the self-test can switch faults on a
/// running DP (test control) instead of starting one DP per fault.
/// </summary>
internal sealed class LivePolicy(DpPolicy initial, DutyRecorder? recorder = null)
{
    private DpPolicy _current = initial;
    private int _intermittentCalls;

    public DpPolicy Current
    {
        get => Volatile.Read(ref _current);
        set => Volatile.Write(ref _current, value);
    }

    public bool Performs(Duty duty)
    {
        recorder?.Record(duty);
        var current = Current;
        // A counter, not a random draw: the first consultation is right, the second wrong, and so on, so a test that
        // consults the duty once passes alone and disagrees with itself across repetitions.
        if (current.SkippedSometimes.Contains(duty))
            return Interlocked.Increment(ref _intermittentCalls) % 2 == 1;
        return current.Performs(duty);
    }

    /// <summary>Records that an answer depends on the duty without asking it (the answer was decided earlier, e.g. a document rendered once).</summary>
    public void DependsOn(Duty duty) => recorder?.Record(duty);

    public static LivePolicy Correct() => new(DpPolicy.Correct);
}
