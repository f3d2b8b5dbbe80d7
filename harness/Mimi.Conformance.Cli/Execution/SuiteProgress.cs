using System.Text.Json;

namespace Mimi.Conformance.Cli.Execution;

/// <summary>One finished suite test, as the suite process reports it while running: outcome is pass, fail, skip or not-run.</summary>
internal sealed record TestProgress(string? Requirement, string Name, string Outcome, string? Message, int Done, int Total);

/// <summary>
/// Reads the suite's xunit v3 JSON reporter stream (-reporter json) line by line: discovery gives the total,
/// test-case-starting the requirement trait, test-passed/failed/skipped/not-run the outcome. Also turns the stream
/// into a readable log (suite-output.txt). Lines that are not JSON messages pass through unchanged.
/// </summary>
internal sealed class SuiteProgressParser
{
    private readonly Dictionary<string, (string? Requirement, string Name)> _cases = new(StringComparer.Ordinal);
    private int _done;
    private int _total;

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
                var requirement = root.TryGetProperty("Traits", out var traits) && traits.ValueKind == JsonValueKind.Object
                    && traits.TryGetProperty("Requirement", out var ids) && ids.ValueKind == JsonValueKind.Array && ids.GetArrayLength() > 0
                    ? ids[0].GetString() : null;
                _cases[Str(root, "TestCaseUniqueID") ?? ""] = (requirement, Str(root, "TestCaseDisplayName") ?? "?");
                return (null, null);
            case "test-passed" or "test-failed" or "test-skipped" or "test-not-run":
                var (req, name) = _cases.GetValueOrDefault(Str(root, "TestCaseUniqueID") ?? "", (null, "?"));
                var outcome = type["test-".Length..] switch { "passed" => "pass", "failed" => "fail", "skipped" => "skip", _ => "not-run" };
                var message = type == "test-skipped" ? Str(root, "Reason")
                    : type == "test-failed" && root.TryGetProperty("Messages", out var m) && m.ValueKind == JsonValueKind.Array && m.GetArrayLength() > 0 ? m[0].GetString()
                    : null;
                _done++;
                var progress = new TestProgress(req, name, outcome, message, _done, Math.Max(_total, _done));
                return (progress, $"[{outcome.ToUpperInvariant()}] {req} {name}{(message is null ? "" : $": {message}")}");
            case "test-assembly-finished":
                return (null, $"finished: {Num(root, "TestsTotal")} total, {Num(root, "TestsFailed")} failed, {Num(root, "TestsSkipped")} skipped, {Num(root, "TestsNotRun")} not run");
            default:
                return (null, null);
        }
    }

    private static string? Str(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static string Num(JsonElement e, string name) => e.TryGetProperty(name, out var v) ? v.GetRawText() : "?";
}
