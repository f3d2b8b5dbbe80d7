using System.Diagnostics;
using System.Net.Http.Headers;
using Mimi.Conformance.Harness.Client;
using Mimi.Conformance.Harness.Configuration;

namespace Mimi.Conformance.Bench;

/// <summary>
/// The harness's own load generator: N concurrent loops over one HttpClient built with the harness's pinned
/// handler (DpClient.CreateHandler), each POSTing the next body until the duration is up or the request cap is
/// reached. Bounded in count and time; loopback only. Latencies are kept per request for exact percentiles.
/// </summary>
internal static class LoadGenerator
{
    public const int MaxRequestsPerLoop = 2_000_000;

    public static async Task<LoadResult> RunAsync(DpEndpoint dp, string? pinSha256, string path, IReadOnlyList<string> bodies, int connections, TimeSpan duration, CancellationToken ct)
    {
        if (!dp.Origin.IsLoopback)
            throw new InvalidOperationException($"load goes to loopback only, not {dp}");
        if (bodies.Count == 0)
            throw new ArgumentException("at least one body", nameof(bodies));
        var options = new ConformanceOptions { DpUrl = dp, PinSha256 = pinSha256, RequestTimeout = TimeSpan.FromSeconds(5) }.Validated();
        var handler = DpClient.CreateHandler(options);
        handler.MaxConnectionsPerServer = connections;
        using var http = new HttpClient(handler, disposeHandler: true) { BaseAddress = dp.Origin, Timeout = TimeSpan.FromSeconds(5) };
        var payloads = bodies.Select(System.Text.Encoding.UTF8.GetBytes).ToArray();
        var contentType = new MediaTypeHeaderValue("application/json");
        var target = dp.Resolve(path);

        // Warm the connections (TLS handshakes) outside the timed window, as wrk's connect phase is excluded from its latency.
        await Task.WhenAll(Enumerable.Range(0, connections).Select(i => SendAsync(http, target, payloads[i % payloads.Length], contentType, ct)));

        var latencies = new List<long>[connections];
        var errors = new long[connections];
        var started = Stopwatch.GetTimestamp();
        var deadline = started + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var loops = Enumerable.Range(0, connections).Select(loop => Task.Run(async () =>
        {
            var mine = latencies[loop] = new List<long>(4096);
            var next = loop;
            for (var n = 0; n < MaxRequestsPerLoop && Stopwatch.GetTimestamp() < deadline && !ct.IsCancellationRequested; n++)
            {
                var t0 = Stopwatch.GetTimestamp();
                var ok = await SendAsync(http, target, payloads[next++ % payloads.Length], contentType, ct);
                mine.Add(Stopwatch.GetTimestamp() - t0);
                if (!ok)
                    errors[loop]++;
            }
        }, ct)).ToArray();
        await Task.WhenAll(loops);
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var all = latencies.SelectMany(l => l).ToArray();
        Array.Sort(all);
        return new LoadResult("harness-loadgen", all.Length, seconds, errors.Sum(), Percentile(all, 0.50), Percentile(all, 0.99));
    }

    private static async Task<bool> SendAsync(HttpClient http, Uri target, byte[] body, MediaTypeHeaderValue contentType, CancellationToken ct)
    {
        try
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = contentType;
            using var response = await http.PostAsync(target, content, ct);
            await response.Content.CopyToAsync(Stream.Null, ct);
            return response.IsSuccessStatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            return false;
        }
    }

    public static double Percentile(long[] sortedTicks, double q) =>
        sortedTicks.Length == 0 ? 0 : sortedTicks[Math.Min(sortedTicks.Length - 1, (int)Math.Ceiling(q * sortedTicks.Length) - 1)] * 1000.0 / Stopwatch.Frequency;
}
