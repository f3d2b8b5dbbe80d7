using Mimi.Conformance.Harness.Roles;
using Mimi.Conformance.Protocol.Profile;
using Mimi.Conformance.Suite.Infrastructure;

namespace Mimi.Conformance.Suite.Authorization;

/// <summary>R1: only the recipient can authorize a mapping of its CSI. Each test offers one unauthorized mapping.</summary>
public sealed class RecipientAuthorizationTests(ConformanceFixture dp)
{
    private readonly DpOperations _ops = new(dp);

    private async Task AssertRefusedAndInvisible(Func<MappingBuilder, MappingBuilder> corrupt, string what)
    {
        dp.RequirePublishing();
        var csi = _ops.Parties.NewE164();
        var builder = corrupt(_ops.Mapping(csi, _ops.Parties.NewRecipientKey(), ["default"]));
        var response = Expect.Reachable(await _ops.PublishAsync(builder.Build().Cose), "publish");
        Expect.Refused(response, $"refuses {what}", 400, 403, 422);
        var lookup = await _ops.LookupAsync(csi);
        Expect.That(lookup.Mappings.Count == 0, "not-visible", "the refused mapping never appears in a lookup", $"{lookup.Mappings.Count} mapping(s) served");
    }

    [Fact, Requirement("DISC-R-01")]
    [Requirement("PROF-PUB-03")]
    public Task Mapping_without_recipient_signature_is_refused() =>
        AssertRefusedAndInvisible(b => b with { SignAsRecipient = false }, "a mapping signed only by MSPs");

    [Fact, Requirement("DISC-R-01")]
    [Requirement("PROF-PUB-03")]
    public Task Mapping_signed_by_another_key_claiming_recipient_is_refused() =>
        AssertRefusedAndInvisible(b => b with { SignAsRecipient = false, ExtraSigners = [(_ops.Parties.Stranger, ProfileConstants.SignerRoles.Recipient)] },
            "a recipient signature by a key the credential does not bind");

    [Fact, Requirement("DISC-R-01")]
    [Requirement("PROF-PUB-03")]
    public Task Mapping_whose_credential_binds_another_key_is_refused() =>
        AssertRefusedAndInvisible(b => b with { BoundKey = _ops.Parties.Stranger }, "a credential for another key");

    [Fact, Requirement("DISC-R-01")]
    [Requirement("PROF-PUB-03")]
    public Task Mapping_whose_credential_is_for_another_csi_is_refused() =>
        AssertRefusedAndInvisible(b => b with { CredentialSubject = _ops.Parties.NewE164() }, "a credential for another CSI");

    [Fact, Requirement("DISC-R-01")]
    [Requirement("PROF-PUB-03")]
    public Task Mapping_whose_credential_comes_from_an_untrusted_csip_is_refused() =>
        AssertRefusedAndInvisible(b => b with { Issuer = _ops.Parties.UntrustedCsip }, "a credential from an untrusted CSIP");

    [Fact, Requirement("DISC-L-01")]
    [Requirement("PROF-PUB-03")]
    public Task Mapping_whose_credential_expired_is_refused() =>
        AssertRefusedAndInvisible(b => b with { CredentialExpiresAt = _ops.Parties.Now - 3600, IssuedAt = _ops.Parties.Now }, "an expired credential");
}
