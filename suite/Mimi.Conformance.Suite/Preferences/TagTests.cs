using Mimi.Conformance.Protocol.Profile;
using Mimi.Conformance.Suite.Infrastructure;

namespace Mimi.Conformance.Suite.Preferences;

/// <summary>R2: recipients' preference tags per MSP are carried, signed and returned intact.</summary>
public sealed class TagTests(ConformanceFixture dp)
{
    private readonly DpOperations _ops = new(dp);

    [Fact, Requirement("DISC-R-02")]
    [Requirement("PROF-TAG-01")]
    public async Task Tags_per_msp_are_carried_and_signed()
    {
        dp.RequirePublishing();
        var csi = _ops.Parties.NewE164();
        string[][] tags = [["business", "tag:example.com,2026:whatsapp"], ["personal"], ["default"]];
        await _ops.PublishValidAsync(_ops.Mapping(csi, _ops.Parties.NewRecipientKey(), tags));
        var lookup = await _ops.LookupAsync(csi);
        Expect.That(lookup.Mappings.Count == 1, "served", "the mapping is served", $"{lookup.Mappings.Count}");
        var v = _ops.Verify(lookup.Mappings[0], VerificationPolicy.RecipientOnly);
        Expect.That(v.Valid, "signed", "the tags arrive under a valid recipient signature", v.FirstFailure?.Detail ?? "valid");
        var served = v.Payload!.Msps.Select(m => string.Join("|", m.Tags)).ToArray();
        var expected = tags.Select(t => string.Join("|", t)).ToArray();
        Expect.That(served.SequenceEqual(expected), "tags-per-msp", $"[{string.Join("; ", expected)}]", $"[{string.Join("; ", served)}]");
    }

    [Fact, Requirement("DISC-R-02")]
    [Requirement("PROF-TAG-04")]
    public async Task A_repeated_tag_is_carried_unchanged_and_each_occurrence_counts_towards_max_tags()
    {
        dp.RequirePublishing();
        var csi = _ops.Parties.NewE164();
        await _ops.PublishValidAsync(_ops.Mapping(csi, _ops.Parties.NewRecipientKey(), ["work", "work"]));
        var lookup = await _ops.LookupAsync(csi);
        var served = lookup.Mappings.Count == 1 ? lookup.Mappings[0].Inspect()?.Msps.SingleOrDefault()?.Tags : null;
        Expect.That(served is ["work", "work"], "repeated-tag-kept", "[work, work], not deduplicated", served is null ? $"{lookup.Mappings.Count} mapping(s)" : $"[{string.Join(", ", served)}]");

        // Each of max_tags / 2 + 1 distinct tags twice: within the limit once deduplicated, beyond it as sent.
        var max = dp.Meta.Limit("max_tags") ?? 16;
        var distinct = (max / 2) + 1;
        var tags = Enumerable.Range(0, distinct).SelectMany(i => new[] { $"tag:example.com,2026:t{i}", $"tag:example.com,2026:t{i}" }).ToArray();
        var over = _ops.Parties.NewE164();
        await _ops.PublishRefusedAsync(_ops.Mapping(over, _ops.Parties.NewRecipientKey(), tags).Build().Cose, over,
            $"{tags.Length} tags, {distinct} distinct (max_tags {max})", 400, ProfileConstants.Problems.InvalidMapping);
    }
}
