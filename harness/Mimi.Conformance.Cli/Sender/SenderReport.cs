using Mimi.Conformance.Harness.Requirements;
using Mimi.Conformance.Harness.Results;

namespace Mimi.Conformance.Cli.Sender;

/// <summary>
/// A sender run as the one results model of a DP run (vectors/SENDER-ADAPTER.md §7): class <c>sender</c> is the
/// claimed class, every sender rule gates at its own level, a requirement gates at its level only for cases that check no rule,
/// and a case's verdict is graded at the level of the rule or requirement it is read under.
/// </summary>
internal static class SenderReport
{
    public const string SchemaId = "mimi-conformance-report/1";
    public const string SuiteVersion = "0.2.0";
    public const string SenderClass = "sender";

    public static ConformanceReport Build(RequirementCatalog catalog, SenderRunResult run, string runId, string failOn, IReadOnlyList<string> filters)
    {
        var byRequirement = run.Cases.ToLookup(c => c.Case.Requirement, StringComparer.Ordinal);
        var requirements = catalog.Requirements.Select(req =>
        {
            var cases = byRequirement[req.Id].ToArray();
            if (cases.Length == 0)
                return new RequirementResult(req.Id, req.Title, req.Level, req.Class, req.Source, req.Quote, Verdict.NotApplicable, false,
                    [new TestResult($"{req.Id}/sender", "(no sender case)", Verdict.NotApplicable, "no sender case is graded under this requirement", 0, [], [], null)]);
            var tests = cases.Select(c => ToTest(c, req.Id, CaseLevel(catalog, c.Case, req.Level), run.Adapter)).ToList();
            // The rules gate; a requirement gates only for its cases that check no rule of their own (vectors/SENDER-ADAPTER.md §7).
            return new RequirementResult(req.Id, req.Title, req.Level, req.Class, req.Source, req.Quote, VerdictNames.Worst(tests.Select(t => t.Verdict)),
                RequirementCatalog.Gates(req.Level, failOn) && cases.Any(c => c.Case.Rules.Count == 0), tests);
        }).ToList();

        var byRule = run.Cases.SelectMany(c => c.Case.Rules.Select(r => (r, c))).ToLookup(p => p.r, p => p.c, StringComparer.Ordinal);
        var rules = catalog.Rules.Select(rule =>
        {
            if (rule.Class != SenderClass)
                return new RuleResult(rule.Id, rule.Level, rule.Class, rule.Section, rule.Quote, rule.Serves, Verdict.NotApplicable, false, []);
            var tests = byRule[rule.Id].Select(c => new RuleTest($"{c.Case.Requirement}/{c.Case.Id}", Graded(c, rule.Level), c.Reason)).ToList();
            var verdict = tests.Count > 0 ? VerdictNames.Worst(tests.Select(t => t.Verdict)) : filters.Count > 0 ? Verdict.NotApplicable : Verdict.Untested;
            return new RuleResult(rule.Id, rule.Level, rule.Class, rule.Section, rule.Quote, rule.Serves, verdict, RequirementCatalog.Gates(rule.Level, failOn), tests);
        }).ToList();

        var executed = run.Cases.Count(c => c.Outcome is Verdict.Pass or Verdict.Fail);
        var reason = run.Incomplete ?? (run.Identity is null ? run.Cases.FirstOrDefault(c => c.Outcome == Verdict.Error)?.Reason : null);
        var completeness = new Completeness(reason is null, run.Cases.Count, executed, reason);
        var summary = RunGate.Summarize(requirements, rules, completeness);
        var classes = catalog.Classes.Select(c =>
        {
            var members = requirements.Where(r => r.Class == c.Id && r.Gating).ToList();
            return new ClassResult(c.Id, c.Id == SenderClass, c.Id == SenderClass ? VerdictNames.Worst(rules.Where(r => r.Gating).Select(r => r.Verdict)) : VerdictNames.Worst(members.Select(m => m.Verdict)),
                [.. members.Select(m => m.Id)]);
        }).ToList();
        var target = run.Identity is { } id ? $"{run.Adapter.Name}: {id.Name} {id.Version} ({id.Language})" : $"{run.Adapter.Name} (no handshake)";
        var info = new RunInfo(runId, SuiteVersion, catalog.Profile, target, "sender-adapter", run.StartedAt, run.FinishedAt,
            (long)(run.FinishedAt - run.StartedAt).TotalMilliseconds, failOn, filters, [], completeness);
        return new ConformanceReport(SchemaId, info, summary, classes, requirements) { Rules = rules };
    }

    /// <summary>
    /// A case is read under its requirement at that requirement's level, unless every rule it checks is weaker: a
    /// case that only shows a SHOULD rule (e.g. an <c>acceptable</c> Ed25519 edge) never fails a MUST requirement.
    /// </summary>
    private static string CaseLevel(RequirementCatalog catalog, SenderCase c, string requirementLevel)
    {
        if (requirementLevel != "MUST" || c.Rules.Count == 0)
            return requirementLevel;
        return c.Rules.Any(r => catalog.FindRule(r)?.Level == "MUST") ? "MUST" : "SHOULD";
    }

    /// <summary>A wrong answer is a fail under a MUST and a warn under a SHOULD; an error or not-verifiable stays so.</summary>
    private static Verdict Graded(CaseResult c, string level) => c.Outcome == Verdict.Fail ? (level == "MUST" ? Verdict.Fail : Verdict.Warn) : c.Outcome;

    private static TestResult ToTest(CaseResult c, string requirement, string level, AdapterCommand adapter)
    {
        var verdict = Graded(c, level);
        var checks = c.Checks.Select(k => new Check(c.Case.Op, k.Passed, k.Expected, k.Actual)).ToList();
        var reproducer = verdict is Verdict.Fail or Verdict.Warn or Verdict.Error
            ? $"./run.sh sender --cmd {Quote($"{adapter.Name}={adapter.CommandLine}")} --only {Quote(c.Case.Id)}"
            : null;
        return new TestResult($"{requirement}/{c.Case.Id}", $"{c.Case.Id}: {c.Case.Name}", verdict, c.Reason, c.DurationMs, checks, c.Exchanges, reproducer);
    }

    private static string Quote(string text) => "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
