using Mimi.Conformance.Suite.Infrastructure;

namespace Mimi.Conformance.Suite.Lifecycle;

/// <summary>
/// The lifecycle class (PROFILE.md §12) and R9/R10 as replayed timelines: one test case per timeline (tcId of
/// vectors/lifecycle/timelines.json), each with its own evidence. One theory per requirement, so each timeline
/// counts for the requirement it was written for, and for the rules its vector lists (a trait of its row).
/// </summary>
public sealed class LifecycleTimelineTests(ConformanceFixture dp)
{
    private readonly DpOperations _ops = new(dp);

    /// <summary>The requirement's timelines, each row tagged with the profile rules its timeline decides.</summary>
    public static IEnumerable<TheoryDataRow<int>> For(string requirement) =>
        LifecycleTimelines.All.Where(t => t.Requirement == requirement).Select(t => t.Rules.Aggregate(
            new TheoryDataRow<int>(t.TcId) { TestDisplayName = $"{requirement} timeline tcId {t.TcId}: {t.Comment}" },
            (row, rule) => row.WithTrait(RequirementAttribute.TraitName, rule)));

    private Task Replay(int tcId) => new TimelineRunner(dp, _ops).RunAsync(LifecycleTimelines.Get(tcId));

    [Theory, Requirement("DISC-M-06"), MemberData(nameof(For), "DISC-M-06")]
    public Task Reissued_csi_first_mapping_invalidates_the_previous_holder(int tcId) => Replay(tcId);

    [Theory, Requirement("DISC-L-16"), MemberData(nameof(For), "DISC-L-16")]
    public Task Mappings_outdated_by_reassignment_are_removed(int tcId) => Replay(tcId);

    [Theory, Requirement("DISC-L-17"), MemberData(nameof(For), "DISC-L-17")]
    public Task Older_mappings_take_precedence(int tcId) => Replay(tcId);

    [Theory, Requirement("DISC-L-17A"), MemberData(nameof(For), "DISC-L-17A")]
    public Task Conflicts_are_refused_with_a_problem_and_change_nothing(int tcId) => Replay(tcId);

    [Theory, Requirement("DISC-L-18"), MemberData(nameof(For), "DISC-L-18")]
    public Task Invalidations_between_dps(int tcId) => Replay(tcId);

    [Theory, Requirement("DISC-L-19"), MemberData(nameof(For), "DISC-L-19")]
    public Task Users_invalidate_or_replace_their_mappings(int tcId) => Replay(tcId);

    [Theory, Requirement("DISC-L-19A"), MemberData(nameof(For), "DISC-L-19A")]
    public Task Csip_disconnect_notices_update_mappings(int tcId) => Replay(tcId);

    [Theory, Requirement("DISC-L-20"), MemberData(nameof(For), "DISC-L-20")]
    public Task New_mappings_are_discoverable_at_once(int tcId) => Replay(tcId);

    [Theory, Requirement("DISC-L-20A"), MemberData(nameof(For), "DISC-L-20A")]
    public Task A_new_csi_is_discoverable_when_mapped(int tcId) => Replay(tcId);

    [Theory, Requirement("DISC-R-09"), MemberData(nameof(For), "DISC-R-09")]
    public Task Removal_timelines(int tcId) => Replay(tcId);

    [Theory, Requirement("DISC-R-10"), MemberData(nameof(For), "DISC-R-10")]
    public Task Removal_authorization_and_replay_timelines(int tcId) => Replay(tcId);
}
