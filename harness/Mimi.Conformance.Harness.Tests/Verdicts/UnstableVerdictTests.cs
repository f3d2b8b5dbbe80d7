using FluentAssertions;
using Mimi.Conformance.Harness.Requirements;
using Mimi.Conformance.Harness.Results;

namespace Mimi.Conformance.Harness.Tests.Verdicts;

/// <summary>run --repeat N: where unstable sits in the roll-up and the gate (docs/ARCHITECTURE.md §5).</summary>
public sealed class UnstableVerdictTests
{
    private static readonly Completeness Complete = new(true, 3, 3, null);

    private static RequirementResult Requirement(string id, Verdict verdict, bool gating = true) =>
        new(id, id, "MUST", "core", new RequirementSource("doc", "-00", "R"), "quote", verdict, gating, []);

    private static RawTest Run(string result) =>
        new("Mimi.Conformance.Suite.Retrieval.CardinalityTests.Opted_out_mapping_is_found_with_no_msps", ["DISC-R-05", "PROF-LU-03"], result, null,
            result == "Fail" ? typeof(ConformanceFailure).FullName : null, result == "Fail" ? "status-found: expected status found; got not_found" : null, 0.1, [], []);

    private static ConformanceReport Build(params string[] repetitions)
    {
        var catalog = RequirementCatalog.Load(RepositoryLayout.CatalogPath);
        var outcome = SuiteRepetitions.Merge([.. repetitions.Select(r => new SuiteOutcome(new RawRun(1, [Run(r)]), null, TimeSpan.FromSeconds(1)))]);
        var at = DateTimeOffset.UnixEpoch;
        var context = new RunContext("run", "https://127.0.0.1:1", "embedded", null, at, at, "must", ["only=PROF-LU-03"], [], ["core"],
            new HashSet<string>(["DISC-R-05", "PROF-LU-03"], StringComparer.Ordinal)) { Repeat = repetitions.Length };
        return ReportBuilder.Build(catalog, context, outcome);
    }

    [Fact]
    public void Unstable_ranks_above_warn_and_below_error_and_fail()
    {
        VerdictNames.Worst([Verdict.Pass, Verdict.Unstable, Verdict.Pass]).Should().Be(Verdict.Unstable);
        VerdictNames.Worst([Verdict.Warn, Verdict.Unstable]).Should().Be(Verdict.Unstable, "sometimes wrong may hide a broken MUST");
        VerdictNames.Worst([Verdict.Unstable, Verdict.Fail]).Should().Be(Verdict.Fail, "a test that fails every time says more");
        VerdictNames.Worst([Verdict.Unstable, Verdict.Error]).Should().Be(Verdict.Error);
        VerdictNames.Worst([Verdict.NotApplicable, Verdict.Unstable]).Should().Be(Verdict.Unstable);
        Verdict.Unstable.ToWire().Should().Be("unstable");
    }

    [Fact]
    public void Repetitions_that_disagree_make_the_test_its_requirement_and_its_rule_unstable_listing_each()
    {
        var report = Build("Pass", "Fail", "Pass");

        var requirement = report.Requirements.Single(r => r.Id == "DISC-R-05");
        requirement.Verdict.Should().Be(Verdict.Unstable);
        var test = requirement.Tests.Single();
        test.Repetitions!.Select(r => r.Verdict).Should().Equal(Verdict.Pass, Verdict.Fail, Verdict.Pass);
        test.Repetitions![1].Reason.Should().Contain("got not_found");
        test.Reason.Should().Contain("pass, fail, pass").And.Contain("repetition 2");
        test.Reproducer.Should().Contain("--repeat 3");
        var rule = report.Rules.Single(r => r.Id == "PROF-LU-03");
        rule.Verdict.Should().Be(Verdict.Unstable);
        rule.Tests.Single().Repetitions.Should().HaveCount(3);
        report.Summary.Verdict.Should().Be(RunVerdict.NonCompliant);
        report.Summary.Verification.Unstable.Should().BeEquivalentTo(["DISC-R-05", "PROF-LU-03"]);
    }

    [Fact]
    public void Repetitions_that_agree_keep_their_verdict_and_are_still_listed()
    {
        var passing = Build("Pass", "Pass", "Pass").Requirements.Single(r => r.Id == "DISC-R-05");
        passing.Verdict.Should().Be(Verdict.Pass);
        passing.Tests.Single().Repetitions.Should().HaveCount(3);

        Build("Fail", "Fail").Requirements.Single(r => r.Id == "DISC-R-05").Verdict.Should().Be(Verdict.Fail);
        Build("Pass").Requirements.Single(r => r.Id == "DISC-R-05").Tests.Single().Repetitions.Should().BeNull("a test that ran once has no repetitions");
    }

    [Fact]
    public void A_gated_unstable_item_fails_the_run_or_under_unstable_incomplete_leaves_it_incomplete_never_compliant()
    {
        var failing = RunGate.Summarize([Requirement("R1", Verdict.Pass), Requirement("R2", Verdict.Unstable)], [], Complete);
        failing.Verdict.Should().Be(RunVerdict.NonCompliant);
        failing.GatingFailures.Should().Equal("R2");
        failing.Verification.Unstable.Should().Equal("R2");

        var open = RunGate.Summarize([Requirement("R1", Verdict.Pass), Requirement("R2", Verdict.Unstable)], [], Complete, unstableGate: UnstableGate.Incomplete);
        open.Verdict.Should().Be(RunVerdict.Incomplete);
        open.ExitCode.Should().Be(3);
        open.GatingFailures.Should().BeEmpty();
        open.Verification.Unstable.Should().Equal("R2");

        RunGate.Summarize([Requirement("R1", Verdict.Pass), Requirement("R2", Verdict.Unstable, gating: false)], [], Complete).Verdict.Should().Be(RunVerdict.Compliant);
    }

    [Fact]
    public void A_repetition_that_lost_a_test_says_so_and_the_run_is_incomplete()
    {
        var outcome = SuiteRepetitions.Merge([new SuiteOutcome(new RawRun(1, [Run("Pass")]), null, TimeSpan.Zero), new SuiteOutcome(null, "budget", TimeSpan.Zero)]);

        outcome.Failure.Should().Be("repetition 2: budget");
        outcome.Run!.Tests.Single().Repetitions.Select(r => r.Result).Should().Equal("Pass", "NotRun");
    }
}
