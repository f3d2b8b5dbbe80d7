using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Mimi.Conformance.Bench;

/// <summary>Runs every figure in a fixed order (quietest first), then writes bench.json and prints the table.</summary>
internal static class BenchRunner
{
    public const string FileName = "bench.json";
    public const string Schema = "mimi-conformance/bench/1";

    public static async Task<JsonObject> RunAsync(BenchOptions o, TimeProvider time, TextWriter output, TextWriter log, CancellationToken ct)
    {
        Directory.CreateDirectory(o.OutputDirectory);
        var workDir = Path.Combine(o.OutputDirectory, "bench-work");
        Directory.CreateDirectory(workDir);
        var startedAt = time.GetUtcNow();
        var started = Stopwatch.GetTimestamp();
        var figures = new List<BenchFigure>();

        if (o.RunSuite)
        {
            await log.WriteLineAsync("bench: full certification of the embedded DP (figures 1, 6)");
            figures.AddRange(await SuiteBench.RunAsync(workDir, time, log, ct));
        }
        else
        {
            figures.Add(BenchFigure.Missing("suite_wall_time", "Full default run against the embedded DP", "s", "not measured: suite run skipped (test scale)"));
        }
        if (o.RunSuite && o.SelfTestFaults > 0)
        {
            await log.WriteLineAsync("bench: self-test scaling, targeted against one certification per fault (figure 8)");
            figures.Add(await SelfTestBench.RunAsync(o.SelfTestFaults, workDir, time, log, ct));
        }
        await log.WriteLineAsync("bench: verification throughput (figure 3)");
        figures.AddRange(await CryptoBench.RunAsync(o.CryptoDuration, time, ct));
        figures.Add(BlindRsaBench.Run());
        await log.WriteLineAsync("bench: lookups, load generator, scale (figures 2, 4, 7)");
        figures.AddRange(await HttpBench.RunAsync(o, workDir, time, log, ct));

        var json = new JsonObject
        {
            ["schema"] = Schema,
            ["started_at"] = startedAt.ToString("O", CultureInfo.InvariantCulture),
            ["duration_s"] = Math.Round(Stopwatch.GetElapsedTime(started).TotalSeconds, 1),
            ["quick"] = o.Quick,
            ["machine"] = new JsonObject { ["cores"] = Environment.ProcessorCount, ["os"] = Environment.OSVersion.VersionString, ["runtime"] = Environment.Version.ToString() },
            ["settings"] = new JsonObject
            {
                ["connections"] = o.Connections,
                ["load_seconds"] = o.LoadDuration.TotalSeconds,
                ["crypto_seconds"] = o.CryptoDuration.TotalSeconds,
                ["published_mappings"] = o.PublishedMappings,
                ["small_scale"] = o.SmallScale,
                ["large_scale"] = o.LargeScale,
                ["self_test_faults"] = o.SelfTestFaults,
            },
            ["figures"] = new JsonObject(figures.Select(f => KeyValuePair.Create(f.Key, (JsonNode?)f.ToJson()))),
        };
        await File.WriteAllTextAsync(Path.Combine(o.OutputDirectory, FileName), json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n", ct);
        WriteTable(figures, output);
        try
        {
            Directory.Delete(workDir, recursive: true);
        }
        catch (IOException)
        {
            // Leftover work files are harmless (reports/ is ignored).
        }
        return json;
    }

    public static void WriteTable(IReadOnlyList<BenchFigure> figures, TextWriter output)
    {
        static string N(double? v) => v is null ? "-" : v.Value.ToString(Math.Abs(v.Value) >= 100 ? "N0" : "0.###", CultureInfo.InvariantCulture);
        output.WriteLine($"{"figure",-22} {"value",12} {"unit",-26} {"baseline",12} {"ratio",8} {"target",-20} met");
        foreach (var f in figures)
        {
            var met = f.Met switch { true => "yes", false => "NO", null => "-" };
            output.WriteLine($"{f.Key,-22} {N(f.Value),12} {f.Unit,-26} {N(f.Baseline),12} {N(f.Ratio),8} {f.TargetText,-20} {met}");
            if (f.NotMeasured is not null)
                output.WriteLine($"{"",-22} {f.NotMeasured}");
        }
    }
}
