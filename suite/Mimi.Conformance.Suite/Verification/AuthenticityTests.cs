using Mimi.Conformance.Harness.Client;
using Mimi.Conformance.Protocol.Cose;
using Mimi.Conformance.Protocol.Profile;
using Mimi.Conformance.Suite.Infrastructure;

namespace Mimi.Conformance.Suite.Verification;

/// <summary>R4 and the joint-signature rows: what a DP serves verifies offline, byte for byte.</summary>
public sealed class AuthenticityTests(ConformanceFixture dp)
{
    private readonly DpOperations _ops = new(dp);

    private async Task<(byte[] Published, ServedMapping Served)> PublishAndFetch()
    {
        dp.RequirePublishing();
        var csi = _ops.Parties.NewE164();
        var (cose, payload) = _ops.Mapping(csi, _ops.Parties.NewRecipientKey(), ["default"], ["business"]).Build();
        var response = Expect.Reachable(await _ops.PublishAsync(cose), "publish");
        Expect.That(response.Status is 200 or 201, "publish-accepted", "HTTP 201", response.Describe() + Expect.ProblemType(response));
        var lookup = await _ops.LookupAsync(csi);
        Expect.That(lookup.Mappings.Count == 1, "served", "the published mapping is served", $"{lookup.Mappings.Count} mapping(s); {lookup.FormatProblem}");
        return (cose, lookup.Mappings[0]);
    }

    private static void RecordSteps(MappingVerification v)
    {
        foreach (var step in v.Steps)
            Expect.That(step.Passed, $"verify:{step.Rule}", "holds (PROFILE.md §5)", step.Detail);
    }

    [Fact, Requirement("DISC-R-04")]
    public async Task Served_mapping_verifies_offline_as_recipient_authorized()
    {
        var (_, served) = await PublishAndFetch();
        // No network from here on: the verifier sees only the bytes and the trust anchors fetched before.
        RecordSteps(_ops.Verify(served, VerificationPolicy.RecipientOnly));
    }

    [Fact, Requirement("DISC-R-04")]
    [Requirement("PROF-PUB-02")]
    public async Task Served_mapping_keeps_the_recipients_exact_bytes()
    {
        var (published, served) = await PublishAndFetch();
        var mine = CoseSign.Decode(published);
        CoseSign theirs;
        try
        {
            theirs = CoseSign.Decode(served.Bytes);
        }
        catch (CoseFormatException e)
        {
            Expect.That(false, "served-cose", "a deterministic COSE_Sign", e.Message);
            return;
        }
        Expect.That(theirs.Payload.AsSpan().SequenceEqual(mine.Payload), "payload-bytes", "the payload byte for byte as published", $"{theirs.Payload.Length} bytes, {(theirs.Payload.AsSpan().SequenceEqual(mine.Payload) ? "equal" : "different")}");
        var recipient = mine.Signatures.First(s => s.Role == ProfileConstants.SignerRoles.Recipient);
        Expect.That(theirs.Signatures.Any(s => s.Signature.AsSpan().SequenceEqual(recipient.Signature) && s.ProtectedBytes.AsSpan().SequenceEqual(recipient.ProtectedBytes)),
            "recipient-signature-bytes", "the recipient's signature and header unchanged", "compared");
    }

    [Fact, Requirement("DISC-L-03")]
    public async Task Served_mapping_carries_recipient_msp_and_dp_signatures()
    {
        if (!dp.Meta.ConformanceClasses.Contains("joint-signature"))
            Expect.NotApplicable("the DP does not claim the joint-signature class");
        var (_, served) = await PublishAndFetch();
        RecordSteps(_ops.Verify(served, VerificationPolicy.Joint));
    }

    [Fact, Requirement("PROF-SIG-01")]
    [Requirement("PROF-PUB-02")]
    public async Task Publish_answer_is_the_countersigned_mapping()
    {
        if (!dp.Meta.ConformanceClasses.Contains("joint-signature"))
            Expect.NotApplicable("the DP does not claim the joint-signature class");
        var (_, served) = await PublishAndFetch();
        var v = _ops.Verify(served, VerificationPolicy.RecipientOnly);
        var dpSignature = v.Cose?.Signatures.Count(s => s.Role == ProfileConstants.SignerRoles.Dp) ?? 0;
        Expect.That(dpSignature == 1, "dp-countersignature", "exactly one signature with role dp", $"{dpSignature}");
        var dpStep = v.Steps.FirstOrDefault(s => s.Rule == "dp-signature");
        // The verifier stops at the first broken step, so a missing dp-signature step means "not reached", not "no signature".
        var stopped = v.Steps.FirstOrDefault(s => !s.Passed);
        Expect.That(dpStep?.Passed == true, "dp-signature-valid", "verifies under a key from the DP's signing_keys",
            dpStep?.Detail ?? (stopped is null ? "no dp signature" : $"not verified: verification stopped earlier, at {stopped.Rule} ({stopped.Detail})"));
    }
}
