using FluentAssertions;
using Mimi.Conformance.Harness.Results;

namespace Mimi.Conformance.Harness.Tests.Verdicts;

/// <summary>How test verdicts roll up into a requirement's or a rule's (docs/ARCHITECTURE.md §5).</summary>
public sealed class VerdictRollupTests
{
    [Fact]
    public void A_test_that_does_not_apply_leaves_the_others_verdict()
    {
        VerdictNames.Worst([Verdict.Pass, Verdict.NotApplicable, Verdict.Pass]).Should().Be(Verdict.Pass);
        VerdictNames.Worst([Verdict.NotApplicable, Verdict.Fail]).Should().Be(Verdict.Fail);
        VerdictNames.Worst([Verdict.NotApplicable, Verdict.NotVerifiable, Verdict.Pass]).Should().Be(Verdict.NotVerifiable, "unobserved is never a pass");
    }

    [Fact]
    public void Only_tests_that_all_do_not_apply_make_an_item_not_applicable_and_none_make_it_untested()
    {
        VerdictNames.Worst([Verdict.NotApplicable, Verdict.NotApplicable]).Should().Be(Verdict.NotApplicable);
        VerdictNames.Worst([]).Should().Be(Verdict.Untested);
    }
}
