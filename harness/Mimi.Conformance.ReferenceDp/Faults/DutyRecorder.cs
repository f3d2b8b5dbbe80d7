using System.Collections.Concurrent;

namespace Mimi.Conformance.ReferenceDp.Faults;

/// <summary>
/// Which duties the DP consulted while serving each suite test, keyed by the test named in the request's
/// <see cref="Header"/>. A duty that was never consulted while serving a test cannot change that test's answers, so
/// the self-test runs a fault only against the tests that consulted one of its duties. Work outside any named test
/// (start-up, the suite's fixture) is kept under <see cref="Untraced"/>, and a fault touching it runs everything.
/// </summary>
public sealed class DutyRecorder
{
    public const string Header = "Mimi-Trace-Test";
    public const string Untraced = "(outside any test)";

    private static readonly AsyncLocal<string?> CurrentTest = new();
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<Duty, byte>> _consulted = new(StringComparer.Ordinal);

    /// <summary>Names the test a request belongs to, for the rest of its handling (background work included).</summary>
    public static void Attribute(string? test) => CurrentTest.Value = string.IsNullOrEmpty(test) ? null : test;

    public void Record(Duty duty) => _consulted.GetOrAdd(CurrentTest.Value ?? Untraced, _ => new()).TryAdd(duty, 0);

    public IReadOnlyDictionary<string, IReadOnlySet<string>> Snapshot() =>
        _consulted.ToDictionary(e => e.Key, e => (IReadOnlySet<string>)e.Value.Keys.Select(d => d.Name).ToHashSet(StringComparer.Ordinal), StringComparer.Ordinal);
}
