using System.Text.Json.Serialization;

namespace Mimi.Conformance.Harness.Results;

/// <summary>
/// What a gated unstable item (its repetitions disagree, run --repeat N) makes of the run: a finding (non-compliant,
/// the default: a DP that is sometimes wrong is not compliant) or an open question (incomplete, for a noisy network
/// where a flake may be the path's, not the DP's). Never compliant. Set with --fail-on LEVEL,unstable=fail|incomplete.
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<UnstableGate>))]
public enum UnstableGate
{
    [JsonStringEnumMemberName("fail")] Fail,
    [JsonStringEnumMemberName("incomplete")] Incomplete,
}

/// <summary>
/// The one gate of a run, a merge and a baseline (docs/ARCHITECTURE.md §5). Rules and requirements gate alike: a
/// gated item that fails (or warns under --fail-on should) makes the run non-compliant; one that errs, or an
/// incomplete run, makes it an error; one that was not observed (not-verifiable) and not accepted makes it incomplete;
/// one that is unstable does what <see cref="UnstableGate"/> says.
/// Only a run where every gated item was observed to pass, or declared, is compliant.
/// </summary>
public static class RunGate
{
    public static Summary Summarize(IReadOnlyList<RequirementResult> requirements, IReadOnlyList<RuleResult> rules, Completeness completeness, IReadOnlySet<string>? accepted = null,
        UnstableGate unstableGate = UnstableGate.Fail)
    {
        accepted ??= new HashSet<string>(StringComparer.Ordinal);
        var gated = requirements.Where(r => r.Gating).Select(r => (r.Id, r.Verdict))
            .Concat(rules.Where(r => r.Gating).Select(r => (r.Id, r.Verdict)))
            .ToList();
        var unstable = gated.Where(g => g.Verdict == Verdict.Unstable).Select(g => g.Id).ToList();
        var failures = gated.Where(g => g.Verdict is Verdict.Fail or Verdict.Warn).Select(g => g.Id)
            .Concat(unstableGate == UnstableGate.Fail ? unstable : []).ToList();
        var errors = gated.Where(g => g.Verdict == Verdict.Error).Select(g => g.Id).ToList();
        var notVerifiable = gated.Where(g => g.Verdict == Verdict.NotVerifiable).Select(g => g.Id).ToList();
        var acceptedHere = notVerifiable.Where(accepted.Contains).ToList();
        var open = notVerifiable.Except(acceptedHere).ToList();
        var verdict = failures.Count > 0 ? RunVerdict.NonCompliant
            : errors.Count > 0 || !completeness.Complete ? RunVerdict.Error
            : open.Count > 0 || unstable.Count > 0 ? RunVerdict.Incomplete
            : RunVerdict.Compliant;
        var applicable = gated.Where(g => g.Verdict is not (Verdict.NotApplicable or Verdict.Untested)).ToList();
        var verification = new Verification(
            applicable.Count,
            applicable.Count(g => g.Verdict is Verdict.Pass or Verdict.Declared or Verdict.Fail or Verdict.Warn or Verdict.Unstable),
            open,
            acceptedHere,
            [.. rules.Where(r => r.Gating && r.Verdict == Verdict.Untested).Select(r => r.Id)])
        {
            Unstable = unstable,
        };
        return new Summary(verdict, verdict.ExitCode(),
            Counts(requirements.Select(r => r.Verdict)),
            Counts(requirements.SelectMany(r => r.Tests).Select(t => t.Verdict)),
            [.. failures, .. errors],
            [.. requirements.Where(r => r.Level == "MUST" && r.Verdict == Verdict.Untested).Select(r => r.Id)])
        {
            RuleCounts = Counts(rules.Select(r => r.Verdict)),
            Verification = verification,
        };
    }

    private static Dictionary<string, int> Counts(IEnumerable<Verdict> verdicts) =>
        verdicts.GroupBy(v => v.ToWire()).ToDictionary(g => g.Key, g => g.Count());
}
