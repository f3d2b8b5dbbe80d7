using System.Text.Json;
using FluentAssertions;
using Mimi.Conformance.Harness.Configuration;
using Mimi.Conformance.Cli.Execution;
using Mimi.Conformance.Harness.Requirements;
using Mimi.Conformance.Harness.Results;
using Mimi.Conformance.Protocol.Crypto;
using Mimi.Conformance.Protocol.Profile;

namespace Mimi.Conformance.Harness.Tests.Chaos;

/// <summary>
/// The harness against a hostile DP (real WireMock): whatever the DP does, the run ends within its budget, every
/// requirement gets a verdict with a reason, no test dies of an unexpected exception, and only loopback is contacted.
/// </summary>
[Collection(ChaosGroup.Name)]
public sealed class HostileDpTests(WireMockServer wireMock)
{
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

    private static string Stub(string method, string urlPattern, object response, int priority = 5) =>
        JsonSerializer.Serialize(new { priority, request = new { method, urlPattern }, response });

    /// <summary>Metadata and test control behave; every other call gets <paramref name="response"/>.</summary>
    private async Task ArrangeAsync(object response, bool metadataToo = false)
    {
        await wireMock.ResetAsync();
        if (!metadataToo)
        {
            await wireMock.StubAsync(Stub("GET", "/\\.well-known/mimi-discovery", new { status = 200, headers = new Dictionary<string, string> { ["Content-Type"] = "application/json" }, body = ValidMetadata }, 1));
            await wireMock.StubAsync(Stub("POST", "/test-control/.*", new { status = 204 }, 1));
        }
        await wireMock.StubAsync(Stub("ANY", ".*", response));
    }

    private async Task<ConformanceReport> RunAsync(int timeoutMs = 1500, params string[] only)
    {
        var output = Path.Combine(Path.GetTempPath(), $"mimi-chaos-{Guid.NewGuid():N}");
        var request = new RunRequest(DpEndpoint.Of(wireMock.BaseUrl), null, null, output, [], only, null, "must", [], AllowTestControl: true,
            TimeSpan.FromMilliseconds(timeoutMs), TimeSpan.FromSeconds(300), "chaos");
        return await ConformanceRun.ExecuteAsync(request, TimeProvider.System, TextWriter.Null, TestContext.Current.CancellationToken);
    }

    private static void AssertSurvived(ConformanceReport report)
    {
        var catalog = RequirementCatalog.Load(RepositoryLayout.CatalogPath);
        report.Requirements.Should().HaveCount(catalog.Requirements.Count, "every catalog requirement gets a row");
        report.Run.Completeness.Complete.Should().BeTrue(report.Run.Completeness.Reason ?? "");
        report.Summary.ExitCode.Should().BeOneOf([1, 2], "a hostile DP is never compliant");
        var tests = report.Requirements.SelectMany(r => r.Tests).ToList();
        tests.Where(t => t.Verdict != Verdict.Pass && string.IsNullOrWhiteSpace(t.Reason)).Select(t => t.Id).Should().BeEmpty("every non-pass verdict carries its reason");
        tests.Where(t => t.Reason?.StartsWith("harness defect", StringComparison.Ordinal) == true)
            .Select(t => $"{t.Id}: {t.Reason}").Should().BeEmpty("no test may die of an unexpected exception");
        tests.SelectMany(t => t.Exchanges).Select(e => new Uri(e.Url).Host).Distinct().Should().NotContain(h => h != "127.0.0.1", "the harness talks only to the configured DP");
    }

    public static TheoryData<string> WireMockFaults => new() { "CONNECTION_RESET_BY_PEER", "EMPTY_RESPONSE", "MALFORMED_RESPONSE_CHUNK", "RANDOM_DATA_THEN_CLOSE" };

    [Theory]
    [MemberData(nameof(WireMockFaults))]
    public async Task Transport_faults_on_every_operation_become_verdicts(string fault)
    {
        await ArrangeAsync(new { fault });
        var report = await RunAsync();
        AssertSurvived(report);
        report.Requirements.Single(r => r.Id == "DISC-R-01").Verdict.Should().Be(Verdict.Error);
    }

    [Theory]
    [MemberData(nameof(WireMockFaults))]
    public async Task Transport_faults_on_metadata_stop_the_run_with_a_reason(string fault)
    {
        await ArrangeAsync(new { fault }, metadataToo: true);
        var report = await RunAsync();
        AssertSurvived(report);
        report.Requirements.SelectMany(r => r.Tests).Where(t => t.Verdict == Verdict.Error).Should().OnlyContain(t => t.Reason!.Contains("mimi-discovery", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_dp_slower_than_the_timeout_is_cut_off()
    {
        await ArrangeAsync(new { status = 200, fixedDelayMilliseconds = 3000, body = "{}" }, metadataToo: true);
        var report = await RunAsync(timeoutMs: 400);
        AssertSurvived(report);
        report.Requirements.SelectMany(r => r.Tests).Where(t => t.Verdict == Verdict.Error).Should().OnlyContain(t => t.Reason!.Contains("within 400 ms", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_50_MB_body_is_capped_not_buffered()
    {
        var big = Path.Combine(wireMock.RootDir, "__files", "big.json");
        await using (var f = File.Create(big))
        {
            var chunk = new byte[1 << 20];
            Array.Fill(chunk, (byte)' ');
            chunk[0] = (byte)'{';
            await f.WriteAsync(chunk);
            chunk[0] = (byte)' ';
            for (var i = 1; i < 50; i++)
                await f.WriteAsync(chunk);
        }
        await ArrangeAsync(new { status = 200, headers = new Dictionary<string, string> { ["Content-Type"] = "application/json" }, bodyFileName = "big.json" });
        // A few requirements suffice: each 50 MB answer costs a full read of the cap on a loaded machine.
        var report = await RunAsync(5000, "DISC-R-05", "PROF-META-01");
        AssertSurvived(report);
        var exchanges = report.Requirements.SelectMany(r => r.Tests).SelectMany(t => t.Exchanges).Where(e => e.Method == "POST" && !e.Url.Contains("/test-control/", StringComparison.Ordinal)).ToList();
        // On a loaded machine WireMock may not even send 1 MiB within the timeout; either way nothing is buffered whole.
        exchanges.Should().NotBeEmpty().And.OnlyContain(e => e.ResponseTruncated || e.Error != null, "bodies beyond the cap are cut and flagged");
        exchanges.Should().Contain(e => e.ResponseTruncated, "at least one answer arrived and was cut at the cap");
        exchanges.Should().OnlyContain(e => e.ResponseBody == null || e.ResponseBody.Length <= 16 * 1024, "evidence bodies are capped at 16 KiB");
    }

    public static TheoryData<string, string, int> MalformedAnswers => new()
    {
        { "invalid-json", "application/json", 200 },
        { "wrong-content-type", "text/html", 200 },
        { "invalid-cbor", "application/json", 200 },
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
            "invalid-cbor" => JsonSerializer.Serialize(new { status = "found", mapping_id = "x", mapping = "2GKDQ_8", mappings = new[] { new { mapping_id = "x", mapping = "2GKDQ_8" }, new { mapping_id = "y", mapping = "!!not-base64!!" } } }),
            _ => "{\"type\":\"about:blank\",\"status\":503}",
        };
        await ArrangeAsync(new { status, headers = new Dictionary<string, string> { ["Content-Type"] = contentType }, body });
        AssertSurvived(await RunAsync());
    }

    [Fact]
    public async Task Redirects_to_other_hosts_are_never_followed()
    {
        await ArrangeAsync(new { status = 302, headers = new Dictionary<string, string> { ["Location"] = "https://attacker.invalid/collect" } });
        var report = await RunAsync();
        AssertSurvived(report);
        report.Requirements.SelectMany(r => r.Tests).SelectMany(t => t.Exchanges).Should().Contain(e => e.Status == 302);
    }
}

[CollectionDefinition(Name)]
public sealed class ChaosGroup : ICollectionFixture<WireMockServer>
{
    public const string Name = "chaos";
}
