using FluentAssertions;
using Mimi.Conformance.Harness.Results;
using Mimi.Conformance.Cli;
using Mimi.Conformance.Cli.Commands;
using Mimi.Conformance.Reporting;

namespace Mimi.Conformance.Harness.Tests.Ci;

/// <summary>--shard K/N + merge equals an unsharded run of the same DP.</summary>
public sealed class ShardMergeTests
{
    [Fact]
    public async Task Two_shards_merged_have_the_verdicts_of_an_unsharded_run()
    {
        var unsharded = await RealRuns.Faulty;
        using var root = RealRuns.NewRoot("shards");
        var one = await RealRuns.RunAsync(RealRuns.Request(Path.Combine(root, "1"), [RealRuns.Fault]) with { Shard = new Shard(1, 2) });
        var two = await RealRuns.RunAsync(RealRuns.Request(Path.Combine(root, "2"), [RealRuns.Fault]) with { Shard = new Shard(2, 2) });
        one.Report.Shard!.Requirements.Intersect(two.Report.Shard!.Requirements).Should().BeEmpty();

        var outDir = Path.Combine(root, "merged");
        (await Program.Main(["merge", one.Directory, two.Directory, "--out", outDir])).Should().Be(unsharded.Report.Summary.ExitCode);
        var merged = ReportJson.ReadFile(Path.Combine(outDir, ReportJson.FileName));

        merged.Requirements.ToDictionary(r => r.Id, r => r.Verdict).Should().Equal(unsharded.Report.Requirements.ToDictionary(r => r.Id, r => r.Verdict));
        merged.Requirements.Select(r => r.Tests.Count).Should().Equal(unsharded.Report.Requirements.Select(r => r.Tests.Count));
        merged.Summary.Verdict.Should().Be(unsharded.Report.Summary.Verdict);
        merged.Summary.RequirementCounts.Should().Equal(unsharded.Report.Summary.RequirementCounts);
        merged.Summary.GatingFailures.Should().Equal(unsharded.Report.Summary.GatingFailures);
        merged.Run.Completeness.Complete.Should().BeTrue();
        foreach (var file in ReportWriter.FileNames)
            File.Exists(Path.Combine(outDir, file)).Should().BeTrue(file);
    }

    [Fact]
    public async Task A_missing_shard_makes_the_merge_incomplete()
    {
        using var root = RealRuns.NewRoot("shard-missing");
        var one = await RealRuns.RunAsync(RealRuns.Request(Path.Combine(root, "1")) with { Shard = new Shard(1, 3), Only = ["DISC-R-0*"] });

        var merged = ReportMerger.Merge([one.Report], TimeProvider.System);

        merged.Run.Completeness.Complete.Should().BeFalse();
        merged.Run.Completeness.Reason.Should().Contain("2/3").And.Contain("3/3");
        merged.Summary.ExitCode.Should().Be(2);
    }
}
