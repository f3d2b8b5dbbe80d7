using Mimi.Conformance.Protocol.Profile;
using Mimi.Conformance.Protocol.Profile.Wire;
using Mimi.Conformance.Suite.Infrastructure;

namespace Mimi.Conformance.Suite.Retrieval;

/// <summary>PROFILE.md §6.3: the members of a lookup answer and of each of its entries.</summary>
public sealed class LookupAnswerTests(ConformanceFixture dp)
{
    private readonly DpOperations _ops = new(dp);

    [Fact, Requirement("DISC-R-03")]
    [Requirement("PROF-LU-01")]
    public async Task A_lookup_answer_carries_status_and_entries_with_mapping_id_mapping_and_disclosures()
    {
        dp.RequirePublishing();
        var csi = _ops.Parties.NewE164();
        var published = await _ops.PublishValidAsync(_ops.Mapping(csi, _ops.Parties.NewRecipientKey(), ["default"]));
        var lookup = await _ops.LookupAsync(csi);
        Expect.That(lookup.Response.Status == 200 && lookup.Status is "found" && lookup.HasMappingsArray, "answer", "200 with status found and a mappings array",
            $"{lookup.Response.Describe()} status {lookup.Status ?? "(none)"}; {lookup.FormatProblem ?? "mappings present"}");
        Expect.That(lookup.Mappings.Count == 1, "entries", "one entry for the one mapping", $"{lookup.Mappings.Count}");
        var entry = lookup.Mappings[0];
        Expect.That(entry.MappingId == published.Id, "mapping_id", $"{published.Id} (§4.1: base64url SHA-256 of the payload)", entry.MappingId ?? "(none)");
        Expect.That(entry.Inspect()?.Nonce.AsSpan().SequenceEqual(published.Payload.Nonce) == true, "mapping", "the published mapping", "another or no mapping");
        if (!dp.Meta.ConformanceClasses.Contains("tag-privacy"))
            return; // disclosures may be left out (PROFILE.md §6.3)
        var size = dp.Meta.Limit("disclosure_bytes");
        var block = B64.TryDecode(entry.Disclosures, out var bytes) ? bytes : null;
        Expect.That(block is not null && (size is null || block.Length == size), "disclosures",
            $"a base64url disclosures member of disclosure_bytes ({size?.ToString() ?? "declared"}) bytes, also for a mapping without exact-only tags",
            entry.Disclosures is null ? "(absent)" : block is null ? "not base64url" : $"{block.Length} bytes");
    }

    [Fact, Requirement("DISC-L-10")]
    [Requirement("PROF-LU-09")]
    public async Task A_dp_that_does_not_federate_accepts_mode_local_and_refuses_any_other_mode()
    {
        _ = dp.Meta;
        if (dp.Meta.ConformanceClasses.Contains("federation"))
            Expect.NotApplicable("the DP claims federation: its modes are §11.4's (PROF-FED-26 checks the unknown ones)");
        var csi = _ops.Parties.NewE164();
        var local = await _ops.LookupAsync(new LookupRequest(csi, ProfileConstants.CsiTypes.E164, new FederationRequest("local")));
        Expect.That(local.Response.Status == 200, "mode-local", "200 for federation {\"mode\": \"local\"}", local.Response.Describe() + Expect.ProblemType(local.Response));
        foreach (var mode in new[] { "all", "x-unknown" })
        {
            var other = await _ops.LookupAsync(new LookupRequest(csi, ProfileConstants.CsiTypes.E164, new FederationRequest(mode)));
            Expect.Refused(other.Response, $"mode-{mode}", 400, ProfileConstants.Problems.MalformedRequest);
        }
    }
}
