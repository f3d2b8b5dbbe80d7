using System.Text.Json;
using FluentAssertions;
using Mimi.Conformance.Reporting;
using Mimi.Conformance.Cli.Commands;
using Mimi.Conformance.Cli.SelfTest;
using Mimi.Conformance.Harness.Results;

namespace Mimi.Conformance.Harness.Tests.Ci;

/// <summary>matrix --demo: three reference DPs, one faulty; the faulty DP's failures appear in matrix.json.</summary>
public sealed class MatrixTests
{
    [Fact]
    public async Task Demo_matrix_shows_the_faulty_dps_failures_in_both_grids()
    {
        using var root = RealRuns.NewRoot("matrix");
        var (faulty, faults) = MatrixCommand.DemoDps.Single(d => d.Faults.Length > 0);
        var expected = FaultCatalog.Load(FaultCatalog.DefaultPath).Faults.Where(f => faults.Contains(f.Name)).SelectMany(f => f.Requirements).Distinct().Where(id => Mimi.Conformance.Harness.Requirements.RequirementCatalog.Load(Mimi.Conformance.Harness.Requirements.RepositoryLayout.CatalogPath).Find(id) is not null).ToArray();
        // The requirements the faults break and one they leave alone: every cell the assertions read, without a full suite per DP.
        var template = RealRuns.Request(root) with { Only = [.. expected, "PROF-META-01"] };

        await MatrixCommand.RunDemoAsync(template, TimeProvider.System, TextWriter.Null, TestContext.Current.CancellationToken);

        var matrix = JsonSerializer.Deserialize<MatrixDocument>(await File.ReadAllTextAsync(Path.Combine(root, MatrixDocument.FileName), TestContext.Current.CancellationToken))!;
        matrix.Dps.Select(d => d.Name).Should().Equal(MatrixCommand.DemoDps.Select(d => d.Name));
        matrix.Dps.Single(d => d.Name == faulty).Verdict.Should().Be("non-compliant");
        matrix.Dps.Where(d => d.Name != faulty).Should().OnlyContain(d => d.Verdict == "compliant");
        foreach (var id in expected)
        {
            var row = matrix.Requirements.Single(r => r.Id == id);
            row.Verdicts[faulty].Should().BeOneOf([Verdict.Fail, Verdict.Warn], id);
            row.Reasons.Should().ContainKey(faulty);
            row.Verdicts.Where(v => v.Key != faulty).Should().OnlyContain(v => v.Value == Verdict.Pass, id);
        }
        matrix.Requirements.Where(r => r.Verdicts[faulty] is Verdict.Fail or Verdict.Warn).Select(r => r.Id).Should().BeEquivalentTo(expected);
        // Cross cells, import and federation: every DP serves the others' mappings intact, except the faulty one, which
        // re-signs what it imports and drops what its peers answer.
        matrix.Cross.Should().HaveCount(12);
        foreach (var scenario in new[] { CrossDpCheck.Import, CrossDpCheck.Federation })
        {
            var cells = matrix.Cross.Where(c => c.Scenario == scenario).ToList();
            cells.Where(c => c.Via == faulty).Should().HaveCount(2).And.OnlyContain(c => c.Verdict == Verdict.Fail && c.Reason.Contains("byte-identical", StringComparison.Ordinal));
            cells.Where(c => c.Via != faulty).Should().HaveCount(4).And.OnlyContain(c => c.Verdict == Verdict.Pass, string.Join("; ", cells.Select(c => c.Reason)));
        }
        foreach (var dp in matrix.Dps)
            File.Exists(Path.Combine(root, dp.Report)).Should().BeTrue();
        var html = await File.ReadAllTextAsync(Path.Combine(root, MatrixHtmlWriter.FileName), TestContext.Current.CancellationToken);
        html.Should().Contain($"data-dp=\"{faulty}\" data-verdict=\"fail\"").And.NotContain("http://").And.NotContain("<script src");
    }

    [Theory]
    [InlineData("a")]
    [InlineData("=https://x")]
    [InlineData("a=not a url")]
    public void Bad_dp_arguments_are_configuration_errors(string dp)
    {
        var act = () => MatrixCommand.Targets([dp], [], []);
        act.Should().Throw<Configuration.ConfigurationException>();
    }

    [Fact]
    public void Ca_and_pin_attach_to_their_dp_by_name()
    {
        var targets = MatrixCommand.Targets(["a=https://127.0.0.1:1", "b=https://127.0.0.1:2"], ["a=/tmp/a.pem"], ["b=abcd"]);

        targets.Should().HaveCount(2);
        targets[0].CaFile.Should().Be("/tmp/a.pem");
        targets[1].Pin.Should().Be("abcd");
        var unknown = () => MatrixCommand.Targets(["a=https://127.0.0.1:1"], ["c=/x.pem"], []);
        unknown.Should().Throw<Configuration.ConfigurationException>();
    }
}
