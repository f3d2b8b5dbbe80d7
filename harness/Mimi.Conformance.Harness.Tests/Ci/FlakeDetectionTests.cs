using FluentAssertions;
using Mimi.Conformance.Harness.Results;
using Mimi.Conformance.Reporting;

namespace Mimi.Conformance.Harness.Tests.Ci;

/// <summary>
/// Real runs against the intermittent-opt-out fault (wrong on every second consultation): run once, its test passes
/// and the fault escapes; run with --repeat 3, its IDs are unstable and the run is not compliant.
/// </summary>
public sealed class FlakeDetectionTests
{
    private const string Fault = "intermittent-opt-out";

    [Fact]
    public async Task An_intermittent_fault_escapes_a_single_run_and_is_unstable_under_repeat_3()
    {
        using var root = RealRuns.NewRoot("flakes");
        var once = await RealRuns.RunAsync(RealRuns.Request(root, [Fault]) with { Only = ["PROF-LU-03"] });
        once.Report.Rules.Single(r => r.Id == "PROF-LU-03").Verdict.Should().Be(Verdict.Pass, "the first consultation is answered right");

        var repeated = await RealRuns.RunAsync(RealRuns.Request(root, [Fault]) with { Only = ["PROF-LU-03"], Repeat = 3 });

        var rule = repeated.Report.Rules.Single(r => r.Id == "PROF-LU-03");
        rule.Verdict.Should().Be(Verdict.Unstable);
        rule.Tests.Single().Repetitions!.Select(r => r.Verdict).Should().Equal(Verdict.Pass, Verdict.Fail, Verdict.Pass);
        repeated.Report.Requirements.Single(r => r.Id == "DISC-R-05").Verdict.Should().Be(Verdict.Unstable);
        repeated.Report.Run.Repeat.Should().Be(3);
        repeated.Report.Summary.Verdict.Should().Be(RunVerdict.NonCompliant);
        repeated.Report.Summary.GatingFailures.Should().Contain("PROF-LU-03");
        Directory.Exists(Path.Combine(repeated.Directory, "raw", "repetition-3")).Should().BeTrue("each repetition keeps its raw files");
    }

    [Fact]
    public async Task Every_report_format_shows_an_unstable_result()
    {
        using var root = RealRuns.NewRoot("flakes-formats");
        var run = await RealRuns.RunAsync(RealRuns.Request(root, [Fault]) with { Only = ["PROF-LU-03"], Repeat = 3, UnstableGate = UnstableGate.Incomplete });

        run.Report.Summary.Verdict.Should().Be(RunVerdict.Incomplete, "unstable=incomplete leaves the run open, never compliant");
        var html = await File.ReadAllTextAsync(Path.Combine(run.Directory, HtmlReportWriter.FileName));
        html.Should().Contain("chip v-unstable").And.Contain("class=\"repetitions\"").And.Contain("repetition 2");
        (await File.ReadAllTextAsync(Path.Combine(run.Directory, "junit.xml"))).Should().Contain("type=\"unstable\"");
        (await File.ReadAllTextAsync(Path.Combine(run.Directory, "summary.md"))).Should().Contain("Unstable requirements");
        (await File.ReadAllTextAsync(Path.Combine(run.Directory, "report.json"))).Should().Contain("\"repetitions\"").And.Contain("\"unstable_gate\": \"incomplete\"");
        Directory.EnumerateFiles(Path.Combine(run.Directory, "allure-results"), "*-result.json").Select(File.ReadAllText).Should().Contain(j => j.Contains("\"flaky\": true") || j.Contains("\"flaky\":true"));
        using var console = new StringWriter();
        ConsoleTableWriter.Write(run.Report, console);
        console.ToString().Should().Contain("unstable");
    }
}
