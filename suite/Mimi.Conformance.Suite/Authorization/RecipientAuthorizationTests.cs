using Mimi.Conformance.Harness.Roles;
using Mimi.Conformance.Protocol.Profile;
using Mimi.Conformance.Suite.Infrastructure;
using static Mimi.Conformance.Protocol.Profile.ProfileConstants;

namespace Mimi.Conformance.Suite.Authorization;

/// <summary>R1: only the recipient can authorize a mapping of its CSI. Each test offers one unauthorized mapping.</summary>
public sealed class RecipientAuthorizationTests(ConformanceFixture dp)
{
    private readonly DpOperations _ops = new(dp);

    /// <summary>Publishes one defective mapping: refused with exactly the §6.2 problem for its failed check, and never visible.</summary>
    private async Task AssertRefusedAndInvisible(Func<MappingBuilder, MappingBuilder> corrupt, string what, int status, string problem)
    {
        dp.RequirePublishing();
        var csi = _ops.Parties.NewE164();
        var builder = corrupt(_ops.Mapping(csi, _ops.Parties.NewRecipientKey(), ["default"]));
        var response = Expect.Reachable(await _ops.PublishAsync(builder.Build().Cose), "publish");
        Expect.Refused(response, $"refuses {what}", status, problem);
        var lookup = await _ops.LookupAsync(csi);
        Expect.That(lookup.Mappings.Count == 0, "not-visible", "the refused mapping never appears in a lookup", $"{lookup.Mappings.Count} mapping(s) served");
    }

    [Fact, Requirement("DISC-R-01")]
    [Requirement("PROF-PUB-03")]
    [Requirement("PROF-PUB-08")]
    public Task Mapping_without_recipient_signature_is_refused() =>
        AssertRefusedAndInvisible(b => b with { SignAsRecipient = false }, "a mapping signed only by MSPs", 422, Problems.InvalidSignature);

    [Fact, Requirement("DISC-R-01")]
    [Requirement("PROF-PUB-03")]
    [Requirement("PROF-PUB-08")]
    public Task Mapping_signed_by_another_key_claiming_recipient_is_refused() =>
        AssertRefusedAndInvisible(b => b with { SignAsRecipient = false, ExtraSigners = [(_ops.Parties.Stranger, ProfileConstants.SignerRoles.Recipient)] },
            "a recipient signature by a key the credential does not bind", 422, Problems.InvalidSignature);

    [Fact, Requirement("DISC-R-01")]
    [Requirement("PROF-PUB-03")]
    [Requirement("PROF-PUB-08")]
    public Task Mapping_whose_credential_binds_another_key_is_refused() =>
        AssertRefusedAndInvisible(b => b with { BoundKey = _ops.Parties.Stranger }, "a credential for another key", 422, Problems.InvalidSignature);

    [Fact, Requirement("DISC-R-01")]
    [Requirement("PROF-PUB-03")]
    [Requirement("PROF-PUB-07")]
    public Task Mapping_whose_credential_is_for_another_csi_is_refused() =>
        AssertRefusedAndInvisible(b => b with { CredentialSubject = _ops.Parties.NewE164() }, "a credential for another CSI", 422, Problems.PopInvalid);

    [Fact, Requirement("DISC-R-01")]
    [Requirement("PROF-PUB-03")]
    [Requirement("PROF-PUB-07")]
    [Requirement("PROF-CRED-03")]
    public Task Mapping_whose_credential_comes_from_an_untrusted_csip_is_refused() =>
        AssertRefusedAndInvisible(b => b with { Issuer = _ops.Parties.UntrustedCsip }, "a credential from an untrusted CSIP", 422, Problems.PopInvalid);

    [Fact, Requirement("DISC-L-01")]
    [Requirement("PROF-PUB-03")]
    [Requirement("PROF-PUB-07")]
    public Task Mapping_whose_credential_expired_is_refused() =>
        AssertRefusedAndInvisible(b => b with { CredentialExpiresAt = _ops.Parties.Now - 3600, IssuedAt = _ops.Parties.Now }, "an expired credential", 422, Problems.PopInvalid);

    [Fact, Requirement("DISC-R-01")]
    [Requirement("PROF-PUB-01")]
    [Requirement("PROF-PUB-03")]
    [Requirement("PROF-PUB-09")]
    public Task Mapping_for_another_dp_is_refused_as_wrong_dp() =>
        AssertRefusedAndInvisible(b => b with { DpId = "mimi://another-dp.example" }, "a mapping whose dp names another DP", 422, Problems.WrongDp);

    [Fact, Requirement("DISC-R-02")]
    [Requirement("PROF-PUB-11")]
    public Task Mapping_with_more_msps_than_max_msps_is_refused()
    {
        var max = dp.Meta.Limit("max_msps") ?? 32;
        // One trusted MSP listed max + 1 times and signing once: the entry count is the only defect, also for a joint DP.
        MspEntry[] many = [.. Enumerable.Range(0, max + 1).Select(_ => new MspEntry(_ops.Parties.Msps[0].Id, ["default"]))];
        return AssertRefusedAndInvisible(b => b with { Msps = many }, $"{many.Length} MSP entries (max_msps {max})", 400, Problems.InvalidMapping);
    }

    public static TheoryData<string> OutOfWindow => ["iat-ahead", "exp-passed", "iat-equals-exp"];

    [Theory, Requirement("DISC-R-04")]
    [Requirement("PROF-PUB-03")]
    [Requirement("PROF-PUB-06")]
    [MemberData(nameof(OutOfWindow))]
    public Task Mapping_outside_its_validity_window_is_refused_as_expired(string window) =>
        AssertRefusedAndInvisible(b => window switch
        {
            // iat more than the 300 s skew ahead of the DP's clock.
            "iat-ahead" => b with { IssuedAt = _ops.Parties.Now + 900 },
            // exp an hour ago; the credential itself is still valid.
            "exp-passed" => b with { IssuedAt = _ops.Parties.Now - 7200, ValiditySeconds = 3600 },
            _ => b with { ValiditySeconds = 0 },
        }, $"a mapping with {window}", 422, Problems.Expired);
}
