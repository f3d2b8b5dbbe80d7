using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Mimi.Conformance.Harness.Results;

namespace Mimi.Conformance.Reporting;

/// <summary>
/// allure-results/: one <c>&lt;uuid&gt;-result.json</c> per test in the Allure 2/3 result format, the recorded
/// exchanges and the reproducer as attachment files, and environment.properties. Rendered by
/// <c>./run.sh report allure [RUN_DIR]</c> (npm allure@3.18.0, single-file HTML). Built from the same results
/// model as every other renderer; secrets were already redacted when the exchanges were recorded.
/// </summary>
/// <remarks>
/// Status: pass → passed; fail, and warn on a gating requirement → failed; warn otherwise → passed (with the
/// warning as message); error → broken; not-applicable, not-verifiable, untested → skipped. UUIDs and historyIds
/// are derived from the run id and test id, so writing a report twice gives the same files.
/// </remarks>
internal static class AllureResultsWriter
{
    public const string DirectoryName = "allure-results";

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        IndentSize = 2,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Writes allure-results/ under <paramref name="runDirectory"/> (replacing an older one); returns its path.</summary>
    public static string Write(ConformanceReport report, string runDirectory)
    {
        ArgumentNullException.ThrowIfNull(report);
        var dir = Path.Combine(Path.GetFullPath(runDirectory), DirectoryName);
        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, recursive: true);
        }

        Directory.CreateDirectory(dir);
        var clock = report.Run.StartedAt.ToUnixTimeMilliseconds();
        foreach (var requirement in report.Requirements)
        {
            var tests = requirement.Tests.Count > 0
                ? requirement.Tests
                : [new TestResult(requirement.Id + "/untested", "(untested)", requirement.Verdict, "no test covers this requirement", 0, [], [], null)];
            foreach (var test in tests)
            {
                if (test.Id.EndsWith("/filtered", StringComparison.Ordinal))
                {
                    continue;
                }

                var result = ToResult(report, requirement, test, clock, dir);
                clock = result.Stop;
                File.WriteAllText(Path.Combine(dir, result.Uuid + "-result.json"), JsonSerializer.Serialize(result, Json) + "\n", ReportFiles.Utf8);
            }
        }

        var env = new StringBuilder();
        foreach (var (k, v) in new[]
        {
            ("target", report.Run.Target), ("target_kind", report.Run.TargetKind), ("run_id", report.Run.Id),
            ("suite_version", report.Run.SuiteVersion), ("profile_version", report.Run.ProfileVersion),
            ("fail_on", report.Run.FailOn), ("verdict", report.Summary.Verdict.ToWire()), ("complete", report.Run.Completeness.Complete ? "true" : "false"),
        })
        {
            env.Append(k).Append(" = ").Append(ReportText.OneLine(v).Replace("\\", "\\\\", StringComparison.Ordinal)).Append('\n');
        }

        File.WriteAllText(Path.Combine(dir, "environment.properties"), env.ToString(), ReportFiles.Utf8);
        return dir;
    }

    private static AllureResult ToResult(ConformanceReport report, RequirementResult requirement, TestResult test, long start, string dir)
    {
        var uuid = Uuid(report.Run.Id + "\n" + test.Id);
        var stop = start + Math.Max(0, test.DurationMs);
        var status = test.Verdict switch
        {
            Verdict.Pass or Verdict.Declared => "passed",
            Verdict.Fail => "failed",
            Verdict.Warn => requirement.Gating ? "failed" : "passed",
            Verdict.Error => "broken",
            Verdict.Unstable => requirement.Gating ? "failed" : "broken",
            _ => "skipped",
        };
        var message = test.Verdict == Verdict.Pass ? null : test.Verdict.ToWire() + (test.Reason is null ? "" : ": " + test.Reason);
        var steps = test.Checks.Select(c => new AllureStep(
            c.Name, c.Passed ? "passed" : (status is "failed" or "broken" ? status : "failed"), "finished", start, stop,
            new AllureStatusDetails("expected: " + c.Expected + "\nactual:   " + c.Actual, null))).ToList();

        var attachments = new List<AllureAttachment>();
        if (test.Exchanges.Count > 0)
        {
            var source = uuid + "-exchanges-attachment.txt";
            File.WriteAllText(Path.Combine(dir, source), Exchanges(test.Exchanges), ReportFiles.Utf8);
            attachments.Add(new AllureAttachment("HTTP exchanges (" + test.Exchanges.Count.ToString(CultureInfo.InvariantCulture) + ")", source, "text/plain"));
        }

        if (!string.IsNullOrEmpty(test.Reproducer))
        {
            var source = uuid + "-reproducer-attachment.sh";
            File.WriteAllText(Path.Combine(dir, source), test.Reproducer + "\n", ReportFiles.Utf8);
            attachments.Add(new AllureAttachment("reproducer", source, "text/x-shellscript"));
        }

        var labels = new List<AllureLabel>
        {
            new("parentSuite", "MIMI DP conformance"),
            new("suite", requirement.Class),
            new("subSuite", requirement.Id),
            new("epic", "MIMI Discovery Provider"),
            new("feature", requirement.Class),
            new("story", requirement.Id + " " + requirement.Title),
            new("severity", requirement.Level switch { "MUST" => "critical", "SHOULD" => "normal", _ => "minor" }),
            new("tag", requirement.Level),
            new("tag", test.Verdict.ToWire()),
            new("host", report.Run.Target),
            new("framework", "mimi-conformance"),
            new("language", "csharp"),
            new("package", "mimi-dp." + requirement.Class),
        };
        var parameters = new List<AllureParameter>
        {
            new("target", report.Run.Target),
            new("requirement", requirement.Id),
            new("level", requirement.Level),
            new("verdict", test.Verdict.ToWire()),
        };
        return new AllureResult(
            uuid,
            Hex(requirement.Id + "\n" + test.Id),
            Hex(requirement.Id + "\n" + test.Name),
            requirement.Id + ": " + test.Name,
            requirement.Id + "/" + test.Name,
            requirement.Source.Doc + " " + requirement.Source.Version + " " + requirement.Source.Ref + ": " + requirement.Quote,
            status,
            new AllureStatusDetails(message, status is "failed" or "broken" ? FailureTrace(test) : null) { Flaky = test.Verdict == Verdict.Unstable },
            "finished",
            start,
            stop,
            labels,
            parameters,
            steps,
            attachments,
            [new AllureLink(requirement.Source.Doc + " " + requirement.Source.Ref, "#" + requirement.Id, "requirement")]);
    }

    private static string? FailureTrace(TestResult test)
    {
        var sb = new StringBuilder();
        foreach (var check in test.Checks.Where(c => !c.Passed))
        {
            sb.Append("check ").Append(check.Name).Append("\n  expected: ").Append(check.Expected).Append("\n  actual:   ").Append(check.Actual).Append('\n');
        }

        if (test.Reproducer is not null)
        {
            sb.Append("\nreproducer:\n").Append(test.Reproducer).Append('\n');
        }

        return sb.Length == 0 ? null : sb.ToString();
    }

    private static string Exchanges(IReadOnlyList<Exchange> exchanges)
    {
        var sb = new StringBuilder();
        foreach (var e in exchanges)
        {
            sb.Append('#').Append(e.Seq.ToString(CultureInfo.InvariantCulture)).Append(' ').Append(e.Method).Append(' ').Append(e.Url).Append('\n');
            foreach (var (k, v) in e.RequestHeaders)
            {
                sb.Append(k).Append(": ").Append(v).Append('\n');
            }

            if (e.RequestBody is not null)
            {
                sb.Append('\n').Append(e.RequestBody).Append('\n');
            }

            sb.Append("\n→ ").Append(e.Status?.ToString(CultureInfo.InvariantCulture) ?? "no response").Append(e.Error is null ? "" : " (" + e.Error + ")")
              .Append(" in ").Append(e.ElapsedMs.ToString("0.#", CultureInfo.InvariantCulture)).Append(" ms\n");
            foreach (var (k, v) in e.ResponseHeaders)
            {
                sb.Append(k).Append(": ").Append(v).Append('\n');
            }

            if (e.ResponseBody is not null)
            {
                sb.Append('\n').Append(e.ResponseBody).Append(e.ResponseTruncated ? "\n[truncated]" : "").Append('\n');
            }

            foreach (var diag in e.CborDiagnostic)
            {
                sb.Append("\nCBOR: ").Append(diag).Append('\n');
            }

            sb.Append("\n----\n");
        }

        return sb.ToString();
    }

    private static string Hex(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..32];

    private static string Uuid(string text)
    {
        var bytes = SHA256.HashData(Encoding.UTF8.GetBytes(text))[..16];
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x50);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        var hex = Convert.ToHexStringLower(bytes);
        return string.Concat(hex[..8], "-", hex[8..12], "-", hex[12..16], "-", hex[16..20], "-", hex[20..]);
    }

    private sealed record AllureResult(
        [property: JsonPropertyName("uuid")] string Uuid,
        [property: JsonPropertyName("historyId")] string HistoryId,
        [property: JsonPropertyName("testCaseId")] string TestCaseId,
        [property: JsonPropertyName("name")] string Name,
        [property: JsonPropertyName("fullName")] string FullName,
        [property: JsonPropertyName("description")] string Description,
        [property: JsonPropertyName("status")] string Status,
        [property: JsonPropertyName("statusDetails")] AllureStatusDetails StatusDetails,
        [property: JsonPropertyName("stage")] string Stage,
        [property: JsonPropertyName("start")] long Start,
        [property: JsonPropertyName("stop")] long Stop,
        [property: JsonPropertyName("labels")] IReadOnlyList<AllureLabel> Labels,
        [property: JsonPropertyName("parameters")] IReadOnlyList<AllureParameter> Parameters,
        [property: JsonPropertyName("steps")] IReadOnlyList<AllureStep> Steps,
        [property: JsonPropertyName("attachments")] IReadOnlyList<AllureAttachment> Attachments,
        [property: JsonPropertyName("links")] IReadOnlyList<AllureLink> Links);

    private sealed record AllureStatusDetails(
        [property: JsonPropertyName("message")] string? Message,
        [property: JsonPropertyName("trace")] string? Trace)
    {
        /// <summary>Allure's own mark for a test that passes only sometimes: set for unstable (run --repeat N).</summary>
        [JsonPropertyName("flaky")]
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
        public bool Flaky { get; init; }
    }

    private sealed record AllureLabel([property: JsonPropertyName("name")] string Name, [property: JsonPropertyName("value")] string Value);

    private sealed record AllureParameter([property: JsonPropertyName("name")] string Name, [property: JsonPropertyName("value")] string Value);

    private sealed record AllureLink(
        [property: JsonPropertyName("name")] string Name,
        [property: JsonPropertyName("url")] string Url,
        [property: JsonPropertyName("type")] string Type);

    private sealed record AllureStep(
        [property: JsonPropertyName("name")] string Name,
        [property: JsonPropertyName("status")] string Status,
        [property: JsonPropertyName("stage")] string Stage,
        [property: JsonPropertyName("start")] long Start,
        [property: JsonPropertyName("stop")] long Stop,
        [property: JsonPropertyName("statusDetails")] AllureStatusDetails StatusDetails);

    private sealed record AllureAttachment(
        [property: JsonPropertyName("name")] string Name,
        [property: JsonPropertyName("source")] string Source,
        [property: JsonPropertyName("type")] string Type);
}
