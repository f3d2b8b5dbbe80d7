using System.CommandLine;
using Mimi.Conformance.Harness.Configuration;
using Mimi.Conformance.Harness.Requirements;

namespace Mimi.Conformance.Bench;

/// <summary>`mimi-conformance-bench [--quick] [--out DIR]` (= ./run.sh bench), and its helper `loadgen` (the load generator as its own process).</summary>
internal static class BenchCommand
{
    public static async Task<int> Main(string[] args)
    {
        var root = Create();
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            await Console.Error.WriteLineAsync($"configuration error: {string.Join("; ", parsed.Errors.Select(e => e.Message))} (see --help)");
            return 2;
        }
        return await parsed.InvokeAsync();
    }

    public static RootCommand Create()
    {
        var quick = new Option<bool>("--quick") { Description = "Smaller scale (100k mappings) and shorter runs" };
        var output = new Option<string>("--out") { Description = "Directory for bench.json", DefaultValueFactory = _ => RepositoryLayout.Reports };
        var cmd = new RootCommand("Measure speed against baselines taken in the same run; writes reports/bench.json") { quick, output };
        cmd.SetAction(async (parse, ct) =>
        {
            var dir = Path.GetFullPath(parse.GetValue(output)!);
            var options = parse.GetValue(quick) ? BenchOptions.QuickRun(dir) : BenchOptions.Full(dir);
            await BenchRunner.RunAsync(options, TimeProvider.System, Console.Out, Console.Error, ct);
            await Console.Out.WriteLineAsync($"bench: {Path.Combine(dir, BenchRunner.FileName)}");
            return 0;
        });
        cmd.Subcommands.Add(LoadGenCommand());
        return cmd;
    }

    private static Command LoadGenCommand()
    {
        var url = new Option<string>("--url") { Required = true };
        var pin = new Option<string?>("--pin");
        var bodies = new Option<string>("--bodies") { Required = true, Description = "File with one JSON body per line" };
        var connections = new Option<int>("--connections") { DefaultValueFactory = _ => 16 };
        var seconds = new Option<double>("--seconds") { DefaultValueFactory = _ => 5 };
        var cmd = new Command("loadgen", "The harness's load generator as its own process; prints one JSON line") { url, pin, bodies, connections, seconds };
        cmd.Hidden = true;
        cmd.SetAction(async (parse, ct) =>
        {
            var duration = TimeSpan.FromSeconds(Math.Clamp(parse.GetValue(seconds), 0.1, 120));
            var lines = (await File.ReadAllLinesAsync(parse.GetValue(bodies)!, ct)).Where(l => l.Length > 0).ToArray();
            var result = await LoadGenerator.RunAsync(DpEndpoint.Parse(parse.GetValue(url), "--url"), parse.GetValue(pin), HttpBench.LookupPath, lines,
                Math.Clamp(parse.GetValue(connections), 1, 256), duration, ct);
            await Console.Out.WriteLineAsync(result.ToJson().ToJsonString());
            return 0;
        });
        return cmd;
    }
}
