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
        Verdict.Error => "error",
        Verdict.Fail => "fail",
        _ => throw new ArgumentOutOfRangeException(nameof(verdict)),
    };

    /// <summary>A requirement's verdict is the worst of its tests' verdicts.</summary>
    public static Verdict Worst(IEnumerable<Verdict> verdicts) =>
        verdicts.DefaultIfEmpty(Verdict.Untested).Max();
}
