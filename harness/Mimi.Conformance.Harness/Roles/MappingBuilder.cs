using Mimi.Conformance.Harness.Vectors;
using Mimi.Conformance.Protocol.Cose;
using Mimi.Conformance.Protocol.Crypto;
using Mimi.Conformance.Protocol.Profile;
using static Mimi.Conformance.Protocol.Profile.ProfileConstants;

namespace Mimi.Conformance.Harness.Roles;

/// <summary>
/// Builds a mapping as the recipient (and optionally the MSPs) would, for publication at a DP. Every knob a
/// negative test needs is a property, so each test states exactly what it breaks.
/// </summary>
public sealed record MappingBuilder
{
    public required Parties Parties { get; init; }
    public required string Csi { get; init; }
    public required string DpId { get; init; }
    public string CsiType { get; init; } = CsiTypes.E164;
    public IReadOnlyList<MspEntry> Msps { get; init; } = [];
    public required SigningKey RecipientKey { get; init; }

    /// <summary>The key the credential binds (cnf); defaults to <see cref="RecipientKey"/>.</summary>
    public SigningKey? BoundKey { get; init; }
    public Csip? Issuer { get; init; }
    public string? CredentialSubject { get; init; }
    public long? CredentialExpiresAt { get; init; }
    public long? IssuedAt { get; init; }

    /// <summary>
    /// The credential's assigned_at. Default: the run's one assignment (<see cref="Parties.DefaultAssignedAt"/>), so
    /// every mapping a test publishes for a CSI comes from the same holder (PROFILE.md §12.1) unless it says otherwise.
    /// </summary>
    public long? AssignedAt { get; init; }

    /// <summary>The mapping's validity in seconds from iat (default 7 days); timelines that span weeks need more.</summary>
    public long ValiditySeconds { get; init; } = 7 * 86_400;
    public bool NewHolder { get; init; }
    public bool SignAsRecipient { get; init; } = true;
    public bool SignAsMsps { get; init; } = true;

    /// <summary>Encodes and signs the credential another way than the profile's (PROFILE.md §4.2), e.g. with unsorted keys.</summary>
    public CredentialDefect? CredentialDefect { get; init; }

    /// <summary>Extra signatures to add under a role, e.g. a stranger claiming "recipient".</summary>
    public IReadOnlyList<(SigningKey Key, string Role)> ExtraSigners { get; init; } = [];

    public static MappingBuilder For(Parties parties, string dpId, string csi, SigningKey recipient, params string[][] tagsPerMsp) => new()
    {
        Parties = parties,
        DpId = dpId,
        Csi = csi,
        RecipientKey = recipient,
        Msps = tagsPerMsp.Select((tags, i) => new MspEntry(parties.Msps[i % parties.Msps.Count].Id, tags)).ToArray(),
    };

    public (byte[] Cose, MappingPayload Payload) Build()
    {
        var payload = Payload();
        var cose = CoseSign.Create(new CoseHeaderMap().Set(CoseHeaderMap.ContentType, MappingContentType), payload.Encode());
        foreach (var (key, role) in Signers())
            cose = cose.AddSignature(key, role);
        return (cose.Encode(), payload);
    }

    /// <summary>The same mapping as a vector draft, for the defects of <see cref="MappingDefects"/> (one call, one fresh nonce).</summary>
    public MappingDraft Draft() => new() { Payload = Payload(), Signers = [.. Signers().Select(s => new DraftSigner(s.Key, s.Role))] };

    private MappingPayload Payload()
    {
        var now = IssuedAt ?? Parties.Now;
        var issuer = Issuer ?? Parties.Csip;
        var bound = BoundKey ?? RecipientKey;
        var assignedAt = AssignedAt ?? Math.Min(Parties.DefaultAssignedAt, now - 86_400);
        var credentialExpiresAt = CredentialExpiresAt ?? now + Math.Max(30 * 86_400, ValiditySeconds + 86_400);
        var pop = CredentialDefect is { } defect
            ? defect.Issue(issuer.Key, new PopCredential(issuer.Id, CredentialSubject ?? Csi, CsiType, bound.PublicKey, assignedAt, now - 60, credentialExpiresAt).Encode())
            : issuer.IssueCredential(CredentialSubject ?? Csi, CsiType, bound.PublicKey, assignedAt, now - 60, credentialExpiresAt);
        return new MappingPayload(Csi, CsiType, Msps, now, now + ValiditySeconds, Parties.Nonce(), NewHolder, DpId, pop);
    }

    /// <summary>The recipient, then each listed MSP once (an MSP listed twice signs once), then the extra signers.</summary>
    private IEnumerable<(SigningKey Key, string Role)> Signers()
    {
        if (SignAsRecipient)
            yield return (RecipientKey, SignerRoles.Recipient);
        if (SignAsMsps)
        {
            foreach (var id in Msps.Select(m => m.Msp).Distinct())
                yield return (Parties.Msps.First(m => m.Id == id).Key, SignerRoles.Msp);
        }
        foreach (var extra in ExtraSigners)
            yield return extra;
    }

    /// <summary>A removal request signed by <paramref name="signer"/> under <paramref name="role"/>.</summary>
    public static byte[] Removal(Parties parties, SigningKey signer, string role, string dpId, string csi, string? mappingId, string reason = "user", long? issuedAt = null, long? disconnectedSince = null) =>
        CoseSign1.Sign(signer, role, new RemovalRequest(csi, CsiTypes.E164, mappingId, parties.Nonce(), issuedAt ?? parties.Now, reason, dpId, disconnectedSince).Encode()).Encode();

    /// <summary>A DP-to-DP invalidation (PROFILE.md §12.5) signed by <paramref name="signer"/> as role dp, carrying <paramref name="evidence"/>.</summary>
    public static byte[] Invalidation(Parties parties, SigningKey signer, string fromDp, string toDp, string csi, long assignedAt, byte[] evidence, long issuedAt) =>
        CoseSign1.Sign(signer, SignerRoles.Dp, new Invalidation(fromDp, toDp, csi, CsiTypes.E164, assignedAt, parties.Nonce(), issuedAt, evidence).Encode()).Encode();
}
