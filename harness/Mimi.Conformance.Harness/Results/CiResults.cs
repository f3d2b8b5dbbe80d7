using System.Text.Json.Serialization;

namespace Mimi.Conformance.Harness.Results;

/// <summary>This run is shard <see cref="Index"/> of <see cref="Count"/> (--shard K/N) and selected exactly <see cref="Requirements"/>.</summary>
public sealed record ShardInfo(
    [property: JsonPropertyName("index")] int Index,
    [property: JsonPropertyName("count")] int Count,
    [property: JsonPropertyName("requirements")] IReadOnlyList<string> Requirements);

/// <summary>
/// How the run compares with an expected-failures baseline (--baseline FILE). The run fails on a new failure
/// and on an expected failure that now passes (fixed: remove it from the baseline).
/// </summary>
public sealed record BaselineComparison(
    [property: JsonPropertyName("file")] string File,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("expected_failures")] IReadOnlyList<BaselineEntryResult> ExpectedFailures,
    [property: JsonPropertyName("new_failures")] IReadOnlyList<string> NewFailures,
    [property: JsonPropertyName("fixed")] IReadOnlyList<string> Fixed,
    [property: JsonPropertyName("exit_code_without_baseline")] int ExitCodeWithoutBaseline);

/// <summary>One baseline entry and what this run observed for it: still-failing, fixed, not-observed or unknown-id.</summary>
public sealed record BaselineEntryResult(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("reason")] string? Reason,
    [property: JsonPropertyName("observed")] string Observed,
    [property: JsonPropertyName("outcome")] string Outcome);
