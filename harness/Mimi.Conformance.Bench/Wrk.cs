using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Mimi.Conformance.Bench;

/// <summary>What one load run measured (wrk's or the harness's own load generator's).</summary>
internal sealed record LoadResult(string Tool, long Requests, double Seconds, long Errors, double P50Ms, double P99Ms)
{
    public double RequestsPerSecond => Seconds > 0 ? Requests / Seconds : 0;

    public JsonObject ToJson() => new()
    {
        ["tool"] = Tool,
        ["requests"] = Requests,
        ["seconds"] = Math.Round(Seconds, 3),
        ["errors"] = Errors,
        ["req_per_s"] = Math.Round(RequestsPerSecond, 1),
        ["p50_ms"] = Math.Round(P50Ms, 3),
        ["p99_ms"] = Math.Round(P99Ms, 3),
    };
}

/// <summary>
/// Debian's wrk over HTTPS on loopback: POSTs JSON bodies (a fixed list, or CSIs generated from a prefix and a
/// count) and reports through a Lua done() hook as one JSON line. Bounded by -d and a hard kill.
/// </summary>
internal static class Wrk
{
    public static string? Path => ExternalProcess.Which("wrk");

    /// <summary>Bodies cycled in order, one per request.</summary>
    public static string ScriptForBodies(string path, IReadOnlyList<string> bodies)
    {
        var sb = new StringBuilder(Header(path));
        sb.Append("local bodies = {");
        foreach (var b in bodies)
            sb.Append('"').Append(b.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)).Append("\",");
        sb.Append("}\nlocal i = 0\nrequest = function()\n  i = (i % #bodies) + 1\n  return wrk.format(nil, nil, nil, bodies[i])\nend\n");
        sb.Append(Done);
        return sb.ToString();
    }

    /// <summary>Lookups of prefix + a zero-padded index in [0, count), scattered by a fixed stride.</summary>
    public static string ScriptForCsiRange(string path, string prefix, int count, int width) =>
        Header(path) + string.Create(CultureInfo.InvariantCulture, $$"""
            local n = 0
            request = function()
              n = n + 1
              local idx = (n * 7919) % {{count}}
              return wrk.format(nil, nil, nil, string.format('{"csi":"{{prefix}}%0{{width}}d","csi_type":"e164"}', idx))
            end

            """) + Done;

    private static string Header(string path) => $"""
        wrk.method = "POST"
        wrk.path = "{path}"
        wrk.headers["Content-Type"] = "application/json"
        wrk.headers["Accept"] = "application/json"

        """;

    private const string Done = """
        done = function(summary, latency, requests)
          local e = summary.errors
          io.write(string.format('WRK-JSON {"requests":%d,"duration_us":%d,"errors":%d,"p50_us":%d,"p99_us":%d}\n',
            summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout + e.status,
            latency:percentile(50), latency:percentile(99)))
        end

        """;

    /// <summary>A discarded 1 s warm-up run (JIT, connection set-up, page cache), then the measured run.</summary>
    public static async Task<LoadResult?> RunAsync(Uri baseUrl, string script, int connections, TimeSpan duration, string workDir, CancellationToken ct)
    {
        if (await RunOnceAsync(baseUrl, script, connections, TimeSpan.FromSeconds(1), workDir, ct) is null)
            return null;
        return await RunOnceAsync(baseUrl, script, connections, duration, workDir, ct);
    }

    private static async Task<LoadResult?> RunOnceAsync(Uri baseUrl, string script, int connections, TimeSpan duration, string workDir, CancellationToken ct)
    {
        if (Path is not { } wrk)
            return null;
        if (!baseUrl.IsLoopback)
            throw new InvalidOperationException($"load goes to loopback only, not {baseUrl}");
        Directory.CreateDirectory(workDir);
        var file = System.IO.Path.Combine(workDir, $"wrk-{Guid.NewGuid():N}.lua");
        await File.WriteAllTextAsync(file, script, ct);
        var seconds = Math.Max(1, (int)Math.Ceiling(duration.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        var result = await ExternalProcess.RunAsync(wrk,
            ["-t1", $"-c{connections.ToString(CultureInfo.InvariantCulture)}", $"-d{seconds}s", "--timeout", "5s", "-s", file, baseUrl.GetLeftPart(UriPartial.Authority)],
            duration + TimeSpan.FromSeconds(20), ct);
        File.Delete(file);
        var line = result.Stdout.Split('\n').FirstOrDefault(l => l.StartsWith("WRK-JSON ", StringComparison.Ordinal));
        if (line is null)
            throw new InvalidOperationException($"wrk printed no result (exit {result.ExitCode}): {result.Stderr.Trim()} {result.Stdout.Trim()}");
        var json = JsonNode.Parse(line["WRK-JSON ".Length..])!;
        return new LoadResult("wrk", json["requests"]!.GetValue<long>(), json["duration_us"]!.GetValue<long>() / 1e6, json["errors"]!.GetValue<long>(),
            json["p50_us"]!.GetValue<long>() / 1000.0, json["p99_us"]!.GetValue<long>() / 1000.0);
    }
}
