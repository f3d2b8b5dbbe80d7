using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace Mimi.Conformance.Protocol.Profile;

/// <summary>
/// One MSP in a mapping with the recipient's preference tags for it (R2), and optionally the salted-hash commitments
/// to exact-match-only tags (PROFILE.md §4.4): SHA-256(salt || tag), disclosed by the DP only to an exact lookup.
/// </summary>
public sealed record MspEntry(string Msp, IReadOnlyList<string> Tags, IReadOnlyList<byte[]>? SdTags = null);

/// <summary>The signed mapping payload (PROFILE.md §4.1). Encoded as deterministic CBOR with text keys.</summary>
public sealed record MappingPayload(
    string Csi,
    string CsiType,
    IReadOnlyList<MspEntry> Msps,
    long IssuedAt,
    long ExpiresAt,
    byte[] Nonce,
    bool NewHolder,
    string Dp,
    byte[] Pop)
{
    public const long CurrentVersion = 1;
    public const int NonceSize = 16;

    private static readonly HashSet<string> Keys = ["v", "csi", "csi_type", "msps", "iat", "exp", "nonce", "new_holder", "dp", "pop"];

    public byte[] Encode()
    {
        var w = CborMap.Writer();
        w.WriteStartMap(10);
        w.WriteTextString("v"); w.WriteInt64(CurrentVersion);
        w.WriteTextString("csi"); w.WriteTextString(Csi);
        w.WriteTextString("csi_type"); w.WriteTextString(CsiType);
        w.WriteTextString("msps");
        w.WriteStartArray(Msps.Count);
        foreach (var m in Msps)
        {
            w.WriteStartMap(m.SdTags is null ? 2 : 3);
            w.WriteTextString("msp"); w.WriteTextString(m.Msp);
            w.WriteTextString("tags");
            w.WriteStartArray(m.Tags.Count);
            foreach (var t in m.Tags)
                w.WriteTextString(t);
            w.WriteEndArray();
            if (m.SdTags is not null)
            {
                w.WriteTextString("sd_tags");
                w.WriteStartArray(m.SdTags.Count);
                foreach (var d in m.SdTags)
                    w.WriteByteString(d);
                w.WriteEndArray();
            }
            w.WriteEndMap();
        }
        w.WriteEndArray();
        w.WriteTextString("iat"); w.WriteInt64(IssuedAt);
        w.WriteTextString("exp"); w.WriteInt64(ExpiresAt);
        w.WriteTextString("nonce"); w.WriteByteString(Nonce);
        w.WriteTextString("new_holder"); w.WriteBoolean(NewHolder);
        w.WriteTextString("dp"); w.WriteTextString(Dp);
        w.WriteTextString("pop"); w.WriteByteString(Pop);
        w.WriteEndMap();
        return w.Encode();
    }

    /// <param name="strict">False only for a reference-DP fault: any well-formed encoding.</param>
    /// <param name="ignoreUnknownKeys">True only for a reference-DP fault: keys the profile does not define are skipped.</param>
    public static MappingPayload Decode(byte[] encoded, bool strict = true, bool ignoreUnknownKeys = false)
    {
        var m = CborMap.Parse(encoded, "mapping payload", ignoreUnknownKeys ? null : Keys, strict);
        if (m.Required<long>("v") != CurrentVersion)
            throw new ProfileFormatException("unsupported mapping payload version");
        var msps = new List<MspEntry>();
        foreach (var item in m.Required<List<object?>>("msps"))
        {
            if (item is not Dictionary<string, object?> entry || entry.Count != (entry.ContainsKey("sd_tags") ? 3 : 2)
                || entry.GetValueOrDefault("msp") is not string msp || entry.GetValueOrDefault("tags") is not List<object?> tags
                || tags.Any(t => t is not string))
                throw new ProfileFormatException("an msps entry is not {\"msp\": tstr, \"tags\": [* tstr], ? \"sd_tags\": [+ bstr .size 32]}");
            List<object?>? sd = null;
            if (entry.TryGetValue("sd_tags", out var sdValue) && (sdValue is not List<object?> s || (sd = s).Count == 0 || s.Any(d => d is not byte[] { Length: TagRules.DigestSize })))
                throw new ProfileFormatException("sd_tags must be a non-empty array of 32-byte digests");
            msps.Add(new MspEntry(msp, tags.Cast<string>().ToArray(), sd?.Cast<byte[]>().ToArray()));
        }
        var payload = new MappingPayload(
            m.Required<string>("csi"), m.Required<string>("csi_type"), msps,
            m.NonNegative("iat"), m.NonNegative("exp"), m.Bytes("nonce", NonceSize),
            m.Required<bool>("new_holder"), m.Required<string>("dp"), m.Bytes("pop"));
        Csis.Validate(payload.CsiType, payload.Csi);
        return payload;
    }

    /// <summary>Stable mapping id: base64url(SHA-256(payload bytes)). Signatures do not change it.</summary>
    public static string IdOf(ReadOnlySpan<byte> payloadBytes) => B64.Encode(SHA256.HashData(payloadBytes));
}

/// <summary>The CSIP's proof-of-possession credential payload (PROFILE.md §4.2), inside a COSE_Sign1 with role csip.</summary>
public sealed record PopCredential(string Issuer, string Subject, string CsiType, byte[] ConfirmationKey, long AssignedAt, long IssuedAt, long ExpiresAt)
{
    private static readonly HashSet<string> Keys = ["iss", "sub", "csi_type", "cnf", "assigned_at", "iat", "exp"];

    public byte[] Encode()
    {
        var w = CborMap.Writer();
        w.WriteStartMap(7);
        w.WriteTextString("iss"); w.WriteTextString(Issuer);
        w.WriteTextString("sub"); w.WriteTextString(Subject);
        w.WriteTextString("csi_type"); w.WriteTextString(CsiType);
        w.WriteTextString("cnf"); w.WriteByteString(ConfirmationKey);
        w.WriteTextString("assigned_at"); w.WriteInt64(AssignedAt);
        w.WriteTextString("iat"); w.WriteInt64(IssuedAt);
        w.WriteTextString("exp"); w.WriteInt64(ExpiresAt);
        w.WriteEndMap();
        return w.Encode();
    }

    /// <param name="strict">False only for a reference-DP fault: any encoding, unknown keys skipped.</param>
    public static PopCredential Decode(byte[] encoded, bool strict = true)
    {
        var m = CborMap.Parse(encoded, "PoP credential", strict ? Keys : null, strict);
        return new PopCredential(
            m.Required<string>("iss"), m.Required<string>("sub"), m.Required<string>("csi_type"),
            m.Bytes("cnf", Crypto.Ed25519.PublicKeySize), m.NonNegative("assigned_at"), m.NonNegative("iat"), m.NonNegative("exp"));
    }
}

/// <summary>
/// A removal request payload (PROFILE.md §6.4), inside a COSE_Sign1 with role recipient or csip. With
/// <see cref="DisconnectedSince"/> (role csip, reason unassigned) it is a CSIP disconnect notice (PROFILE.md §12.3).
/// </summary>
public sealed record RemovalRequest(string Csi, string CsiType, string? MappingId, byte[] Nonce, long IssuedAt, string Reason, string Dp, long? DisconnectedSince = null)
{
    private static readonly HashSet<string> Keys = ["v", "csi", "csi_type", "mapping_id", "nonce", "iat", "reason", "dp", "disconnected_since"];

    public byte[] Encode()
    {
        var w = CborMap.Writer();
        w.WriteStartMap(7 + (MappingId is null ? 0 : 1) + (DisconnectedSince is null ? 0 : 1));
        w.WriteTextString("v"); w.WriteInt64(1);
        w.WriteTextString("dp"); w.WriteTextString(Dp);
        w.WriteTextString("csi"); w.WriteTextString(Csi);
        w.WriteTextString("iat"); w.WriteInt64(IssuedAt);
        w.WriteTextString("nonce"); w.WriteByteString(Nonce);
        w.WriteTextString("reason"); w.WriteTextString(Reason);
        w.WriteTextString("csi_type"); w.WriteTextString(CsiType);
        if (MappingId is not null)
        {
            w.WriteTextString("mapping_id"); w.WriteTextString(MappingId);
        }
        if (DisconnectedSince is { } since)
        {
            w.WriteTextString("disconnected_since"); w.WriteInt64(since);
        }
        w.WriteEndMap();
        return w.Encode();
    }

    public static RemovalRequest Decode(byte[] encoded) => Decode(encoded, strict: true);

    /// <param name="strict">False only for a reference-DP fault: any key order, unknown keys ignored, any reason.</param>
    public static RemovalRequest Decode(byte[] encoded, bool strict)
    {
        var m = CborMap.Parse(encoded, "removal request", strict ? Keys : null, strict);
        if (m.Required<long>("v") != 1)
            throw new ProfileFormatException("unsupported removal request version");
        var reason = m.Required<string>("reason");
        if (strict && reason is not ("user" or "unassigned"))
            throw new ProfileFormatException("reason must be \"user\" or \"unassigned\"");
        long? since = m.Has("disconnected_since") ? m.NonNegative("disconnected_since") : null;
        return new RemovalRequest(
            m.Required<string>("csi"), m.Required<string>("csi_type"), m.Optional<string>("mapping_id"),
            m.Bytes("nonce", MappingPayload.NonceSize), m.NonNegative("iat"), reason, m.Required<string>("dp"), since);
    }
}

/// <summary>
/// A DP-to-DP invalidation payload (PROFILE.md §12.5), inside a COSE_Sign1 with role dp: the sending DP accepted the
/// new holder's mapping <see cref="Evidence"/> (exact bytes) and asks the receiving DP to drop older holders' mappings.
/// </summary>
public sealed record Invalidation(string FromDp, string ToDp, string Csi, string CsiType, long AssignedAt, byte[] Nonce, long IssuedAt, byte[] Evidence)
{
    private static readonly HashSet<string> Keys = ["v", "from_dp", "to_dp", "csi", "csi_type", "assigned_at", "nonce", "iat", "evidence"];

    public byte[] Encode()
    {
        var w = CborMap.Writer();
        w.WriteStartMap(9);
        w.WriteTextString("v"); w.WriteInt64(1);
        w.WriteTextString("from_dp"); w.WriteTextString(FromDp);
        w.WriteTextString("to_dp"); w.WriteTextString(ToDp);
        w.WriteTextString("csi"); w.WriteTextString(Csi);
        w.WriteTextString("csi_type"); w.WriteTextString(CsiType);
        w.WriteTextString("assigned_at"); w.WriteInt64(AssignedAt);
        w.WriteTextString("nonce"); w.WriteByteString(Nonce);
        w.WriteTextString("iat"); w.WriteInt64(IssuedAt);
        w.WriteTextString("evidence"); w.WriteByteString(Evidence);
        w.WriteEndMap();
        return w.Encode();
    }

    public static Invalidation Decode(byte[] encoded)
    {
        var m = CborMap.Parse(encoded, "invalidation", Keys);
        if (m.Required<long>("v") != 1)
            throw new ProfileFormatException("unsupported invalidation version");
        return new Invalidation(
            m.Required<string>("from_dp"), m.Required<string>("to_dp"), m.Required<string>("csi"), m.Required<string>("csi_type"),
            m.NonNegative("assigned_at"), m.Bytes("nonce", MappingPayload.NonceSize), m.NonNegative("iat"), m.Bytes("evidence"));
    }
}

/// <summary>
/// The <c>Mimi-Peer-Auth</c> payload of a DP-to-DP lookup (PROFILE.md §11.3), inside a COSE_Sign1 with role dp: who
/// asks whom, when, a fresh nonce, and <see cref="Body"/> = SHA-256 of the exact request body bytes sent.
/// </summary>
public sealed record PeerAuth(string FromDp, string ToDp, long IssuedAt, byte[] Nonce, byte[] Body)
{
    public const string Header = "Mimi-Peer-Auth";
    public const int BodyHashSize = 32;

    private static readonly HashSet<string> Keys = ["v", "from_dp", "to_dp", "iat", "nonce", "body"];

    /// <summary>The payload for a request body: <see cref="Body"/> is its SHA-256.</summary>
    public static PeerAuth For(string fromDp, string toDp, long issuedAt, byte[] nonce, ReadOnlySpan<byte> body) =>
        new(fromDp, toDp, issuedAt, nonce, SHA256.HashData(body));

    /// <summary>The header value: base64url of the COSE_Sign1 signed with <paramref name="key"/> under <paramref name="role"/> (dp).</summary>
    public string Sign(Crypto.SigningKey key, string role = ProfileConstants.SignerRoles.Dp) =>
        B64.Encode(Cose.CoseSign1.Sign(key, role, Encode()).Encode());

    public byte[] Encode()
    {
        var w = CborMap.Writer();
        w.WriteStartMap(6);
        w.WriteTextString("v"); w.WriteInt64(1);
        w.WriteTextString("iat"); w.WriteInt64(IssuedAt);
        w.WriteTextString("body"); w.WriteByteString(Body);
        w.WriteTextString("nonce"); w.WriteByteString(Nonce);
        w.WriteTextString("to_dp"); w.WriteTextString(ToDp);
        w.WriteTextString("from_dp"); w.WriteTextString(FromDp);
        w.WriteEndMap();
        return w.Encode();
    }

    public static PeerAuth Decode(byte[] encoded)
    {
        var m = CborMap.Parse(encoded, "peer-auth payload", Keys);
        if (m.Required<long>("v") != 1)
            throw new ProfileFormatException("unsupported peer-auth version");
        return new PeerAuth(m.Required<string>("from_dp"), m.Required<string>("to_dp"), m.NonNegative("iat"),
            m.Bytes("nonce", MappingPayload.NonceSize), m.Bytes("body", BodyHashSize));
    }
}

/// <summary>CSI syntax (PROFILE.md §3): E.164 with '+' and 1–15 digits, or a simple lower-cased addr-spec.</summary>
public static partial class Csis
{
    public static bool IsValid(string csiType, string csi) => csiType switch
    {
        ProfileConstants.CsiTypes.E164 => E164().IsMatch(csi),
        ProfileConstants.CsiTypes.Email => csi.Length <= 254 && Email().IsMatch(csi),
        _ => false,
    };

    public static void Validate(string csiType, string csi)
    {
        if (!IsValid(csiType, csi))
            throw new ProfileFormatException($"\"{csi}\" is not a valid {csiType} CSI");
    }

    [GeneratedRegex(@"^\+[1-9][0-9]{0,14}$")]
    private static partial Regex E164();

    [GeneratedRegex(@"^[a-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$")]
    private static partial Regex Email();
}
