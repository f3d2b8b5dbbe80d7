using Mimi.Conformance.Harness.Roles;
using Mimi.Conformance.Harness.Vectors;
using Mimi.Conformance.Protocol.Cose;
using Mimi.Conformance.Protocol.Crypto;
using Mimi.Conformance.Protocol.Profile;
using Mimi.Conformance.Suite.Infrastructure;
using static Mimi.Conformance.Protocol.Profile.ProfileConstants;

namespace Mimi.Conformance.Suite.Verification;

/// <summary>
/// The joint-signature class (PROFILE.md §4.3, §5, §6.2): who must sign, how each key is trusted, and what a DP must
/// refuse. Design properties (L-04, L-05) are checked on what the DP accepts and serves.
/// </summary>
public sealed class JointSignatureTests(ConformanceFixture dp)
{
    private static readonly HashSet<string> RecipientRules =
        ["cose-structure", "payload-format", "pop-format", "pop-issuer-trusted", "pop-signature", "pop-subject", "pop-validity", "signer-roles", "recipient-key-bound", "recipient-signature"];

    private readonly DpOperations _ops = new(dp);

    private void RequireJoint()
    {
        if (!dp.Meta.ConformanceClasses.Contains("joint-signature"))
            Expect.NotApplicable("the DP does not claim the joint-signature class");
        dp.RequirePublishing();
    }

    private MappingBuilder NewMapping(out string csi)
    {
        csi = _ops.Parties.NewE164();
        return _ops.Mapping(csi, _ops.Parties.NewRecipientKey(), ["default"]);
    }

    private async Task RefusedAndInvisible(MappingBuilder builder, string csi, string what)
    {
        var response = Expect.Reachable(await _ops.PublishAsync(builder.Build().Cose), "publish");
        Expect.Refused(response, $"refuses {what}", 400, 403, 422);
        var lookup = await _ops.LookupAsync(csi);
        Expect.That(lookup.Mappings.Count == 0, "never-served", "the refused mapping never appears in a lookup", $"{lookup.Mappings.Count} mapping(s) served");
    }

    private async Task<MappingVerification> PublishAndVerify(VerificationPolicy policy)
    {
        var builder = NewMapping(out var csi);
        await _ops.PublishValidAsync(builder);
        var lookup = await _ops.LookupAsync(csi);
        Expect.That(lookup.Mappings.Count == 1, "served", "the published mapping is served", $"{lookup.Mappings.Count} mapping(s); {lookup.FormatProblem}");
        return _ops.Verify(lookup.Mappings[0], policy);
    }

    private static void Record(MappingVerification v, Func<VerificationStep, bool> which, params string[] required)
    {
        foreach (var step in v.Steps.Where(which))
            Expect.That(step.Passed, $"verify:{step.Rule}", "holds (PROFILE.md §5)", step.Detail);
        foreach (var rule in required)
            Expect.That(v.Steps.Any(s => s.Rule == rule && s.Passed), $"verify:{rule}", "evaluated and holds", v.FirstFailure is { } f ? $"stopped at {f.Rule}: {f.Detail}" : "not evaluated");
    }

    [Fact, Requirement("DISC-L-01")]
    [Requirement("PROF-SIG-05")]
    public async Task Credential_from_an_untrusted_csip_is_refused()
    {
        RequireJoint();
        var b = NewMapping(out var csi);
        await RefusedAndInvisible(b with { Issuer = _ops.Parties.UntrustedCsip }, csi, "a credential from a CSIP the DP does not trust");
    }

    [Fact, Requirement("DISC-L-01")]
    [Requirement("PROF-SIG-05")]
    public async Task Credential_for_another_csi_is_refused()
    {
        RequireJoint();
        var b = NewMapping(out var csi);
        await RefusedAndInvisible(b with { CredentialSubject = _ops.Parties.NewE164() }, csi, "a credential for another CSI");
    }

    [Fact, Requirement("DISC-L-02")]
    public async Task Served_mapping_carries_a_valid_signature_of_every_listed_msp()
    {
        RequireJoint();
        var v = await PublishAndVerify(VerificationPolicy.RecipientOnly with { RequireMspSignatures = true });
        Record(v, s => s.Rule.StartsWith("msp-", StringComparison.Ordinal), "msp-signature", "msp-signers-listed");
    }

    [Fact, Requirement("DISC-L-02")]
    [Requirement("PROF-SIG-06")]
    public async Task Msp_signature_by_an_msp_the_mapping_does_not_list_is_refused()
    {
        RequireJoint();
        var b = NewMapping(out var csi);
        // MSP A signs as well, so the only defect is the signature of an MSP the payload does not list.
        await RefusedAndInvisible(b with { ExtraSigners = [(_ops.Parties.Msps[1].Key, SignerRoles.Msp)] }, csi,
            "an msp signature by MSP B on a mapping that lists only MSP A (and carries MSP A's)");
    }

    [Fact, Requirement("DISC-M-01")]
    [Requirement("PROF-SIG-08")]
    public async Task A_joint_signature_dp_offers_import()
    {
        RequireJoint();
        // Not a mapping at all: an offered import endpoint reads the request and refuses it with a 400.
        var response = await _ops.ImportAsync([0xa0]);
        Expect.That(response is not null, "import-endpoint", "metadata endpoints.import (PROFILE.md §4.3, §6.5)", "not advertised");
        Expect.That(response!.Status == 400, "import-offered", "the advertised import endpoint answers a request that is no mapping with a 400", response.Describe() + Expect.ProblemType(response));
    }

    [Fact, Requirement("DISC-L-02")]
    [Requirement("PROF-SIG-07")]
    [Requirement("PROF-PUB-10")]
    public async Task A_mapping_without_the_msp_signature_of_a_listed_msp_gets_422_at_publish_and_at_import()
    {
        RequireJoint();
        var unsigned = NewMapping(out var csi) with { SignAsMsps = false };
        await _ops.PublishRefusedAsync(unsigned.Build().Cose, csi, "a mapping listing MSP A without its msp signature", 422, Problems.InvalidSignature);
        var oneOfTwo = _ops.Mapping(_ops.Parties.NewE164(), _ops.Parties.NewRecipientKey(), ["default"], ["business"]) with { SignAsMsps = false, ExtraSigners = [(_ops.Parties.Msps[0].Key, SignerRoles.Msp)] };
        await _ops.PublishRefusedAsync(oneOfTwo.Build().Cose, oneOfTwo.Csi, "a mapping listing MSPs A and B signed by MSP A only", 422, Problems.InvalidSignature);

        // Import: computed and signed at DP A, but without the listed MSP's signature.
        var (computed, _) = (NewMapping(out var importedCsi) with { DpId = _ops.Parties.PeerDp.Id, SignAsMsps = false, ExtraSigners = [(_ops.Parties.PeerDp.Key, SignerRoles.Dp)] }).Build();
        var response = await _ops.ImportAsync(computed);
        Expect.That(response is not null, "import-endpoint", "metadata endpoints.import (PROFILE.md §6.5, required for joint-signature)", "not advertised");
        Expect.Refused(response!, "import refuses a mapping without the msp signature of the MSP it lists", 422, Problems.InvalidSignature);
        var lookup = await _ops.LookupAsync(importedCsi);
        Expect.That(lookup.Mappings.Count == 0, "not-visible", "the refused import never appears in a lookup", $"{lookup.Mappings.Count} mapping(s) served");

        // An opt-out mapping lists no MSP, so it needs no msp signature.
        var optOut = _ops.Mapping(_ops.Parties.NewE164(), _ops.Parties.NewRecipientKey());
        await _ops.PublishValidAsync(optOut);
    }

    [Fact, Requirement("DISC-L-02")]
    [Requirement("PROF-PUB-10")]
    public async Task A_present_msp_signature_that_does_not_verify_gets_422_invalid_signature()
    {
        dp.RequirePublishing();
        var draft = NewMapping(out var csi).Draft();
        // The signers are recipient, then MSP A: MSP A's signature loses its last bit.
        var broken = draft with { Signers = [draft.Signers[0], draft.Signers[1] with { Signature = CborEdits.FlipLastBit }] };
        await _ops.PublishRefusedAsync(broken.Encode(), csi, "a mapping whose msp signature does not verify", 422, Problems.InvalidSignature);
    }

    [Fact, Requirement("DISC-L-03")]
    [Requirement("PROF-PUB-12")]
    public async Task A_publish_carrying_a_dp_signature_other_than_the_dps_own_gets_422_and_its_own_is_not_doubled()
    {
        dp.RequirePublishing();
        await _ops.PublishValidAsync(NewMapping(out var csi));
        var served = (await _ops.LookupAsync(csi)).Mappings;
        Expect.That(served.Count == 1, "served", "the published mapping is served", $"{served.Count} mapping(s)");
        var again = Expect.Reachable(await _ops.PublishAsync(served[0].Bytes), "publish again");
        Expect.That(again.Status == 200, "republish-accepted", "HTTP 200 for the DP's own countersigned mapping published again", again.Describe() + Expect.ProblemType(again));
        var stored = again.Json?["mapping"]?.ToString() is { } b64 && B64.TryDecode(b64, out var bytes) ? Readable(bytes) : null;
        var dpSignatures = stored?.Signatures.Count(s => s.Role == SignerRoles.Dp);
        Expect.That(dpSignatures == 1, "one-dp-signature", "the mapping as stored keeps exactly one dp signature", dpSignatures?.ToString() ?? "no readable mapping");

        // Another DP's countersignature (DP A's key, which the DP trusts for DP A only).
        var foreign = NewMapping(out var foreignCsi) with { ExtraSigners = [(_ops.Parties.PeerDp.Key, SignerRoles.Dp)] };
        await _ops.PublishRefusedAsync(foreign.Build().Cose, foreignCsi, "a mapping countersigned by another DP's key", 422, Problems.InvalidSignature);

        // The DP's own countersignature, taken from the first mapping: its kid is the DP's, but it signs other bytes.
        var dpSignature = Readable(served[0].Bytes)?.Signatures.FirstOrDefault(s => s.Role == SignerRoles.Dp);
        Expect.That(dpSignature is not null, "served-dp-signature", "the served mapping is a COSE_Sign carrying the DP's countersignature", dpSignature is null ? "none readable" : "present");
        var (graftBase, _) = NewMapping(out var graftCsi).Build();
        var grafted = CoseSign.Decode(graftBase) is var g ? (g with { Signatures = [.. g.Signatures, dpSignature!] }).Encode() : graftBase;
        await _ops.PublishRefusedAsync(grafted, graftCsi, "a mapping carrying the DP's countersignature of another mapping", 422, Problems.InvalidSignature);
    }

    [Fact, Requirement("DISC-L-04")]
    [Requirement("PROF-SIG-04")]
    public async Task Mapping_without_recipient_signature_is_not_countersigned()
    {
        RequireJoint();
        var b = NewMapping(out var csi);
        await RefusedAndInvisible(b with { SignAsRecipient = false }, csi, "a mapping signed by the MSP only (the DP would be the second and last signer)");
    }

    [Fact, Requirement("DISC-L-04")]
    [Requirement("PROF-SIG-04")]
    public async Task Mapping_signed_only_by_a_dp_is_not_imported()
    {
        RequireJoint();
        // Opted out (no MSP listed), so the missing recipient signature is its only defect.
        var b = NewMapping(out var csi) with { Msps = [], DpId = _ops.Parties.PeerDp.Id, SignAsRecipient = false, ExtraSigners = [(_ops.Parties.PeerDp.Key, SignerRoles.Dp)] };
        var response = await _ops.ImportAsync(b.Build().Cose);
        if (response is null)
            Expect.NotApplicable("the DP advertises no import endpoint (§6.5)");
        Expect.Refused(response, "refuses a mapping signed by DP A alone", 400, 403, 422);
        var lookup = await _ops.LookupAsync(csi);
        Expect.That(lookup.Mappings.Count == 0, "never-served", "the refused mapping never appears in a lookup", $"{lookup.Mappings.Count} mapping(s) served");
    }

    [Fact, Requirement("DISC-L-05")]
    [Requirement("PROF-SIG-03")]
    public async Task Credential_signed_by_a_dp_key_is_refused()
    {
        RequireJoint();
        var b = NewMapping(out var csi);
        // DP A's key, which the DP trusts as a DP key, signs the credential under role csip in the CSIP's name.
        await RefusedAndInvisible(b with { Issuer = new Csip(_ops.Parties.Csip.Id, _ops.Parties.PeerDp.Key) }, csi, "a proof of possession signed by a DP key");
    }

    [Fact, Requirement("DISC-L-05")]
    [Requirement("PROF-SIG-03")]
    public async Task Served_credential_is_not_signed_by_the_dp()
    {
        RequireJoint();
        var v = await PublishAndVerify(VerificationPolicy.RecipientOnly);
        Record(v, s => s.Rule.StartsWith("pop-", StringComparison.Ordinal), "pop-signature");
        var kid = v.Payload is { } p ? CoseSign1.Decode(p.Pop).KeyId : null;
        var dpKids = dp.Meta.SigningKeys.Select(k => Convert.ToHexString(k.KeyId)).ToHashSet();
        Expect.That(kid is not null && !dpKids.Contains(Convert.ToHexString(kid)), "pop-not-dp-signed", "the credential's kid is none of the DP's signing_keys",
            kid is null ? "no credential" : Convert.ToHexStringLower(kid));
    }

    [Fact, Requirement("DISC-L-06")]
    [Requirement("PROF-SIG-02")]
    public async Task Served_mapping_proves_the_csi_holder_signed()
    {
        RequireJoint();
        var v = await PublishAndVerify(VerificationPolicy.RecipientOnly);
        Record(v, s => RecipientRules.Contains(s.Rule), "pop-subject", "recipient-key-bound", "recipient-signature");
    }

    [Fact, Requirement("DISC-L-06")]
    [Requirement("PROF-SIG-02")]
    public async Task Impostor_signing_with_the_holders_kid_is_refused()
    {
        RequireJoint();
        var recipient = _ops.Parties.NewRecipientKey();
        var csi = _ops.Parties.NewE164();
        var b = _ops.Mapping(csi, _ops.Parties.Stranger, ["default"]) with { BoundKey = recipient };
        var (cose, _) = b.Build();
        // The stranger's signature, relabelled with the holder's kid: only the signature itself can tell.
        var decoded = CoseSign.Decode(cose);
        var forged = decoded with { Signatures = [.. decoded.Signatures.Select(s => s.Role == SignerRoles.Recipient ? Relabel(decoded, s, recipient.KeyId) : s)] };
        var response = Expect.Reachable(await _ops.PublishAsync(forged.Encode()), "publish");
        Expect.Refused(response, "refuses a recipient signature that does not verify under the credential's key", 400, 403, 422);
        var lookup = await _ops.LookupAsync(csi);
        Expect.That(lookup.Mappings.Count == 0, "never-served", "the refused mapping never appears in a lookup", $"{lookup.Mappings.Count} mapping(s) served");
    }

    private CoseSignature Relabel(CoseSign cose, CoseSignature s, byte[] kid)
    {
        var headers = new CoseHeaderMap().Set(CoseHeaderMap.Alg, CoseSign.EdDsa).Set(CoseHeaderMap.Kid, kid).Set(CoseHeaderMap.Role, SignerRoles.Recipient);
        var pb = headers.Encode();
        return new CoseSignature(pb, headers, new CoseHeaderMap(), _ops.Parties.Stranger.Sign(cose.ToBeSigned(pb)));
    }

    [Fact, Requirement("DISC-L-21")]
    [Requirement("PROF-SIG-04")]
    public async Task Mapping_signed_only_by_an_msp_is_refused()
    {
        RequireJoint();
        var b = NewMapping(out var csi);
        await RefusedAndInvisible(b with { SignAsRecipient = false }, csi, "an MSP claiming the CSI without the recipient");
    }

    [Fact, Requirement("DISC-L-21")]
    [Requirement("PROF-SIG-04")]
    public async Task Msp_key_claiming_the_recipient_role_is_refused()
    {
        RequireJoint();
        var b = NewMapping(out var csi);
        await RefusedAndInvisible(b with { SignAsRecipient = false, ExtraSigners = [(_ops.Parties.Msps[0].Key, SignerRoles.Recipient)] }, csi, "an MSP signing as the recipient");
    }

    [Fact, Requirement("DISC-M-08")]
    [Requirement("PROF-SV-01")]
    public async Task Served_mapping_verifies_with_no_network_call()
    {
        RequireJoint();
        var builder = NewMapping(out var csi);
        await _ops.PublishValidAsync(builder);
        var lookup = await _ops.LookupAsync(csi);
        Expect.That(lookup.Mappings.Count == 1, "served", "the published mapping is served", $"{lookup.Mappings.Count} mapping(s); {lookup.FormatProblem}");
        using (var calibration = NetworkProbe.Start())
        {
            await _ops.LookupAsync(csi);
            if (calibration.Requests == 0)
                throw new HarnessErrorException("the network probe saw no request for a lookup; it cannot prove offline verification");
        }
        MappingVerification v;
        using (var probe = NetworkProbe.Start())
        {
            v = _ops.Verify(lookup.Mappings[0], VerificationPolicy.RecipientOnly);
            Expect.That(probe.Requests == 0, "offline", "no HTTP request while verifying (PROFILE.md §5)", $"{probe.Requests} request event(s)");
        }
        Record(v, _ => true, "recipient-signature");
    }

    /// <summary>What the DP served or stored, as a COSE_Sign; null when its bytes are not one (a DP defect, not ours).</summary>
    private static CoseSign? Readable(byte[] bytes)
    {
        try
        {
            return CoseSign.Decode(bytes, strict: false);
        }
        catch (CoseFormatException)
        {
            return null;
        }
    }
}
