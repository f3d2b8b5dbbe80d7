using Mimi.Conformance.Suite.Infrastructure;

namespace Mimi.Conformance.Suite.Identifiers;

/// <summary>L-08: CSIs are exact strings; a DP refuses non-canonical forms rather than silently normalising them.</summary>
public sealed class CsiSyntaxTests(ConformanceFixture dp)
{
    private readonly DpOperations _ops = new(dp);

    [Fact, Requirement("DISC-L-08")]
    [Requirement("PROF-ID-02")]
    public async Task Non_canonical_phone_numbers_are_refused_not_normalised()
    {
        dp.RequirePublishing();
        var csi = _ops.Parties.NewE164();
        await _ops.PublishValidAsync(_ops.Mapping(csi, _ops.Parties.NewRecipientKey(), ["default"]));
        var digits = csi[1..];
        foreach (var variant in new[] { $"+{digits[..1]} {digits[1..]}", $"+{digits[..1]} ({digits[1..4]}) {digits[4..]}", $"+{digits[..4]}-{digits[4..]}" })
        {
            var lookup = await _ops.LookupAsync(variant);
            Expect.That(lookup.Response.Status is >= 400 and < 500 && lookup.Mappings.Count == 0, $"refuses \"{variant}\"",
                "a 4xx unsupported-csi refusal (PROFILE.md §3), never the mapping of the canonical form", $"{lookup.Response.Describe()}, {lookup.Mappings.Count} mapping(s)");
        }
    }
}
