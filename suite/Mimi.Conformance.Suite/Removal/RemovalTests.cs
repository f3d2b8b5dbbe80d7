using System.Formats.Cbor;
using Mimi.Conformance.Harness.Roles;
using Mimi.Conformance.Protocol.Cose;
using Mimi.Conformance.Protocol.Profile;
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
    [Requirement("PROF-RM-14")]
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
    [Requirement("PROF-RM-14")]
    public async Task A_csip_removal_naming_one_mapping_leaves_the_others_intact()
    {
        dp.RequirePublishing();
        var csi = _ops.Parties.NewE164();
        var kept = await _ops.PublishValidAsync(_ops.Mapping(csi, _ops.Parties.NewRecipientKey(), ["business"]));
        var named = await _ops.PublishValidAsync(_ops.Mapping(csi, _ops.Parties.NewRecipientKey(), ["personal"]));
        var before = (await _ops.LookupAsync(csi)).Mappings.SingleOrDefault(m => m.Key == kept.Key);
        var response = Expect.Reachable(await _ops.RemoveAsync(_ops.Removal(_ops.Parties.Csip.Key, SignerRoles.Csip, csi, named.Id)), "remove");
        Expect.Status(response, 200, "csip-removal-accepted");
        var after = (await _ops.LookupAsync(csi)).Mappings;
        Expect.That(after.Count == 1 && after[0].Key == kept.Key, "only-named-removed", $"only the other mapping ({kept.Key}) served", $"[{string.Join(", ", after.Select(m => m.Key))}]");
        var unchanged = before is not null && after[0].Bytes.AsSpan().SequenceEqual(before.Bytes);
        Expect.That(unchanged, "other-byte-identical", "the other mapping byte-identical to before", before is null ? "not served before the removal" : unchanged ? "identical" : "changed");
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
    [Requirement("PROF-RM-02")]
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
    [Requirement("PROF-RM-04")]
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

    /// <summary>Publishes one mapping, sends the removal <paramref name="removal"/> builds for it, and expects exactly this refusal with the mapping still served.</summary>
    private async Task AssertRemovalRefusedWith(Func<string, string, Mimi.Conformance.Protocol.Crypto.SigningKey, byte[]> removal, string what, int status, string problem)
    {
        dp.RequirePublishing();
        var csi = _ops.Parties.NewE164();
        var recipient = _ops.Parties.NewRecipientKey();
        var id = (await _ops.PublishValidAsync(_ops.Mapping(csi, recipient, ["default"]))).Id;
        var response = Expect.Reachable(await _ops.RemoveAsync(removal(csi, id, recipient)), "remove");
        Expect.Refused(response, $"refuses {what}", status, problem);
        var after = await _ops.LookupAsync(csi);
        Expect.That(after.Mappings.Count == 1, "mapping-remains", "the mapping is still served", $"{after.Mappings.Count} mapping(s)");
    }

    [Fact, Requirement("DISC-R-10")]
    [Requirement("PROF-RM-06")]
    public Task A_removal_for_another_dp_is_refused_as_wrong_dp() =>
        AssertRemovalRefusedWith((csi, id, key) => MappingBuilder.Removal(_ops.Parties, key, SignerRoles.Recipient, "mimi://another-dp.example", csi, id),
            "a recipient removal whose dp names another DP", 422, Problems.WrongDp);

    public static TheoryData<long> StaleOffsets => [-900, 900];

    [Theory, Requirement("DISC-R-10")]
    [Requirement("PROF-RM-07")]
    [MemberData(nameof(StaleOffsets))]
    public Task A_removal_more_than_300_s_from_the_dp_clock_is_refused_as_expired(long offset) =>
        AssertRemovalRefusedWith((csi, id, key) => MappingBuilder.Removal(_ops.Parties, key, SignerRoles.Recipient, _ops.DpId, csi, id, issuedAt: _ops.Parties.Now + offset),
            $"a recipient removal whose iat is {offset} s from now", 422, Problems.Expired);

    [Fact, Requirement("DISC-R-09")]
    [Requirement("PROF-RM-03")]
    public Task A_recipient_removal_without_mapping_id_is_invalid() =>
        AssertRemovalRefusedWith((csi, _, key) => _ops.Removal(key, SignerRoles.Recipient, csi, null),
            "a recipient removal that names no mapping_id", 400, Problems.InvalidMapping);

    [Fact, Requirement("DISC-R-09")]
    [Requirement("PROF-RM-10")]
    public async Task A_mapping_id_the_dp_does_not_hold_for_the_csi_is_not_found()
    {
        // A mapping_id it never held, and one it holds for another CSI.
        await AssertRemovalRefusedWith((csi, _, key) => _ops.Removal(key, SignerRoles.Recipient, csi, MappingPayload.IdOf(_ops.Parties.Nonce())),
            "a removal naming a mapping_id the DP never held", 404, Problems.NotFound);
        await AssertRemovalRefusedWith((_, id, key) => _ops.Removal(key, SignerRoles.Recipient, _ops.Parties.NewE164(), id),
            "a removal naming a mapping the DP holds for another CSI", 404, Problems.NotFound);
    }

    [Fact, Requirement("DISC-R-10")]
    [Requirement("PROF-RM-08")]
    [Requirement("PROF-RM-11")]
    public async Task A_replayed_recipient_removal_whose_mapping_is_gone_is_replayed_not_not_found()
    {
        dp.RequirePublishing();
        var csi = _ops.Parties.NewE164();
        var recipient = _ops.Parties.NewRecipientKey();
        var id = (await _ops.PublishValidAsync(_ops.Mapping(csi, recipient, ["default"]))).Id;
        var removal = _ops.Removal(recipient, SignerRoles.Recipient, csi, id);
        Expect.Status(Expect.Reachable(await _ops.RemoveAsync(removal), "remove"), 200, "first-removal-accepted");
        var replay = Expect.Reachable(await _ops.RemoveAsync(removal), "replay");
        Expect.Refused(replay, "the replay (nonce checked before liveness)", 409, Problems.Replayed);
    }

    [Fact, Requirement("DISC-R-09")]
    [Requirement("PROF-RM-13")]
    public async Task Republishing_a_removed_mapping_is_refused_as_replayed()
    {
        dp.RequirePublishing();
        var csi = _ops.Parties.NewE164();
        var recipient = _ops.Parties.NewRecipientKey();
        var (cose, payload) = _ops.Mapping(csi, recipient, ["default"]).Build();
        Expect.Status(Expect.Reachable(await _ops.PublishAsync(cose), "publish"), 201, "published");
        var id = MappingPayload.IdOf(payload.Encode());
        Expect.Status(Expect.Reachable(await _ops.RemoveAsync(_ops.Removal(recipient, SignerRoles.Recipient, csi, id)), "remove"), 200, "removed");
        var again = Expect.Reachable(await _ops.PublishAsync(cose), "publish again");
        Expect.Refused(again, "refuses the removed mapping's payload", 409, Problems.Replayed);
        var after = await _ops.LookupAsync(csi);
        Expect.That(after.Mappings.Count == 0, "stays-removed", "not_found with no mappings", $"{after.Status}, {after.Mappings.Count} mapping(s)");
    }

    public static TheoryData<string> RemovalDefects => new() { "unknown key", "missing nonce", "another reason", "keys out of order" };

    [Theory, Requirement("DISC-R-09")]
    [Requirement("PROF-RM-01")]
    [MemberData(nameof(RemovalDefects))]
    public async Task A_removal_that_is_not_the_profiles_payload_is_400_invalid_mapping_and_removes_nothing(string defect)
    {
        dp.RequirePublishing();
        var csi = _ops.Parties.NewE164();
        var recipient = _ops.Parties.NewRecipientKey();
        var published = await _ops.PublishValidAsync(_ops.Mapping(csi, recipient, ["default"]));
        var members = new List<(string Key, object Value)>
        {
            ("v", 1L), ("dp", _ops.DpId), ("csi", csi), ("iat", _ops.Parties.Now), ("nonce", _ops.Parties.Nonce()),
            ("reason", defect == "another reason" ? "expired" : "user"), ("csi_type", CsiTypes.E164), ("mapping_id", published.Id),
        };
        if (defect == "unknown key")
            members.Add(("x_extra", 1L));
        if (defect == "missing nonce")
            members.RemoveAll(m => m.Key == "nonce");
        // Deterministic order is shorter keys first, then bytewise (RFC 8949 §4.2.1); "out of order" reverses it.
        var ordered = members.OrderBy(m => m.Key.Length).ThenBy(m => m.Key, StringComparer.Ordinal).ToList();
        if (defect == "keys out of order")
            ordered.Reverse();
        var removal = CoseSign1.Sign(recipient, SignerRoles.Recipient, Encode(ordered)).Encode();
        Expect.Refused(Expect.Reachable(await _ops.RemoveAsync(removal), "remove"), $"a removal with {defect}", 400, Problems.InvalidMapping);
        var lookup = await _ops.LookupAsync(csi);
        Expect.That(lookup.Mappings.Any(m => m.Key == published.Key), "not removed", "the mapping is still served", $"{lookup.Mappings.Count} mapping(s)");
    }

    private static byte[] Encode(List<(string Key, object Value)> members)
    {
        var w = new CborWriter(CborConformanceMode.Lax);
        w.WriteStartMap(members.Count);
        foreach (var (key, value) in members)
        {
            w.WriteTextString(key);
            switch (value)
            {
                case long n: w.WriteInt64(n); break;
                case byte[] b: w.WriteByteString(b); break;
                default: w.WriteTextString((string)value); break;
            }
        }
        w.WriteEndMap();
        return w.Encode();
    }
}
