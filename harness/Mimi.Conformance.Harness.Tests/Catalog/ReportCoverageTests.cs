using FluentAssertions;
using Mimi.Conformance.Cli.Execution;
using Mimi.Conformance.Harness.Requirements;
using Mimi.Conformance.Harness.Results;

namespace Mimi.Conformance.Harness.Tests.Catalog;

/// <summary>The report lists every catalog entry; untested ones say so; verdicts follow docs/ARCHITECTURE.md §5.</summary>
public sealed class ReportCoverageTests
{
    private static readonly RequirementCatalog Catalog = RequirementCatalog.Load(RepositoryLayout.CatalogPath);

    private static RunContext Context(string failOn = "must") => new("r1", "https://127.0.0.1:1", "external", null,
        DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddSeconds(3), failOn, [], [], ["core"], null);

    private static RawTest Test(string requirement, string result, string? exceptionType = null, string? reason = null) =>
        new($"Suite.Area.Tests.{requirement.Replace('-', '_')}_case", [requirement], result, reason, exceptionType, "msg", 0.01, [], []);

    private static ConformanceReport Build(string failOn, params RawTest[] tests) =>
        ReportBuilder.Build(Catalog, Context(failOn), new SuiteOutcome(new RawRun(tests.Length, tests), null, TimeSpan.Zero));

    [Fact]
    public void Every_catalog_entry_appears_and_untested_ones_are_marked()
    {
        var report = Build("must", Test("DISC-R-01", "Pass"));
        report.Requirements.Select(r => r.Id).Should().Equal(Catalog.Requirements.Select(r => r.Id));
        report.Requirements.Single(r => r.Id == "DISC-R-01").Verdict.Should().Be(Verdict.Pass);
        report.Requirements.Where(r => r.Id != "DISC-R-01").Should().OnlyContain(r => r.Verdict == Verdict.Untested);
        report.Summary.UntestedMust.Should().Contain("DISC-R-03").And.NotContain("DISC-R-01");
    }

    [Fact]
    public void A_failed_must_is_non_compliant_with_exit_1()
    {
        var report = Build("must", Test("DISC-R-01", "Pass"), Test("DISC-R-01", "Fail", typeof(ConformanceFailure).FullName));
        report.Requirements.Single(r => r.Id == "DISC-R-01").Verdict.Should().Be(Verdict.Fail);
        report.Summary.Verdict.Should().Be(RunVerdict.NonCompliant);
        report.Summary.ExitCode.Should().Be(1);
    }

    [Fact]
    public void A_failed_should_warns_and_gates_only_with_fail_on_should()
    {
        var failure = Test("DISC-R-10", "Fail", typeof(ConformanceFailure).FullName);
        var lenient = Build("must", failure);
        lenient.Requirements.Single(r => r.Id == "DISC-R-10").Verdict.Should().Be(Verdict.Warn);
        lenient.Summary.ExitCode.Should().Be(0);
        Build("should", failure).Summary.ExitCode.Should().Be(1);
    }

    [Fact]
    public void Skips_carry_their_verdict_and_crashes_are_errors()
    {
        var report = Build("must",
            Test("DISC-R-06", "Skip", reason: "not-verifiable: needs an operator statement"),
            Test("DISC-L-03", "Skip", reason: "not-applicable: class not claimed"),
            Test("DISC-R-03", "Fail", "System.NullReferenceException"));
        report.Requirements.Single(r => r.Id == "DISC-R-06").Verdict.Should().Be(Verdict.NotVerifiable);
        report.Requirements.Single(r => r.Id == "DISC-R-06").Tests[0].Reason.Should().Be("needs an operator statement");
        report.Requirements.Single(r => r.Id == "DISC-L-03").Verdict.Should().Be(Verdict.NotApplicable);
        report.Requirements.Single(r => r.Id == "DISC-R-03").Verdict.Should().Be(Verdict.Error);
        report.Summary.ExitCode.Should().Be(2);
    }

    [Fact]
    public void A_suite_that_produced_nothing_is_an_incomplete_error_run()
    {
        var report = ReportBuilder.Build(Catalog, Context(), new SuiteOutcome(null, "the suite crashed", TimeSpan.Zero));
        report.Run.Completeness.Complete.Should().BeFalse();
        report.Summary.Verdict.Should().Be(RunVerdict.Error);
        report.Summary.ExitCode.Should().Be(2);
    }
}
