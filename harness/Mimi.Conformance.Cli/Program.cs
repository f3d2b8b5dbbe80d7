using System.CommandLine;
using Mimi.Conformance.Harness.Results;
using Mimi.Conformance.Cli.Commands;
using Mimi.Conformance.Cli.Execution;
using Mimi.Conformance.Cli.SelfTest;
using Mimi.Conformance.Tools;
using Mimi.Conformance.Harness.Configuration;
using Mimi.Conformance.Reporting;
using Mimi.Conformance.Harness.Requirements;
using Mimi.Conformance.ReferenceDp.Faults;
using Mimi.Conformance.ReferenceDp.Hosting;

namespace Mimi.Conformance.Cli;

/// <summary>The `mimi-conformance` command (docs/ARCHITECTURE.md §9). Exit codes: 0 gated requirements hold, 1 a gated requirement fails, 2 configuration or harness error.</summary>
public static class Program
{
    /// <summary>Every command and option: the one list that --help prints and the README's tables are tested against.</summary>
    public static RootCommand Commands()
    {
        var root = new RootCommand("Mimi.Conformance: conformance and interop suite for MIMI Discovery Providers");
        root.Subcommands.Add(RunCommand());
        root.Subcommands.Add(SelfTestCommandLine());
        root.Subcommands.Add(ServeDpCommand.Create());
        root.Subcommands.Add(KeysCommand.Create());
        root.Subcommands.Add(ToolCommands.Vectors(ReferenceFaults.Catalog));
        root.Subcommands.Add(ToolCommands.Cose());
        root.Subcommands.Add(MergeCommand.Create());
        root.Subcommands.Add(MatrixCommand.Create());
        root.Subcommands.Add(Sender.SenderCommand.Create());
        root.Subcommands.Add(Sender.SenderCommand.AdapterCreate());
        return root;
    }

    /// <summary>The entry point of a packaged install: the same commands, with the suite started by <paramref name="suite"/>.</summary>
    public static Task<int> RunPackaged(string[] args, SuiteLauncher suite)
    {
        SuiteRunner.Packaged = suite;
        return Main(args);
    }

    public static async Task<int> Main(string[] args)
    {
        var root = Commands();
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            // A typo is a configuration mistake (exit 2), never a verdict: exit 1 means non-compliant.
            var command = parsed.CommandResult.Command.Name;
            await Console.Error.WriteLineAsync($"configuration error: {string.Join("; ", parsed.Errors.Select(e => Plain(e.Message)))} (see {(command == root.Name ? "" : command + " ")}--help)");
            return 2;
        }
        try
        {
            // Let ConfigurationException reach the catch below (exit 2); the default handler would print a stack trace and exit 1.
            return await parsed.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (ConfigurationException e)
        {
            await Console.Error.WriteLineAsync($"configuration error: {e.Message}");
            return 2;
        }
    }

    /// <summary>System.CommandLine's messages name .NET types; say what the user has to type instead.</summary>
    private static string Plain(string message) => message
        .Replace(" as expected type 'System.Int32'", " as a whole number", StringComparison.Ordinal)
        .Replace(" as expected type 'System.Boolean'", " as true or false", StringComparison.Ordinal)
        .TrimEnd('.');

    private static readonly Option<string?> Dp = new("--dp") { Description = "Base URL of the DP under test (default: the embedded reference DP)" };
    private static readonly Option<string?> Ca = new("--ca") { Description = "PEM certificate or CA the DP's TLS certificate must chain to" };
    private static readonly Option<string?> Pin = new("--pin") { Description = "SHA-256 (hex) of the DP's TLS certificate, instead of --ca" };
    private static readonly Option<string> Out = new("--out") { Description = "Directory for reports/<run-id>/", DefaultValueFactory = _ => RepositoryLayout.Reports };
    private static readonly Option<string[]> ClassFilter = new("--class") { Description = "Only requirements of this class (repeatable)" };
    private static readonly Option<string[]> Only = new("--only") { Description = "Only requirement ids matching this glob, e.g. DISC-R-0* (repeatable)" };
    private static readonly Option<string?> Level = new("--level") { Description = "Only requirements at this level or stricter: must|should|may" };
    private static readonly Option<string> FailOn = new("--fail-on") { Description = "Which broken levels fail the run: must|should, and what a gated unstable item makes of it: ,unstable=fail (default) or ,unstable=incomplete", DefaultValueFactory = _ => "must" };
    private static readonly Option<int> Repeat = new("--repeat") { Description = "Run each selected test N times (1..10); a test whose repetitions disagree is unstable", DefaultValueFactory = _ => 1 };
    private static readonly Option<string[]> DpFault = new("--dp-fault") { Description = "Start the embedded DP with this fault mode (repeatable)" };
    private static readonly Option<bool> AllowTestControl = new("--allow-test-control") { Description = "Let the harness call the DP's test-control endpoints (always on for the embedded DP)" };
    private static readonly Option<int> TimeoutMs = new("--timeout-ms") { Description = "Per-request timeout", DefaultValueFactory = _ => 10_000 };
    private static readonly Option<int> BudgetS = new("--budget-s") { Description = "Time budget for the whole suite run", DefaultValueFactory = _ => 600 };
    private static readonly Option<string?> Seed = new("--seed") { Description = "Seed for the harness's keys and CSIs (default: per run)" };
    private static readonly Option<bool> List = new("--list") { Description = "List the selected requirements and exit (dry run)" };
    private static readonly Option<string?> BaselineOption = new("--baseline") { Description = "Expected-failures file: fail on a new failure and on an expected failure that now passes" };
    private static readonly Option<string?> WriteBaselineOption = new("--write-baseline") { Description = "Write this run's failing requirements as a baseline file" };
    private static readonly Option<string?> Statement = new("--statement") { Description = "Operator statement (JSON) declaring what no black-box test can observe; graded declared, never pass" };
    private static readonly Option<string[]> AcceptNotVerifiable = new("--accept-not-verifiable") { Description = "A gated rule or requirement id whose not-verifiable verdict does not make the run incomplete (repeatable)" };
    private static readonly Option<string?> KeysOption = new("--keys") { Description = "Keys file (keys generate) the DP trusts by configuration: certify without test control" };
    private static readonly Option<string?> ClientCredentials = new("--client-credentials") { Description = "File of identified-client credentials the DP issued out of band, one per line: anti-enumeration without test control" };
    private static readonly Option<string?> TestControlToken = new("--test-control-token") { Description = "The token the DP's test control requires (serve-dp prints it)" };
    private static readonly Option<string?> CompareOption = new("--compare") { Description = "An earlier run directory (e.g. reports/latest): the report adds what changed since it" };
    private static readonly Option<string?> ShardOption = new("--shard") { Description = "Run only shard K of N (K/N) of the selected requirements; ./run.sh merge combines the shards" };

    private static Command RunCommand()
    {
        var cmd = new Command("run", "Certify a DP and write reports/<run-id>/") { Dp, Ca, Pin, Out, ClassFilter, Only, Level, FailOn, Repeat, DpFault, AllowTestControl, TimeoutMs, BudgetS, Seed, List, BaselineOption, WriteBaselineOption, CompareOption, ShardOption, Statement, AcceptNotVerifiable, KeysOption, ClientCredentials, TestControlToken };
        cmd.SetAction(async (parse, ct) =>
        {
            var request = ToRequest(parse);
            if (parse.GetValue(List))
                return ListRequirements(request);
            var report = await ProgressDisplay.RunAsync(progress => ConformanceRun.ExecuteAsync(request, TimeProvider.System, Console.Error, ct, progress));
            ConsoleTableWriter.Write(report, Console.Out);
            await Console.Out.WriteLineAsync(ConformanceRun.SummaryLine(report));
            await Console.Out.WriteLineAsync($"report: {Path.Combine(request.OutputRoot, report.Run.Id, HtmlReportWriter.FileName)}");
            if (!report.Run.Completeness.Complete)
                await Console.Out.WriteLineAsync($"incomplete: {report.Run.Completeness.Reason}");
            if (report.Baseline is { } baseline)
                await Console.Out.WriteLineAsync(Baseline.Describe(baseline));
            if (request.WriteBaseline is { } written)
                await Console.Out.WriteLineAsync($"baseline written: {written}");
            return report.Summary.ExitCode;
        });
        return cmd;
    }

    private static Command SelfTestCommandLine()
    {
        var faults = new Option<string[]>("--fault") { Description = "Only these fault modes (repeatable)" };
        var parallel = new Option<int>("--parallel") { Description = "Certifications run at once", DefaultValueFactory = _ => SelfTestCommand.DefaultParallelism };
        var full = new Option<bool>("--full") { Description = "Run every fault against the whole suite, not only the tests that exercise its duties" };
        var cmd = new Command("self-test", "Clean reference DP passes; every fault mode fails exactly its mapped requirements") { Out, faults, parallel, full, TimeoutMs, BudgetS };
        cmd.SetAction((parse, ct) => SelfTestCommand.RunAsync(ToRequest(parse), parse.GetValue(faults) ?? [], TimeProvider.System, Console.Out, ct, parse.GetValue(parallel), parse.GetValue(full)));
        return cmd;
    }

    /// <summary>The run's options, checked all at once: every mistake is reported in one line, exit 2.</summary>
    private static RunRequest ToRequest(ParseResult parse)
    {
        var errors = new List<string>();
        DpEndpoint? url = null;
        if (parse.GetValue(Dp) is { } dp)
        {
            try
            {
                url = DpEndpoint.Parse(dp, "--dp");
            }
            catch (ConfigurationException e)
            {
                errors.Add(e.Message);
            }
        }
        var (failOn, unstableGate) = ParseFailOn(parse.GetValue(FailOn) ?? "must", errors);
        var repeat = parse.CommandResult.Command.Options.Contains(Repeat) ? parse.GetValue(Repeat) : 1; // self-test repeats its intermittent faults itself
        if (repeat is < 1 or > 10)
            errors.Add($"--repeat takes 1..10, got {repeat}");
        var level = parse.GetValue(Level);
        if (level is not (null or "must" or "should" or "may"))
            errors.Add("--level takes must, should or may");
        var faults = parse.GetValue(DpFault) ?? [];
        if (faults.Length > 0 && url is not null)
            errors.Add("--dp-fault applies to the embedded DP only; drop --dp");
        var unknownFaults = faults.Where(f => !FaultRegistry.IsKnown(f)).ToArray();
        if (unknownFaults.Length > 0)
            errors.Add($"unknown fault mode {string.Join(", ", unknownFaults)} (the list: vectors/self-test/faults.json)");
        var classes = parse.GetValue(ClassFilter) ?? [];
        var known = RequirementCatalog.Load(RepositoryLayout.CatalogPath).Classes.Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
        var unknownClasses = classes.Where(c => !known.Contains(c)).ToArray();
        if (unknownClasses.Length > 0)
            errors.Add($"unknown class {string.Join(", ", unknownClasses)} (classes: {string.Join(", ", known)})");
        var timeoutMs = parse.GetValue(TimeoutMs);
        if (timeoutMs is < 1 or > 300_000)
            errors.Add($"--timeout-ms takes 1..300000, got {timeoutMs}");
        var budgetS = parse.GetValue(BudgetS);
        if (budgetS is < 1 or > 86_400)
            errors.Add($"--budget-s takes 1..86400, got {budgetS}");
        if (errors.Count > 0)
            throw new ConfigurationException(string.Join("; ", errors));
        return new RunRequest(url, parse.GetValue(Ca) is { } ca ? Path.GetFullPath(ca) : null, parse.GetValue(Pin), Path.GetFullPath(parse.GetValue(Out)!),
            parse.GetValue(ClassFilter) ?? [], parse.GetValue(Only) ?? [], level, failOn, faults,
            parse.GetValue(AllowTestControl), TimeSpan.FromMilliseconds(timeoutMs), TimeSpan.FromSeconds(budgetS), parse.GetValue(Seed))
        {
            BaselineFile = parse.GetValue(BaselineOption) is { } b ? Path.GetFullPath(b) : null,
            WriteBaseline = parse.GetValue(WriteBaselineOption) is { } w ? Path.GetFullPath(w) : null,
            Shard = parse.GetValue(ShardOption) is { } shard ? Shard.Parse(shard) : null,
            StatementFile = parse.GetValue(Statement) is { } st ? Path.GetFullPath(st) : null,
            AcceptNotVerifiable = parse.GetValue(AcceptNotVerifiable) ?? [],
            KeysFile = parse.GetValue(KeysOption) is { } keys ? Path.GetFullPath(keys) : null,
            TestControlToken = parse.GetValue(TestControlToken),
            ClientCredentialsFile = parse.GetValue(ClientCredentials) is { } cc ? Path.GetFullPath(cc) : null,
            CompareDir = parse.GetValue(CompareOption) is { } cmp ? Path.GetFullPath(cmp) : null,
            Repeat = repeat,
            UnstableGate = unstableGate,
        };
    }

    /// <summary>--fail-on must|should[,unstable=fail|incomplete]: the level that gates, and what a gated unstable item makes of the run.</summary>
    private static (string Level, UnstableGate Unstable) ParseFailOn(string value, List<string> errors)
    {
        var parts = value.Split(',', StringSplitOptions.TrimEntries);
        var unstable = parts.Length switch
        {
            1 => UnstableGate.Fail,
            2 when parts[1] == "unstable=fail" => UnstableGate.Fail,
            2 when parts[1] == "unstable=incomplete" => UnstableGate.Incomplete,
            _ => (UnstableGate?)null,
        };
        if (parts[0] is not ("must" or "should") || unstable is null)
        {
            errors.Add("--fail-on takes must or should, optionally followed by ,unstable=fail or ,unstable=incomplete");
            return ("must", UnstableGate.Fail);
        }
        return (parts[0], unstable.Value);
    }

    private static int ListRequirements(RunRequest request)
    {
        var catalog = RequirementCatalog.Load(RepositoryLayout.CatalogPath);
        var selected = ConformanceRun.Select(catalog, request);
        foreach (var r in catalog.Requirements.Where(r => selected is null || selected.Contains(r.Id)))
            Console.Out.WriteLine($"{r.Id,-14} {r.Level,-6} {r.Class,-17} {r.Title}");
        return 0;
    }
}
