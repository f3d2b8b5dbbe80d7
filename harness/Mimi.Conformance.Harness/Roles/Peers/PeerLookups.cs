using System.Security.Cryptography;
using System.Text.Json;
using Mimi.Conformance.Protocol.Cose;
using Mimi.Conformance.Protocol.Crypto;
using Mimi.Conformance.Protocol.Profile;
using Mimi.Conformance.Protocol.Profile.Wire;
using static Mimi.Conformance.Protocol.Profile.ProfileConstants;

namespace Mimi.Conformance.Harness.Roles.Peers;

/// <summary>
/// DP-to-DP lookups (PROFILE.md §11.3) from both ends: the body and <c>Mimi-Peer-Auth</c> a peer DP the harness plays
/// sends, and the checks a fake peer makes on a forward it received from the DP under test.
/// </summary>
public static class PeerLookups
{
    /// <summary>The exact body bytes of a §11.3 request (the signature covers these bytes, not the JSON's meaning).</summary>
    public static byte[] Body(PeerLookupRequest request) => JsonSerializer.SerializeToUtf8Bytes(request, WireJson.Default.PeerLookupRequest);

    /// <summary>A <c>Mimi-Peer-Auth</c> value over <paramref name="body"/>; every field can be set wrong on purpose.</summary>
    public static string Header(SigningKey key, string fromDp, string toDp, long issuedAt, byte[] nonce, ReadOnlySpan<byte> body, string role = SignerRoles.Dp) =>
        PeerAuth.For(fromDp, toDp, issuedAt, nonce, body).Sign(key, role);

    /// <summary>
    /// What is wrong with the <c>Mimi-Peer-Auth</c> of a forward a fake peer received (empty when nothing is): it must
    /// decode, be signed under role dp by one of <paramref name="signerKeys"/> (the asking DP's metadata keys), name
    /// <paramref name="fromDp"/> (= the body's origin) and <paramref name="toDp"/>, carry the SHA-256 of the body received,
    /// a 16-byte nonce and an <c>iat</c> within 300 s of <paramref name="now"/>.
    /// </summary>
    public static (PeerAuth? Auth, IReadOnlyList<string> Problems) Check(RecordedRequest forward, IEnumerable<byte[]> signerKeys, string fromDp, string toDp, long now)
    {
        var header = forward.Header(PeerAuth.Header);
        if (string.IsNullOrEmpty(header))
            return (null, [$"no {PeerAuth.Header} header"]);
        if (!B64.TryDecode(header, out var bytes))
            return (null, [$"{PeerAuth.Header} is not base64url without padding"]);
        CoseSign1 envelope;
        PeerAuth auth;
        try
        {
            envelope = CoseSign1.Decode(bytes);
            auth = PeerAuth.Decode(envelope.Payload);
        }
        catch (Exception e) when (e is CoseFormatException or ProfileFormatException)
        {
            return (null, [$"{PeerAuth.Header} is not the deterministic COSE_Sign1 of §11.3: {e.Message}"]);
        }
        var problems = new List<string>();
        if (envelope.Role != SignerRoles.Dp)
            problems.Add($"role {envelope.Role ?? "(none)"}, not dp");
        var key = signerKeys.FirstOrDefault(k => envelope.KeyId is { } kid && kid.AsSpan().SequenceEqual(KeyIds.For(k)));
        if (key is null)
            problems.Add("kid names none of the DP's metadata signing_keys");
        else if (!envelope.Verify(key))
            problems.Add("the signature does not verify under the DP's metadata key");
        if (auth.FromDp != fromDp)
            problems.Add($"from_dp {auth.FromDp}, not {fromDp}");
        if (forward.Json?["origin"]?.ToString() != auth.FromDp)
            problems.Add($"from_dp {auth.FromDp} is not the body's origin {forward.Json?["origin"]?.ToString() ?? "(none)"}");
        if (auth.ToDp != toDp)
            problems.Add($"to_dp {auth.ToDp}, not the peer's {toDp}");
        if (!auth.Body.AsSpan().SequenceEqual(SHA256.HashData(forward.Body)))
            problems.Add("body is not the SHA-256 of the body received");
        if (Math.Abs(now - auth.IssuedAt) > ClockSkewSeconds)
            problems.Add($"iat {auth.IssuedAt} is more than {ClockSkewSeconds} s from now ({now})");
        return (auth, problems);
    }
}
