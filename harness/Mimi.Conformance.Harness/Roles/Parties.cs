using Mimi.Conformance.Protocol.Cose;
using Mimi.Conformance.Protocol.Crypto;
using Mimi.Conformance.Protocol.Profile;
using static Mimi.Conformance.Protocol.Profile.ProfileConstants;

namespace Mimi.Conformance.Harness.Roles;

/// <summary>A CSI provider the harness plays: issues proof-of-possession credentials and unassignment removals.</summary>
internal sealed record Csip(string Id, SigningKey Key)
{
    public byte[] IssueCredential(string csi, string csiType, byte[] recipientKey, long assignedAt, long issuedAt, long expiresAt) =>
        CoseSign1.Sign(Key, SignerRoles.Csip, new PopCredential(Id, csi, csiType, recipientKey, assignedAt, issuedAt, expiresAt).Encode()).Encode();

    public TrustedKey Trusted => new(SignerRoles.Csip, Id, Key.PublicKey);
}

/// <summary>A messaging service provider the harness plays.</summary>
internal sealed record Msp(string Id, SigningKey Key)
{
    public TrustedKey Trusted => new(SignerRoles.Msp, Id, Key.PublicKey);
}

/// <summary>Another DP the harness plays ("DP A"): computes and countersigns mappings that the DP under test imports.</summary>
internal sealed record PeerDp(string Id, SigningKey Key)
{
    public TrustedKey Trusted => new(SignerRoles.Dp, Id, Key.PublicKey);
}

/// <summary>
/// Every role the harness plays in one run, with keys derived from one seed: reproducible from the seed in the
/// report, never reused across runs unless asked (--seed).
/// </summary>
internal sealed class Parties
{
    private readonly string _seed;
    private int _counter;

    public Parties(string seed, TimeProvider time)
    {
        _seed = seed;
        Time = time;
        Csip = new Csip("csip.conformance.test", Key("csip"));
        Msps = [new Msp("mimi://msp-a.conformance.test", Key("msp-a")), new Msp("mimi://msp-b.conformance.test", Key("msp-b")), new Msp("mimi://msp-c.conformance.test", Key("msp-c"))];
        Stranger = Key("stranger");
        UntrustedCsip = new Csip("csip.untrusted.test", Key("untrusted-csip"));
        PeerDp = new PeerDp("mimi://dp-a.conformance.test", Key("peer-dp-a"));
        DefaultAssignedAt = time.GetUtcNow().ToUnixTimeSeconds() - 86_400;
    }

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

    public SigningKey Key(string label) => SigningKey.FromLabel($"{_seed}/{label}");

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
