using System.Text.Json.Serialization;

namespace Mimi.Conformance.Harness.Results;

/// <summary>Outcome of one test or one requirement (docs/ARCHITECTURE.md §5). Order is severity, worst last.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<Verdict>))]
public enum Verdict
{
    [JsonStringEnumMemberName("pass")] Pass,
    /// <summary>Not observable; the operator's statement (--statement) declares it. Never shown as a pass.</summary>
    [JsonStringEnumMemberName("declared")] Declared,
    [JsonStringEnumMemberName("not-applicable")] NotApplicable,
    [JsonStringEnumMemberName("not-verifiable")] NotVerifiable,
    [JsonStringEnumMemberName("untested")] Untested,
    [JsonStringEnumMemberName("warn")] Warn,
    /// <summary>
    /// The repetitions of one test (run --repeat N) disagree: sometimes right is not conformant, so it sits above warn,
    /// and below error and fail, which say something definite about every repetition.
    /// </summary>
    [JsonStringEnumMemberName("unstable")] Unstable,
    [JsonStringEnumMemberName("error")] Error,
    [JsonStringEnumMemberName("fail")] Fail,
}

public static class VerdictNames
{
    public static string ToWire(this Verdict verdict) => verdict switch
    {
        Verdict.Pass => "pass",
        Verdict.Declared => "declared",
        Verdict.NotApplicable => "not-applicable",
        Verdict.NotVerifiable => "not-verifiable",
        Verdict.Untested => "untested",
        Verdict.Warn => "warn",
        Verdict.Unstable => "unstable",
        Verdict.Error => "error",
        Verdict.Fail => "fail",
        _ => throw new ArgumentOutOfRangeException(nameof(verdict)),
    };

    /// <summary>
    /// A requirement's (or rule's) verdict is the worst of its tests' verdicts, leaving out tests that do not apply to
    /// this DP (e.g. a check that binds only a DP without test control): it is not-applicable only when none applies.
    /// </summary>
    public static Verdict Worst(IEnumerable<Verdict> verdicts)
    {
        var all = verdicts.ToList();
        var applicable = all.Where(v => v != Verdict.NotApplicable).ToList();
        return applicable.Count > 0 ? applicable.Max() : all.Count > 0 ? Verdict.NotApplicable : Verdict.Untested;
    }
}
