using Mimi.Conformance.Protocol.Profile;
using Mimi.Conformance.Protocol.Profile.Wire;
using Mimi.Conformance.Suite.Infrastructure;

namespace Mimi.Conformance.Suite.Retrieval;

/// <summary>R5 (and -01 row 14, which repeats it): the five cases of draft -02 can be told apart from the response alone.</summary>
public sealed class CardinalityTests(ConformanceFixture dp)
{
    private readonly DpOperations _ops = new(dp);

    [Fact, Requirement("DISC-R-05")]
    [Requirement("PROF-LU-06")]
    public async Task No_mapping_is_not_found()
    {
        _ = dp.Meta;
        var lookup = await _ops.LookupAsync(_ops.Parties.NewE164());
        Expect.That(lookup.Status == "not_found" && lookup.HasMappingsArray && lookup.Mappings.Count == 0,
            "no-mapping", "200 {status: not_found, mappings: []}", $"{lookup.Response.Describe()} status {lookup.Status ?? "(none)"}, {lookup.Mappings.Count} mapping(s)");
    }

    [Fact, Requirement("DISC-L-10")]
    [Requirement("PROF-LU-07")]
    public async Task An_msp_filter_serves_only_the_mappings_listing_its_msps_whole()
    {
        dp.RequirePublishing();
        var csi = _ops.Parties.NewE164();
        var (a, b) = (_ops.Parties.Msps[0].Id, _ops.Parties.Msps[1].Id);
        var onlyA = await _ops.PublishValidAsync(_ops.Mapping(csi, _ops.Parties.NewRecipientKey(), ["default"]));
        var onlyB = await _ops.PublishValidAsync(_ops.Mapping(csi, _ops.Parties.NewRecipientKey()) with { Msps = [new MspEntry(b, ["default"])] });
        var whole = (await _ops.LookupAsync(csi)).Mappings.FirstOrDefault(m => m.Key == onlyA.Key);
        var filtered = await _ops.LookupAsync(new LookupRequest(csi, ProfileConstants.CsiTypes.E164, MspFilter: [a]));
        Expect.That(filtered.Mappings.Count == 1 && filtered.Mappings[0].Key == onlyA.Key, "filtered", $"only the mapping listing {a}",
            $"{filtered.Mappings.Count} mapping(s){(filtered.Mappings.Any(m => m.Key == onlyB.Key) ? ", including the one listing only " + b : "")}");
        Expect.That(whole is not null && filtered.Mappings[0].Bytes.AsSpan().SequenceEqual(whole.Bytes), "whole", "the mapping served byte for byte as without the filter",
            whole is null ? "no unfiltered mapping to compare" : filtered.Mappings[0].Bytes.AsSpan().SequenceEqual(whole.Bytes) ? "identical" : "different bytes");
    }

    [Fact, Requirement("DISC-R-05")]
    [Requirement("PROF-LU-08")]
    public async Task An_msp_filter_that_leaves_no_mapping_gives_not_found()
    {
        dp.RequirePublishing();
        var csi = _ops.Parties.NewE164();
        await _ops.PublishValidAsync(_ops.Mapping(csi, _ops.Parties.NewRecipientKey(), ["default"]));
        var filtered = await _ops.LookupAsync(new LookupRequest(csi, ProfileConstants.CsiTypes.E164, MspFilter: ["mimi://msp-none.conformance.test"]));
        Expect.That(filtered.Response.Status == 200 && filtered.Status == "not_found" && filtered.Mappings.Count == 0 && filtered.HasMappingsArray, "filtered-out",
            "200 {status: not_found, mappings: []}", $"{filtered.Response.Describe()} status {filtered.Status ?? "(none)"}, {filtered.Mappings.Count} mapping(s)");
    }

    [Fact, Requirement("DISC-R-05")]
    [Requirement("PROF-LU-03")]
    public Task Opted_out_mapping_is_found_with_no_msps() => PublishAndExpect([[]], "one mapping listing no MSP (opt-out)");

    [Fact, Requirement("DISC-R-05")]
    public Task One_mapping_with_one_msp() => PublishAndExpect([[["default"]]], "one mapping with one MSP");

    [Fact, Requirement("DISC-R-05")]
    public Task One_mapping_with_several_msps() => PublishAndExpect([[["default"], ["business"], ["personal"]]], "one mapping with three MSPs");

    [Fact, Requirement("DISC-R-05")]
    public Task Several_mappings_with_different_msp_counts() =>
        PublishAndExpect([[["default"]], [["business"], ["personal"]], []], "three mappings with 1, 2 and 0 MSPs");

    [Fact, Requirement("DISC-L-14")]
    public Task Results_accommodate_zero_one_and_several_msps_at_once() =>
        PublishAndExpect([[], [["work"]], [["personal"], ["family"], ["friends"]]], "three mappings with 0, 1 and 3 MSPs");

    /// <summary>Publishes one mapping per entry (each a list of per-MSP tag lists) and checks the lookup mirrors them exactly.</summary>
    private async Task PublishAndExpect(string[][][] mappings, string what)
    {
        dp.RequirePublishing();
        var csi = _ops.Parties.NewE164();
        foreach (var msps in mappings)
            await _ops.PublishValidAsync(_ops.Mapping(csi, _ops.Parties.NewRecipientKey(), msps));
        var lookup = await _ops.LookupAsync(csi);
        var counts = lookup.Mappings.Select(m => m.Inspect()?.Msps.Count ?? -1).Order().ToArray();
        var expected = mappings.Select(m => m.Length).Order().ToArray();
        Expect.That(lookup.Status == "found", "status-found", "status found", lookup.Status ?? lookup.FormatProblem ?? "(none)");
        Expect.That(counts.SequenceEqual(expected), "msp-counts", $"{what}: MSP counts [{string.Join(", ", expected)}]", $"[{string.Join(", ", counts)}]");
    }
}
