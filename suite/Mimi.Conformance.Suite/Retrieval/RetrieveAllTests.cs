using Mimi.Conformance.Harness.Client;
using Mimi.Conformance.Protocol.Profile;
using Mimi.Conformance.Suite.Infrastructure;

namespace Mimi.Conformance.Suite.Retrieval;

/// <summary>R3: a sender retrieves every mapping for a CSI, and only those.</summary>
public sealed class RetrieveAllTests(ConformanceFixture dp)
{
    private readonly DpOperations _ops = new(dp);

    [Fact, Requirement("DISC-R-03")]
    [Requirement("PROF-LU-04")]
    public async Task All_mappings_for_a_csi_are_returned_as_stored_and_no_others()
    {
        dp.RequirePublishing();
        var csi = _ops.Parties.NewE164();
        var decoy = _ops.Parties.NewE164();
        var published = new List<PublishedMapping>();
        var stored = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var tags in new[] { "default", "business", "personal" })
        {
            var (cose, payload) = _ops.Mapping(csi, _ops.Parties.NewRecipientKey(), [tags]).Build();
            var response = Expect.Reachable(await _ops.PublishAsync(cose), "publish");
            Expect.That(response.Status == 201, "publish-accepted", "HTTP 201 for a valid mapping", response.Describe() + Expect.ProblemType(response));
            var mapping = new PublishedMapping(MappingPayload.IdOf(payload.Encode()), payload, cose);
            published.Add(mapping);
            // What the DP stored is what its publish answer carries (§6.2): the mapping with its countersignature.
            stored[mapping.Key] = B64.TryDecode(response.Json?["mapping"]?.ToString(), out var bytes) ? bytes : [];
        }
        await _ops.PublishValidAsync(_ops.Mapping(decoy, _ops.Parties.NewRecipientKey(), ["default"]));

        var lookup = await _ops.LookupAsync(csi);
        Expect.That(lookup.FormatProblem is null, "lookup-format", "a PROFILE.md §6.3 lookup answer", lookup.FormatProblem ?? "ok");
        var served = lookup.Mappings.Select(m => m.Key).ToArray();
        Expect.That(published.All(p => served.Contains(p.Key)), "all-returned", $"all {published.Count} published mappings (by nonce)", $"{served.Length} served: {string.Join(", ", served)}");
        Expect.That(served.Length == published.Count, "no-others", $"exactly {published.Count} mappings (the decoy CSI's mapping is not among them)", $"{served.Length}");
        foreach (var m in lookup.Mappings)
            Expect.That(stored.TryGetValue(m.Key, out var bytes) && bytes.AsSpan().SequenceEqual(m.Bytes), $"as-stored {m.Key[..8]}",
                "payload and every signature byte for byte as the publish answer gave them", bytes is null ? "not published" : $"{m.Bytes.Length} bytes served, {bytes.Length} stored");
    }

    [Fact, Requirement("DISC-R-03")]
    [Requirement("PROF-MAP-06")]
    [Requirement("PROF-PUB-13")]
    [Requirement("PROF-PUB-14")]
    public async Task Publishing_again_answers_200_with_the_mapping_as_stored()
    {
        dp.RequirePublishing();
        var csi = _ops.Parties.NewE164();
        var (cose, payload) = _ops.Mapping(csi, _ops.Parties.NewRecipientKey(), ["default"]).Build();
        var id = MappingPayload.IdOf(payload.Encode());
        var first = Expect.Reachable(await _ops.PublishAsync(cose), "publish");
        Expect.Status(first, 201, "new mapping: 201");
        Expect.That(first.Json?["mapping_id"]?.ToString() == id, "new mapping: mapping_id", $"{id} (base64url SHA-256 of the payload)", first.Json?["mapping_id"]?.ToString() ?? "(none)");
        var stored = first.Json?["mapping"]?.ToString();
        Expect.That(B64.TryDecode(stored, out _), "new mapping: mapping", "the mapping as stored, base64url", stored ?? "(none)");
        var again = Expect.Reachable(await _ops.PublishAsync(cose), "publish again");
        Expect.Status(again, 200, "already live: 200");
        Expect.That(again.Json?["mapping_id"]?.ToString() == id, "already live: mapping_id", id, again.Json?["mapping_id"]?.ToString() ?? "(none)");
        Expect.That(again.Json?["mapping"]?.ToString() == stored, "already live: mapping", "the same mapping as stored (signatures unchanged)", again.Json?["mapping"]?.ToString() == stored ? "same" : "different");
        var lookup = await _ops.LookupAsync(csi);
        Expect.That(lookup.Mappings.Count == 1 && lookup.Mappings[0].MappingId == id, "lookup: mapping_id", $"one entry with mapping_id {id}", string.Join(", ", lookup.Mappings.Select(m => m.MappingId)));
    }

    [Fact, Requirement("DISC-R-03")]
    [Requirement("PROF-LU-02")]
    public async Task A_mapping_is_served_until_its_exp_passes_though_its_credential_lasts_longer()
    {
        dp.RequirePublishing();
        if (dp.TestControl is not { } control)
        {
            Expect.NotVerifiable("moving the DP's clock past a mapping's exp needs test control (--allow-test-control)");
            return;
        }
        var csi = _ops.Parties.NewE164();
        var now = _ops.Parties.Now;
        var builder = _ops.Mapping(csi, _ops.Parties.NewRecipientKey(), ["default"]) with { IssuedAt = now, ValiditySeconds = 3_600, CredentialExpiresAt = now + 30 * 86_400 };
        var published = await _ops.PublishValidAsync(builder);
        var before = await _ops.LookupAsync(csi);
        Expect.That(before.Mappings.Any(m => m.Key == published.Key), "live", "the mapping is served before its exp", $"{before.Mappings.Count} mapping(s)");
        try
        {
            var advance = await control.AdvanceClockAsync(3_601);
            if (!TestControlClient.Succeeded(advance))
                Expect.NotVerifiable($"test control /clock answered {advance.Describe()}");
            var after = await _ops.LookupAsync(csi);
            Expect.That(after.Mappings.All(m => m.Key != published.Key), "expired", "not served once exp has passed (the credential, valid 30 days, does not extend it)",
                $"{after.Mappings.Count} mapping(s) served");
        }
        finally
        {
            await control.ResetAsync();
            await dp.ReestablishTrustAsync();
        }
    }
}
