using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Mimi.Conformance.Harness.Configuration;
using Mimi.Conformance.Reporting;
using Mimi.Conformance.Harness.Requirements;
using Mimi.Conformance.Harness.Results;
using Mimi.Conformance.Cli.Sender;
using Mimi.Conformance.Protocol.Profile;

namespace Mimi.Conformance.Cli.Sender;

/// <summary>
/// <c>sender</c>: certify sender implementations through their adapters (vectors/SENDER-ADAPTER.md), one report per
/// adapter and, with several, a matrix; <c>--self-test</c>: every fault of the harness's own adapter fails exactly its
/// rules and the clean adapter certifies. <c>sender-adapter</c>: the harness's verifier behind the protocol.
/// </summary>
internal static class SenderCommand
{
    private static readonly Option<string[]> Cmd = new("--cmd") { Description = "An adapter's command, NAME=COMMAND or COMMAND (repeatable: several give a matrix)" };
    private static readonly Option<bool> Self = new("--self") { Description = "Add the harness's own verifier and selector as adapter 'self'" };
    private static readonly Option<string[]> Fault = new("--fault") { Description = "Add the harness's adapter with this sender fault (repeatable; see --list-faults)" };
    private static readonly Option<bool> SelfTest = new("--self-test") { Description = "Check that the clean self adapter certifies and every sender fault fails exactly its rules" };
    private static readonly Option<bool> ListFaults = new("--list-faults") { Description = "List the sender faults and the rules each must fail" };
    private static readonly Option<string[]> Only = new("--only") { Description = "Only cases whose id, rule or requirement matches this glob (repeatable)" };
    private static readonly Option<string> FailOn = new("--fail-on") { Description = "Which broken levels fail the run: must|should", DefaultValueFactory = _ => "must" };
    private static readonly Option<int> TimeoutMs = new("--timeout-ms") { Description = "Per-call timeout for the adapter", DefaultValueFactory = _ => 10_000 };
    private static readonly Option<int> BudgetS = new("--budget-s") { Description = "Time budget per adapter", DefaultValueFactory = _ => 600 };
    private static readonly Option<string> Out = new("--out") { Description = "Directory for <run-id>/ and latest", DefaultValueFactory = _ => Path.Combine(RepositoryLayout.Reports, "sender") };

    public static Command Create()
    {
        var cmd = new Command("sender", "Certify sender implementations through their adapters (vectors/SENDER-ADAPTER.md)") { Cmd, Self, Fault, SelfTest, ListFaults, Only, FailOn, TimeoutMs, BudgetS, Out };
        cmd.SetAction(async (parse, ct) =>
        {
            if (parse.GetValue(ListFaults))
            {
                foreach (var f in SelfAdapter.Faults)
                    await Console.Out.WriteLineAsync($"{f.Name,-28} {string.Join(",", f.Rules),-28} {f.Description}");
                return 0;
            }
            var settings = ReadSettings(parse);
            if (parse.GetValue(SelfTest))
                return await SelfTestAsync(settings, ct);
            return await RunAsync(settings, ct);
        });
        return cmd;
    }

    public static Command AdapterCreate()
    {
        var fault = new Option<string?>("--fault") { Description = "Behave as this broken sender (sender --list-faults)" };
        var cmd = new Command("sender-adapter", "The harness's verifier and selector as a sender adapter on stdin/stdout (vectors/SENDER-ADAPTER.md)") { fault };
        cmd.SetAction(async (parse, ct) =>
        {
            var name = parse.GetValue(fault);
            if (name is not null && !SelfAdapter.IsKnown(name))
                throw new ConfigurationException($"unknown sender fault {name} (sender --list-faults)");
            return await new SelfAdapter(name, TimeProvider.System).ServeAsync(Console.In, Console.Out, ct);
        });
        return cmd;
    }

    internal sealed record SenderSettings(IReadOnlyList<AdapterCommand> Adapters, IReadOnlyList<string> Only, string FailOn, TimeSpan Timeout, TimeSpan Budget, string Out);

    /// <summary>The adapter command line of the harness's own adapter, with an optional fault.</summary>
    public static string SelfCommandLine(string? fault = null)
    {
        var dll = typeof(SenderCommand).Assembly.Location;
        var host = Environment.ProcessPath ?? "dotnet";
        var line = Path.GetFileNameWithoutExtension(host) == "dotnet" ? $"{Sh(host)} {Sh(dll)} sender-adapter" : $"{Sh(host)} sender-adapter";
        return fault is null ? line : $"{line} --fault {Sh(fault)}";
    }

    private static string Sh(string s) => "'" + s.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static SenderSettings ReadSettings(ParseResult parse)
    {
        var errors = new List<string>();
        var adapters = new List<AdapterCommand>();
        foreach (var c in parse.GetValue(Cmd) ?? [])
        {
            var eq = c.IndexOf('=', StringComparison.Ordinal);
            var named = eq > 0 && Regex.IsMatch(c[..eq], "^[A-Za-z0-9._-]+$");
            var name = named ? c[..eq] : $"adapter{adapters.Count + 1}";
            var line = named ? c[(eq + 1)..] : c;
            if (string.IsNullOrWhiteSpace(line))
                errors.Add($"--cmd {c}: the command is empty");
            else
                adapters.Add(new AdapterCommand(name, line));
        }
        if (parse.GetValue(Self))
            adapters.Insert(0, new AdapterCommand("self", SelfCommandLine()));
        foreach (var f in parse.GetValue(Fault) ?? [])
        {
            if (!SelfAdapter.IsKnown(f))
                errors.Add($"unknown sender fault {f} (sender --list-faults)");
            else
                adapters.Add(new AdapterCommand($"self+{f}", SelfCommandLine(f)));
        }
        var dupes = adapters.GroupBy(a => a.Name).Where(g => g.Count() > 1).Select(g => g.Key).ToArray();
        if (dupes.Length > 0)
            errors.Add($"adapter names must differ: {string.Join(", ", dupes)} (name them NAME=COMMAND)");
        if (adapters.Count == 0 && !parse.GetValue(SelfTest))
            errors.Add("name an adapter: --cmd \"COMMAND\", --self or --fault NAME");
        var failOn = parse.GetValue(FailOn) ?? "must";
        if (failOn is not ("must" or "should"))
            errors.Add("--fail-on takes must or should");
        var timeout = parse.GetValue(TimeoutMs);
        if (timeout is < 100 or > 300_000)
            errors.Add($"--timeout-ms takes 100..300000, got {timeout}");
        var budget = parse.GetValue(BudgetS);
        if (budget is < 1 or > 86_400)
            errors.Add($"--budget-s takes 1..86400, got {budget}");
        if (errors.Count > 0)
            throw new ConfigurationException(string.Join("; ", errors));
        return new SenderSettings(adapters, parse.GetValue(Only) ?? [], failOn, TimeSpan.FromMilliseconds(timeout), TimeSpan.FromSeconds(budget), Path.GetFullPath(parse.GetValue(Out)!));
    }

    private static IReadOnlyList<SenderCase> Cases(IReadOnlyList<string> only)
    {
        var catalogJson = JsonNode.Parse(File.ReadAllText(RepositoryLayout.CatalogPath))!.AsObject();
        var cases = SenderCases.Load(RepositoryLayout.Vectors, catalogJson);
        if (only.Count == 0)
            return cases;
        var globs = only.Select(g => new Regex("^" + Regex.Escape(g).Replace("\\*", ".*", StringComparison.Ordinal).Replace("\\?", ".", StringComparison.Ordinal) + "$", RegexOptions.IgnoreCase)).ToArray();
        var selected = cases.Where(c => globs.Any(g => g.IsMatch(c.Id) || g.IsMatch(c.Requirement) || c.Rules.Any(g.IsMatch))).ToList();
        if (selected.Count == 0)
            throw new ConfigurationException($"--only {string.Join(" ", only)} selects no sender case");
        return selected;
    }

    /// <summary>Runs every adapter, writes each one's report (and a matrix for several); the exit code is the worst run's.</summary>
    private static async Task<int> RunAsync(SenderSettings s, CancellationToken ct)
    {
        var cases = Cases(s.Only);
        var catalog = RequirementCatalog.Load(RepositoryLayout.CatalogPath);
        var time = TimeProvider.System;
        var runId = $"{time.GetUtcNow():yyyyMMdd-HHmmss}-{Convert.ToHexString(Guid.NewGuid().ToByteArray()[..2]).ToLowerInvariant()}";
        var runDir = Path.Combine(s.Out, runId);
        var reports = new List<(string Name, string ReportPath, ConformanceReport Report)>();
        foreach (var adapter in s.Adapters)
        {
            await Console.Out.WriteLineAsync($"== {adapter.Name}: {cases.Count} case(s) through `{adapter.CommandLine}`");
            var result = await SenderRun.ExecuteAsync(new SenderRunOptions(adapter, s.Timeout, s.Budget, ProfileConstants.Version), cases, time, ct);
            var report = SenderReport.Build(catalog, result, runId, s.FailOn, [.. s.Only.Select(o => $"only={o}")]);
            var dir = s.Adapters.Count == 1 ? runDir : Path.Combine(runDir, "runs", adapter.Name);
            ReportWriter.WriteAll(report, dir);
            reports.Add((adapter.Name, Path.GetRelativePath(runDir, Path.Combine(dir, ReportJson.FileName)), report));
            await Console.Out.WriteLineAsync(Line(adapter.Name, result, report));
            foreach (var f in report.Rules.Where(r => r.Verdict is Verdict.Fail or Verdict.Warn or Verdict.Error).Take(30))
                await Console.Out.WriteLineAsync($"   {f.Verdict.ToWire(),-7} {f.Id,-13} {ReportText.OneLine(f.Tests.FirstOrDefault(t => t.Verdict != Verdict.Pass)?.Reason ?? "", 160)}");
            await Console.Out.WriteLineAsync($"   report: {Path.Combine(dir, HtmlReportWriter.FileName)}");
        }
        if (reports.Count > 1)
        {
            SenderMatrix.Write(SenderMatrix.Build(reports), runDir);
            await Console.Out.WriteLineAsync($"matrix: {Path.Combine(runDir, SenderMatrix.HtmlFile)}");
        }
        UpdateLatest(s.Out, runDir);
        return Worst(reports.Select(r => r.Report.Summary.ExitCode));
    }

    private static string Line(string name, SenderRunResult result, ConformanceReport report)
    {
        int N(Verdict v) => result.Cases.Count(c => c.Outcome == v);
        return string.Create(CultureInfo.InvariantCulture,
            $"{name}: {report.Summary.Verdict.ToWire()} (exit {report.Summary.ExitCode}); cases {N(Verdict.Pass)} pass, {N(Verdict.Fail)} fail, {N(Verdict.Error)} error, {N(Verdict.NotVerifiable)} not-verifiable; {report.Run.Target}");
    }

    /// <summary>Several runs: a failure outranks an error, an error outranks an incomplete run (README.md, exit codes).</summary>
    internal static int Worst(IEnumerable<int> codes)
    {
        var all = codes.ToArray();
        return all.Contains(1) ? 1 : all.Contains(2) ? 2 : all.Contains(3) ? 3 : 0;
    }

    /// <summary>
    /// The clean adapter must be compliant; each fault adapter must make exactly its declared sender rules fail (or
    /// warn) and nothing else, with every case answered. Runs two adapters at a time.
    /// </summary>
    private static async Task<int> SelfTestAsync(SenderSettings s, CancellationToken ct)
    {
        var cases = Cases(s.Only);
        var catalog = RequirementCatalog.Load(RepositoryLayout.CatalogPath);
        var jobs = new List<(string? Fault, IReadOnlyList<string> Expected)> { (null, []) };
        jobs.AddRange(SelfAdapter.Faults.Select(f => ((string?)f.Name, f.Rules)));
        using var gate = new SemaphoreSlim(2);
        var lines = await Task.WhenAll(jobs.Select(async job =>
        {
            await gate.WaitAsync(ct);
            try
            {
                var adapter = new AdapterCommand(job.Fault is null ? "self" : $"self+{job.Fault}", SelfCommandLine(job.Fault));
                var result = await SenderRun.ExecuteAsync(new SenderRunOptions(adapter, s.Timeout, s.Budget, ProfileConstants.Version), cases, TimeProvider.System, ct);
                var report = SenderReport.Build(catalog, result, "self-test", s.FailOn, []);
                return Judge(job.Fault, job.Expected, result, report);
            }
            finally
            {
                gate.Release();
            }
        }));
        foreach (var l in lines)
            await Console.Out.WriteLineAsync(l.Line);
        var bad = lines.Count(l => !l.Ok);
        await Console.Out.WriteLineAsync($"sender self-test: {lines.Length - bad} ok, {bad} not ok ({cases.Count} cases per adapter)");
        return bad == 0 ? 0 : 1;
    }

    internal static (bool Ok, string Line) Judge(string? fault, IReadOnlyList<string> expected, SenderRunResult result, ConformanceReport report)
    {
        var errors = result.Cases.Where(c => c.Outcome is Verdict.Error or Verdict.NotVerifiable).Select(c => $"{c.Case.Id}: {c.Reason}").ToArray();
        var failing = report.Rules.Where(r => r.Verdict is Verdict.Fail or Verdict.Warn).Select(r => r.Id).Order(StringComparer.Ordinal).ToArray();
        var want = expected.Order(StringComparer.Ordinal).ToArray();
        // A fault of SHOULD rules only shows as warnings: the run stays compliant under --fail-on must.
        var ok = errors.Length == 0 && failing.SequenceEqual(want, StringComparer.Ordinal)
            && (fault is not null ? report.Summary.ExitCode != 0 || report.Rules.Where(r => want.Contains(r.Id)).All(r => r.Verdict == Verdict.Warn)
                : report.Summary.Verdict == RunVerdict.Compliant);
        var name = fault ?? "(clean)";
        var detail = errors.Length > 0 ? $"errors: {string.Join("; ", errors.Take(3))}"
            : $"failing [{string.Join(", ", failing)}], expected [{string.Join(", ", want)}], verdict {report.Summary.Verdict.ToWire()}";
        return (ok, $"{(ok ? "ok" : "NOT OK"),-7} {name,-28} {detail}");
    }

    private static void UpdateLatest(string root, string runDir)
    {
        var latest = Path.Combine(root, "latest");
        try
        {
            if (new FileInfo(latest).LinkTarget is not null)
                File.Delete(latest);
            if (!Directory.Exists(latest))
                Directory.CreateSymbolicLink(latest, Path.GetFileName(runDir));
        }
        catch (IOException)
        {
            // Another run raced us to the link; the run directory itself is complete.
        }
    }
}
