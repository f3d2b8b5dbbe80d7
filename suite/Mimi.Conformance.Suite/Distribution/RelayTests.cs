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
}
