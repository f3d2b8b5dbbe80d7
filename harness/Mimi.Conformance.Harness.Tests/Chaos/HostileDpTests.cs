using System.Text.Json;
using FluentAssertions;
using Mimi.Conformance.Harness.Configuration;
using Mimi.Conformance.Cli.Execution;
using Mimi.Conformance.Harness.Requirements;
using Mimi.Conformance.Harness.Results;
using Mimi.Conformance.Protocol.Crypto;
using Mimi.Conformance.Protocol.Profile;
using WireMock.Matchers;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace Mimi.Conformance.Harness.Tests.Chaos;

/// <summary>
/// The harness against a hostile DP (in-process WireMock.Net, and our own Kestrel endpoint for transport faults):
/// whatever the DP does, the run ends within its budget, every requirement gets a verdict with a reason, no test dies
/// of an unexpected exception, and only loopback is contacted.
/// </summary>
[Collection(ChaosGroup.Name)]
public sealed class HostileDpTests(WireMockNetDp wireMock, TransportFaultDp transport)
{
    /// <summary>The harness's default; no scenario but the slow DP may come near it, so a timeout never passes for a fault.</summary>
    private const int TimeoutMs = 10_000;

    private static readonly string ValidMetadata = JsonSerializer.Serialize(new
    {
        profile = ProfileConstants.Version,
        dp_id = "mimi://hostile.test",
        endpoints = new { publish = "/v1/mappings", lookup = "/v1/lookup", remove = "/v1/mappings/remove" },
        signing_keys = new[] { new { kid = B64.Encode(SigningKey.FromLabel("hostile").KeyId), alg = "EdDSA", crv = "Ed25519", x = B64.Encode(SigningKey.FromLabel("hostile").PublicKey) } },
        csi_types = new[] { "e164" },
        conformance_classes = new[] { "core", "joint-signature" },
        test_control = "/test-control",
    });

    /// <summary>Metadata and test control behave; every other call gets <paramref name="response"/>.</summary>
    private void Arrange(IResponseBuilder response, bool metadataToo = false)
    {
        var server = wireMock.Server;
        server.Reset();
        if (!metadataToo)
        {
            server.Given(Request.Create().WithPath("/.well-known/mimi-discovery").UsingGet()).AtPriority(1)
                .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(ValidMetadata));
            server.Given(Request.Create().WithPath(new RegexMatcher("^/test-control/.*")).UsingPost()).AtPriority(1)
                .RespondWith(Response.Create().WithStatusCode(204));
        }
        server.Given(Request.Create().WithPath(new RegexMatcher(".*")).UsingAnyMethod()).AtPriority(5).RespondWith(response);
    }

    private static async Task<ConformanceReport> RunAsync(Uri dp, int timeoutMs = TimeoutMs, params string[] only)
    {
        var output = Path.Combine(Path.GetTempPath(), $"mimi-chaos-{Guid.NewGuid():N}");
        try
        {
            var request = new RunRequest(DpEndpoint.Of(dp), null, null, output, [], only, null, "must", [], AllowTestControl: true,
                TimeSpan.FromMilliseconds(timeoutMs), TimeSpan.FromSeconds(300), "chaos");
            return await ConformanceRun.ExecuteAsync(request, TimeProvider.System, TextWriter.Null, TestContext.Current.CancellationToken);
        }
        finally
        {
            if (Directory.Exists(output))
                Directory.Delete(output, recursive: true);
        }
    }

    private static IEnumerable<Mimi.Conformance.Harness.Results.TestResult> Tests(ConformanceReport report) => report.Requirements.SelectMany(r => r.Tests);

    private static void AssertSurvived(ConformanceReport report, bool timeoutsExpected = false, bool neverCompliant = true)
    {
        var catalog = RequirementCatalog.Load(RepositoryLayout.CatalogPath);
        report.Requirements.Should().HaveCount(catalog.Requirements.Count, "every catalog requirement gets a row");
        report.Run.Completeness.Complete.Should().BeTrue(report.Run.Completeness.Reason ?? "");
        if (neverCompliant)
            report.Summary.Verdict.Should().NotBe(RunVerdict.Compliant, "a hostile DP is never compliant");
        var tests = Tests(report).ToList();
        tests.Where(t => t.Verdict != Verdict.Pass && string.IsNullOrWhiteSpace(t.Reason)).Select(t => t.Id).Should().BeEmpty("every non-pass verdict carries its reason");
        tests.Where(t => t.Reason?.StartsWith("harness defect", StringComparison.Ordinal) == true)
            .Select(t => $"{t.Id}: {t.Reason}").Should().BeEmpty("no test may die of an unexpected exception");
        var exchanges = tests.SelectMany(t => t.Exchanges).ToList();
        exchanges.Select(e => new Uri(e.Url).Host).Distinct().Should().NotContain(h => h != "127.0.0.1", "the harness talks only to the configured DP");
        if (!timeoutsExpected)
            exchanges.Where(e => e.Error?.StartsWith("no complete response within", StringComparison.Ordinal) == true)
                .Select(e => $"{e.Method} {e.Url}").Should().BeEmpty("a timeout is not the fault under test");
    }

    public static TheoryData<TransportFault> TransportFaults => new(Enum.GetValues<TransportFault>());

    [Theory]
    [MemberData(nameof(TransportFaults))]
    public async Task Transport_faults_on_every_operation_become_verdicts(TransportFault fault)
    {
        transport.Fault = fault;
        transport.MetadataToo = false;
        transport.Metadata = ValidMetadata;
        var report = await RunAsync(transport.BaseUrl);
        AssertSurvived(report);
        report.Requirements.Single(r => r.Id == "DISC-R-01").Verdict.Should().Be(Verdict.Error);
    }

    [Theory]
    [MemberData(nameof(TransportFaults))]
    public async Task Transport_faults_on_metadata_stop_the_run_with_a_reason(TransportFault fault)
    {
        transport.Fault = fault;
        transport.MetadataToo = true;
        var report = await RunAsync(transport.BaseUrl);
        AssertSurvived(report);
        Tests(report).Where(t => t.Verdict == Verdict.Error).Should().NotBeEmpty()
            .And.OnlyContain(t => t.Reason!.Contains("mimi-discovery", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_dp_slower_than_the_timeout_is_cut_off()
    {
        // A few seconds of timeout against an answer that would come long after; the delay is never waited out. Two
        // requirements suffice: every call of a full run would wait the whole timeout.
        Arrange(Response.Create().WithStatusCode(200).WithBody("{}").WithDelay(TimeSpan.FromSeconds(30)), metadataToo: true);
        var report = await RunAsync(wireMock.BaseUrl, timeoutMs: 3000, "DISC-R-01", "PROF-META-01");
        AssertSurvived(report, timeoutsExpected: true);
        Tests(report).Where(t => t.Verdict == Verdict.Error).Should().NotBeEmpty()
            .And.OnlyContain(t => t.Reason!.Contains("within 3000 ms", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_50_MB_body_is_capped_not_buffered()
    {
        var big = new byte[50 << 20];
        Array.Fill(big, (byte)' ');
        big[0] = (byte)'{';
        Arrange(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(big));
        // A few requirements suffice: each answer is cut at the cap (1 MiB) and the connection dropped.
        var report = await RunAsync(wireMock.BaseUrl, TimeoutMs, "DISC-R-05", "PROF-META-01");
        AssertSurvived(report);
        var exchanges = Tests(report).SelectMany(t => t.Exchanges).Where(e => e.Method == "POST" && !e.Url.Contains("/test-control/", StringComparison.Ordinal)).ToList();
        exchanges.Should().NotBeEmpty().And.OnlyContain(e => e.ResponseTruncated && e.Error == null, "bodies beyond the cap are cut and flagged");
        exchanges.Should().OnlyContain(e => e.ResponseBody == null || e.ResponseBody.Length <= 16 * 1024, "evidence bodies are capped at 16 KiB");
    }

    public static TheoryData<string, string, int> MalformedAnswers => new()
    {
        { "invalid-json", "application/json", 200 },
        { "wrong-content-type", "text/html", 200 },
        { "invalid-cbor", "application/json", 200 },
        { "duplicate-members", "application/json", 200 },
        { "storm-503", "application/problem+json", 503 },
        { "storm-500", "text/plain", 500 },
    };

    [Theory]
    [MemberData(nameof(MalformedAnswers))]
    public async Task Malformed_answers_become_findings_not_crashes(string kind, string contentType, int status)
    {
        var body = kind switch
        {
            "invalid-json" => "{\"status\": \"found\", \"mappings\": [",
            "wrong-content-type" => "<html><body>hello</body></html>",
            "duplicate-members" => "{\"status\":\"found\",\"status\":\"not_found\",\"mappings\":[{\"mapping\":\"2GKDQ_8\",\"mapping\":\"2GKDQ_8\"}]}",
            "invalid-cbor" => JsonSerializer.Serialize(new { status = "found", mapping_id = "x", mapping = "2GKDQ_8", mappings = new[] { new { mapping_id = "x", mapping = "2GKDQ_8" }, new { mapping_id = "y", mapping = "!!not-base64!!" } } }),
            _ => "{\"type\":\"about:blank\",\"status\":503}",
        };
        Arrange(Response.Create().WithStatusCode(status).WithHeader("Content-Type", contentType).WithBody(body));
        AssertSurvived(await RunAsync(wireMock.BaseUrl));
    }

    /// <summary>WireMock.Net's own faults: an empty 200, and half a body followed by random bytes.</summary>
    [Theory]
    [InlineData(FaultType.EMPTY_RESPONSE)]
    [InlineData(FaultType.MALFORMED_RESPONSE_CHUNK)]
    public async Task WireMock_net_faults_become_findings_not_crashes(FaultType fault)
    {
        var body = JsonSerializer.Serialize(new { status = "found", mapping_id = "x", mapping = "2GKDQ_8" });
        Arrange(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(body).WithFault(fault));
        var report = await RunAsync(wireMock.BaseUrl);
        AssertSurvived(report);
        report.Requirements.Single(r => r.Id == "DISC-R-01").Verdict.Should().NotBe(Verdict.Pass);
    }

    [Fact]
    public async Task Invalid_utf8_in_a_body_is_the_dps_defect_named_in_the_reason()
    {
        byte[] body = [.. "{\"status\":\"found\",\"mapping\":\""u8, 0xC3, 0x28, 0xFF, .. "\"}"u8];
        Arrange(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(body));
        var report = await RunAsync(wireMock.BaseUrl, TimeoutMs, "DISC-R-01", "PROF-ERR-01");
        AssertSurvived(report);
        Tests(report).Should().Contain(t => t.Verdict == Verdict.Fail && (t.Reason ?? "").Contains("not valid UTF-8", StringComparison.Ordinal), "the failure names the cause");
    }

    [Fact]
    public async Task Invalid_utf8_in_the_metadata_is_the_dps_defect_with_the_exchange_kept()
    {
        byte[] body = [.. "{\"profile\":\""u8, 0xFF, 0xFE, .. "\"}"u8];
        Arrange(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(body), metadataToo: true);
        var report = await RunAsync(wireMock.BaseUrl, TimeoutMs, "PROF-META-01", "DISC-R-01");
        AssertSurvived(report);
        var metadata = report.Requirements.Single(r => r.Id == "PROF-META-01");
        metadata.Verdict.Should().Be(Verdict.Fail, "malformed metadata breaks the metadata rule; it is not a harness error");
        metadata.Tests.Should().Contain(t => t.Reason!.Contains("not valid UTF-8", StringComparison.Ordinal));
        metadata.Tests.SelectMany(t => t.Exchanges).Should().Contain(e => e.Url.EndsWith("/.well-known/mimi-discovery", StringComparison.Ordinal), "the exchange is evidence");
    }

    [Fact]
    public async Task Sixty_four_kilobytes_of_headers_are_recorded_capped()
    {
        Arrange(Response.Create().WithStatusCode(400).WithHeader("Content-Type", "application/problem+json").WithBody("{\"type\":\"about:blank\"}")
            .WithHeader("X-Padding-1", new string('a', 30_000)).WithHeader("X-Padding-2", new string('b', 30_000)));
        var report = await RunAsync(wireMock.BaseUrl, TimeoutMs, "DISC-R-01");
        AssertSurvived(report, neverCompliant: false); // refusing every mapping is what DISC-R-01 asks of these tests
        var exchanges = Tests(report).SelectMany(t => t.Exchanges).Where(e => e.Status == 400).ToList();
        exchanges.Should().NotBeEmpty().And.OnlyContain(e => e.ResponseHeaders.Sum(h => h.Key.Length + h.Value.Length) <= 9 * 1024, "header evidence is capped like bodies");
        exchanges.Should().OnlyContain(e => e.ResponseHeaders["x-padding-1"].EndsWith("(30000 characters)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task After_three_timeouts_the_harness_stops_calling_the_endpoint_and_says_so()
    {
        var dp = wireMock.BaseUrl;
        Arrange(Response.Create().WithStatusCode(200).WithBody("{}").WithDelay(TimeSpan.FromSeconds(60)));
        var options = new ConformanceOptions { DpUrl = DpEndpoint.Of(dp), RequestTimeout = TimeSpan.FromSeconds(3) }.Validated();
        using var client = new Mimi.Conformance.Harness.Client.DpClient(options, TimeProvider.System);
        for (var i = 0; i < Mimi.Conformance.Harness.Client.DpClient.CircuitBreakerThreshold; i++)
            (await client.PostRawAsync("/v1/lookup", "{}"u8.ToArray(), "application/json", TestContext.Current.CancellationToken)).TransportError.Should().Contain("within 3000 ms");

        var refused = await client.PostRawAsync("/v1/lookup", "{}"u8.ToArray(), "application/json", TestContext.Current.CancellationToken);

        refused.TransportError.Should().StartWith("not sent: ").And.Contain("stopped calling it").And.Contain("POST /v1/lookup");
        (await client.GetAsync("/.well-known/mimi-discovery", TestContext.Current.CancellationToken)).Status.Should().Be(200, "the breaker is per endpoint");
    }

    [Fact]
    public async Task Redirects_to_other_hosts_are_never_followed()
    {
        Arrange(Response.Create().WithStatusCode(302).WithHeader("Location", "https://attacker.invalid/collect"));
        var report = await RunAsync(wireMock.BaseUrl);
        AssertSurvived(report);
        Tests(report).SelectMany(t => t.Exchanges).Should().Contain(e => e.Status == 302);
    }
}

[CollectionDefinition(Name)]
public sealed class ChaosGroup : ICollectionFixture<WireMockNetDp>, ICollectionFixture<TransportFaultDp>
{
    public const string Name = "chaos";
}
