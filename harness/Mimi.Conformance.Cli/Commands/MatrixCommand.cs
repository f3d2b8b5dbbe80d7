using System.CommandLine;
using System.Text.Json;
using Mimi.Conformance.Cli.Execution;
using Mimi.Conformance.Harness.Configuration;
using Mimi.Conformance.Reporting;
using Mimi.Conformance.Harness.Requirements;
using Mimi.Conformance.Harness.Results;

namespace Mimi.Conformance.Cli.Commands;

/// <summary>One DP of an interop matrix: its name, URL and how to trust it.</summary>
internal sealed record MatrixTarget(string Name, DpEndpoint Url, string? CaFile, string? Pin, IReadOnlyList<string> Faults);

/// <summary>
/// `matrix --dp NAME=URL... [--ca NAME=FILE]... [--pin NAME=HEX]... [--out DIR]`: certifies each DP and writes
/// matrix.json + matrix.html. `--demo` starts three reference DPs itself (the third with a fault) instead.
/// Exit code: the worst of the DPs' exit codes (0 all compliant, 1 one non-compliant, 2 error).
/// </summary>
internal static class MatrixCommand
{
    /// <summary>The --demo DPs: two clean reference DPs and one with a fault whose failures must show in the matrix.</summary>
    public static IReadOnlyList<(string Name, string[] Faults)> DemoDps { get; } =
        [("ref-a", []), ("ref-b", []), ("ref-faulty", ["drop-second-mapping", "re-sign-relayed", "drop-peer-results"])];

    public static Command Create()
    {
        var dps = new Option<string[]>("--dp") { Description = "NAME=URL of a DP (repeatable)" };
        var cas = new Option<string[]>("--ca") { Description = "NAME=FILE: CA/certificate for that DP (repeatable)" };
        var pins = new Option<string[]>("--pin") { Description = "NAME=SHA256HEX: pin for that DP (repeatable)" };
        var output = new Option<string>("--out") { Description = "Directory for matrix.json, matrix.html and runs/", DefaultValueFactory = _ => Path.Combine(RepositoryLayout.Reports, "matrix") };
        var allow = new Option<bool>("--allow-test-control") { Description = "Let the harness call the DPs' test-control endpoints" };
        var demo = new Option<bool>("--demo") { Description = "Start three reference DPs (one with a fault) and build their matrix" };
        var timeout = new Option<int>("--timeout-ms") { Description = "Per-request timeout", DefaultValueFactory = _ => 10_000 };
        var budget = new Option<int>("--budget-s") { Description = "Time budget per DP", DefaultValueFactory = _ => 600 };
        var cmd = new Command("matrix", "Certify several DPs and write a DP × requirement matrix") { dps, cas, pins, output, allow, demo, timeout, budget };
        cmd.SetAction(async (parse, ct) =>
        {
            var template = new RunRequest(null, null, null, Path.GetFullPath(parse.GetValue(output)!), [], [], null, "must", [],
                parse.GetValue(allow), TimeSpan.FromMilliseconds(parse.GetValue(timeout)), TimeSpan.FromSeconds(parse.GetValue(budget)), null);
            MatrixDocument matrix;
            if (parse.GetValue(demo))
            {
                if ((parse.GetValue(dps) ?? []).Length > 0)
                    throw new ConfigurationException("--demo starts its own DPs; drop --dp");
                matrix = await RunDemoAsync(template, TimeProvider.System, Console.Out, ct);
            }
            else
            {
                var targets = Targets(parse.GetValue(dps) ?? [], parse.GetValue(cas) ?? [], parse.GetValue(pins) ?? []);
                matrix = await RunAsync(targets, template, TimeProvider.System, Console.Out, ct);
            }
            await Console.Out.WriteLineAsync($"matrix: {Path.Combine(template.OutputRoot, MatrixHtmlWriter.FileName)}");
            return matrix.Dps.Select(d => d.ExitCode).DefaultIfEmpty(2).Max();
        });
        return cmd;
    }

    public static async Task<MatrixDocument> RunDemoAsync(RunRequest template, TimeProvider time, TextWriter log, CancellationToken ct)
    {
        var started = new List<EmbeddedDp>();
        try
        {
            var targets = new List<MatrixTarget>();
            foreach (var (name, faults) in DemoDps)
            {
                var dp = await EmbeddedDp.StartAsync(faults, ct, $"mimi://{name}.conformance.test");
                started.Add(dp);
                targets.Add(new MatrixTarget(name, DpEndpoint.Of(dp.Url), dp.CertificatePath, null, faults));
                await log.WriteLineAsync($"demo DP {name} at {dp.Url}{(faults.Length > 0 ? $" with fault {string.Join(", ", faults)}" : "")}");
            }
            // The demo DPs are reference DPs: they make the reference DP's operator statement.
            return await RunAsync(targets, template with { AllowTestControl = true, StatementFile = template.StatementFile ?? RepositoryLayout.ReferenceDpStatement }, time, log, ct);
        }
        finally
        {
            foreach (var dp in started)
                await dp.DisposeAsync();
        }
    }

    public static async Task<MatrixDocument> RunAsync(IReadOnlyList<MatrixTarget> targets, RunRequest template, TimeProvider time, TextWriter log, CancellationToken ct)
    {
        if (targets.Count == 0)
            throw new ConfigurationException("matrix needs at least one --dp NAME=URL (or --demo)");
        var root = template.OutputRoot;
        Directory.CreateDirectory(root);
        var runs = new List<(string, IReadOnlyList<string>, string, ConformanceReport)>();
        var options = new Dictionary<string, ConformanceOptions>(StringComparer.Ordinal);
        foreach (var target in targets)
        {
            var outDir = Path.Combine(root, "runs", target.Name);
            var request = template with { DpUrl = target.Url, CaFile = target.CaFile, Pin = target.Pin, OutputRoot = outDir };
            options[target.Name] = ConformanceRun.OptionsFor(request);
            var report = await ConformanceRun.ExecuteAsync(request, time, log, ct);
            await log.WriteLineAsync($"{target.Name,-16} {ConformanceRun.SummaryLine(report)}");
            var relative = Path.GetRelativePath(root, Path.Combine(outDir, report.Run.Id, HtmlReportWriter.FileName)).Replace('\\', '/');
            runs.Add((target.Name, target.Faults, relative, report));
        }
        var cross = new List<CrossCell>();
        foreach (var a in targets)
        {
            foreach (var b in targets.Where(t => t.Name != a.Name))
            {
                foreach (var cell in await CrossDpCheck.RunAsync(a.Name, options[a.Name], b.Name, options[b.Name], time, ct))
                {
                    await log.WriteLineAsync($"cross {cell.Scenario} {a.Name} -> {b.Name}: {cell.Verdict.ToWire()}: {cell.Reason}");
                    cross.Add(cell);
                }
            }
        }
        var matrix = MatrixBuilder.Build(runs, cross, time.GetUtcNow());
        await File.WriteAllTextAsync(Path.Combine(root, MatrixDocument.FileName), JsonSerializer.Serialize(matrix, MatrixDocument.Json) + "\n", ct);
        await File.WriteAllTextAsync(Path.Combine(root, MatrixHtmlWriter.FileName), new MatrixHtmlWriter().Render(matrix), ct);
        return matrix;
    }

    internal static List<MatrixTarget> Targets(IReadOnlyList<string> dps, IReadOnlyList<string> cas, IReadOnlyList<string> pins)
    {
        var caByName = Pairs(cas, "--ca");
        var pinByName = Pairs(pins, "--pin");
        var targets = new List<MatrixTarget>();
        foreach (var (name, url) in Pairs(dps, "--dp"))
        {
            targets.Add(new MatrixTarget(name, DpEndpoint.Parse(url, $"--dp {name}"), caByName.TryGetValue(name, out var ca) ? Path.GetFullPath(ca) : null, pinByName.GetValueOrDefault(name), []));
        }
        var unknown = caByName.Keys.Concat(pinByName.Keys).Where(n => targets.All(t => t.Name != n)).ToList();
        if (unknown.Count > 0)
            throw new ConfigurationException($"--ca/--pin name no --dp: {string.Join(", ", unknown)}");
        return targets;
    }

    private static Dictionary<string, string> Pairs(IReadOnlyList<string> values, string option)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var value in values)
        {
            var eq = value.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || eq == value.Length - 1)
                throw new ConfigurationException($"{option} \"{value}\" must be NAME=VALUE");
            var name = value[..eq];
            if (name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
                throw new ConfigurationException($"{option} name \"{name}\": letters, digits, - _ . only");
            if (!result.TryAdd(name, value[(eq + 1)..]))
                throw new ConfigurationException($"{option} {name} given twice");
        }
        return result;
    }
}
