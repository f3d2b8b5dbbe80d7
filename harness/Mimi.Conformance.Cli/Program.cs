using System.CommandLine;
using Mimi.Conformance.Cli.Ci;
using Mimi.Conformance.Cli.Commands;
using Mimi.Conformance.Cli.Execution;
using Mimi.Conformance.Cli.SelfTest;
using Mimi.Conformance.Cli.Tools;
using Mimi.Conformance.Harness.Configuration;
using Mimi.Conformance.Harness.Reporting;
using Mimi.Conformance.Harness.Requirements;
using Mimi.Conformance.ReferenceDp.Hosting;

namespace Mimi.Conformance.Cli;

/// <summary>The `mimi-conformance` command (docs/ARCHITECTURE.md §9). Exit codes: 0 gated requirements hold, 1 a gated requirement fails, 2 configuration or harness error.</summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var root = new RootCommand("Mimi.Conformance: conformance and interop suite for MIMI Discovery Providers");
        root.Subcommands.Add(RunCommand());
        root.Subcommands.Add(SelfTestCommandLine());
        root.Subcommands.Add(ServeDpCommand());
        root.Subcommands.Add(ToolCommands.Vectors());
        root.Subcommands.Add(ToolCommands.Cose());
        root.Subcommands.Add(MergeCommand.Create());
        root.Subcommands.Add(MatrixCommand.Create());
        root.Subcommands.Add(Bench.BenchCommand.Create());
        try
        {
            // Let ConfigurationException reach the catch below (exit 2); the default handler would print a stack trace and exit 1.
            return await root.Parse(args).InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (ConfigurationException e)
        {
            await Console.Error.WriteLineAsync($"configuration error: {e.Message}");
            return 2;
        }
    }

    private static readonly Option<string?> Dp = new("--dp") { Description = "Base URL of the DP under test (default: the embedded reference DP)" };
    private static readonly Option<string?> Ca = new("--ca") { Description = "PEM certificate or CA the DP's TLS certificate must chain to" };
    private static readonly Option<string?> Pin = new("--pin") { Description = "SHA-256 (hex) of the DP's TLS certificate, instead of --ca" };
    private static readonly Option<string> Out = new("--out") { Description = "Directory for reports/<run-id>/", DefaultValueFactory = _ => Path.Combine(RepositoryLayout.Root, "reports") };
    private static readonly Option<string[]> ClassFilter = new("--class") { Description = "Only requirements of this class (repeatable)" };
    private static readonly Option<string[]> Only = new("--only") { Description = "Only requirement ids matching this glob, e.g. DISC-R-0* (repeatable)" };
    private static readonly Option<string?> Level = new("--level") { Description = "Only requirements at this level or stricter: must|should|may" };
    private static readonly Option<string> FailOn = new("--fail-on") { Description = "Which broken levels fail the run: must|should", DefaultValueFactory = _ => "must" };
    private static readonly Option<string[]> DpFault = new("--dp-fault") { Description = "Start the embedded DP with this fault mode (repeatable)" };
    private static readonly Option<bool> AllowTestControl = new("--allow-test-control") { Description = "Let the harness call the DP's test-control endpoints (always on for the embedded DP)" };
    private static readonly Option<int> TimeoutMs = new("--timeout-ms") { Description = "Per-request timeout", DefaultValueFactory = _ => 10_000 };
    private static readonly Option<int> BudgetS = new("--budget-s") { Description = "Time budget for the whole suite run", DefaultValueFactory = _ => 600 };
    private static readonly Option<string?> Seed = new("--seed") { Description = "Seed for the harness's keys and CSIs (default: per run)" };
    private static readonly Option<bool> List = new("--list") { Description = "List the selected requirements and exit (dry run)" };
    private static readonly Option<string?> BaselineOption = new("--baseline") { Description = "Expected-failures file: fail on a new failure and on an expected failure that now passes" };
    private static readonly Option<string?> WriteBaselineOption = new("--write-baseline") { Description = "Write this run's failing requirements as a baseline file" };
    private static readonly Option<string?> ShardOption = new("--shard") { Description = "Run only shard K of N (K/N) of the selected requirements; ./run.sh merge combines the shards" };

    private static Command RunCommand()
    {
        var cmd = new Command("run", "Certify a DP and write reports/<run-id>/") { Dp, Ca, Pin, Out, ClassFilter, Only, Level, FailOn, DpFault, AllowTestControl, TimeoutMs, BudgetS, Seed, List, BaselineOption, WriteBaselineOption, ShardOption };
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

    private static Command ServeDpCommand()
    {
        var port = new Option<int>("--port") { Description = "Port on 127.0.0.1 (0 = any free port)", DefaultValueFactory = _ => 8443 };
        var data = new Option<string?>("--data") { Description = "Data directory (default: reports/dp-data)" };
        var fault = new Option<string[]>("--fault") { Description = "Fault mode (repeatable)" };
        var cmd = new Command("serve-dp", "Run the reference DP alone; prints its URL and certificate path") { port, data, fault };
        cmd.SetAction(async (parse, ct) =>
        {
            var dir = Path.GetFullPath(parse.GetValue(data) ?? Path.Combine(RepositoryLayout.Root, "reports", "dp-data"));
            Directory.CreateDirectory(dir);
            await using var dp = await ReferenceDpHost.StartAsync(new ReferenceDpOptions
            {
                DataDirectory = dir,
                Port = parse.GetValue(port),
                Faults = (parse.GetValue(fault) ?? []).ToHashSet(),
                AntiEnumeration = true,
            }, ct);
            await Console.Out.WriteLineAsync($"reference DP listening at {dp.Url}");
            await Console.Out.WriteLineAsync($"certificate: {dp.CertificatePath}");
            await Console.Out.WriteLineAsync($"pin (sha256): {dp.PinSha256Hex}");
            await Console.Out.WriteLineAsync($"certify it:  ./run.sh run --dp {dp.Url} --ca {dp.CertificatePath} --allow-test-control");
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            catch (OperationCanceledException)
            {
                // Ctrl-C: stop cleanly.
            }
            return 0;
        });
        return cmd;
    }

    private static RunRequest ToRequest(ParseResult parse)
    {
        var dp = parse.GetValue(Dp);
        var url = dp is null ? null : DpEndpoint.Parse(dp, "--dp");
        var failOn = parse.GetValue(FailOn) ?? "must";
        if (failOn is not ("must" or "should"))
            throw new ConfigurationException("--fail-on takes must or should");
        var level = parse.GetValue(Level);
        if (level is not (null or "must" or "should" or "may"))
            throw new ConfigurationException("--level takes must, should or may");
        var faults = parse.GetValue(DpFault) ?? [];
        if (faults.Length > 0 && url is not null)
            throw new ConfigurationException("--dp-fault applies to the embedded DP only; drop --dp");
        return new RunRequest(url, parse.GetValue(Ca) is { } ca ? Path.GetFullPath(ca) : null, parse.GetValue(Pin), Path.GetFullPath(parse.GetValue(Out)!),
            parse.GetValue(ClassFilter) ?? [], parse.GetValue(Only) ?? [], level, failOn, faults,
            parse.GetValue(AllowTestControl), TimeSpan.FromMilliseconds(parse.GetValue(TimeoutMs)), TimeSpan.FromSeconds(parse.GetValue(BudgetS)), parse.GetValue(Seed))
        {
            BaselineFile = parse.GetValue(BaselineOption) is { } b ? Path.GetFullPath(b) : null,
            WriteBaseline = parse.GetValue(WriteBaselineOption) is { } w ? Path.GetFullPath(w) : null,
            Shard = parse.GetValue(ShardOption) is { } shard ? Shard.Parse(shard) : null,
        };
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
