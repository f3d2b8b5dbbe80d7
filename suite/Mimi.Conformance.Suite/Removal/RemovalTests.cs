using Mimi.Conformance.Suite.Infrastructure;
using static Mimi.Conformance.Protocol.Profile.ProfileConstants;

namespace Mimi.Conformance.Suite.Removal;

/// <summary>R9 (mappings can be removed) and R10 (only by the recipient or the CSIP).</summary>
public sealed class RemovalTests(ConformanceFixture dp)
{
    private readonly DpOperations _ops = new(dp);

    [Fact, Requirement("DISC-R-09")]
    [Requirement("PROF-RM-12")]
    public async Task Recipient_removes_a_mapping_and_it_is_no_longer_returned()
    {
        dp.RequirePublishing();
        var csi = _ops.Parties.NewE164();
        var recipient = _ops.Parties.NewRecipientKey();
        var id = (await _ops.PublishValidAsync(_ops.Mapping(csi, recipient, ["default"]))).Id;
        Expect.That((await _ops.LookupAsync(csi)).Found, "found-before", "found before removal", "checked");
        var response = Expect.Reachable(await _ops.RemoveAsync(_ops.Removal(recipient, SignerRoles.Recipient, csi, id)), "remove");
        Expect.Status(response, 200, "removal-accepted");
        var after = await _ops.LookupAsync(csi);
        Expect.That(after.Status == "not_found" && after.Mappings.Count == 0, "gone-after", "not_found with no mappings", $"{after.Status}, {after.Mappings.Count} mapping(s)");
    }

    [Fact, Requirement("DISC-R-09")]
    public async Task Removing_one_of_three_leaves_the_other_two_intact()
    {
        dp.RequirePublishing();
        var csi = _ops.Parties.NewE164();
        var keys = Enumerable.Range(0, 3).Select(_ => _ops.Parties.NewRecipientKey()).ToArray();
        var published = new List<PublishedMapping>();
        foreach (var key in keys)
            published.Add(await _ops.PublishValidAsync(_ops.Mapping(csi, key, ["default"])));
        var before = (await _ops.LookupAsync(csi)).Mappings;
        var response = Expect.Reachable(await _ops.RemoveAsync(_ops.Removal(keys[1], SignerRoles.Recipient, csi, published[1].Id)), "remove");
        Expect.Status(response, 200, "removal-accepted");
        var after = (await _ops.LookupAsync(csi)).Mappings;
        var remaining = after.Select(m => m.Key).Order().ToArray();
        string[] expected = [.. new[] { published[0].Key, published[2].Key }.Order()];
        Expect.That(remaining.SequenceEqual(expected), "others-remain", $"[{string.Join(", ", expected)}] (by nonce)", $"[{string.Join(", ", remaining)}]");
        var unchanged = after.All(a => before.Any(b => b.Bytes.AsSpan().SequenceEqual(a.Bytes)));
        Expect.That(unchanged, "others-byte-identical", "the two remaining mappings byte-identical to before", unchanged ? "identical" : "changed");
    }

    [Fact, Requirement("DISC-R-09")]
    [Requirement("PROF-RM-05")]
    public async Task Csip_removes_mappings_of_an_unassigned_csi()
    {
        dp.RequirePublishing();
        var csi = _ops.Parties.NewE164();
        await _ops.PublishValidAsync(_ops.Mapping(csi, _ops.Parties.NewRecipientKey(), ["default"]));
        await _ops.PublishValidAsync(_ops.Mapping(csi, _ops.Parties.NewRecipientKey(), ["business"]));
        var response = Expect.Reachable(await _ops.RemoveAsync(_ops.Removal(_ops.Parties.Csip.Key, SignerRoles.Csip, csi, null, "unassigned")), "remove");
        Expect.Status(response, 200, "csip-removal-accepted");
        var after = await _ops.LookupAsync(csi);
        Expect.That(after.Mappings.Count == 0, "all-gone", "no mapping for the unassigned CSI", $"{after.Mappings.Count}");
    }

    [Fact, Requirement("DISC-R-10")]
    [Requirement("PROF-RM-08")]
    public async Task A_replayed_csip_removal_does_not_remove_the_next_holders_mapping()
    {
        dp.RequirePublishing();
        var csi = _ops.Parties.NewE164();
        await _ops.PublishValidAsync(_ops.Mapping(csi, _ops.Parties.NewRecipientKey(), ["default"]));
        var removal = _ops.Removal(_ops.Parties.Csip.Key, SignerRoles.Csip, csi, null, "unassigned");
        Expect.Status(Expect.Reachable(await _ops.RemoveAsync(removal), "remove"), 200, "first-removal-accepted");
        var next = await _ops.PublishValidAsync(_ops.Mapping(csi, _ops.Parties.NewRecipientKey(), ["default"]));
        var replay = Expect.Reachable(await _ops.RemoveAsync(removal), "replay");
        Expect.Refused(replay, "refuses the replayed removal", 409);
        var after = await _ops.LookupAsync(csi);
        Expect.That(after.Mappings.Any(m => m.Key == next.Key), "next-holder-remains", "the new holder's mapping is still served", $"{after.Mappings.Count} mapping(s), new holder's {(after.Mappings.Any(m => m.Key == next.Key) ? "present" : "absent")}");
    }

    [Fact, Requirement("DISC-R-10")]
    [Requirement("PROF-RM-09")]
    public async Task A_stranger_cannot_remove_a_mapping()
    {
        await AssertRemovalRefused(_ops.Parties.Stranger, SignerRoles.Recipient, "a removal signed by an unrelated key claiming recipient");
    }

    [Fact, Requirement("DISC-R-10")]
    [Requirement("PROF-RM-09")]
    public async Task An_msp_cannot_remove_a_mapping()
    {
        await AssertRemovalRefused(_ops.Parties.Msps[0].Key, SignerRoles.Msp, "a removal signed by a listed MSP");
    }

    [Fact, Requirement("DISC-R-10")]
    [Requirement("PROF-RM-09")]
    public async Task An_untrusted_csip_cannot_remove_a_mapping()
    {
        await AssertRemovalRefused(_ops.Parties.UntrustedCsip.Key, SignerRoles.Csip, "a removal signed by an untrusted CSIP");
    }

    private async Task AssertRemovalRefused(Mimi.Conformance.Protocol.Crypto.SigningKey signer, string role, string what)
    {
        dp.RequirePublishing();
        var csi = _ops.Parties.NewE164();
        var id = (await _ops.PublishValidAsync(_ops.Mapping(csi, _ops.Parties.NewRecipientKey(), ["default"]))).Id;
        var response = Expect.Reachable(await _ops.RemoveAsync(_ops.Removal(signer, role, csi, id)), "remove");
        Expect.Refused(response, $"refuses {what}", 403);
        var after = await _ops.LookupAsync(csi);
        Expect.That(after.Mappings.Count == 1, "mapping-remains", "the mapping is still served", $"{after.Mappings.Count} mapping(s)");
    }
}
