using System.Text.Json;
using Mimi.Conformance.Harness.Results;

namespace Mimi.Conformance.Cli.Execution;

/// <summary>
/// One finished suite test, as the suite process reports it while running. <paramref name="Outcome"/> uses the report's
/// verdict words (pass, fail, error, not-verifiable, not-applicable; warn only shows in the report, where levels are
/// known); <paramref name="Failed"/> and <paramref name="Errors"/> count so far.
/// </summary>
public sealed record TestProgress(string? Requirement, string Name, string Outcome, string? Message, int Done, int Total, int Failed = 0, int Errors = 0);

/// <summary>
/// Reads the suite's xunit v3 JSON reporter stream (-reporter json) line by line: discovery gives the total,
/// test-case-starting the requirement trait, test-passed/failed/skipped/not-run the outcome. Also turns the stream
/// into a readable log (suite-output.txt). Lines that are not JSON messages pass through unchanged.
/// </summary>
internal sealed class SuiteProgressParser
{
    private readonly Dictionary<string, (string? Requirement, string Name, IReadOnlyList<string> Ids)> _cases = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Case, string Name)> _running = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RawTest> _results = new(StringComparer.Ordinal);
    private readonly List<RawTest> _finished = [];
    private int _done;
    private int _total;
    private int _failed;
    private int _errors;

    /// <summary>
    /// What the stream has shown so far, as the XML would: every finished test with its evidence, and each test still
    /// running as not run, with what it was doing. Used when the suite stops before writing its XML (budget expiry).
    /// </summary>
    public RawRun Partial(Func<string, string?> pendingRequest, string why)
    {
        lock (_finished)
        {
            var pending = _running.Select(r => new RawTest(r.Value.Name, _cases.GetValueOrDefault(r.Value.Case).Ids ?? [], "NotRun",
                $"{why}; the test was still running{(pendingRequest(r.Key) is { } request ? $", waiting for {request}" : "")}", null, null, 0, [], []));
            return new RawRun(Math.Max(_total, _finished.Count + _running.Count), [.. _finished, .. pending]);
        }
    }

    public (TestProgress? Progress, string? LogLine) Parse(string line)
    {
        var start = line.IndexOf('{', StringComparison.Ordinal);
        if (start < 0)
            return (null, line.Trim().Length == 0 ? null : line);
        JsonElement root;
        try
        {
            using var doc = JsonDocument.Parse(line.AsMemory(start).ToString().TrimEnd().TrimEnd('\u001b', '[', '0', 'm'));
            root = doc.RootElement.Clone();
        }
        catch (JsonException)
        {
            return (null, line);
        }
        if (!root.TryGetProperty("$type", out var typeElement) || typeElement.GetString() is not { } type)
            return (null, line);
        switch (type)
        {
            case "discovery-complete" when root.TryGetProperty("TestCasesToRun", out var n) && n.TryGetInt32(out var total):
                _total += total;
                return (null, $"discovered {total} test(s)");
            case "test-case-starting":
                IReadOnlyList<string> ids = root.TryGetProperty("Traits", out var traits) && traits.ValueKind == JsonValueKind.Object
                    && traits.TryGetProperty("Requirement", out var values) && values.ValueKind == JsonValueKind.Array
                    ? [.. values.EnumerateArray().Select(v => v.GetString()).OfType<string>().Distinct(StringComparer.Ordinal)] : [];
                _cases[Str(root, "TestCaseUniqueID") ?? ""] = (ids.Count > 0 ? ids[0] : null, Str(root, "TestCaseDisplayName") ?? "?", ids);
                return (null, null);
            case "test-starting":
                lock (_finished)
                    _running[Str(root, "TestUniqueID") ?? ""] = (Str(root, "TestCaseUniqueID") ?? "", Str(root, "TestDisplayName") ?? "?");
                return (null, null);
            case "test-finished":
                Finish(root);
                return (null, null);
            case "test-passed" or "test-failed" or "test-skipped" or "test-not-run":
                var (req, name, caseIds) = _cases.GetValueOrDefault(Str(root, "TestCaseUniqueID") ?? "", (null, "?", []));
                var outcome = type["test-".Length..] switch { "passed" => "pass", "failed" => "fail", "skipped" => "skip", _ => "not-run" };
                var message = type == "test-skipped" ? Str(root, "Reason")
                    : type == "test-failed" && root.TryGetProperty("Messages", out var m) && m.ValueKind == JsonValueKind.Array && m.GetArrayLength() > 0 ? m[0].GetString()
                    : null;
                var exceptionType = root.TryGetProperty("ExceptionTypes", out var et) && et.ValueKind == JsonValueKind.Array && et.GetArrayLength() > 0 ? et[0].GetString() : null;
                lock (_finished)
                    _results[Str(root, "TestUniqueID") ?? ""] = new RawTest(Str(root, "TestDisplayName") ?? name, caseIds ?? [],
                        type switch { "test-passed" => "Pass", "test-failed" => "Fail", "test-skipped" => "Skip", _ => "NotRun" },
                        type == "test-skipped" ? message : null, exceptionType, type == "test-failed" ? message : null,
                        root.TryGetProperty("ExecutionTime", out var time) && time.TryGetDouble(out var seconds) ? seconds : 0, [], []);
                _done++;
                outcome = type switch
                {
                    "test-skipped" => SuiteOutcomes.ReadSkip(message).Kind == SkipKind.NotApplicable ? "not-applicable" : "not-verifiable",
                    "test-failed" => SuiteOutcomes.IsFinding(exceptionType) ? "fail" : "error",
                    "test-not-run" => "error",
                    _ => outcome,
                };
                _failed += outcome == "fail" ? 1 : 0;
                _errors += outcome == "error" ? 1 : 0;
                var progress = new TestProgress(req, Str(root, "TestDisplayName") ?? name, outcome, message, _done, Math.Max(_total, _done), _failed, _errors);
                return (progress, $"[{outcome.ToUpperInvariant()}] {req} {name}{(message is null ? "" : $": {message}")}");
            case "test-assembly-finished":
                return (null, $"finished: {Num(root, "TestsTotal")} total, {Num(root, "TestsFailed")} failed, {Num(root, "TestsSkipped")} skipped, {Num(root, "TestsNotRun")} not run");
            default:
                return (null, null);
        }
    }

    /// <summary>A finished test: its result with the evidence attachment the suite wrote (xunit prefixes string attachments with "s:").</summary>
    private void Finish(JsonElement root)
    {
        var id = Str(root, "TestUniqueID") ?? "";
        lock (_finished)
        {
            _running.Remove(id);
            if (!_results.Remove(id, out var result))
                return;
            if (root.TryGetProperty("Attachments", out var attachments) && attachments.ValueKind == JsonValueKind.Object
                && Str(attachments, "evidence") is { } evidence)
            {
                var (checks, exchanges) = XunitResultReader.Evidence(evidence.StartsWith("s:", StringComparison.Ordinal) ? evidence[2..] : evidence);
                result = result with { Checks = checks, Exchanges = exchanges };
            }
            _finished.Add(result);
        }
    }

    private static string? Str(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static string Num(JsonElement e, string name) => e.TryGetProperty(name, out var v) ? v.GetRawText() : "?";
}
