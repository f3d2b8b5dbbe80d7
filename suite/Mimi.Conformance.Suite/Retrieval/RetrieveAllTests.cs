using Mimi.Conformance.Suite.Infrastructure;

namespace Mimi.Conformance.Suite.Retrieval;

/// <summary>R3: a sender retrieves every mapping for a CSI, and only those.</summary>
public sealed class RetrieveAllTests(ConformanceFixture dp)
{
    private readonly DpOperations _ops = new(dp);

    [Fact, Requirement("DISC-R-03")]
    public async Task All_mappings_for_a_csi_are_returned_and_no_others()
    {
        dp.RequirePublishing();
        var csi = _ops.Parties.NewE164();
        var decoy = _ops.Parties.NewE164();
        var published = new List<PublishedMapping>();
        foreach (var tags in new[] { "default", "business", "personal" })
            published.Add(await _ops.PublishValidAsync(_ops.Mapping(csi, _ops.Parties.NewRecipientKey(), [tags])));
        await _ops.PublishValidAsync(_ops.Mapping(decoy, _ops.Parties.NewRecipientKey(), ["default"]));

        var lookup = await _ops.LookupAsync(csi);
        Expect.That(lookup.FormatProblem is null, "lookup-format", "a PROFILE.md §6.3 lookup answer", lookup.FormatProblem ?? "ok");
        var served = lookup.Mappings.Select(m => m.Key).ToArray();
        Expect.That(published.All(p => served.Contains(p.Key)), "all-returned", $"all {published.Count} published mappings (by nonce)", $"{served.Length} served: {string.Join(", ", served)}");
        Expect.That(served.Length == published.Count, "no-others", $"exactly {published.Count} mappings (the decoy CSI's mapping is not among them)", $"{served.Length}");
    }
}
