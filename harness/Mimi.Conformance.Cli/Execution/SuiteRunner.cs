using System.Diagnostics;
using Mimi.Conformance.Harness.Client;
using Mimi.Conformance.Harness.Configuration;
using Mimi.Conformance.Harness.Requirements;
using Mimi.Conformance.Harness.Results;

namespace Mimi.Conformance.Cli.Execution;

/// <summary>
/// Runs the xunit suite as a child process against one DP. The suite is a black box to the CLI too: options go
/// in as MIMI_* variables, results come back as xunit XML. A budget bounds the whole run.
/// </summary>
public static class SuiteRunner
{
    /// <summary>Set once at start-up by a packaged install's entry point; null in a checkout (<see cref="SuiteAssembly"/> under dotnet).</summary>
    public static SuiteLauncher? Packaged { get; set; }

    public static string SuiteAssembly
    {
        get
        {
            var configuration = typeof(SuiteRunner).Assembly.Location.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
            return Environment.GetEnvironmentVariable("MIMI_SUITE_DLL") is { Length: > 0 } dll
                ? dll
                : Path.Combine(RepositoryLayout.Root, "suite", "Mimi.Conformance.Suite", "bin", configuration, "net10.0", "Mimi.Conformance.Suite.dll");
        }
    }

    public static async Task<SuiteOutcome> RunAsync(ConformanceOptions options, IReadOnlyList<string> requirementFilter, string workDir, TimeSpan budget, CancellationToken ct, IProgress<TestProgress>? progress = null,
        IReadOnlyList<string>? methods = null, bool trace = false, Action<string, string>? metadataRead = null, Action<string, string>? inherits = null)
    {
        if (Packaged is null && !File.Exists(SuiteAssembly))
            return new SuiteOutcome(null, $"the suite is not built ({SuiteAssembly}); run ./run.sh, which builds it", TimeSpan.Zero);
        Directory.CreateDirectory(workDir);
        var xml = Path.Combine(workDir, "xunit.xml");
        File.Delete(xml);
        var psi = (Packaged ?? SuiteLauncher.Checkout(SuiteAssembly)).StartInfo();
        foreach (var arg in new[] { "-noLogo", "-noColor", "-noAutoReporters", "-reporter", "json", "-xml", xml })
            psi.ArgumentList.Add(arg);
        foreach (var id in requirementFilter)
        {
            psi.ArgumentList.Add("-trait");
            psi.ArgumentList.Add($"Requirement={id}");
        }
        foreach (var method in methods ?? [])
        {
            psi.ArgumentList.Add("-method");
            psi.ArgumentList.Add(method);
        }
        foreach (var (k, v) in options.ToEnvironment())
            psi.Environment[k] = v;
        if (trace)
            psi.Environment["MIMI_TRACE_TESTS"] = "1";
        psi.Environment["MIMI_REPORT_PENDING"] = "1";
        var stopwatch = Stopwatch.StartNew();
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {psi.FileName}");
        var parser = new SuiteProgressParser();
        var pending = new System.Collections.Concurrent.ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        var stdout = PumpAsync(process.StandardOutput, parser, progress, ct);
        var stderr = PumpPendingAsync(process.StandardError, pending, metadataRead, inherits, ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(budget);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            // Keep what finished: the XML is written only at the end, the reporter stream has every finished test.
            var why = $"the suite did not finish within its budget of {budget.TotalSeconds:0} s and was stopped";
            var partial = TryRead(xml) ?? parser.Partial(id => pending.GetValueOrDefault(id), why);
            var running = partial.Tests.Where(t => t.Result == "NotRun").Select(t => t.Reason?.Contains("waiting for", StringComparison.Ordinal) == true ? $"{t.Name} ({t.Reason[(t.Reason.IndexOf("waiting for", StringComparison.Ordinal) + 12)..]})" : t.Name).ToList();
            return new SuiteOutcome(partial, why + (running.Count > 0 ? $"; still running: {string.Join("; ", running.Take(5))}" : ""), stopwatch.Elapsed);
        }
        await File.WriteAllTextAsync(Path.Combine(workDir, "suite-output.txt"), await stdout + await stderr, ct);
        var run = TryRead(xml);
        return run is null
            ? new SuiteOutcome(null, $"the suite exited with code {process.ExitCode} and wrote no results (see {workDir}/suite-output.txt)", stopwatch.Elapsed)
            : new SuiteOutcome(run, null, stopwatch.Elapsed);
    }

    /// <summary>Reads the JSON reporter stream as it comes: progress per finished test, and a readable log.</summary>
    private static async Task<string> PumpAsync(StreamReader reader, SuiteProgressParser parser, IProgress<TestProgress>? progress, CancellationToken ct)
    {
        var log = new System.Text.StringBuilder();
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            var (item, logLine) = parser.Parse(line);
            if (item is not null)
                progress?.Report(item);
            if (logLine is not null)
                log.Append(logLine).Append('\n');
        }
        return log.ToString();
    }

    /// <summary>The suite's stderr: "MIMI-PENDING test-id request" lines say what each test is waiting for, a traced run's metadata-read lines which test read which metadata member; the rest is kept for the log.</summary>
    private static async Task<string> PumpPendingAsync(StreamReader reader, System.Collections.Concurrent.ConcurrentDictionary<string, string> pending, Action<string, string>? metadataRead, Action<string, string>? inherits, CancellationToken ct)
    {
        var log = new System.Text.StringBuilder();
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (line.StartsWith(PendingPrefix, StringComparison.Ordinal) && line[PendingPrefix.Length..].Split('\t', 2) is [var test, var request])
                pending[test] = request;
            else if (line.StartsWith(DpMetadata.ReadTracePrefix, StringComparison.Ordinal) && line[DpMetadata.ReadTracePrefix.Length..].Split('\t', 2) is [var readBy, var member])
                metadataRead?.Invoke(readBy, member);
            else if (line.StartsWith(SuiteTrace.InheritsPrefix, StringComparison.Ordinal) && line[SuiteTrace.InheritsPrefix.Length..].Split('\t', 2) is [var heir, var earlier])
                inherits?.Invoke(heir, earlier);
            else
                log.Append(line).Append('\n');
        }
        return log.ToString();
    }

    /// <summary>What the suite writes to stderr when a test sends a request (Infrastructure/Evidence.cs).</summary>
    public const string PendingPrefix = "MIMI-PENDING\t";

    private static RawRun? TryRead(string xml)
    {
        try
        {
            return File.Exists(xml) ? XunitResultReader.Read(xml) : null;
        }
        catch (Exception e) when (e is System.Xml.XmlException or InvalidDataException)
        {
            return null;
        }
    }
}
