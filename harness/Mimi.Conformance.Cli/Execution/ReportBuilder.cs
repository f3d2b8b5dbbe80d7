using System.Text;
using Mimi.Conformance.Harness.Reporting;
using Mimi.Conformance.Harness.Requirements;
using Mimi.Conformance.Harness.Results;

namespace Mimi.Conformance.Cli.Execution;

/// <summary>Everything about a run that is not a test result.</summary>
internal sealed record RunContext(
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
    IReadOnlySet<string>? Selected);

/// <summary>Joins the catalog with the suite's raw results into the one results model (docs/ARCHITECTURE.md §5).</summary>
internal static class ReportBuilder
{
    public const string SuiteVersion = "0.1.0";
    public const string SchemaId = "mimi-conformance-report/1";

    public static ConformanceReport Build(RequirementCatalog catalog, RunContext context, SuiteOutcome outcome)
    {
        var tests = outcome.Run?.Tests ?? [];
        var byRequirement = tests.Where(t => t.Requirement is not null).ToLookup(t => t.Requirement!);
        var requirements = new List<RequirementResult>();
        foreach (var req in catalog.Requirements)
        {
            var gating = RequirementCatalog.Gates(req.Level, context.FailOn);
            var selected = context.Selected is null || context.Selected.Contains(req.Id);
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
        var unknown = byRequirement.Select(g => g.Key).Where(id => catalog.Find(id) is null).ToArray();

        var planned = outcome.Run?.Total ?? 0;
        var executed = tests.Count(t => t.Result is "Pass" or "Fail" or "Skip");
        var completeReason = outcome.Failure ?? (unknown.Length > 0 ? $"tests name unknown requirement ids: {string.Join(", ", unknown)}" : planned != executed ? $"{planned - executed} test(s) did not run" : null);
        var completeness = new Completeness(completeReason is null, planned, executed, completeReason);

        var gatingFailures = requirements.Where(r => r.Gating && r.Verdict is Verdict.Fail or Verdict.Warn).Select(r => r.Id).ToList();
        var gatingErrors = requirements.Where(r => r.Gating && r.Verdict == Verdict.Error).Select(r => r.Id).ToList();
        var (overall, exit) = gatingFailures.Count > 0 ? (ReportFacts.NonCompliant, 1)
            : gatingErrors.Count > 0 || !completeness.Complete ? (ReportFacts.Error, 2)
            : (ReportFacts.Compliant, 0);
        var summary = new Summary(overall, exit,
            Counts(requirements.Select(r => r.Verdict)),
            Counts(requirements.SelectMany(r => r.Tests).Select(t => t.Verdict)),
            [.. gatingFailures, .. gatingErrors],
            requirements.Where(r => r.Level == "MUST" && r.Verdict == Verdict.Untested).Select(r => r.Id).ToList());

        var classes = catalog.Classes.Select(c =>
        {
            var members = requirements.Where(r => r.Class == c.Id).ToList();
            return new ClassResult(c.Id, context.ClaimedClasses.Contains(c.Id), VerdictNames.Worst(members.Select(m => m.Verdict)), members.Select(m => m.Id).ToList());
        }).ToList();

        var run = new RunInfo(context.RunId, SuiteVersion, catalog.Profile, context.Target, context.TargetKind, context.StartedAt, context.FinishedAt,
            (long)(context.FinishedAt - context.StartedAt).TotalMilliseconds, context.FailOn, context.Filters, context.Faults, completeness);
        return new ConformanceReport(SchemaId, run, summary, classes, requirements);
    }

    private static Dictionary<string, int> Counts(IEnumerable<Verdict> verdicts) =>
        verdicts.GroupBy(v => v.ToWire()).ToDictionary(g => g.Key, g => g.Count());

    private static TestResult ToResult(RawTest t, Requirement req, RunContext context)
    {
        var (verdict, reason) = Classify(t, req.Level);
        var reproducer = verdict is Verdict.Fail or Verdict.Warn or Verdict.Error ? Reproducer(t, req.Id, context) : null;
        return new TestResult($"{req.Id}/{ShortName(t.Name)}", ShortName(t.Name), verdict, reason, (long)(t.Seconds * 1000), t.Checks, t.Exchanges, reproducer);
    }

    /// <summary>xunit outcome → verdict. Skips carry their verdict in a prefix; only a ConformanceFailure is a finding.</summary>
    internal static (Verdict, string?) Classify(RawTest t, string level)
    {
        switch (t.Result)
        {
            case "Pass":
                return (Verdict.Pass, null);
            case "Skip":
                var reason = t.Reason ?? "skipped";
                if (reason.StartsWith("not-applicable: ", StringComparison.Ordinal))
                    return (Verdict.NotApplicable, reason["not-applicable: ".Length..]);
                if (reason.StartsWith("not-verifiable: ", StringComparison.Ordinal))
                    return (Verdict.NotVerifiable, reason["not-verifiable: ".Length..]);
                return (Verdict.NotVerifiable, reason);
            case "Fail" when t.ExceptionType?.EndsWith(".ConformanceFailure", StringComparison.Ordinal) == true:
                return (level == "MUST" ? Verdict.Fail : Verdict.Warn, StripType(t.Message, t.ExceptionType));
            case "Fail" when t.ExceptionType?.EndsWith(".HarnessErrorException", StringComparison.Ordinal) == true:
                return (Verdict.Error, StripType(t.Message, t.ExceptionType));
            case "Fail":
                return (Verdict.Error, $"harness defect ({t.ExceptionType?.Split('.').Last()}): {StripType(t.Message, t.ExceptionType)}");
            default:
                return (Verdict.Error, $"the test did not run ({t.Result})");
        }
    }

    /// <summary>xunit prefixes messages with "Full.Type.Name : "; the report states the type once, if at all.</summary>
    private static string? StripType(string? message, string? exceptionType) =>
        message is not null && exceptionType is not null && message.StartsWith(exceptionType + " : ", StringComparison.Ordinal)
            ? message[(exceptionType.Length + 3)..]
            : message;

    private static string ShortName(string name)
    {
        var paren = name.IndexOf('(', StringComparison.Ordinal);
        var head = paren < 0 ? name : name[..paren];
        var dot = head.LastIndexOf('.');
        var shortName = dot < 0 ? name : name[(dot + 1)..];
        return shortName.Replace('_', ' ');
    }

    /// <summary>curl lines for each recorded exchange, then the one-requirement re-run.</summary>
    private static string Reproducer(RawTest t, string id, RunContext context)
    {
        var sb = new StringBuilder();
        var trust = context.CaFile is null ? "" : $" --cacert '{context.CaFile}'";
        foreach (var e in t.Exchanges.Take(20))
        {
            sb.Append($"curl -sS{trust} -X {e.Method} '{e.Url}'");
            if (e.RequestHeaders.TryGetValue("content-type", out var ct))
                sb.Append($" -H 'content-type: {ct}'");
            if (e.RequestBody is { } body)
                sb.Append($" --data-binary '{body.Replace("'", "'\\''", StringComparison.Ordinal)}'");
            sb.AppendLine($"   # → {(e.Status?.ToString() ?? e.Error)}");
        }
        var target = context.TargetKind == "embedded" ? "" : $" --dp {context.Target}{(context.CaFile is null ? "" : $" --ca '{context.CaFile}'")}";
        var faults = string.Concat(context.Faults.Select(f => $" --dp-fault {f}"));
        sb.Append($"./run.sh run{target}{faults} --only {id}");
        return sb.ToString();
    }
}
