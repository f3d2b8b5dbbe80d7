using Mimi.Conformance.Harness.Results;
using TestResult = Mimi.Conformance.Harness.Results.TestResult;

namespace Mimi.Conformance.Harness.Tests.Reporting;

/// <summary>Reports for the renderer tests: every verdict, and a DP that answers with hostile bytes.</summary>
internal static class SampleReports
{
    public const string HostileBody = "<script>alert(1)</script> ]]> \u0001 </script><!-- <img src=\"http://evil.example/x.png\"> \u202E";

    public static readonly DateTimeOffset Started = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    public static ConformanceReport Create(bool complete = true)
    {
        var requirements = new List<RequirementResult>
        {
            Requirement("CORE-R1", "Lookup returns every mapping for a CSI", "MUST", "core", Verdict.Pass, gating: true,
                Test("core.lookup.all-mappings", "Lookup returns all mappings", Verdict.Pass, null,
                    [new Check("status", true, "200", "200"), new Check("mapping count", true, "2", "2")],
                    [LookupExchange(1, 200, "{\"mappings\":[\"a\",\"b\"]}", ["98([h'a10127', {}, h'a2', [[h'', {}, h'00']]])", "{1: \"tel:+15555550100\"}"])])),
            Requirement("CORE-R3", "Lookup answers with signed mappings only", "MUST", "core", Verdict.Fail, gating: true,
                Test("core.lookup.signature", "Mapping signature verifies", Verdict.Fail,
                    "COSE_Sign signature does not verify: <img src=x onerror=alert(1)> \u0001",
                    [new Check("recipient signature", false, "valid EdDSA signature", "invalid: <script>alert(1)</script>")],
                    [LookupExchange(2, 200, HostileBody, ["h'deadbeef' ]]> <script>alert(1)</script>"])],
                    reproducer: "curl --cacert ca.pem -X POST https://dp.example.test:8443/lookup \\\n  -H 'content-type: application/json' \\\n  --data '{\"csi\":\"tel:+15555550100\"}' # </script><script>alert(1)</script>")),
            Requirement("CORE-R5", "Lookup distinguishes no mapping from an opted-out CSI", "MUST", "core", Verdict.Error, gating: true,
                Test("core.lookup.opted-out", "Opted-out CSI yields an empty MSP set", Verdict.Error, "DP unreachable: connection reset", [],
                    [new Exchange(3, "POST", "https://dp.example.test:8443/lookup", Headers(("content-type", "application/json")),
                        "{\"csi\":\"tel:+15555550101\"}", null, Headers(), null, false, "connection reset by peer", 5003.25, [])],
                    reproducer: "curl -X POST https://dp.example.test:8443/lookup --data '{}'")),
            Requirement("CORE-R7", "Errors are problem+json", "SHOULD", "core", Verdict.Warn, gating: false,
                Test("core.errors.problem-json", "Error responses use application/problem+json", Verdict.Warn,
                    "content-type was text/html <b>oops</b>",
                    [new Check("content-type", false, "application/problem+json", "text/html")],
                    [LookupExchange(4, 400, "<html><body>bad request</body></html>", [])],
                    reproducer: "curl -i https://dp.example.test:8443/lookup")),
            Requirement("CORE-R8", "Lookups of an opted-out CSI say so", "SHOULD", "core", Verdict.Unstable, gating: false,
                Test("core.lookup.opt-out-flaky", "Opted-out CSI is found with no MSPs", Verdict.Unstable,
                    "outcomes differ across 3 repetitions (pass, warn, pass); repetition 2: warn: got not_found", [new Check("status-found", false, "found", "not_found")], [],
                    reproducer: "./run.sh run --repeat 3 --only CORE-R8") with
                {
                    Repetitions = [new Repetition(1, Verdict.Pass, null, 40), new Repetition(2, Verdict.Warn, "got not_found", 44), new Repetition(3, Verdict.Pass, null, 41)],
                }),
            Requirement("TAG-PRIV-1", "A general lookup reveals nothing about exact-match tags", "MUST", "tag-privacy", Verdict.Pass, gating: true,
                Test("tags.exact-match.hidden", "Exact-match tag stays hidden", Verdict.Pass, null, [new Check("disclosures", true, "0", "0")], [])),
            Requirement("FED-1", "Forwarded lookups never carry the sender's identity", "MUST", "federation", Verdict.NotApplicable, gating: false,
                Test("federation.forward.anonymous", "Forwarded lookup is anonymous", Verdict.NotApplicable,
                    "DP does not claim the federation class", [], [])),
            Requirement("ANTI-ENUM-1", "Issuance allowance of at least 50 tokens per 24 h", "MUST", "anti-enumeration", Verdict.NotVerifiable, gating: true,
                Test("anti-enum.allowance", "Token allowance per window", Verdict.NotVerifiable,
                    "needs test control to shorten the window; manual procedure: request 51 tokens within 24 h", [], [])),
            Requirement("PRIV-1", "The DP never learns both sender and recipient", "MUST", "core", Verdict.Declared, gating: true,
                Test("privacy.operator-statement", "What the DP keeps about senders", Verdict.Declared,
                    "declared by the operator statement: no request log", [], [])),
            Requirement("LIFE-REISSUE-1", "A new holder's first mapping invalidates the previous holder's", "MUST", "lifecycle", Verdict.Untested, gating: true),
            Requirement("CORE-R9", "Removal may be signed by the CSIP", "MAY", "core", Verdict.Untested, gating: false),
        };

        var requirementCounts = Counts(requirements.Select(r => r.Verdict));
        var testCounts = Counts(requirements.SelectMany(r => r.Tests).Select(t => t.Verdict));
        return new ConformanceReport(
            "mimi-conformance-report/1",
            new RunInfo(
                "20260102T030405Z-7f3a",
                "0.1.0",
                "mimi-dp-profile/0.1",
                "https://dp.example.test:8443",
                "external",
                Started,
                Started.AddMilliseconds(12_345),
                12_345,
                "must",
                ["--class core", "--only CORE-*"],
                [],
                new Completeness(complete, 9, complete ? 9 : 7, complete ? null : "overall budget of 10 min exceeded <b>")),
            new Summary(
                RunVerdict.NonCompliant,
                1,
                requirementCounts,
                testCounts,
                ["CORE-R3", "CORE-R5"],
                ["LIFE-REISSUE-1"]),
            [
                new ClassResult("core", true, Verdict.Fail, ["CORE-R1", "CORE-R3", "CORE-R5", "CORE-R7", "CORE-R8", "CORE-R9"]),
                new ClassResult("tag-privacy", true, Verdict.Pass, ["TAG-PRIV-1"]),
                new ClassResult("federation", false, Verdict.NotApplicable, ["FED-1"]),
                new ClassResult("anti-enumeration", true, Verdict.NotVerifiable, ["ANTI-ENUM-1"]),
                new ClassResult("lifecycle", true, Verdict.Untested, ["LIFE-REISSUE-1"]),
            ],
            requirements);
    }

    /// <summary>Every requirement passes (or does not apply): what the reference DP should produce.</summary>
    public static ConformanceReport Compliant()
    {
        var report = Create();
        var requirements = report.Requirements
            .Where(r => r.Verdict is Verdict.Pass or Verdict.NotApplicable)
            .ToList();
        return report with
        {
            Summary = report.Summary with
            {
                Verdict = RunVerdict.Compliant,
                ExitCode = 0,
                RequirementCounts = Counts(requirements.Select(r => r.Verdict)),
                TestCounts = Counts(requirements.SelectMany(r => r.Tests).Select(t => t.Verdict)),
                GatingFailures = [],
                UntestedMust = [],
            },
            Classes = [.. report.Classes.Where(c => c.Class is "core" or "tag-privacy" or "federation")
                .Select(c => c with { Requirements = [.. c.Requirements.Where(id => requirements.Any(r => r.Id == id))] })],
            Requirements = requirements,
        };
    }

    private static RequirementResult Requirement(string id, string title, string level, string @class, Verdict verdict, bool gating, params TestResult[] tests) =>
        new(id, title, level, @class, new RequirementSource("draft-ietf-mimi-discovery-requirements", "-02", id.Split('-')[^1]),
            "The DP " + level + " do what " + id + " says (quoted text with <markup> & \"quotes\").", verdict, gating, tests);

    private static TestResult Test(string id, string name, Verdict verdict, string? reason, IReadOnlyList<Check> checks,
        IReadOnlyList<Exchange> exchanges, string? reproducer = null) =>
        new(id, name, verdict, reason, 42, checks, exchanges, reproducer);

    private static Exchange LookupExchange(int seq, int status, string responseBody, IReadOnlyList<string> cbor) =>
        new(seq, "POST", "https://dp.example.test:8443/lookup?q=<x>",
            Headers(("content-type", "application/json"), ("authorization", "[redacted]")),
            "{\"csi\":\"tel:+15555550100\"}",
            status,
            Headers(("content-type", "application/json"), ("x-evil", "\"><script>alert(1)</script>"), ("server", "hostile\u0001dp")),
            responseBody,
            ResponseTruncated: seq == 2,
            Error: null,
            ElapsedMs: 12.5 * seq,
            CborDiagnostic: cbor);

    private static Dictionary<string, string> Headers(params (string Name, string Value)[] headers) =>
        headers.ToDictionary(h => h.Name, h => h.Value, StringComparer.OrdinalIgnoreCase);

    private static Dictionary<string, int> Counts(IEnumerable<Verdict> verdicts) =>
        verdicts.GroupBy(v => v).ToDictionary(g => g.Key.ToWire(), g => g.Count());
}
