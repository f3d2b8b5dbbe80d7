using FluentAssertions;
using Mimi.Conformance.Cli.Execution;
using Mimi.Conformance.Harness.Configuration;
using Mimi.Conformance.Harness.Requirements;
using Mimi.Conformance.Harness.Results;
using Mimi.Conformance.ReferenceDp.Hosting;

namespace Mimi.Conformance.Harness.Tests.Verdicts;

/// <summary>
/// PROFILE.md §6 (PROF-META-02): a DP may move its endpoints and advertise where they are. One that does certifies,
/// which shows the suite reaches every endpoint through metadata <c>endpoints</c>, never through a default path.
/// </summary>
public sealed class MovedEndpointsTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("mimi-moved-").FullName;

    private CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_dp_serving_every_endpoint_at_a_moved_advertised_path_certifies()
    {
        var moved = DpEndpointPaths.Under("/mimi-moved");
        await using var dp = await ReferenceDpHost.StartAsync(new ReferenceDpOptions { DataDirectory = Path.Combine(_root, "dp"), AntiEnumeration = true, Endpoints = moved }, Ct);
        var request = new RunRequest(DpEndpoint.Of(dp.Url), dp.CertificatePath, null, Path.Combine(_root, "out"), [], [], null, "must", [], AllowTestControl: true,
            TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(5), "moved-endpoints") { StatementFile = RepositoryLayout.ReferenceDpStatement };

        var report = await ConformanceRun.ExecuteAsync(request, TimeProvider.System, TextWriter.Null, Ct);

        var unmet = report.Requirements.SelectMany(r => r.Tests).Where(t => t.Verdict is not (Verdict.Pass or Verdict.NotApplicable))
            .Select(t => $"{t.Name}: {t.Verdict} {t.Reason}").Distinct();
        report.Summary.Verdict.Should().Be(RunVerdict.Compliant, "every endpoint is advertised where it is served; not met: {0}", string.Join("; ", unmet));
        report.Rules.Single(r => r.Id == "PROF-META-02").Verdict.Should().Be(Verdict.Pass);
    }

    [Fact]
    public async Task Endpoint_paths_that_clash_are_refused_at_start()
    {
        var clash = DpEndpointPaths.Default with { Remove = DpEndpointPaths.Default.Publish };
        var start = () => ReferenceDpHost.StartAsync(new ReferenceDpOptions { DataDirectory = Path.Combine(_root, "clash"), Endpoints = clash }, Ct);

        (await start.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Contain("two endpoints share one path");
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
