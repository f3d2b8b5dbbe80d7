using System.Text.Json.Serialization;

namespace Mimi.Conformance.Harness.Results;

/// <summary>
/// What a whole run says about the DP (docs/ARCHITECTURE.md §5). Only <see cref="Compliant"/> is a certificate:
/// every gated rule and requirement of every claimed class was observed to pass (or was declared where the catalog
/// allows an operator statement).
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<RunVerdict>))]
public enum RunVerdict
{
    [JsonStringEnumMemberName("compliant")] Compliant,
    [JsonStringEnumMemberName("incomplete")] Incomplete,
    [JsonStringEnumMemberName("non-compliant")] NonCompliant,
    [JsonStringEnumMemberName("error")] Error,
}

public static class RunVerdicts
{
    public static string ToWire(this RunVerdict verdict) => verdict switch
    {
        RunVerdict.Compliant => "compliant",
        RunVerdict.Incomplete => "incomplete",
        RunVerdict.NonCompliant => "non-compliant",
        RunVerdict.Error => "error",
        _ => throw new ArgumentOutOfRangeException(nameof(verdict)),
    };

    /// <summary>The process exit code of a run with this verdict (README.md, exit codes).</summary>
    public static int ExitCode(this RunVerdict verdict) => verdict switch
    {
        RunVerdict.Compliant => 0,
        RunVerdict.NonCompliant => 1,
        RunVerdict.Error => 2,
        RunVerdict.Incomplete => 3,
        _ => throw new ArgumentOutOfRangeException(nameof(verdict)),
    };
}
