using Mimi.Conformance.Harness.Client;
using Mimi.Conformance.Harness.Roles;
using Mimi.Conformance.Protocol.Cose;
using Mimi.Conformance.Protocol.Profile;
using Mimi.Conformance.Protocol.Profile.Wire;
using Mimi.Conformance.Suite.Infrastructure;
using static Mimi.Conformance.Protocol.Profile.ProfileConstants;

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

    public static TheoryData<string, string> BadCsis => new()
    {
        { "+1 212 555 0100", CsiTypes.E164 },
        { "+012125550100", CsiTypes.E164 },
        { "Alice@Example.com", CsiTypes.Email },
        { "+12125550100", "fax" },
    };

    [Theory, Requirement("DISC-L-08")]
    [Requirement("PROF-ID-01")]
    [Requirement("PROF-PUB-05")]
    [MemberData(nameof(BadCsis))]
    public async Task A_csi_outside_the_syntax_is_refused_as_unsupported_csi_at_lookup_publish_import_and_removal(string csi, string csiType)
    {
        dp.RequirePublishing();
        var lookup = await _ops.LookupAsync(new LookupRequest(csi, csiType));
        Expect.Refused(lookup.Response, "lookup", 400, Problems.UnsupportedCsi);

        var builder = _ops.Mapping(csi, _ops.Parties.NewRecipientKey(), ["default"]) with { CsiType = csiType };
        Expect.Refused(Expect.Reachable(await _ops.PublishAsync(builder.Build().Cose), "publish"), "publish", 400, Problems.UnsupportedCsi);

        var removal = CoseSign1.Sign(_ops.Parties.Csip.Key, SignerRoles.Csip,
            new RemovalRequest(csi, csiType, null, _ops.Parties.Nonce(), _ops.Parties.Now, "unassigned", _ops.DpId, null).Encode()).Encode();
        Expect.Refused(Expect.Reachable(await _ops.RemoveAsync(removal), "remove"), "removal", 400, Problems.UnsupportedCsi);

        if (dp.Meta.ImportPath is not null)
        {
            var (signed, _) = (MappingBuilder.For(_ops.Parties, _ops.Parties.PeerDp.Id, csi, _ops.Parties.NewRecipientKey(), ["default"]) with { CsiType = csiType }).Build();
            var computed = CoseSign.Decode(signed).AddSignature(_ops.Parties.PeerDp.Key, SignerRoles.Dp).Encode();
            Expect.Refused((await _ops.ImportAsync(computed))!, "import", 400, Problems.UnsupportedCsi);
        }
    }
}
