using System.Formats.Cbor;
using Mimi.Conformance.Protocol.Cbor;
using Mimi.Conformance.Protocol.Cose;
using Mimi.Conformance.Protocol.Crypto;
using Mimi.Conformance.Protocol.Profile;
using Mimi.Conformance.ReferenceDp.Faults;
using static Mimi.Conformance.Protocol.Profile.ProfileConstants;

namespace Mimi.Conformance.ReferenceDp.Discovery;

/// <summary>What publish verification concluded: the §5 steps (skipped duties applied) and the decoded parts.</summary>
internal sealed record PublishCheck(IReadOnlyList<VerificationStep> Steps, CoseSign? Cose, MappingPayload? Payload, PopCredential? Pop);

/// <summary>
/// Runs PROFILE.md §5 through the shared <see cref="MappingVerifier"/> and maps the first failed rule to a §2
/// problem. Its duties are the §5 checks a faulty DP could skip; skipping one weakens exactly the rules it names.
/// </summary>
internal static class PublishVerification
{
    public static readonly Duty VerifyRecipientAndCredential = new("publish.verify-recipient-and-credential");
    public static readonly Duty RequireRecipientSignature = new("publish.require-recipient-signature");
    public static readonly Duty CheckCredentialValidity = new("publish.check-credential-validity");
    public static readonly Duty TrustOnlyKnownCsips = new("publish.trust-only-known-csips");
    public static readonly Duty CheckMappingValidity = new("publish.check-mapping-validity");
    public static readonly Duty NameUnsupportedCsi = new("publish.name-unsupported-csi");
    public static readonly Duty RequireDeterministicEncoding = new("verify.require-deterministic-encoding");
    public static readonly Duty RefuseUnknownPayloadKeys = new("verify.refuse-unknown-payload-keys");
    public static readonly Duty RefuseCritAndUnprotectedHeaders = new("verify.refuse-crit-and-unprotected-headers");
    public static readonly Duty CheckSignatureAlgorithm = new("verify.check-signature-alg");
    public static readonly Duty CheckCredentialEncoding = new("verify.check-credential-encoding");
    public static readonly Duty IgnoreExtraHeaderLabels = new("verify.ignore-extra-header-labels");
    public static readonly Duty RequireListedMspSignatures = new("verify.require-listed-msp-signatures");
    public static readonly Duty VerifyPresentDpSignature = new("publish.verify-present-dp-signature");
    public static readonly Duty CheckMspSignersListed = new("verify.check-msp-signers-listed");

    /// <summary>The §4.1–§4.2 checks a lenient DP leaves out, each with the verifier leniency that leaves it out.</summary>
    private static readonly (Duty Duty, VerifierLeniency Leniency)[] EncodingDuties =
    [
        (RequireDeterministicEncoding, VerifierLeniency.AnyEncoding),
        (RefuseUnknownPayloadKeys, VerifierLeniency.UnknownPayloadKeys),
        (RefuseCritAndUnprotectedHeaders, VerifierLeniency.CritAndUnprotectedHeaders),
        (CheckSignatureAlgorithm, VerifierLeniency.AnyAlgorithm),
        (CheckCredentialEncoding, VerifierLeniency.LaxCredential),
    ];

    /// <summary>The labels §4.1 gives meaning to; others are covered by the signatures and ignored (PROF-MAP-04).</summary>
    private static readonly HashSet<object> SignerLabels = [CoseHeaderMap.Alg, CoseHeaderMap.Kid, CoseHeaderMap.Role];

    /// <summary>§5 rule 9 (joint-signature class): checked only after the DP has confirmed the mapping is for it.</summary>
    private static readonly HashSet<string> JointRules = ["dp-key-trusted", "dp-signature", "msp-key-trusted", "msp-signature", "msp-signers-listed"];

    /// <summary>What accept-unsigned stops checking: the credential and the recipient's signature.</summary>
    private static readonly HashSet<string> UnsignedIgnores =
        ["pop-format", "pop-issuer-trusted", "pop-signature", "pop-subject", "pop-validity", "signer-roles", "recipient-key-bound", "recipient-signature"];

    /// <summary>Signs the placeholder that lets a signature-less mapping through the verifier under accept-unsigned.</summary>
    private static readonly Lazy<SigningKey> Placeholder = new(() => SigningKey.FromLabel("reference-dp/accept-unsigned-placeholder"));

    public static PublishCheck Verify(byte[] encoded, TrustStore trust, long now, LivePolicy policy)
    {
        if (!policy.Performs(VerifyRecipientAndCredential))
        {
            // A COSE_Sign with no signature at all fails the structural decode; give the verifier a placeholder
            // signer so every other rule is still evaluated, then keep the caller's (unsigned) object.
            var unsigned = DecodeWithoutSignatures(encoded);
            var toVerify = unsigned is null ? encoded : unsigned.AddSignature(Placeholder.Value, SignerRoles.Recipient).Encode();
            // The MSPs' signatures are still required (PROF-SIG-07): only the recipient's part goes unchecked.
            var v = MappingVerifier.Verify(toVerify, trust, now, VerificationPolicy.RecipientOnly with { RequireMspSignatures = true });
            var steps = v.Steps.Select(s => UnsignedIgnores.Contains(s.Rule) && !s.Passed ? s with { Passed = true, Detail = $"not checked ({VerifyRecipientAndCredential} skipped)" } : s).ToArray();
            return new PublishCheck(steps, unsigned ?? v.Cose, v.Payload, null);
        }

        var result = VerifyAsDp(encoded, trust, now, policy);
        if (result.FirstFailure?.Rule is "dp-key-trusted" or "dp-signature" && !policy.Performs(VerifyPresentDpSignature))
            return Ignore(result, VerifyPresentDpSignature, "dp-key-trusted", "dp-signature");
        if (result.Cose is { } c && c.Signatures.All(s => s.Role != SignerRoles.Recipient) && !policy.Performs(RequireRecipientSignature))
            return Ignore(result, RequireRecipientSignature, "signer-roles", "recipient-key-bound", "recipient-signature");
        if (result.Steps.Any(s => s.Rule == "pop-validity" && !s.Passed) && !policy.Performs(CheckCredentialValidity))
            return Ignore(result, CheckCredentialValidity, "pop-validity");
        if (result.FirstFailure?.Rule == "mapping-validity" && !policy.Performs(CheckMappingValidity))
            return Ignore(result, CheckMappingValidity, "mapping-validity");
        if (result.FirstFailure?.Rule == "pop-issuer-trusted" && !policy.Performs(TrustOnlyKnownCsips))
            return ContinueWithoutIssuerCheck(result);
        return new PublishCheck(result.Steps, result.Cose, result.Payload, result.Pop);
    }

    /// <summary>
    /// §5 as this joint-signature DP applies it at publish and import: present dp and msp signatures checked, and the
    /// signature of every listed MSP required (PROF-SIG-07). A skipped duty leaves its rule out.
    /// </summary>
    public static MappingVerification VerifyAsDp(byte[] encoded, TrustStore trust, long now, LivePolicy policy)
    {
        var joint = VerificationPolicy.RecipientOnly with { RequireMspSignatures = true };
        var result = MappingVerifier.Verify(encoded, trust, now, joint);
        if (!result.Valid)
        {
            foreach (var (duty, leniency) in EncodingDuties)
            {
                // Consulted only when leaving the check out changes the verdict.
                var lax = MappingVerifier.Verify(encoded, trust, now, joint with { Lenient = leniency });
                if ((lax.FirstFailure?.Rule != result.FirstFailure?.Rule || lax.Steps.Count > result.Steps.Count) && !policy.Performs(duty))
                {
                    result = lax;
                    break;
                }
            }
        }
        if (result.Cose is { } cose && result.Payload is { } payload && MissesListedMsp(cose, payload, trust) && !policy.Performs(RequireListedMspSignatures))
            result = MappingVerifier.Verify(encoded, trust, now, VerificationPolicy.RecipientOnly);
        if (result.FirstFailure?.Rule == "msp-signers-listed" && !policy.Performs(CheckMspSignersListed))
            result = result with { Steps = [.. result.Steps.Where(s => s.Rule != "msp-signers-listed")] };
        if (result.Valid && result.Cose is { } signed && HasExtraLabels(signed) && !policy.Performs(IgnoreExtraHeaderLabels))
            result = result with { Steps = [new VerificationStep("cose-structure", false, "a header label other than 3 (body) or 1, 4, role (signer)"), .. result.Steps] };
        return result;
    }

    private static bool MissesListedMsp(CoseSign cose, MappingPayload payload, TrustStore trust) =>
        payload.Msps.Any(entry => !cose.Signatures.Any(s => s.Role == SignerRoles.Msp && s.KeyId is { } kid && trust.Find(SignerRoles.Msp, kid)?.Owner == entry.Msp));

    private static bool HasExtraLabels(CoseSign cose) =>
        cose.BodyProtected.Entries.Any(e => !Equals(e.Key, CoseHeaderMap.ContentType))
        || cose.Signatures.Any(s => s.Protected.Entries.Any(e => !SignerLabels.Contains(e.Key)));

    /// <summary>The first failure as a problem: rules 1–8 first, then the dp check, then rule 9.</summary>
    public static void ThrowOnFailure(PublishCheck check, string dpId, LivePolicy policy)
    {
        if (check.Steps.FirstOrDefault(s => !s.Passed && !JointRules.Contains(s.Rule)) is { } basic)
        {
            var type = ProblemFor(basic.Rule, check.Cose?.Payload);
            if (type == Problems.UnsupportedCsi && !policy.Performs(NameUnsupportedCsi))
                type = Problems.InvalidMapping;
            throw new ProblemException(type, $"{basic.Rule}: {basic.Detail}");
        }
        var payload = check.Payload ?? throw new InvalidOperationException("a verified mapping has a payload");
        if (payload.Dp != dpId)
            throw new ProblemException(Problems.WrongDp, $"the mapping is for DP \"{payload.Dp}\"; this DP is \"{dpId}\"");
        if (check.Steps.FirstOrDefault(s => !s.Passed) is { } joint)
            throw new ProblemException(Problems.InvalidSignature, $"{joint.Rule}: {joint.Detail}");
    }

    private static string ProblemFor(string rule, byte[]? payload) => rule switch
    {
        "cose-structure" or "pop-format" => Problems.InvalidMapping,
        "payload-format" => payload is not null && HasUnsupportedCsi(payload) ? Problems.UnsupportedCsi : Problems.InvalidMapping,
        "mapping-validity" => Problems.Expired,
        "pop-issuer-trusted" or "pop-signature" or "pop-subject" or "pop-validity" => Problems.PopInvalid,
        // signer-roles, recipient-key-bound, recipient-signature: a required signature is missing or wrong.
        _ => Problems.InvalidSignature,
    };

    /// <summary>
    /// True when the payload names a CSI type or CSI the profile does not allow (§3), so the refusal is
    /// unsupported-csi rather than the generic invalid-mapping. A lax read: other defects are reported elsewhere.
    /// </summary>
    private static bool HasUnsupportedCsi(byte[] payload)
    {
        try
        {
            var r = new CborReader(payload, CborConformanceMode.Lax);
            if (r.PeekState() != CborReaderState.StartMap)
                return false;
            r.ReadStartMap();
            string? csi = null, csiType = null;
            while (r.PeekState() != CborReaderState.EndMap)
            {
                if (r.PeekState() != CborReaderState.TextString)
                    return false;
                var key = r.ReadTextString();
                if (key is "csi" or "csi_type" && r.PeekState() == CborReaderState.TextString)
                {
                    var value = r.ReadTextString();
                    if (key == "csi")
                        csi = value;
                    else
                        csiType = value;
                }
                else
                {
                    r.SkipValue();
                }
            }
            return csi is not null && csiType is not null && !Csis.IsValid(csiType, csi);
        }
        catch (Exception e) when (e is CborContentException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>A skipped duty stops checking the named rules: their failures count as passes.</summary>
    private static PublishCheck Ignore(MappingVerification result, Duty skipped, params string[] rules) =>
        new([.. result.Steps.Select(s => rules.Contains(s.Rule) && !s.Passed ? s with { Passed = true, Detail = $"not checked ({skipped} skipped)" } : s)],
            result.Cose, result.Payload, result.Pop);

    /// <summary>accept-untrusted-pop: the issuer check (and so the credential signature) is skipped, the rest of §5 still runs.</summary>
    private static PublishCheck ContinueWithoutIssuerCheck(MappingVerification result)
    {
        if (result.Cose is not { } cose || result.Payload is not { } payload)
            return new PublishCheck(result.Steps, result.Cose, result.Payload, result.Pop);
        // pop-format passed (the verifier reached the issuer check), so the credential decodes.
        var credential = CoseSign1.Decode(payload.Pop);
        var pop = PopCredential.Decode(credential.Payload);
        var steps = new List<VerificationStep>();
        foreach (var step in result.Steps)
        {
            switch (step.Rule)
            {
                case "pop-issuer-trusted":
                    steps.Add(step with { Passed = true, Detail = $"not checked ({TrustOnlyKnownCsips} skipped)" });
                    steps.Add(new("pop-subject", pop.Subject == payload.Csi && pop.CsiType == payload.CsiType, $"credential for {pop.CsiType} {pop.Subject}"));
                    steps.Add(new("pop-validity", pop.IssuedAt <= payload.IssuedAt + ClockSkewSeconds && payload.IssuedAt <= pop.ExpiresAt && pop.AssignedAt <= pop.IssuedAt, "credential validity"));
                    break;
                case "recipient-signature":
                    // The verifier could not check it without a trusted credential; it is checked below.
                    break;
                case "signer-roles":
                    steps.Add(step);
                    var recipient = cose.Signatures.FirstOrDefault(s => s.Role == SignerRoles.Recipient);
                    var bound = recipient?.KeyId is { } kid && kid.AsSpan().SequenceEqual(KeyIds.For(pop.ConfirmationKey));
                    steps.Add(new("recipient-key-bound", bound, "the recipient signature's kid must name the key in the credential's cnf"));
                    if (bound)
                        steps.Add(new("recipient-signature", cose.VerifySignature(recipient!, pop.ConfirmationKey), "EdDSA with the cnf key"));
                    break;
                default:
                    steps.Add(step);
                    break;
            }
        }
        return new PublishCheck(steps, cose, payload, pop);
    }

    /// <summary>Decodes a COSE_Sign whose signatures array is empty (otherwise well-formed), or null.</summary>
    private static CoseSign? DecodeWithoutSignatures(byte[] encoded)
    {
        if (!CborDeterminism.IsDeterministic(encoded, out _))
            return null;
        try
        {
            var r = new CborReader(encoded, CborConformanceMode.Lax);
            if (r.PeekState() != CborReaderState.Tag || r.ReadTag() != (CborTag)CoseSign.Tag || r.ReadStartArray() != 4)
                return null;
            var bodyProtectedBytes = r.ReadByteString();
            var bodyProtected = CoseHeaderMap.DecodeProtected(bodyProtectedBytes);
            var unprotected = CoseHeaderMap.ReadFrom(r);
            var payload = r.ReadByteString();
            if (r.ReadStartArray() != 0)
                return null;
            r.ReadEndArray();
            r.ReadEndArray();
            return r.BytesRemaining == 0 ? new CoseSign(bodyProtectedBytes, bodyProtected, unprotected, payload, []) : null;
        }
        catch (Exception e) when (e is CborContentException or InvalidOperationException or CoseFormatException)
        {
            return null;
        }
    }
}
