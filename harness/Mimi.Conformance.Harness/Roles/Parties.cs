using Mimi.Conformance.Protocol.Cose;
using Mimi.Conformance.Protocol.Crypto;
using Mimi.Conformance.Protocol.Profile;
using static Mimi.Conformance.Protocol.Profile.ProfileConstants;

namespace Mimi.Conformance.Harness.Roles;

/// <summary>A CSI provider the harness plays: issues proof-of-possession credentials and unassignment removals.</summary>
public sealed record Csip(string Id, SigningKey Key)
{
    public byte[] IssueCredential(string csi, string csiType, byte[] recipientKey, long assignedAt, long issuedAt, long expiresAt) =>
        CoseSign1.Sign(Key, SignerRoles.Csip, new PopCredential(Id, csi, csiType, recipientKey, assignedAt, issuedAt, expiresAt).Encode()).Encode();

    public TrustedKey Trusted => new(SignerRoles.Csip, Id, Key.PublicKey);
}

/// <summary>A messaging service provider the harness plays.</summary>
public sealed record Msp(string Id, SigningKey Key)
{
    public TrustedKey Trusted => new(SignerRoles.Msp, Id, Key.PublicKey);
}

/// <summary>Another DP the harness plays ("DP A"): computes and countersigns mappings that the DP under test imports.</summary>
public sealed record PeerDp(string Id, SigningKey Key)
{
    public TrustedKey Trusted => new(SignerRoles.Dp, Id, Key.PublicKey);
}

/// <summary>
/// Every role the harness plays in one run, with keys derived from one seed: reproducible from the seed in the
/// report, never reused across runs unless asked (--seed). The parties a DP trusts (CSIP, MSPs, peer DP) may come
/// from a separate identity seed (a keys file, --keys), so that an operator configures trust once; CSIs, recipient
/// keys and nonces always come from the run's seed, so runs never collide on a DP that keeps its data.
/// </summary>
public sealed class Parties
{
    private readonly string _seed;
    private int _counter;

    public Parties(string seed, TimeProvider time, string? identitySeed = null)
    {
        _seed = seed;
        Time = time;
        var identity = identitySeed ?? seed;
        Csip = new Csip(CsipId, Derive(identity, "csip"));
        Msps = [.. MspIds.Select((id, i) => new Msp(id, Derive(identity, $"msp-{(char)('a' + i)}")))];
        Stranger = Key("stranger");
        UntrustedCsip = new Csip("csip.untrusted.test", Key("untrusted-csip"));
        PeerDp = new PeerDp(PeerDpId, Derive(identity, "peer-dp-a"));
        DefaultAssignedAt = time.GetUtcNow().ToUnixTimeSeconds() - 86_400;
    }

    public const string CsipId = "csip.conformance.test";
    public const string PeerDpId = "mimi://dp-a.conformance.test";
    public static readonly IReadOnlyList<string> MspIds = ["mimi://msp-a.conformance.test", "mimi://msp-b.conformance.test", "mimi://msp-c.conformance.test"];

    /// <summary>The keys a DP under test must trust for this identity seed: what test control's /trust, or an operator, configures.</summary>
    public static IReadOnlyList<TrustedKey> IdentityKeys(string identitySeed) =>
        new Parties(identitySeed, TimeProvider.System).HarnessKeys;

    /// <summary>CSIP, MSPs and the peer DP: every key the DP is told to trust.</summary>
    public IReadOnlyList<TrustedKey> HarnessKeys => [.. TrustedForDp, PeerDp.Trusted];

    private static SigningKey Derive(string seed, string label) => SigningKey.FromLabel($"{seed}/{label}");

    /// <summary>
    /// When the CSIP assigned the harness's CSIs to the harness's recipient, unless a test says otherwise: one fixed
    /// time per run, so all of a run's default credentials belong to one holder (PROFILE.md §12.1).
    /// </summary>
    public long DefaultAssignedAt { get; }

    /// <summary>The peer DP the harness plays; the DP under test is told to trust its key (test control dp_keys).</summary>
    public PeerDp PeerDp { get; }

    public TimeProvider Time { get; }

    public Csip Csip { get; }

    /// <summary>A CSIP whose key the DP under test is never told to trust.</summary>
    public Csip UntrustedCsip { get; }

    public IReadOnlyList<Msp> Msps { get; }

    /// <summary>A key that belongs to nobody the DP should trust.</summary>
    public SigningKey Stranger { get; }

    public long Now => Time.GetUtcNow().ToUnixTimeSeconds();

    public SigningKey Key(string label) => Derive(_seed, label);

    /// <summary>A fresh recipient key (distinct per call, still derived from the seed).</summary>
    public SigningKey NewRecipientKey() => Key($"recipient-{Interlocked.Increment(ref _counter)}");

    /// <summary>A CSI no other test uses: +1 555 0100 prefix space (fictional numbers) with a per-run suffix.</summary>
    public string NewE164()
    {
        var n = Interlocked.Increment(ref _counter);
        var h = (uint)_seed.GetHashCode(StringComparison.Ordinal) % 10000;
        return $"+1555{h:D4}{n:D4}";
    }

    public byte[] Nonce() => Key($"nonce-{Interlocked.Increment(ref _counter)}").KeyId;

    public IEnumerable<TrustedKey> TrustedForDp => [Csip.Trusted, .. Msps.Select(m => m.Trusted)];
}
