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

    public void Record(Duty duty) => RecordFor(CurrentTest.Value, duty);

    /// <summary>Records for a named test (null: outside any test), e.g. what the suite reports it read.</summary>
    public void RecordFor(string? test, Duty duty) => _consulted.GetOrAdd(string.IsNullOrEmpty(test) ? Untraced : test, _ => new()).TryAdd(duty, 0);

    /// <summary>A test read this member of the metadata the suite fetched before any test (DpMetadata.Members), recorded as if a duty.</summary>
    public static Duty MetadataRead(string member) => new($"{MetadataReadPrefix}{member}");

    public const string MetadataReadPrefix = "read-metadata:";

    private readonly ConcurrentDictionary<(string Test, string Earlier), byte> _inherits = new();

    /// <summary>The test uses state set up while serving the earlier one: it is taken to have consulted what that one did.</summary>
    public void Inherit(string test, string earlier) => _inherits.TryAdd((test, earlier), 0);

    public IReadOnlyDictionary<string, IReadOnlySet<string>> Snapshot()
    {
        var own = _consulted.ToDictionary(e => e.Key, e => e.Value.Keys.Select(d => d.Name).ToHashSet(StringComparer.Ordinal), StringComparer.Ordinal);
        foreach (var ((test, earlier), _) in _inherits)
            if (own.TryGetValue(earlier, out var theirs))
                (own.TryGetValue(test, out var mine) ? mine : own[test] = new HashSet<string>(StringComparer.Ordinal)).UnionWith(theirs);
        return own.ToDictionary(e => e.Key, e => (IReadOnlySet<string>)e.Value, StringComparer.Ordinal);
    }
}
