using FluentAssertions;
using Mimi.Conformance.Cli.SelfTest;
using Mimi.Conformance.ReferenceDp.Faults;

namespace Mimi.Conformance.Harness.Tests.SelfTest;

/// <summary>Which suite methods a fault runs against, and which faults share a certification.</summary>
public sealed class SelfTestTargetingTests
{
    private static FaultPlan Plan(string name, params string[] tests) =>
        new(new Fault(name, $"{name} for the targeting tests", ["PROF-X-01"], [new Duty($"duty.{name}")]), tests);

    private static string[][] Names(IReadOnlyList<IReadOnlyList<FaultPlan>> batches) => [.. batches.Select(b => b.Select(p => p.Name).ToArray())];

    [Fact]
    public void A_fault_runs_the_methods_that_consulted_its_duties_and_the_whole_suite_when_one_was_consulted_outside_any_test()
    {
        var fault = new Fault("f", "f for the targeting tests", ["PROF-X-01"], [new Duty("duty.f")]);
        var consulted = new Dictionary<string, IReadOnlySet<string>>
        {
            ["Suite.A.One"] = new HashSet<string> { "duty.f" },
            ["Suite.A.Two"] = new HashSet<string> { "duty.g" },
            ["Suite.B.Three"] = new HashSet<string> { "duty.g", "duty.f" },
        };
        SelfTestCommand.TestsFor(fault, consulted).Should().Equal("Suite.A.One", "Suite.B.Three");

        consulted[DutyRecorder.Untraced] = new HashSet<string> { "duty.f" };
        SelfTestCommand.TestsFor(fault, consulted).Should().BeNull("a duty consulted by the fixture can change any test");
        SelfTestCommand.TestsFor(fault with { AtStart = true }, new Dictionary<string, IReadOnlySet<string>>()).Should().BeNull();
    }

    [Fact]
    public void A_fault_that_only_changes_the_metadata_runs_the_readers_of_what_it_changes_unless_the_set_up_read_it()
    {
        var fault = new Fault("m", "m for the targeting tests", ["PROF-X-01"], [new Duty("metadata.m")]);
        var read = (string member) => DutyRecorder.MetadataRead(member).Name;
        var consulted = new Dictionary<string, IReadOnlySet<string>>
        {
            [DutyRecorder.Untraced] = new HashSet<string> { "metadata.m", read("TestControlPath") },
            ["Suite.A.Reader"] = new HashSet<string> { read("Federation") },
            ["Suite.A.Other"] = new HashSet<string> { read("LookupPath") },
            ["Suite.B.Refetch"] = new HashSet<string> { "metadata.m" },
        };

        SelfTestCommand.TestsFor(fault, consulted, new HashSet<string> { "Federation" }).Should().Equal("Suite.A.Reader", "Suite.B.Refetch");
        SelfTestCommand.TestsFor(fault, consulted).Should().BeNull("without the changed members only the whole suite will do");
        SelfTestCommand.TestsFor(fault, consulted, new HashSet<string> { "TestControlPath" }).Should().BeNull("the set-up read a member the fault changes");
    }

    [Fact]
    public void Faults_with_disjoint_methods_share_a_batch_largest_first()
    {
        var batches = SelfTestCommand.Batches([Plan("a", "S.T.M1"), Plan("b", "S.T.M1", "S.T.M2"), Plan("c", "S.T.M3"), Plan("d", "S.T.M2")]);

        Names(batches).Should().BeEquivalentTo(new[] { new[] { "b", "c" }, new[] { "a", "d" } }, o => o.WithStrictOrdering());
    }

    [Fact]
    public void A_fault_known_to_disturb_another_never_shares_its_batch_again()
    {
        var plans = new[] { Plan("a", "S.T.M1"), Plan("b", "S.T.M2"), Plan("c", "S.T.M3") };

        Names(SelfTestCommand.Batches(plans)).Should().ContainSingle();
        Names(SelfTestCommand.Batches(plans, new HashSet<(string, string)> { ("c", "a") }))
            .Should().BeEquivalentTo(new[] { new[] { "a", "b" }, new[] { "c" } }, o => o.WithStrictOrdering());
    }
}
