using Mimi.Conformance.Protocol.Cose;
using Mimi.Conformance.Protocol.Crypto;
using static Mimi.Conformance.Protocol.Profile.ProfileConstants;

namespace Mimi.Conformance.Protocol.Profile;

/// <summary>One verification rule of PROFILE.md §5 and how it came out.</summary>
public sealed record VerificationStep(string Rule, bool Passed, string Detail);

/// <summary>The result of verifying one mapping: every rule evaluated, in order, with its detail.</summary>
public sealed record MappingVerification(IReadOnlyList<VerificationStep> Steps, CoseSign? Cose, MappingPayload? Payload, PopCredential? Pop)
{
    public bool Valid => Steps.Count > 0 && Steps.All(s => s.Passed);

    public VerificationStep? FirstFailure => Steps.FirstOrDefault(s => !s.Passed);

    public string? MappingId => Cose is null ? null : MappingPayload.IdOf(Cose.Payload);
}

/// <summary>Which signers a verifier demands beyond the recipient (PROFILE.md §5, by conformance class).</summary>
public sealed record VerificationPolicy(bool RequireDpSignature, bool RequireMspSignatures)
{
    public static VerificationPolicy RecipientOnly { get; } = new(false, false);

    /// <summary>Checks left out. Senders and the suite never set it; the reference DP's faults do (PROFILE.md §4.1, §4.2).</summary>
    public VerifierLeniency Lenient { get; init; }

    public static VerificationPolicy Joint { get; } = new(true, true);
}

/// <summary>What a lenient verifier does not check: each flag is one rule of PROFILE.md §4.1–§4.2 a faulty DP skips.</summary>
[Flags]
public enum VerifierLeniency
{
    None = 0,

    /// <summary>PROF-MAP-01: any well-formed CBOR encoding of the object, payload and protected headers.</summary>
    AnyEncoding = 1,

    /// <summary>PROF-MAP-02: payload keys the profile does not define are ignored.</summary>
    UnknownPayloadKeys = 2,

    /// <summary>PROF-MAP-03: crit headers and non-empty unprotected headers are ignored.</summary>
    CritAndUnprotectedHeaders = 4,

    /// <summary>PROF-MAP-05: Ed25519 is tried whatever alg a signer header names.</summary>
    AnyAlgorithm = 8,

    /// <summary>PROF-CRED-01: the credential is read however it is encoded, with unknown keys and any headers.</summary>
    LaxCredential = 16,
}

/// <summary>
/// The sender's verification procedure of PROFILE.md §5. It needs no network: the mapping plus the trust store
/// (CSIP keys, and DP/MSP keys when the policy demands them) decide. Rules stop at the first structural failure.
/// </summary>
public static class MappingVerifier
{
    public static MappingVerification Verify(ReadOnlySpan<byte> encoded, TrustStore trust, long now, VerificationPolicy policy)
    {
        var steps = new List<VerificationStep>();
        bool Step(string rule, bool ok, string detail)
        {
            steps.Add(new VerificationStep(rule, ok, detail));
            return ok;
        }

        CoseSign cose;
        try
        {
            cose = CoseSign.Decode(encoded, strict: !policy.Lenient.HasFlag(VerifierLeniency.AnyEncoding));
        }
        catch (CoseFormatException e)
        {
            Step("cose-structure", false, e.Message);
            return new MappingVerification(steps, null, null, null);
        }
        var contentType = cose.BodyProtected.GetText(CoseHeaderMap.ContentType);
        var headersChecked = !policy.Lenient.HasFlag(VerifierLeniency.CritAndUnprotectedHeaders);
        var critical = headersChecked && (cose.BodyProtected.TryGet(CoseHeaderMap.Crit, out _) || cose.Signatures.Any(s => s.Protected.TryGet(CoseHeaderMap.Crit, out _)));
        var unprotected = headersChecked && (cose.Unprotected.Count > 0 || cose.Signatures.Any(s => s.Unprotected.Count > 0));
        if (!Step("cose-structure", contentType == MappingContentType && !critical && !unprotected,
                contentType != MappingContentType ? $"body content type is \"{contentType}\", expected \"{MappingContentType}\""
                : critical ? "a crit header is present; profile 0.2 defines no critical extensions"
                : unprotected ? "an unprotected header is not empty; the profile puts every header under a signature" : "COSE_Sign, tag 98, deterministic"))
            return new MappingVerification(steps, cose, null, null);

        MappingPayload payload;
        try
        {
            payload = MappingPayload.Decode(cose.Payload, strict: !policy.Lenient.HasFlag(VerifierLeniency.AnyEncoding),
                ignoreUnknownKeys: policy.Lenient.HasFlag(VerifierLeniency.UnknownPayloadKeys));
            Step("payload-format", true, $"csi {payload.Csi}, {payload.Msps.Count} MSP(s)");
        }
        catch (ProfileFormatException e)
        {
            Step("payload-format", false, e.Message);
            return new MappingVerification(steps, cose, null, null);
        }

        Step("mapping-validity", payload.IssuedAt <= now + ClockSkewSeconds && now < payload.ExpiresAt && payload.IssuedAt < payload.ExpiresAt,
            $"iat {payload.IssuedAt}, exp {payload.ExpiresAt}, now {now}");

        var pop = VerifyPop(payload, trust, policy.Lenient.HasFlag(VerifierLeniency.LaxCredential), Step);
        bool Verifies(CoseSignature sig, byte[] key) => policy.Lenient.HasFlag(VerifierLeniency.AnyAlgorithm)
            ? Ed25519.Verify(key, cose.ToBeSigned(sig.ProtectedBytes), sig.Signature)
            : cose.VerifySignature(sig, key);

        var roles = cose.Signatures.GroupBy(s => s.Role ?? "(none)").ToDictionary(g => g.Key, g => g.Count());
        var unknownRoles = roles.Keys.Where(r => r is not (SignerRoles.Recipient or SignerRoles.Msp or SignerRoles.Dp)).ToArray();
        Step("signer-roles", unknownRoles.Length == 0 && roles.GetValueOrDefault(SignerRoles.Recipient) == 1 && roles.GetValueOrDefault(SignerRoles.Dp) <= 1,
            $"roles: {string.Join(", ", roles.Select(r => $"{r.Key}×{r.Value}"))} (exactly one recipient, at most one dp, no others)");

        var recipient = cose.Signatures.FirstOrDefault(s => s.Role == SignerRoles.Recipient);
        if (recipient is null || pop is null)
        {
            Step("recipient-signature", false, recipient is null ? "no signature with role recipient" : "no usable PoP credential binds a recipient key");
        }
        else
        {
            var boundKid = KeyIds.For(pop.ConfirmationKey);
            if (Step("recipient-key-bound", recipient.KeyId is { } kid && kid.AsSpan().SequenceEqual(boundKid),
                    "the recipient signature's kid must name the key in the credential's cnf"))
                Step("recipient-signature", Verifies(recipient, pop.ConfirmationKey), "EdDSA over Sig_structure with the cnf key");
        }

        var dpSignature = cose.Signatures.FirstOrDefault(s => s.Role == SignerRoles.Dp);
        if (dpSignature is not null || policy.RequireDpSignature)
            VerifyThirdParty(dpSignature, SignerRoles.Dp, payload.Dp, trust, Verifies, Step);

        var mspSignatures = cose.Signatures.Where(s => s.Role == SignerRoles.Msp).ToArray();
        if (mspSignatures.Length > 0 || policy.RequireMspSignatures)
        {
            foreach (var entry in payload.Msps)
            {
                var sig = mspSignatures.FirstOrDefault(s => s.KeyId is { } k && trust.Find(SignerRoles.Msp, k)?.Owner == entry.Msp);
                if (sig is not null || policy.RequireMspSignatures)
                    VerifyThirdParty(sig, SignerRoles.Msp, entry.Msp, trust, Verifies, Step);
            }
            Step("msp-signers-listed", mspSignatures.All(s => s.KeyId is { } k && trust.Find(SignerRoles.Msp, k) is { } t && payload.Msps.Any(m => m.Msp == t.Owner)),
                "every msp signature belongs to a trusted key of an MSP listed in the payload");
        }

        return new MappingVerification(steps, cose, payload, pop);
    }

    private static PopCredential? VerifyPop(MappingPayload payload, TrustStore trust, bool lax, Func<string, bool, string, bool> step)
    {
        CoseSign1 cred;
        PopCredential pop;
        try
        {
            cred = CoseSign1.Decode(payload.Pop, strict: !lax);
            // PROF-CRED-01: like the mapping, every header of the credential is signed and none is critical.
            if (!lax && (cred.Unprotected.Count > 0 || cred.Protected.TryGet(CoseHeaderMap.Crit, out _)))
                throw new CoseFormatException("the credential has a non-empty unprotected header or a crit header");
            pop = PopCredential.Decode(cred.Payload, strict: !lax);
        }
        catch (Exception e) when (e is CoseFormatException or ProfileFormatException)
        {
            step("pop-format", false, e.Message);
            return null;
        }
        var issuer = cred.KeyId is { } kid ? trust.Find(SignerRoles.Csip, kid) : null;
        if (!step("pop-issuer-trusted", issuer is not null && cred.Role == SignerRoles.Csip && issuer.Owner == pop.Issuer,
                issuer is null ? $"credential kid {Hex(cred.KeyId)} is not a trusted CSIP key" : $"issuer {pop.Issuer}, role {cred.Role}"))
            return null;
        if (!step("pop-signature", cred.Verify(issuer!.PublicKey), "CSIP EdDSA signature over the credential"))
            return null;
        step("pop-subject", pop.Subject == payload.Csi && pop.CsiType == payload.CsiType,
            $"credential for {pop.CsiType} {pop.Subject}, mapping for {payload.CsiType} {payload.Csi}");
        step("pop-validity", pop.IssuedAt <= payload.IssuedAt + ClockSkewSeconds && payload.IssuedAt <= pop.ExpiresAt && pop.AssignedAt <= pop.IssuedAt,
            $"credential iat {pop.IssuedAt}..exp {pop.ExpiresAt}, assigned_at {pop.AssignedAt}; mapping iat {payload.IssuedAt}");
        return pop;
    }

    private static void VerifyThirdParty(CoseSignature? sig, string role, string owner, TrustStore trust, Func<CoseSignature, byte[], bool> verifies, Func<string, bool, string, bool> step)
    {
        var rule = $"{role}-signature";
        if (sig is null)
        {
            step(rule, false, $"no {role} signature for {owner}");
            return;
        }
        var key = sig.KeyId is { } kid ? trust.Find(role, kid) : null;
        if (!step($"{role}-key-trusted", key is not null && key.Owner == owner, key is null ? $"kid {Hex(sig.KeyId)} is not a trusted {role} key" : $"key of {key.Owner}, expected {owner}"))
            return;
        step(rule, verifies(sig, key!.PublicKey), $"EdDSA by {owner}");
    }

    private static string Hex(byte[]? b) => b is null ? "(none)" : Convert.ToHexString(b).ToLowerInvariant();
}
