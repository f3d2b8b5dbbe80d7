using System.Text;
using Mimi.Conformance.Harness.Requirements;

namespace Mimi.Conformance.Harness.Results;

/// <summary>Everything about a run that is not a test result.</summary>
public sealed record RunContext(
    string RunId,
    string Target,
    string TargetKind,
    string? CaFile,
    DateTimeOffset StartedAt,
    DateTimeOffset FinishedAt,
    string FailOn,
    IReadOnlyList<string> Filters,
    IReadOnlyList<string> Faults,
    IReadOnlyList<string> ClaimedClasses,
    IReadOnlySet<string>? Selected)
{
    public HarnessIdentity? Harness { get; init; }

    /// <summary>The seed a re-run needs (null when the keys come from a keys file, whose path the re-run names instead).</summary>
    public string? Seed { get; init; }

    public string? KeysFile { get; init; }

    public OperatorStatement? Statement { get; init; }

    public string? StatementPath { get; init; }

    /// <summary>How many times each selected test ran (run --repeat N).</summary>
    public int Repeat { get; init; } = 1;

    /// <summary>What a gated unstable item makes of the run (--fail-on LEVEL,unstable=...).</summary>
    public UnstableGate UnstableGate { get; init; } = UnstableGate.Fail;

    /// <summary>Not-verifiable IDs the user accepts (--accept-not-verifiable): listed, and they do not make the run incomplete.</summary>
    public IReadOnlySet<string> Accepted { get; init; } = new HashSet<string>(StringComparer.Ordinal);
}

/// <summary>Joins the catalog with the suite's raw results into the one results model (docs/ARCHITECTURE.md §5).</summary>
public static class ReportBuilder
{
    public const string SuiteVersion = "0.2.0";
    public const string SchemaId = "mimi-conformance-report/1";

    /// <summary>The class of the rules that bind senders, recipients and CSIPs: in a DP's run they do not apply.</summary>
    public const string SenderClass = "sender";

    public static ConformanceReport Build(RequirementCatalog catalog, RunContext context, SuiteOutcome outcome)
    {
        var tests = outcome.Run?.Tests ?? [];
        var byRequirement = tests.Where(t => t.Requirement is not null).ToLookup(t => t.Requirement!);
        var requirements = new List<RequirementResult>();
        foreach (var req in catalog.Requirements)
        {
            var gating = RequirementCatalog.Gates(req.Level, context.FailOn);
            var selected = context.Selected is null || context.Selected.Contains(req.Id) || byRequirement[req.Id].Any();
            var results = selected ? byRequirement[req.Id].Select(t => ToResult(t, req, context)).ToList() : [];
            var verdict = !selected ? Verdict.NotApplicable
                : results.Count == 0 ? (outcome.Failure is not null ? Verdict.Error : Verdict.Untested)
                : VerdictNames.Worst(results.Select(r => r.Verdict));
            if (!selected)
                results = [new TestResult($"{req.Id}/filtered", "(not selected)", Verdict.NotApplicable, "not selected by --only/--class/--level in this run", 0, [], [], null)];
            else if (results.Count == 0 && outcome.Failure is not null)
                results = [new TestResult($"{req.Id}/run", "(suite run)", Verdict.Error, outcome.Failure, 0, [], [], null)];
            requirements.Add(new RequirementResult(req.Id, req.Title, req.Level, req.Class, req.Source, req.Quote, verdict, gating, results));
        }
        var rules = Rules(catalog, context, tests, outcome.Failure);
        var unknown = tests.SelectMany(t => t.Ids).Distinct(StringComparer.Ordinal).Where(id => catalog.Find(id) is null && catalog.FindRule(id) is null).ToArray();

        var planned = outcome.Run?.Total ?? 0;
        var executed = tests.Count(t => t.Result is "Pass" or "Fail" or "Skip");
        var completeReason = outcome.Failure ?? (unknown.Length > 0 ? $"tests name unknown catalog ids: {string.Join(", ", unknown)}" : planned != executed ? $"{planned - executed} test(s) did not run" : null);
        var completeness = new Completeness(completeReason is null, planned, executed, completeReason);
        var summary = RunGate.Summarize(requirements, rules, completeness, context.Accepted, context.UnstableGate);

        // A DP never claims the sender class: its rules bind senders (./run.sh sender certifies them).
        var classes = catalog.Classes.Where(c => c.Id != SenderClass).Select(c =>
        {
            var members = requirements.Where(r => r.Class == c.Id).ToList();
            return new ClassResult(c.Id, context.ClaimedClasses.Contains(c.Id), VerdictNames.Worst(members.Select(m => m.Verdict)), members.Select(m => m.Id).ToList());
        }).ToList();

        var run = new RunInfo(context.RunId, SuiteVersion, catalog.Profile, context.Target, context.TargetKind, context.StartedAt, context.FinishedAt,
            (long)(context.FinishedAt - context.StartedAt).TotalMilliseconds, context.FailOn, context.Filters, context.Faults, completeness)
        {
            Harness = context.Harness,
            Statement = context.StatementPath,
            Repeat = context.Repeat,
            UnstableGate = context.UnstableGate,
        };
        return new ConformanceReport(SchemaId, run, summary, classes, requirements) { Rules = rules };
    }

    /// <summary>
    /// Each rule from the tests that name it, graded at the rule's own level: a broken MUST rule fails even when the
    /// test is graded under a SHOULD requirement. A rule gates when its class is claimed (core always is); rules of
    /// class sender bind senders, never a DP, and are not-applicable in a DP's run unless a test names them.
    /// </summary>
    private static List<RuleResult> Rules(RequirementCatalog catalog, RunContext context, IReadOnlyList<RawTest> tests, string? suiteFailure)
    {
        var byRule = tests.SelectMany(t => t.Ids.Select(id => (id, t))).ToLookup(p => p.id, p => p.t);
        return [.. catalog.Rules.Select(rule =>
        {
            var claimed = rule.Class == "core" || context.ClaimedClasses.Contains(rule.Class);
            var gating = rule.Class != SenderClass && claimed && RequirementCatalog.Gates(rule.Level, context.FailOn);
            var ruleTests = byRule[rule.Id].Select(t =>
                {
                    var (verdict, reason, repetitions) = Grade(t, rule.Level, t.Requirement ?? "", context);
                    return new RuleTest($"{t.Requirement}/{ShortName(t.Name)}", verdict, reason) { Repetitions = repetitions };
                }).ToList();
            var verdict = ruleTests.Count > 0 ? VerdictNames.Worst(ruleTests.Select(t => t.Verdict))
                : context.Selected is not null || rule.Class == SenderClass ? Verdict.NotApplicable
                : suiteFailure is not null ? Verdict.Error
                : Verdict.Untested;
            return new RuleResult(rule.Id, rule.Level, rule.Class, rule.Section, rule.Quote, rule.Serves, verdict, gating, ruleTests);
        })];
    }

    private static string Declared(string text) => $"declared by the operator statement: {ReportText.OneLine(text, 400)}";

    private static Dictionary<string, int> Counts(IEnumerable<Verdict> verdicts) =>
        verdicts.GroupBy(v => v.ToWire()).ToDictionary(g => g.Key, g => g.Count());

    private static TestResult ToResult(RawTest t, Requirement req, RunContext context)
    {
        var (verdict, reason, repetitions) = Grade(t, req.Level, req.Id, context);
        var reproducer = verdict is Verdict.Fail or Verdict.Warn or Verdict.Unstable or Verdict.Error ? Reproducer(t, req.Id, context) : null;
        return new TestResult($"{req.Id}/{ShortName(t.Name)}", ShortName(t.Name), verdict, reason, (long)(t.Seconds * 1000), t.Checks, t.Exchanges, reproducer)
        {
            Repetitions = repetitions,
        };
    }

    /// <summary>
    /// A test's verdict at a level (a declaration for <paramref name="declarable"/> turning not-verifiable into declared).
    /// A test that ran several times (run --repeat N) lists each repetition; when their verdicts differ it is unstable,
    /// and the reason names the outcomes and the first repetition that did not pass.
    /// </summary>
    private static (Verdict Verdict, string? Reason, IReadOnlyList<Repetition>? Repetitions) Grade(RawTest t, string level, string declarable, RunContext context)
    {
        (Verdict, string?) One(RawTest run)
        {
            var (verdict, reason) = Classify(run, level);
            return verdict == Verdict.NotVerifiable && context.Statement?.Declares(declarable) is { } declared ? (Verdict.Declared, Declared(declared)) : (verdict, reason);
        }
        if (t.Repetitions.Count < 2)
        {
            var (verdict, reason) = One(t);
            return (verdict, reason, null);
        }
        List<Repetition> repetitions = [.. t.Repetitions.Select((run, i) =>
        {
            var (verdict, reason) = One(run);
            return new Repetition(i + 1, verdict, reason, (long)(run.Seconds * 1000));
        })];
        var shown = repetitions.FirstOrDefault(r => r.Verdict != Verdict.Pass) ?? repetitions[0];
        if (repetitions.All(r => r.Verdict == shown.Verdict))
            return (shown.Verdict, shown.Reason, repetitions);
        var outcomes = string.Join(", ", repetitions.Select(r => r.Verdict.ToWire()));
        return (Verdict.Unstable, $"outcomes differ across {repetitions.Count} repetitions ({outcomes}); repetition {shown.N}: {shown.Verdict.ToWire()}{(shown.Reason is null ? "" : $": {shown.Reason}")}", repetitions);
    }

    /// <summary>xunit outcome → verdict through the suite's markers (<see cref="SuiteOutcomes"/>); only a ConformanceFailure is a finding.</summary>
    internal static (Verdict, string?) Classify(RawTest t, string level)
    {
        switch (t.Result)
        {
            case "Pass":
                return (Verdict.Pass, null);
            case "Skip":
                var (kind, reason) = SuiteOutcomes.ReadSkip(t.Reason);
                return (kind == SkipKind.NotApplicable ? Verdict.NotApplicable : Verdict.NotVerifiable, reason);
            case "Fail" when SuiteOutcomes.IsFinding(t.ExceptionType):
                return (level == "MUST" ? Verdict.Fail : Verdict.Warn, StripType(t.Message, t.ExceptionType));
            case "Fail" when SuiteOutcomes.IsHarnessError(t.ExceptionType):
                return (Verdict.Error, StripType(t.Message, t.ExceptionType));
            case "Fail":
                return (Verdict.Error, $"harness defect ({t.ExceptionType?.Split('.').Last()}): {StripType(t.Message, t.ExceptionType)}");
            default:
                return (Verdict.Error, t.Reason ?? $"the test did not run ({t.Result})");
        }
    }

    /// <summary>xunit prefixes messages with "Full.Type.Name : "; the report states the type once, if at all.</summary>
    private static string? StripType(string? message, string? exceptionType) =>
        message is not null && exceptionType is not null && message.StartsWith(exceptionType + " : ", StringComparison.Ordinal)
            ? message[(exceptionType.Length + 3)..]
            : message;

    /// <summary>The report's name of a test: the method without its type, underscores as spaces; a theory row keeps its arguments.</summary>
    public static string ShortName(string name)
    {
        var paren = name.IndexOf('(', StringComparison.Ordinal);
        var head = paren < 0 ? name : name[..paren];
        var dot = head.LastIndexOf('.');
        var shortName = dot < 0 ? name : name[(dot + 1)..];
        return shortName.Replace('_', ' ');
    }

    /// <summary>
    /// Real curl lines for each recorded exchange (bodies through stdin, so any bytes replay exactly; the headers the
    /// request needed, secrets as shell variables), then the one-requirement re-run with the run's seed or keys file.
    /// </summary>
    internal static string Reproducer(RawTest t, string id, RunContext context)
    {
        var sb = new StringBuilder();
        var trust = context.CaFile is null ? "" : $" --cacert {Quote(context.CaFile)}";
        if (context.TargetKind == "embedded")
            sb.AppendLine("# the embedded DP of this run is gone; re-run the line at the end, or point these at ./run.sh serve-dp");
        foreach (var e in t.Exchanges.Take(20))
        {
            var headers = string.Concat(e.RequestHeaders
                .Where(h => h.Key is not ("accept" or "content-length" or "host" or "mimi-trace-test"))
                .Select(h => $" -H {HeaderArgument(h.Key, h.Value)}"));
            var curl = $"curl -sS -i{trust} -X {e.Method} {Quote(e.Url)}{headers}";
            sb.Append(e.RequestBody switch
            {
                null => curl,
                { } body when body.StartsWith("hex:", StringComparison.Ordinal) => $"printf '{Octal(Convert.FromHexString(body[4..]))}' | {curl} --data-binary @-",
                { } body => $"printf '%s' {Quote(body)} | {curl} --data-binary @-",
            });
            sb.AppendLine($"   # → {e.Status?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? e.Error}");
        }
        var target = context.TargetKind == "embedded" ? "" : $" --dp {context.Target}{(context.CaFile is null ? "" : $" --ca {Quote(context.CaFile)}")}";
        var faults = string.Concat(context.Faults.Select(f => $" --dp-fault {f}"));
        var identity = context.KeysFile is { } keys ? $" --keys {Quote(keys)}" : context.Seed is { } seed ? $" --seed {Quote(seed)}" : "";
        var repeat = context.Repeat > 1 ? $" --repeat {context.Repeat.ToString(System.Globalization.CultureInfo.InvariantCulture)}" : "";
        sb.Append($"./run.sh run{target}{faults}{identity}{repeat} --only {id}");
        return sb.ToString();
    }

    /// <summary>A recorded secret header comes back as a shell variable the reader sets (its value never reaches a report).</summary>
    private static string HeaderArgument(string name, string value) => value == SecretRedactor.Mask
        ? $"\"{name}: ${{{"MIMI_" + name.ToUpperInvariant().Replace('-', '_')}}}\""
        : Quote($"{name}: {value}");

    private static string Quote(string text) => "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>Bytes as POSIX printf octal escapes: replays binary bodies without xxd or bash.</summary>
    private static string Octal(byte[] bytes) => string.Concat(bytes.Select(b => $"\\{Convert.ToString(b, 8).PadLeft(3, '0')}"));
}
