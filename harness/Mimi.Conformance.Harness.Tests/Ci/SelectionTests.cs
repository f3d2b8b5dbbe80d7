using FluentAssertions;
using Mimi.Conformance.Harness.Results;
using Mimi.Conformance.Cli;
using Mimi.Conformance.Cli.Execution;
using Mimi.Conformance.Harness.Configuration;
using Mimi.Conformance.Harness.Requirements;
using Mimi.Conformance.Harness.Tests.Reporting;

namespace Mimi.Conformance.Harness.Tests.Ci;

/// <summary>--only, --class, --level, --list and --shard select requirement ids deterministically.</summary>
public sealed class SelectionTests
{
    private static readonly RequirementCatalog Catalog = RequirementCatalog.Load(Path.Combine(RepoPaths.Root, "vectors", "requirements.json"));

    private static RunRequest Request() => RealRuns.Request(Path.GetTempPath());

    [Fact]
    public void No_filter_selects_everything()
    {
        ConformanceRun.Select(Catalog, Request()).Should().BeNull();
    }

    [Fact]
    public void Only_globs_class_and_level_narrow_the_selection()
    {
        ConformanceRun.Select(Catalog, Request() with { Only = ["DISC-R-0*"] })!.Should().OnlyContain(id => id.StartsWith("DISC-R-0", StringComparison.Ordinal)).And.NotBeEmpty();
        ConformanceRun.Select(Catalog, Request() with { Only = ["disc-r-01"] }).Should().Equal("DISC-R-01");
        ConformanceRun.Select(Catalog, Request() with { Only = ["PROF-RM-*"] })!.Should().OnlyContain(id => id.StartsWith("PROF-RM-", StringComparison.Ordinal)).And.NotBeEmpty("a rule glob selects the tests that check those rules");
        ConformanceRun.Select(Catalog, Request() with { Classes = ["federation"] })!.Should().OnlyContain(id => ClassOf(Catalog, id) == "federation").And.NotBeEmpty();
        ConformanceRun.Select(Catalog, Request() with { Level = "must" })!.Should().OnlyContain(id => LevelOf(Catalog, id) == "MUST");
        ConformanceRun.Select(Catalog, Request() with { Level = "should" })!.Should().OnlyContain(id => LevelOf(Catalog, id) != "MAY")
            .And.Contain(id => LevelOf(Catalog, id) == "SHOULD");
        var empty = () => ConformanceRun.Select(Catalog, Request() with { Only = ["NOTHING-*"] });
        empty.Should().Throw<ConfigurationException>().WithMessage("*selects no requirement or rule*");
    }

    private static string ClassOf(RequirementCatalog catalog, string id) => catalog.Find(id)?.Class ?? catalog.FindRule(id)!.Class;

    private static string LevelOf(RequirementCatalog catalog, string id) => catalog.Find(id)?.Level ?? catalog.FindRule(id)!.Level;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    public void Shards_are_disjoint_deterministic_and_cover_the_selection(int n)
    {
        var all = Catalog.Requirements.Select(r => r.Id).ToHashSet();
        var shards = Enumerable.Range(1, n).Select(k => ConformanceRun.Select(Catalog, Request() with { Shard = new Shard(k, n) })!).ToList();

        shards.SelectMany(s => s).Should().OnlyHaveUniqueItems().And.BeEquivalentTo(all);
        shards.Should().OnlyContain(s => Math.Abs(s.Count - (all.Count / n)) <= 1, "round-robin keeps shards balanced");
        ConformanceRun.Select(Catalog, Request() with { Shard = new Shard(1, n) }).Should().BeEquivalentTo(shards[0]);
    }

    [Fact]
    public void Shard_applies_after_the_other_filters()
    {
        var musts = ConformanceRun.Select(Catalog, Request() with { Level = "must" })!;
        var a = ConformanceRun.Select(Catalog, Request() with { Level = "must", Shard = new Shard(1, 2) })!;
        var b = ConformanceRun.Select(Catalog, Request() with { Level = "must", Shard = new Shard(2, 2) })!;

        a.Concat(b).Should().BeEquivalentTo(musts);
    }

    [Theory]
    [InlineData("0/2")]
    [InlineData("3/2")]
    [InlineData("1")]
    [InlineData("a/b")]
    [InlineData("1/0")]
    public void Bad_shard_specs_are_configuration_errors(string spec)
    {
        var act = () => Shard.Parse(spec);
        act.Should().Throw<Configuration.ConfigurationException>();
    }

    [Fact]
    public async Task List_is_a_dry_run_that_exits_zero()
    {
        (await Program.Main(["run", "--list", "--only", "DISC-R-0*", "--level", "must"])).Should().Be(0);
        (await Program.Main(["run", "--list", "--class", "core", "--shard", "2/3"])).Should().Be(0);
        (await Program.Main(["run", "--list", "--shard", "4/3"])).Should().Be(2);
        (await Program.Main(["run", "--list", "--level", "sometimes"])).Should().Be(2);
    }

    [Fact]
    public async Task A_run_with_only_reports_the_rest_as_not_selected()
    {
        using var root = RealRuns.NewRoot("only");
        var run = await RealRuns.RunAsync(RealRuns.Request(root) with { Only = ["DISC-R-01"] });

        run.Report.Requirements.Single(r => r.Id == "DISC-R-01").Verdict.Should().Be(Results.Verdict.Pass);
        run.Report.Requirements.Where(r => r.Id != "DISC-R-01").Should().OnlyContain(r => r.Verdict == Results.Verdict.NotApplicable);
        run.Report.Run.Filters.Should().Contain("only=DISC-R-01");
    }
}
