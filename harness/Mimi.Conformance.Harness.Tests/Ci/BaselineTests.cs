using FluentAssertions;
using Mimi.Conformance.Cli;
using Mimi.Conformance.Reporting;
using Mimi.Conformance.Harness.Results;

namespace Mimi.Conformance.Harness.Tests.Ci;

/// <summary>--baseline: a new failure fails the run, and so does an expected failure that now passes.</summary>
public sealed class BaselineTests
{
    private static string WriteBaseline(string root, params (string Id, string Reason)[] entries)
    {
        var path = Path.Combine(root, "baseline.json");
        new BaselineFile(entries.Select(e => new ExpectedFailure(e.Id, e.Reason)).ToList()).Save(path);
        return path;
    }

    [Fact]
    public async Task Expected_failure_that_still_fails_holds_the_baseline()
    {
        var run = await RealRuns.Faulty;
        var report = Baseline.Apply(run.Report, new BaselineFile([new ExpectedFailure(RealRuns.FaultyRequirement, "known")]), "b.json");

        report.Summary.ExitCode.Should().Be(0);
        report.Summary.Verdict.Should().Be(RunVerdict.NonCompliant, "the baseline gates the exit code, it does not whitewash the verdict");
        report.Baseline!.Status.Should().Be("holds");
        report.Baseline.ExpectedFailures.Single().Outcome.Should().Be("still-failing");
        report.Baseline.ExitCodeWithoutBaseline.Should().Be(1);
    }

    [Fact]
    public async Task A_failure_the_baseline_does_not_list_fails_the_run()
    {
        var run = await RealRuns.Faulty;
        var report = Baseline.Apply(run.Report, new BaselineFile([]), "b.json");

        report.Summary.ExitCode.Should().Be(1);
        report.Baseline!.Status.Should().Be("new-failures");
        report.Baseline.NewFailures.Should().Equal(RealRuns.FaultyRequirement);
    }

    [Fact]
    public async Task An_expected_failure_that_now_passes_fails_the_run_as_fixed()
    {
        var run = await RealRuns.Faulty;
        var passing = run.Report.Requirements.First(r => r.Verdict == Verdict.Pass).Id;
        var report = Baseline.Apply(run.Report, new BaselineFile([new ExpectedFailure(RealRuns.FaultyRequirement, "known"), new ExpectedFailure(passing, "old bug")]), "b.json");

        report.Summary.ExitCode.Should().Be(1);
        report.Baseline!.Status.Should().Be("fixed");
        report.Baseline.Fixed.Should().Equal(passing);
    }

    [Fact]
    public async Task Untested_or_unknown_ids_in_the_baseline_do_not_count_as_fixed()
    {
        var run = await RealRuns.Faulty;
        // Every catalog requirement has a test today: one passing requirement is made untested (no tests ran for it).
        var untested = run.Report.Requirements.First(r => r.Verdict == Verdict.Pass).Id;
        var withUntested = run.Report with
        {
            Requirements = [.. run.Report.Requirements.Select(r => r.Id == untested ? r with { Verdict = Verdict.Untested, Tests = [] } : r)],
        };
        var report = Baseline.Apply(withUntested, new BaselineFile([new("NOPE-1", null), new(untested, null), new(RealRuns.FaultyRequirement, null)]), "b.json");

        report.Summary.ExitCode.Should().Be(0);
        report.Baseline!.ExpectedFailures.Select(e => e.Outcome).Should().Equal("unknown-id", "not-observed", "still-failing");
    }

    /// <summary>The faulty requirement and one that passes: enough for the gate in both directions, at a fraction of a full run.</summary>
    private static readonly string[] Selection = ["--only", RealRuns.FaultyRequirement, "--only", "DISC-R-01"];

    [Fact]
    public async Task Cli_run_with_a_baseline_gates_in_both_directions_and_records_the_comparison()
    {
        using var root = RealRuns.NewRoot("baseline-cli");
        var baseline = Path.Combine(root, "written.json");

        // Write a baseline from a faulty run: the run itself still fails (exit 1), the file lists the failure.
        (await Program.Main(["run", "--dp-fault", RealRuns.Fault, "--out", Path.Combine(root, "w"), "--write-baseline", baseline, .. Selection])).Should().Be(1);
        BaselineFile.Load(baseline).ExpectedFailures.Select(e => e.Id).Should().Equal(RealRuns.FaultyRequirement);

        // Same fault with the baseline: holds, exit 0, recorded in report.json.
        (await Program.Main(["run", "--dp-fault", RealRuns.Fault, "--out", Path.Combine(root, "a"), "--baseline", baseline, .. Selection])).Should().Be(0);
        var held = ReportJson.ReadFile(Path.Combine(root, "a", "latest", ReportJson.FileName));
        held.Baseline!.Status.Should().Be("holds");
        held.Baseline.File.Should().Be(baseline);

        // The clean DP with the same baseline: the expected failure no longer happens, exit 1 ("fixed").
        (await Program.Main(["run", "--out", Path.Combine(root, "b"), "--baseline", baseline, .. Selection])).Should().Be(1);
        var fixedReport = ReportJson.ReadFile(Path.Combine(root, "b", "latest", ReportJson.FileName));
        fixedReport.Baseline!.Fixed.Should().Equal(RealRuns.FaultyRequirement);
        fixedReport.Summary.Verdict.Should().Be(RunVerdict.Compliant);

        // A baseline that does not list the failure: new failure, exit 1.
        var empty = WriteBaseline(root);
        (await Program.Main(["run", "--dp-fault", RealRuns.Fault, "--out", Path.Combine(root, "c"), "--baseline", empty, .. Selection])).Should().Be(1);
        ReportJson.ReadFile(Path.Combine(root, "c", "latest", ReportJson.FileName)).Baseline!.NewFailures.Should().Equal(RealRuns.FaultyRequirement);
    }

    [Fact]
    public async Task A_malformed_baseline_is_a_configuration_error()
    {
        using var root = RealRuns.NewRoot("baseline-bad");
        var bad = Path.Combine(root, "bad.json");
        await File.WriteAllTextAsync(bad, "{\"expected\": 1}", TestContext.Current.CancellationToken);

        (await Program.Main(["run", "--out", root, "--baseline", bad])).Should().Be(2);
        (await Program.Main(["run", "--out", root, "--baseline", Path.Combine(root, "missing.json")])).Should().Be(2);
    }
}
