using System.Text.Json.Nodes;
using Mimi.Conformance.Harness.Lifecycle;
using static Mimi.Conformance.Protocol.Profile.ProfileConstants;

namespace Mimi.Conformance.Tools.Vectors;

/// <summary>
/// vectors/lifecycle/timelines.json: number-lifecycle timelines (PROFILE.md §12) with the expected result after each
/// step, Wycheproof-shaped. Times are relative to the replay's start, so the file has no randomness: regeneration is
/// byte-identical. The suite replays every timeline against the DP; <c>vectors check</c> runs them through
/// <see cref="LifecycleModel"/>.
/// </summary>
internal static class LifecycleVectors
{
    public const string Schema = "lifecycle_schema_v1.json";
    public const string FileName = "timelines.json";

    private const long Day = 86_400;
    private const string Lifecycle = "lifecycle";
    private const string Core = "core";

    private static readonly TimelineHolder A = new("A", -365 * Day);
    private static readonly TimelineHolder B = new("B", 55 * Day);

    /// <summary>Flags used by the file, explained in its notes.</summary>
    private static readonly SortedDictionary<string, (string BugType, string Description)> FlagNotes = new(StringComparer.Ordinal)
    {
        ["Reissue"] = ("FUNCTIONALITY", "A reissued CSI: a new holder with a later CSIP assignment takes over."),
        ["Conflict"] = ("FUNCTIONALITY", "Another holder's mapping takes precedence: refused with a problem, nothing replaced."),
        ["StaleAssignment"] = ("FUNCTIONALITY", "A credential whose assignment is not newer than the CSI's last reassignment or disconnection."),
        ["Disconnect"] = ("FUNCTIONALITY", "A CSIP-signed disconnect notice with disconnected_since (45-day aging as in the US Reassigned Numbers Database)."),
        ["Removal"] = ("FUNCTIONALITY", "Removal by the recipient or the CSIP (R9, R10)."),
        ["Replay"] = ("REPLAY", "A signed request sent a second time."),
        ["PeerInvalidation"] = ("FUNCTIONALITY", "A DP-to-DP invalidation arriving from a peer DP the harness plays."),
        ["Forged"] = ("UNTRUSTED_KEY", "Signed by a key the DP does not trust for the claimed role."),
        ["Broadcast"] = ("FUNCTIONALITY", "The DP must send an invalidation to its peers; checked through a fake peer DP."),
        ["Timeliness"] = ("FUNCTIONALITY", "Discoverability right after publication."),
        ["Defect"] = ("MISSING_STEP", "A request that departs from PROFILE.md §12.3 or §12.5 in one respect, named by the step's defect."),
    };

    private static TimelineExpect Ok(params string[] removed) => new(TimelineExpect.Accepted, Removed: removed);

    private static TimelineExpect Published => new(TimelineExpect.Accepted);

    private static TimelineExpect Refused(int status, params string[] problems) => new(TimelineExpect.Refused, [status], problems);

    private static TimelineStep Pub(long at, TimelineHolder holder, string label, bool newHolder, TimelineExpect expect, string tag = "default") =>
        new(at, TimelineStep.Publish, expect) { Holder = holder.Name, Mapping = label, NewHolder = newHolder, Tags = [tag] };

    private static TimelineStep Look(long at, params string[] labels) =>
        new(at, TimelineStep.Lookup, new TimelineExpect(labels.Length > 0 ? TimelineExpect.Found : TimelineExpect.NotFound, Mappings: labels));

    private static TimelineStep RemoveByRecipient(long at, string mapping, string request, TimelineExpect expect) =>
        new(at, TimelineStep.Remove, expect) { By = "recipient", Mapping = mapping, Request = request };

    private static TimelineStep RemoveByCsip(long at, string request, TimelineExpect expect) =>
        new(at, TimelineStep.Remove, expect) { By = "csip", Request = request };

    private static TimelineStep Disconnect(long at, long since, string request, TimelineExpect expect) =>
        new(at, TimelineStep.Disconnect, expect) { DisconnectedSinceS = since, Request = request };

    private static TimelineStep Replay(long at, string request, TimelineExpect expect) => new(at, TimelineStep.Replay, expect) { Request = request };

    private static TimelineStep Invalidate(long at, TimelineHolder holder, string signer, string request, TimelineExpect expect) =>
        new(at, TimelineStep.PeerInvalidate, expect) { Holder = holder.Name, Signer = signer, Request = request };

    private static TimelineStep Broadcast(long at, string mapping) => new(at, TimelineStep.ExpectBroadcast, new TimelineExpect(TimelineExpect.Sent)) { Mapping = mapping };

    private sealed record Case(string Comment, string Requirement, string[] Rules, string Class, string[] Flags, TimelineHolder[] Holders, TimelineStep[] Steps);

    private static IEnumerable<(string Group, string Comment, Case[] Cases)> Groups()
    {
        var c = new TimelineHolder("C", -400 * Day);
        var late = new TimelineHolder("C", 5 * Day);
        var fresh = new TimelineHolder("N", -120);
        var nextAfterCsip = new TimelineHolder("B", 50);
        yield return ("reissue", "A reissued CSI: the new holder's first mapping (new_holder and a later assignment) invalidates the previous holder's.",
        [
            new("the minutes' example: A maps at t0, the CSIP disconnects at t1, reassigns at t2 = t1 + 45 days, B's first mapping with new_holder at t3 signals the other DPs", "DISC-M-06", ["PROF-LC-08"], Lifecycle, ["Reissue", "Disconnect", "Broadcast"], [A, B],
            [
                Pub(0, A, "a1", false, Published), Look(0, "a1"),
                Disconnect(10 * Day, 10 * Day, "d1", Ok("a1")), Look(10 * Day),
                Pub(56 * Day, B, "b1", true, Published), Broadcast(56 * Day, "b1"), Look(57 * Day, "b1"),
            ]),
            new("no disconnect notice: the new holder's first mapping alone invalidates every mapping of the previous holder", "DISC-M-06", ["PROF-LC-06"], Lifecycle, ["Reissue"], [A, B],
            [
                Pub(0, A, "a1", false, Published), Pub(Day, A, "a2", false, Published, "business"), Look(Day, "a1", "a2"),
                Pub(61 * Day, B, "b1", true, Published), Look(61 * Day, "b1"),
            ]),
            new("after the reissue the new holder's further mappings need no new_holder bit", "DISC-M-06", ["PROF-LC-04"], Lifecycle, ["Reissue"], [A, B],
            [
                Pub(0, A, "a1", false, Published),
                Pub(61 * Day, B, "b1", true, Published), Pub(62 * Day, B, "b2", false, Published, "business"), Look(62 * Day, "b1", "b2"),
            ]),
            new("new_holder without a newer assignment is refused and changes nothing", "DISC-L-17", ["PROF-LC-07"], Lifecycle, ["Reissue", "StaleAssignment"], [A, c],
            [
                Pub(0, A, "a1", false, Published),
                Pub(Day, c, "c1", true, Refused(409, Problems.StaleAssignment)), Look(Day, "a1"),
            ]),
            new("the old holder republishing after the reissue is refused as stale, even once the new holder removed its mapping", "DISC-L-17", ["PROF-LC-03"], Lifecycle, ["Reissue", "StaleAssignment", "Removal"], [A, B],
            [
                Pub(0, A, "a1", false, Published), Pub(61 * Day, B, "b1", true, Published),
                Pub(62 * Day, A, "a2", false, Refused(409, Problems.StaleAssignment)), Look(62 * Day, "b1"),
                RemoveByRecipient(63 * Day, "b1", "r1", Ok("b1")),
                Pub(63 * Day + 60, A, "a3", false, Refused(409, Problems.StaleAssignment)), Look(63 * Day + 60),
            ]),
            new("the old holder claiming new_holder after the reissue is refused: its assignment is older", "DISC-L-17", ["PROF-LC-03"], Lifecycle, ["Reissue", "StaleAssignment"], [A, B],
            [
                Pub(0, A, "a1", false, Published), Pub(61 * Day, B, "b1", true, Published),
                Pub(62 * Day, A, "a2", true, Refused(409, Problems.StaleAssignment)), Look(62 * Day, "b1"),
            ]),
            new("one holder with several keys and mappings: no conflict with itself", "DISC-L-17", ["PROF-LC-04"], Lifecycle, [], [A],
            [
                Pub(0, A, "a1", false, Published), Pub(60, A, "a2", false, Published, "business"), Pub(120, A, "a3", false, Published, "personal"),
                Look(120, "a1", "a2", "a3"),
            ]),
        ]);
        yield return ("conflict", "Older mappings take precedence: a conflicting publish answers 409 with a problem and never silently replaces a mapping.",
        [
            new("a newer holder without new_holder gets a conflict; the existing mapping stays", "DISC-L-17A", ["PROF-LC-05"], Lifecycle, ["Conflict"], [A, B],
            [
                Pub(0, A, "a1", false, Published),
                Pub(61 * Day, B, "b1", false, Refused(409, Problems.Conflict)), Look(61 * Day, "a1"),
            ]),
            new("the conflict is resolved when the newer holder sets new_holder", "DISC-L-17A", ["PROF-LC-05"], Lifecycle, ["Conflict", "Reissue"], [A, B],
            [
                Pub(0, A, "a1", false, Published),
                Pub(61 * Day, B, "b1", false, Refused(409, Problems.Conflict)), Look(61 * Day, "a1"),
                Pub(61 * Day + 60, B, "b2", true, Published), Look(61 * Day + 60, "b2"),
            ]),
        ]);
        yield return ("disconnect", "CSIP disconnect notices (removal with disconnected_since): mappings of assignments up to the date go, and stay gone.",
        [
            new("a disconnect notice removes every mapping of the disconnected holder at once", "DISC-L-16", ["PROF-LC-09"], Lifecycle, ["Disconnect"], [A],
            [
                Pub(0, A, "a1", false, Published), Pub(60, A, "a2", false, Published, "business"),
                Disconnect(10 * Day, 10 * Day, "d1", Ok("a1", "a2")), Look(10 * Day),
            ]),
            new("the old holder republishing after the disconnect is refused as stale", "DISC-L-16", ["PROF-LC-03"], Lifecycle, ["Disconnect", "StaleAssignment"], [A],
            [
                Pub(0, A, "a1", false, Published), Disconnect(10 * Day, 10 * Day, "d1", Ok("a1")),
                Pub(11 * Day, A, "a2", false, Refused(409, Problems.StaleAssignment)), Look(11 * Day),
            ]),
            new("a stale credential (assigned before the disconnection) is refused", "DISC-L-16", ["PROF-LC-03"], Lifecycle, ["Disconnect", "StaleAssignment"], [A, late],
            [
                Pub(0, A, "a1", false, Published), Disconnect(10 * Day, 10 * Day, "d1", Ok("a1")),
                Pub(60 * Day, late, "c1", false, Refused(409, Problems.StaleAssignment)), Look(60 * Day),
            ]),
            new("a late disconnect notice keeps the newer holder's mapping", "DISC-L-19A", ["PROF-LC-09"], Lifecycle, ["Disconnect", "Reissue"], [A, B],
            [
                Pub(0, A, "a1", false, Published), Pub(61 * Day, B, "b1", true, Published),
                Disconnect(62 * Day, 10 * Day, "d1", Ok()), Look(62 * Day, "b1"),
            ]),
            new("a disconnect notice for a CSI with no mapping here still refuses stale credentials later", "DISC-L-19A", ["PROF-LC-02", "PROF-LC-10"], Lifecycle, ["Disconnect", "StaleAssignment"], [A],
            [
                Disconnect(10 * Day, 10 * Day, "d1", Ok()),
                Pub(11 * Day, A, "a1", false, Refused(409, Problems.StaleAssignment)), Look(11 * Day),
            ]),
        ]);
        yield return ("removal", "Removal by the recipient or by the CSIP, replacement, and replays (R9, R10, -01 row 19).",
        [
            new("the holder removes its mapping and publishes a replacement", "DISC-L-19", ["PROF-LC-04"], Lifecycle, ["Removal"], [A],
            [
                Pub(0, A, "a1", false, Published), RemoveByRecipient(Day, "a1", "r1", Ok("a1")), Look(Day),
                Pub(Day + 60, A, "a2", false, Published), Look(Day + 60, "a2"),
            ]),
            new("after the original holder removes its mapping a newer holder publishes without new_holder", "DISC-L-19", ["PROF-LC-04"], Lifecycle, ["Removal", "Conflict"], [A, B],
            [
                Pub(0, A, "a1", false, Published), Pub(61 * Day, B, "b1", false, Refused(409, Problems.Conflict)),
                RemoveByRecipient(62 * Day, "a1", "r1", Ok("a1")),
                Pub(62 * Day + 60, B, "b2", false, Published), Look(62 * Day + 60, "b2"),
            ]),
            new("removal by the recipient", "DISC-R-09", [], Core, ["Removal"], [A],
            [
                Pub(0, A, "a1", false, Published), Look(0, "a1"), RemoveByRecipient(60, "a1", "r1", Ok("a1")), Look(60),
            ]),
            new("removal of one of several mappings", "DISC-R-09", [], Core, ["Removal"], [A],
            [
                Pub(0, A, "a1", false, Published), Pub(0, A, "a2", false, Published, "business"), Pub(0, A, "a3", false, Published, "personal"),
                RemoveByRecipient(60, "a2", "r1", Ok("a2")), Look(60, "a1", "a3"),
            ]),
            new("removal by the CSIP, then the next holder publishes", "DISC-R-09", ["PROF-LC-12"], Core, ["Removal"], [A, B],
            [
                Pub(0, A, "a1", false, Published), RemoveByCsip(Day, "r1", Ok("a1")), Look(Day),
                Pub(60 * Day, B, "b1", false, Published), Look(60 * Day, "b1"),
            ]),
            new("a replayed CSIP removal does not remove the next holder's mapping", "DISC-R-10", [], Core, ["Removal", "Replay"], [A, nextAfterCsip],
            [
                Pub(0, A, "a1", false, Published), RemoveByCsip(100, "r1", Ok("a1")),
                Pub(120, nextAfterCsip, "b1", false, Published), Replay(200, "r1", Refused(409, Problems.Replayed)), Look(200, "b1"),
            ]),
            new("a removal replayed after its 300 s window is refused", "DISC-R-10", [], Core, ["Removal", "Replay"], [A],
            [
                Pub(0, A, "a1", false, Published), RemoveByRecipient(10, "a1", "r1", Ok("a1")), Pub(20, A, "a2", false, Published),
                Replay(Day, "r1", new TimelineExpect(TimelineExpect.Refused, [404, 409, 422], [Problems.Expired, Problems.Replayed, Problems.NotFound])), Look(Day, "a2"),
            ]),
        ]);
        yield return ("peers", "Invalidations between DPs (PROFILE.md §12.5): arriving from a peer the harness plays, and broadcast to a fake peer DP on loopback.",
        [
            new("an invalidation from a trusted peer removes the previous holder's mappings, which stay refused", "DISC-L-18", ["PROF-LC-25"], Lifecycle, ["PeerInvalidation"], [A, B],
            [
                Pub(0, A, "a1", false, Published), Invalidate(56 * Day, B, "peer", "i1", Ok("a1")), Look(56 * Day),
                Pub(57 * Day, A, "a2", false, Refused(409, Problems.StaleAssignment)), Look(57 * Day),
            ]),
            new("a forged invalidation (untrusted signer) changes nothing", "DISC-L-18", ["PROF-LC-18"], Lifecycle, ["PeerInvalidation", "Forged"], [A, B],
            [
                Pub(0, A, "a1", false, Published), Invalidate(56 * Day, B, "stranger", "i1", Refused(403, Problems.Unauthorized)), Look(56 * Day, "a1"),
            ]),
            new("an invalidation whose evidence is not newer removes nothing", "DISC-L-18", ["PROF-LC-25"], Lifecycle, ["PeerInvalidation", "StaleAssignment"], [A, c],
            [
                Pub(0, A, "a1", false, Published), Invalidate(Day, c, "peer", "i1", Ok()), Look(Day, "a1"),
            ]),
            new("a replayed invalidation is refused", "DISC-L-18", ["PROF-LC-21"], Lifecycle, ["PeerInvalidation", "Replay"], [A, B],
            [
                Pub(0, A, "a1", false, Published), Invalidate(56 * Day, B, "peer", "i1", Ok("a1")),
                Replay(56 * Day + 100, "i1", Refused(409, Problems.Replayed)), Look(56 * Day + 100),
            ]),
            new("the new holder's first mapping is broadcast to the peer DPs with the mapping as evidence", "DISC-L-18", ["PROF-LC-13"], Lifecycle, ["Broadcast", "Reissue"], [A, B],
            [
                Pub(0, A, "a1", false, Published), Pub(61 * Day, B, "b1", true, Published), Broadcast(61 * Day, "b1"), Look(61 * Day, "b1"),
            ]),
        ]);
        yield return ("timeliness", "New mappings are discoverable at once (-01 row 20 and CSI Claim Timeliness).",
        [
            new("a published mapping is discoverable immediately", "DISC-L-20", ["PROF-LC-01"], Lifecycle, ["Timeliness"], [A],
            [
                Pub(0, A, "a1", false, Published), Look(0, "a1"),
            ]),
            new("a just-assigned CSI is discoverable as soon as its new holder maps it", "DISC-L-20A", ["PROF-LC-01"], Lifecycle, ["Timeliness", "Reissue"], [fresh],
            [
                Pub(0, fresh, "n1", true, Published), Look(0, "n1"),
            ]),
        ]);
        yield return ("defects", "Disconnect notices and invalidations that depart from §12.3 / §12.5 in one respect: each gets the answer the profile gives it and changes nothing, unless the profile says the departure is no error.",
            [.. RequestDefect.All.Select(DefectCase)]);
        yield return ("broadcast-paths", "Where the broadcast goes (PROFILE.md §12.5): a peer's registry entry without endpoints.invalidate means the default path on its base_url.",
        [
            new("a peer whose registry entry names no invalidate endpoint gets the broadcast at the default path", "DISC-L-18", ["PROF-LC-14"], Lifecycle, ["Broadcast", "Reissue"], [A, B],
            [
                Pub(0, A, "a1", false, Published), Pub(61 * Day, B, "b1", true, Published), Broadcast(61 * Day, "b1") with { DefaultInvalidatePath = true },
            ]),
        ]);
    }

    private static Case DefectCase(RequestDefect d)
    {
        if (d.Action == TimelineStep.Disconnect)
        {
            return new($"a disconnect notice, but {d.Description}: {d.Expect.Describe()}", "DISC-L-19A", [d.Rule], Lifecycle, ["Disconnect", "Defect"], [A],
            [
                Pub(0, A, "a1", false, Published), Disconnect(10 * Day, 10 * Day, "d1", d.Expect) with { Defect = d.Name }, Look(10 * Day, "a1"),
            ]);
        }
        var accepted = d.Expect.Result == TimelineExpect.Accepted;
        return new($"an invalidation from a trusted peer, but {d.Description}: {(accepted ? "no error, the previous holder's mapping goes" : d.Expect.Describe())}", "DISC-L-18", [d.Rule], Lifecycle,
            accepted ? ["PeerInvalidation"] : ["PeerInvalidation", "Defect"], [A, B],
        [
            Pub(0, A, "a1", false, Published), Invalidate(56 * Day, B, "peer", "i1", accepted ? Ok("a1") : d.Expect) with { Defect = d.Name },
            accepted ? Look(56 * Day) : Look(56 * Day, "a1"),
        ]);
    }

    public static IReadOnlyList<Timeline> Timelines()
    {
        var tcId = 0;
        return [.. Groups().SelectMany(g => g.Cases).Select(c => new Timeline(++tcId, c.Comment, c.Flags, c.Requirement, c.Rules, c.Class, c.Holders, c.Steps))];
    }

    public static JsonObject Generate()
    {
        var tcId = 0;
        var groups = new JsonArray();
        var flags = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var (name, comment, cases) in Groups())
        {
            var tests = new JsonArray();
            foreach (var c in cases)
            {
                flags.UnionWith(c.Flags);
                tests.Add(new Timeline(++tcId, c.Comment, c.Flags, c.Requirement, c.Rules, c.Class, c.Holders, c.Steps).ToJson());
            }
            groups.Add(new JsonObject { ["type"] = "LifecycleTimeline", ["name"] = name, ["comment"] = comment, ["tests"] = tests });
        }
        var notes = new JsonObject();
        foreach (var f in flags)
            notes[f] = new JsonObject { ["bugType"] = FlagNotes[f].BugType, ["description"] = FlagNotes[f].Description };
        return new JsonObject
        {
            ["algorithm"] = "MIMI-CSI-LIFECYCLE",
            ["schema"] = Schema,
            ["generatorVersion"] = MappingVectorGenerator.GeneratorVersion,
            ["numberOfTests"] = tcId,
            ["header"] = new JsonArray(
                "Number-lifecycle timelines of PROFILE.md §12: holders (one CSIP assignment each, assigned_at_s from the start) and steps at at_s seconds from the start, each with the expected result.",
                "The suite replays each timeline against the DP, moving the DP's clock with test control; ./run.sh vectors check runs them through the profile's rules.",
                "Mappings are named by label; a holder's mappings use fresh keys, one per label. Generated by ./run.sh vectors generate: do not edit by hand."),
            ["notes"] = notes,
            ["testGroups"] = groups,
        };
    }

    /// <summary>Runs one timeline through <see cref="LifecycleModel"/>: every step must give its expected result.</summary>
    public static (bool Ok, string Actual) Check(JsonObject test)
    {
        var mismatches = LifecycleModel.Check(Timeline.FromJson(test));
        return (mismatches.Count == 0, mismatches.Count == 0 ? "as expected" : string.Join("; ", mismatches));
    }
}
