using Mimi.Conformance.Suite.Infrastructure;

namespace Mimi.Conformance.Suite.Preferences;

/// <summary>M-03: a sender keeps its tie-break only if the DP's ids and order are stable across lookups; the profile fixes the order (oldest first).</summary>
public sealed class TieBreakSupportTests(ConformanceFixture dp)
{
    private readonly DpOperations _ops = new(dp);

    [Fact, Requirement("DISC-M-03")]
    [Requirement("PROF-LU-05")]
    public async Task Order_and_ids_are_stable_across_lookups()
    {
        dp.RequirePublishing();
        var csi = _ops.Parties.NewE164();
        var published = new List<PublishedMapping>();
        for (var i = 0; i < 3; i++)
            published.Add(await _ops.PublishValidAsync(_ops.Mapping(csi, _ops.Parties.NewRecipientKey(), ["default"])));
        var lookups = new List<string[]>();
        if ((await _ops.LookupAsync(csi)).Mappings.Count < 2)
            Expect.NotVerifiable("the DP served fewer than two of the three mappings (DISC-R-03's finding); order stability needs several");
        for (var i = 0; i < 3; i++)
            lookups.Add((await _ops.LookupAsync(csi)).Mappings.Select(m => m.MappingId ?? "(none)").ToArray());
        Expect.That(lookups.All(l => l.SequenceEqual(lookups[0])), "stable-order",
            "the same ids in the same order on every lookup", string.Join(" then ", lookups.Select(l => $"[{string.Join(", ", l)}]")));
        var oldestFirst = published.Select(p => p.Id).ToArray();
        Expect.That(lookups[0].SequenceEqual(oldestFirst), "oldest-first", $"the order of publication, oldest first (PROFILE.md §6.3): [{string.Join(", ", oldestFirst)}]",
            $"[{string.Join(", ", lookups[0])}]");
    }
}
