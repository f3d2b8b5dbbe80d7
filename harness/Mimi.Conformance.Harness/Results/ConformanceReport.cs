using System.Text.Json.Serialization;

namespace Mimi.Conformance.Harness.Results;

/// <summary>The one results model every renderer reads (report.json is its serialisation).</summary>
public sealed record ConformanceReport(
    [property: JsonPropertyName("schema")] string Schema,
    [property: JsonPropertyName("run")] RunInfo Run,
    [property: JsonPropertyName("summary")] Summary Summary,
    [property: JsonPropertyName("classes")] IReadOnlyList<ClassResult> Classes,
    [property: JsonPropertyName("requirements")] IReadOnlyList<RequirementResult> Requirements,
    [property: JsonPropertyName("shard")] ShardInfo? Shard = null,
    [property: JsonPropertyName("baseline")] BaselineComparison? Baseline = null)
{
    /// <summary>The profile's rules (PROFILE.md IDs), each graded at its own level from the tests that check it.</summary>
    [JsonPropertyName("rules")]
    public IReadOnlyList<RuleResult> Rules { get; init; } = [];

    /// <summary>What changed against an earlier run (run --compare RUN_DIR); absent without --compare.</summary>
    [JsonPropertyName("changed_since")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public RunChanges? ChangedSince { get; init; }
}

public sealed record RunInfo(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("suite_version")] string SuiteVersion,
    [property: JsonPropertyName("profile_version")] string ProfileVersion,
    [property: JsonPropertyName("target")] string Target,
    [property: JsonPropertyName("target_kind")] string TargetKind,
    [property: JsonPropertyName("started_at")] DateTimeOffset StartedAt,
    [property: JsonPropertyName("finished_at")] DateTimeOffset FinishedAt,
    [property: JsonPropertyName("duration_ms")] long DurationMs,
    [property: JsonPropertyName("fail_on")] string FailOn,
    [property: JsonPropertyName("filters")] IReadOnlyList<string> Filters,
    [property: JsonPropertyName("faults")] IReadOnlyList<string> Faults,
    [property: JsonPropertyName("completeness")] Completeness Completeness)
{
    /// <summary>The harness's identity in this run: what an operator configures to certify without test control.</summary>
    [JsonPropertyName("harness")]
    public HarnessIdentity? Harness { get; init; }

    /// <summary>How many times each selected test ran (run --repeat N); repetitions that disagree make the test unstable.</summary>
    [JsonPropertyName("repeat")]
    public int Repeat { get; init; } = 1;

    /// <summary>What a gated unstable item makes of the run (--fail-on LEVEL,unstable=fail|incomplete).</summary>
    [JsonPropertyName("unstable_gate")]
    public UnstableGate UnstableGate { get; init; } = UnstableGate.Fail;

    /// <summary>The operator statement the run graded declarations from (--statement), if any.</summary>
    [JsonPropertyName("statement")]
    public string? Statement { get; init; }
}

/// <summary>
/// The seed and the public keys of the parties the harness plays. <paramref name="Seed"/> is null when the keys come
/// from a keys file (<paramref name="KeysFile"/>): that file's secret never reaches a report.
/// </summary>
public sealed record HarnessIdentity(
    [property: JsonPropertyName("seed")] string? Seed,
    [property: JsonPropertyName("keys_file")] string? KeysFile,
    [property: JsonPropertyName("keys")] IReadOnlyList<HarnessKey> Keys,
    [property: JsonPropertyName("trust_body")] string TrustBody);

/// <summary>One public key the harness signs with: role, owner (its id in the profile), kid and key, base64url.</summary>
public sealed record HarnessKey(
    [property: JsonPropertyName("role")] string Role,
    [property: JsonPropertyName("owner")] string Owner,
    [property: JsonPropertyName("kid")] string Kid,
    [property: JsonPropertyName("public_key")] string PublicKey);

/// <summary>Did every planned test run? If not, why not.</summary>
public sealed record Completeness(
    [property: JsonPropertyName("complete")] bool Complete,
    [property: JsonPropertyName("planned")] int Planned,
    [property: JsonPropertyName("executed")] int Executed,
    [property: JsonPropertyName("reason")] string? Reason);

public sealed record Summary(
    [property: JsonPropertyName("verdict")] RunVerdict Verdict,
    [property: JsonPropertyName("exit_code")] int ExitCode,
    [property: JsonPropertyName("requirements")] IReadOnlyDictionary<string, int> RequirementCounts,
    [property: JsonPropertyName("tests")] IReadOnlyDictionary<string, int> TestCounts,
    [property: JsonPropertyName("gating_failures")] IReadOnlyList<string> GatingFailures,
    [property: JsonPropertyName("untested_must")] IReadOnlyList<string> UntestedMust)
{
    [JsonPropertyName("rules")]
    public IReadOnlyDictionary<string, int> RuleCounts { get; init; } = new Dictionary<string, int>();

    /// <summary>How much of what gates the verdict was observed.</summary>
    [JsonPropertyName("verification")]
    public Verification Verification { get; init; } = Verification.None;
}

/// <summary>
/// Gated items (rules and requirements) that apply to the DP: how many were observed (pass, declared, fail, warn),
/// which were not-verifiable (they make the run <c>incomplete</c>), which of those the user accepted
/// (--accept-not-verifiable), and the gated rules this suite version has no check for (a gap in the suite, listed,
/// never counted as observed).
/// </summary>
public sealed record Verification(
    [property: JsonPropertyName("gated")] int Gated,
    [property: JsonPropertyName("observed")] int Observed,
    [property: JsonPropertyName("not_verifiable")] IReadOnlyList<string> NotVerifiable,
    [property: JsonPropertyName("accepted")] IReadOnlyList<string> Accepted,
    [property: JsonPropertyName("coverage_gaps")] IReadOnlyList<string> CoverageGaps)
{
    /// <summary>Gated items whose repetitions disagree (run --repeat N): failures or open questions, as run.unstable_gate says.</summary>
    [JsonPropertyName("unstable")]
    public IReadOnlyList<string> Unstable { get; init; } = [];

    public static Verification None { get; } = new(0, 0, [], [], []);
}

/// <summary>One profile rule: its catalog data, its verdict at its own level, and the tests that check it.</summary>
public sealed record RuleResult(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("level")] string Level,
    [property: JsonPropertyName("class")] string Class,
    [property: JsonPropertyName("section")] string Section,
    [property: JsonPropertyName("quote")] string Quote,
    [property: JsonPropertyName("serves")] IReadOnlyList<string> Serves,
    [property: JsonPropertyName("verdict")] Verdict Verdict,
    [property: JsonPropertyName("gating")] bool Gating,
    [property: JsonPropertyName("tests")] IReadOnlyList<RuleTest> Tests);

/// <summary>A test that checks a rule: the id of its result under the requirement it is graded under, and its verdict at the rule's level.</summary>
public sealed record RuleTest(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("verdict")] Verdict Verdict,
    [property: JsonPropertyName("reason")] string? Reason)
{
    /// <summary>Each repetition's outcome at the rule's level (run --repeat N); absent for a test that ran once.</summary>
    [JsonPropertyName("repetitions")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<Repetition>? Repetitions { get; init; }
}

/// <summary>One repetition of a test (1-based <paramref name="N"/>): its verdict and reason as if it had run alone.</summary>
public sealed record Repetition(
    [property: JsonPropertyName("n")] int N,
    [property: JsonPropertyName("verdict")] Verdict Verdict,
    [property: JsonPropertyName("reason")] string? Reason,
    [property: JsonPropertyName("duration_ms")] long DurationMs);

public sealed record ClassResult(
    [property: JsonPropertyName("class")] string Class,
    [property: JsonPropertyName("claimed")] bool Claimed,
    [property: JsonPropertyName("verdict")] Verdict Verdict,
    [property: JsonPropertyName("requirements")] IReadOnlyList<string> Requirements);

public sealed record RequirementResult(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("level")] string Level,
    [property: JsonPropertyName("class")] string Class,
    [property: JsonPropertyName("source")] RequirementSource Source,
    [property: JsonPropertyName("quote")] string Quote,
    [property: JsonPropertyName("verdict")] Verdict Verdict,
    [property: JsonPropertyName("gating")] bool Gating,
    [property: JsonPropertyName("tests")] IReadOnlyList<TestResult> Tests);

public sealed record RequirementSource(
    [property: JsonPropertyName("doc")] string Doc,
    [property: JsonPropertyName("version")] string Version,
    [property: JsonPropertyName("ref")] string Ref);

public sealed record TestResult(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("verdict")] Verdict Verdict,
    [property: JsonPropertyName("reason")] string? Reason,
    [property: JsonPropertyName("duration_ms")] long DurationMs,
    [property: JsonPropertyName("checks")] IReadOnlyList<Check> Checks,
    [property: JsonPropertyName("exchanges")] IReadOnlyList<Exchange> Exchanges,
    [property: JsonPropertyName("reproducer")] string? Reproducer)
{
    /// <summary>
    /// Each repetition's outcome (run --repeat N); absent for a test that ran once. When they disagree the verdict is
    /// unstable, and the checks and exchanges are those of the first repetition that did not pass.
    /// </summary>
    [JsonPropertyName("repetitions")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<Repetition>? Repetitions { get; init; }
}

/// <summary>One expectation a test evaluated: what it expected, what it saw.</summary>
public sealed record Check(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("passed")] bool Passed,
    [property: JsonPropertyName("expected")] string Expected,
    [property: JsonPropertyName("actual")] string Actual)
{
    /// <summary>The seq of the exchange the check was made on: the last request the test sent before it (absent when none).</summary>
    [JsonPropertyName("exchange")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Exchange { get; init; }
}

/// <summary>One recorded HTTP exchange with the DP (bodies capped, secrets redacted).</summary>
public sealed record Exchange(
    [property: JsonPropertyName("seq")] int Seq,
    [property: JsonPropertyName("method")] string Method,
    [property: JsonPropertyName("url")] string Url,
    [property: JsonPropertyName("request_headers")] IReadOnlyDictionary<string, string> RequestHeaders,
    [property: JsonPropertyName("request_body")] string? RequestBody,
    [property: JsonPropertyName("status")] int? Status,
    [property: JsonPropertyName("response_headers")] IReadOnlyDictionary<string, string> ResponseHeaders,
    [property: JsonPropertyName("response_body")] string? ResponseBody,
    [property: JsonPropertyName("response_truncated")] bool ResponseTruncated,
    [property: JsonPropertyName("error")] string? Error,
    [property: JsonPropertyName("elapsed_ms")] double ElapsedMs,
    [property: JsonPropertyName("cbor_diagnostic")] IReadOnlyList<string> CborDiagnostic);
