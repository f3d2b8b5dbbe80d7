using FluentAssertions;
using Mimi.Conformance.Harness.Client;
using Mimi.Conformance.Harness.Results;

namespace Mimi.Conformance.Harness.Tests.Verdicts;

/// <summary>The one gate: compliant only on evidence, incomplete on absent evidence, non-compliant on a broken gated MUST rule.</summary>
public sealed class RunGateTests
{
    private static readonly Completeness Complete = new(true, 3, 3, null);

    private static RequirementResult Requirement(string id, Verdict verdict, string level = "MUST") =>
        new(id, id, level, "core", new RequirementSource("doc", "-00", "R"), "quote", verdict, level == "MUST", []);

    private static RuleResult Rule(string id, Verdict verdict, bool gating = true) =>
        new(id, "MUST", "core", "1", "quote", [], verdict, gating, []);

    [Fact]
    public void Every_gated_item_observed_to_pass_is_compliant()
    {
        var summary = RunGate.Summarize([Requirement("R1", Verdict.Pass), Requirement("R2", Verdict.Declared)], [Rule("P1", Verdict.Pass)], Complete);

        summary.Verdict.Should().Be(RunVerdict.Compliant);
        summary.ExitCode.Should().Be(0);
        summary.Verification.Should().BeEquivalentTo(new Verification(3, 3, [], [], []));
    }

    [Fact]
    public void A_gated_not_verifiable_item_makes_the_run_incomplete_never_compliant()
    {
        var summary = RunGate.Summarize([Requirement("R1", Verdict.Pass), Requirement("R2", Verdict.NotVerifiable)], [Rule("P1", Verdict.NotVerifiable)], Complete);

        summary.Verdict.Should().Be(RunVerdict.Incomplete);
        summary.ExitCode.Should().Be(3);
        summary.Verification.Observed.Should().Be(1);
        summary.Verification.NotVerifiable.Should().Equal("R2", "P1");
    }

    [Fact]
    public void Accepted_not_verifiable_items_are_listed_and_do_not_block_the_certificate()
    {
        var summary = RunGate.Summarize([Requirement("R1", Verdict.Pass), Requirement("R2", Verdict.NotVerifiable)], [], Complete, new HashSet<string> { "R2" });

        summary.Verdict.Should().Be(RunVerdict.Compliant);
        summary.Verification.Accepted.Should().Equal("R2");
        summary.Verification.NotVerifiable.Should().BeEmpty();
    }

    [Fact]
    public void A_broken_must_rule_fails_the_run_even_under_a_should_requirement()
    {
        var summary = RunGate.Summarize([Requirement("R1", Verdict.Warn, level: "SHOULD") with { Gating = false }], [Rule("P1", Verdict.Fail)], Complete);

        summary.Verdict.Should().Be(RunVerdict.NonCompliant);
        summary.ExitCode.Should().Be(1);
        summary.GatingFailures.Should().Equal("P1");
    }

    [Fact]
    public void Rules_without_a_check_are_coverage_gaps_not_passes()
    {
        var summary = RunGate.Summarize([Requirement("R1", Verdict.Pass)], [Rule("P1", Verdict.Untested), Rule("P2", Verdict.Untested, gating: false)], Complete);

        summary.Verdict.Should().Be(RunVerdict.Compliant);
        summary.Verification.Gated.Should().Be(1, "an unchecked rule is not counted as verified");
        summary.Verification.CoverageGaps.Should().Equal("P1");
    }

    [Fact]
    public void An_incomplete_run_is_an_error()
    {
        RunGate.Summarize([Requirement("R1", Verdict.Pass)], [], new Completeness(false, 3, 1, "budget")).Verdict.Should().Be(RunVerdict.Error);
    }
}

/// <summary>What a hostile DP sends is the DP's failure, in words; what it was handed is never written down.</summary>
public sealed class HostileOutputTests
{
    private static DpResponse Response(byte[] body, string contentType = "application/json") =>
        new(200, new Dictionary<string, string> { ["content-type"] = contentType }, body, false, null, null);

    [Fact]
    public void Invalid_utf8_is_a_described_defect_not_a_harness_crash()
    {
        var response = Response([(byte)'{', (byte)'"', (byte)'a', (byte)'"', (byte)':', (byte)'"', 0xFF, 0xFE, (byte)'"', (byte)'}']);

        response.Json.Should().BeNull();
        response.BodyDefect.Should().Be("body is not valid UTF-8");
        response.Describe().Should().Contain("not valid UTF-8");
        response.As(Mimi.Conformance.Protocol.Profile.Wire.WireJson.Default.TrustRequest).Should().BeNull();
    }

    [Fact]
    public void Json_nested_too_deep_names_the_limit()
    {
        var body = System.Text.Encoding.UTF8.GetBytes(new string('[', 100) + new string(']', 100));

        Response(body).BodyDefect.Should().Be("JSON nested deeper than 64");
    }

    [Fact]
    public void A_credential_the_dp_handed_out_is_redacted_in_every_encoding()
    {
        const string credential = "c2VjcmV0LWNsaWVudC1jcmVkZW50aWFs";
        var bytes = System.Text.Encoding.UTF8.GetBytes(credential);
        var clients = new Exchange(1, "POST", "https://127.0.0.1:1/test-control/clients", new Dictionary<string, string>(), "{}", 201,
            new Dictionary<string, string>(), $"{{\"credential\":\"{credential}\"}}", false, null, 1, []);
        var leak = clients with { Seq = 2, Url = "https://127.0.0.1:1/lookup", ResponseBody = $"{Convert.ToHexString(bytes)} {Convert.ToBase64String(bytes)} {credential}" };
        var test = new Mimi.Conformance.Harness.Results.TestResult("R1/t", "t", Verdict.Fail, $"saw {credential}", 1, [], [clients, leak], $"curl -H 'authorization: Bearer {credential}'");
        var report = Reporting.SampleReports.Create();
        report = report with { Requirements = [report.Requirements[0] with { Tests = [test] }] };

        var redacted = SecretRedactor.Redact(report, SecretRedactor.IssuedCredentials(report));

        var json = Mimi.Conformance.Harness.Results.ReportJson.Serialize(redacted);
        json.Should().NotContain(credential).And.NotContain(Convert.ToHexString(bytes)).And.NotContain(Convert.ToBase64String(bytes).TrimEnd('='));
        json.Should().Contain(SecretRedactor.Mask);
    }
}
