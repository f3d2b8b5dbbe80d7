using Mimi.Conformance.Protocol.Cose;
using Mimi.Conformance.Protocol.Profile;
using Mimi.Conformance.ReferenceDp.Faults;
using Mimi.Conformance.ReferenceDp.Store;
using static Mimi.Conformance.Protocol.Profile.ProfileConstants;

namespace Mimi.Conformance.ReferenceDp.Lifecycle;

/// <summary>
/// PROFILE.md §12.2: who wins when a mapping arrives for a CSI that already has live mappings. A holder is a CSIP
/// assignment (the credential's assigned_at); older holders keep precedence unless the newcomer carries new_holder
/// and a strictly later assignment. A conflict is refused and changes nothing.
/// </summary>
internal static class Precedence
{
    public static readonly Duty HonourNewHolder = new("lifecycle.honour-new-holder");
    public static readonly Duty RefuseConflicts = new("lifecycle.refuse-conflicts");
    public static readonly Duty RequireNewerAssignment = new("lifecycle.require-newer-assignment");
    public static readonly Duty KeepAssignmentFloor = new("lifecycle.keep-assignment-floor");
    public static readonly Duty GroupHoldersByAssignment = new("lifecycle.group-holders-by-assignment");

    public static PrecedenceDecision Decide(long assignedAt, bool newHolder, IReadOnlyList<StoredMapping> live, long floor, LivePolicy policy)
    {
        if (assignedAt < floor && policy.Performs(KeepAssignmentFloor))
            return Refuse(Problems.StaleAssignment, $"the credential's assigned_at {assignedAt} is before this CSI's last reassignment or disconnection ({floor})");
        if (newHolder && !policy.Performs(HonourNewHolder))
            newHolder = false;
        // A holder is an assignment, not a key: the holder's own other mappings are never "others".
        var others = live.Where(m => m.AssignedAt is { } a && (a != assignedAt || !policy.Performs(GroupHoldersByAssignment))).ToList();
        if (others.Count == 0)
            return new PrecedenceDecision(null, null, [], newHolder ? assignedAt : null);
        var newest = others.Max(m => m.AssignedAt!.Value);
        if (!newHolder)
        {
            return !policy.Performs(RefuseConflicts)
                ? new PrecedenceDecision(null, null, [.. others.Select(m => m.Id)], null)
                : Refuse(Problems.Conflict, $"{others.Count} live mapping(s) of another holder (assigned_at {newest}) take precedence; a new holder of a reissued CSI sets new_holder");
        }
        if (assignedAt <= newest && policy.Performs(RequireNewerAssignment))
            return Refuse(Problems.StaleAssignment, $"new_holder needs an assignment later than the current holder's ({newest}); this credential's assigned_at is {assignedAt}");
        return new PrecedenceDecision(null, null, [.. others.Select(m => m.Id)], assignedAt);
    }

    /// <summary>The credential's payload without checking it (the caller verified what its faults let it verify); null if unreadable.</summary>
    public static PopCredential? ReadCredential(byte[] pop)
    {
        try
        {
            return PopCredential.Decode(CoseSign1.Decode(pop).Payload);
        }
        catch (Exception e) when (e is CoseFormatException or ProfileFormatException)
        {
            return null;
        }
    }

    private static PrecedenceDecision Refuse(string problem, string detail) => new(problem, detail, [], null);
}
