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
}
