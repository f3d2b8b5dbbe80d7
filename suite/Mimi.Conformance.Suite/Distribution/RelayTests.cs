using Mimi.Conformance.Harness.Client;
using Mimi.Conformance.Harness.Roles;
using Mimi.Conformance.Protocol.Cose;
using Mimi.Conformance.Protocol.Profile;
using Mimi.Conformance.Suite.Infrastructure;
using static Mimi.Conformance.Protocol.Profile.ProfileConstants;

namespace Mimi.Conformance.Suite.Distribution;

/// <summary>
/// DISC-M-01 / T-R04-4: a mapping computed at DP A (played by the harness) and imported into the DP under test
/// (PROFILE.md §6.5) is served byte for byte and verifies with no trust in the serving DP.
/// </summary>
public sealed class RelayTests(ConformanceFixture dp)
{
    private readonly DpOperations _ops = new(dp);

    [Fact, Requirement("DISC-M-01")]
    [Requirement("PROF-IMP-04")]
    public async Task Mapping_computed_at_another_dp_is_relayed_byte_for_byte_and_verifies_without_trusting_the_relay()
    {
        if (!dp.Meta.ConformanceClasses.Contains("joint-signature"))
            Expect.NotApplicable("the DP does not claim the joint-signature class");
        dp.RequirePublishing();
        var parties = _ops.Parties;
        var csi = parties.NewE164();
        var (signed, _) = (MappingBuilder.For(parties, parties.PeerDp.Id, csi, parties.NewRecipientKey(), ["default"], ["business"])).Build();
        var computed = CoseSign.Decode(signed).AddSignature(parties.PeerDp.Key, SignerRoles.Dp).Encode();

        var response = await _ops.ImportAsync(computed);
        if (response is null)
        {
            Expect.That(false, "import-endpoint", "metadata endpoints.import (PROFILE.md §6.5, required for joint-signature)", "not advertised");
            return;
        }
        Expect.That(response.Status is 200 or 201, "import-accepted", "HTTP 201 for a mapping computed and signed at DP A", response.Describe() + Expect.ProblemType(response));

        var lookup = await _ops.LookupAsync(csi);
        Expect.That(lookup.Mappings.Count == 1, "relayed", "the imported mapping is served", $"{lookup.Mappings.Count} mapping(s); {lookup.FormatProblem}");
        var served = lookup.Mappings[0];
        Expect.That(served.Bytes.AsSpan().SequenceEqual(computed), "byte-identical", $"the {computed.Length} bytes DP A produced",
            served.Bytes.AsSpan().SequenceEqual(computed) ? "identical" : $"{served.Bytes.Length} different bytes (re-encoded, stripped or re-signed)");

        // Trust anchors exclude every key of the relaying DP: only the CSIP, the MSPs and DP A.
        var trust = new TrustStore([parties.Csip.Trusted, .. parties.Msps.Select(m => m.Trusted), parties.PeerDp.Trusted]);
        var v = MappingVerifier.Verify(served.Bytes, trust, parties.Now, VerificationPolicy.Joint);
        foreach (var step in v.Steps)
            Expect.That(step.Passed, $"verify:{step.Rule}", "holds with no trust in the relaying DP (PROFILE.md §5)", step.Detail);
        Expect.That(v.Steps.Any(s => s.Rule == "dp-signature" && s.Passed), "computing-dp-signature", "DP A's signature present and valid",
            v.FirstFailure is { } f ? $"stopped at {f.Rule}" : "absent");
    }

    /// <summary>A mapping computed at DP A (the harness's peer), changed by <paramref name="change"/>, signed as dp by <paramref name="dpSigner"/> (null: no dp signature).</summary>
    private (byte[] Cose, string Csi, string Id) Computed(Func<MappingBuilder, MappingBuilder> change, Mimi.Conformance.Protocol.Crypto.SigningKey? dpSigner)
    {
        var parties = _ops.Parties;
        var csi = parties.NewE164();
        var (signed, payload) = change(MappingBuilder.For(parties, parties.PeerDp.Id, csi, parties.NewRecipientKey(), ["default"])).Build();
        var cose = dpSigner is null ? signed : CoseSign.Decode(signed).AddSignature(dpSigner, SignerRoles.Dp).Encode();
        return (cose, csi, MappingPayload.IdOf(payload.Encode()));
    }

    private async Task<DpResponse> ImportOrFail(byte[] cose, string what)
    {
        if (!dp.Meta.ConformanceClasses.Contains("joint-signature"))
            Expect.NotApplicable("the DP does not claim the joint-signature class");
        dp.RequirePublishing();
        var response = await _ops.ImportAsync(cose);
        Expect.That(response is not null, "import-endpoint", "metadata endpoints.import (PROFILE.md §6.5, required for joint-signature)", "not advertised");
        return response!;
    }

    private async Task AssertImportRefused(Func<MappingBuilder, MappingBuilder> change, bool signAsPeer, Mimi.Conformance.Protocol.Crypto.SigningKey? otherSigner, string what, int status, string problem)
    {
        var (cose, csi, _) = Computed(change, signAsPeer ? _ops.Parties.PeerDp.Key : otherSigner);
        var response = await ImportOrFail(cose, what);
        Expect.Refused(response, $"refuses {what}", status, problem);
        var lookup = await _ops.LookupAsync(csi);
        Expect.That(lookup.Mappings.Count == 0, "not-visible", "the refused import never appears in a lookup", $"{lookup.Mappings.Count} mapping(s) served");
    }

    [Fact, Requirement("DISC-M-01")]
    [Requirement("PROF-IMP-02")]
    public Task A_mapping_naming_the_importing_dp_is_refused_as_wrong_dp() =>
        AssertImportRefused(b => b with { DpId = dp.Meta.DpId }, false, null, "an import whose dp is the importing DP's own dp_id", 422, Problems.WrongDp);

    [Fact, Requirement("DISC-M-01")]
    [Requirement("PROF-IMP-03")]
    public Task A_mapping_without_the_computing_dps_signature_is_refused() =>
        AssertImportRefused(b => b, false, null, "an import with no dp signature", 422, Problems.InvalidSignature);

    [Fact, Requirement("DISC-M-01")]
    [Requirement("PROF-IMP-03")]
    public Task A_mapping_whose_dp_signature_is_by_an_untrusted_key_is_refused() =>
        AssertImportRefused(b => b, false, _ops.Parties.Stranger, "an import whose dp signature is by a key not trusted for DP A", 422, Problems.InvalidSignature);

    public static TheoryData<string> RecipientDefects => ["expired-mapping", "untrusted-csip", "no-recipient-signature", "expired-credential"];

    [Theory, Requirement("DISC-M-01")]
    [Requirement("PROF-IMP-01")]
    [MemberData(nameof(RecipientDefects))]
    public Task An_import_failing_the_recipient_checks_gets_the_publish_problem(string defect) => defect switch
    {
        "expired-mapping" => AssertImportRefused(b => b with { IssuedAt = _ops.Parties.Now - 7200, ValiditySeconds = 3600 }, true, null, "an import whose exp passed", 422, Problems.Expired),
        "untrusted-csip" => AssertImportRefused(b => b with { Issuer = _ops.Parties.UntrustedCsip }, true, null, "an import whose credential comes from an untrusted CSIP", 422, Problems.PopInvalid),
        "no-recipient-signature" => AssertImportRefused(b => b with { SignAsRecipient = false }, true, null, "an import without a recipient signature", 422, Problems.InvalidSignature),
        _ => AssertImportRefused(b => b with { CredentialExpiresAt = _ops.Parties.Now - 3600, IssuedAt = _ops.Parties.Now }, true, null, "an import whose credential expired", 422, Problems.PopInvalid),
    };

    [Fact, Requirement("DISC-M-01")]
    [Requirement("PROF-IMP-05")]
    public async Task Import_answers_201_then_200_with_the_mapping_id_and_the_bytes_received()
    {
        var (cose, _, id) = Computed(b => b, _ops.Parties.PeerDp.Key);
        foreach (var (attempt, status) in new[] { ("first import", 201), ("import again", 200) })
        {
            var response = await ImportOrFail(cose, attempt);
            Expect.Status(response, status, $"{attempt}: status");
            var answeredId = response.Json?["mapping_id"]?.ToString();
            Expect.That(answeredId == id, $"{attempt}: mapping_id", id, answeredId ?? "(none)");
            var answered = B64.TryDecode(response.Json?["mapping"]?.ToString(), out var bytes) ? bytes : null;
            Expect.That(answered is not null && answered.AsSpan().SequenceEqual(cose), $"{attempt}: mapping", $"the {cose.Length} bytes received", answered is null ? "(none)" : $"{answered.Length} bytes, {(answered.AsSpan().SequenceEqual(cose) ? "identical" : "different")}");
        }
    }
}
