using System.Numerics;
using System.Security.Cryptography;
using Mimi.Conformance.Protocol.Crypto;
using Mimi.Conformance.Protocol.PrivacyPass;
using Mimi.Conformance.ReferenceDp.Faults;

namespace Mimi.Conformance.ReferenceDp.AntiEnumeration;

/// <summary>The allowances the DP advertises in metadata <c>rate_limit</c> and enforces (PROFILE.md §10).</summary>
internal sealed record AntiEnumerationPolicy(int Allowance, long WindowSeconds, int IdentifiedLimit, long IdentifiedWindowSeconds)
{
    /// <summary>Non-default lookups per identified client (PROFILE.md §10.4, metadata <c>rate_limit.non_default</c>), when the DP also federates.</summary>
    public static Protocol.Profile.Wire.RateWindow NonDefault { get; } = new(30, 60);

    /// <summary>The minutes' example: 50 anonymous lookups per 24 h; identified clients 120 lookups per minute.</summary>
    public static AntiEnumerationPolicy Default { get; } = new(50, 86_400, 120, 60);

    public static readonly Duty AllowanceAtFloor = new("anti-enumeration.allowance-at-floor");

    /// <summary>Both limits at 10, below the profile's floor of 50: what a DP not keeping to the floor advertises.</summary>
    public static AntiEnumerationPolicy BelowFloor { get; } = new(10, 86_400, 10, 60);

    public static AntiEnumerationPolicy For(LivePolicy policy) => policy.Performs(AllowanceAtFloor) ? Default : BelowFloor;
}

/// <summary>One allowance window's TokenChallenge, its digest and its WWW-Authenticate value.</summary>
internal sealed record WindowChallenge(long Window, byte[] Challenge, byte[] Digest, string WwwAuthenticate);

/// <summary>
/// Privacy Pass issuer and origin in one (RFC 9576 "joint origin and issuer"): token type 0x0002 blind RSA with one
/// RSA-2048 key. The TokenChallenge (issuer_name = origin_info = the DP's host) carries a redemption_context that
/// names the current token window (PROFILE.md §10.4), so a token is redeemable only in that window and the next.
/// </summary>
public sealed class PrivacyPassIssuer
{
    private readonly RSAParameters _key;
    private readonly OpenSslRawRsa? _fast;
    private readonly string _originName;
    private readonly long _windowSeconds;
    private readonly LivePolicy _policy;

    /// <summary>Without it: one challenge with an empty context, forever, so old tokens stay redeemable.</summary>
    public static readonly Duty BindTokensToWindow = new("anti-enumeration.bind-tokens-to-window");

    /// <summary>Without it: the token window is as long as the identified window (60 s), not anonymous.window_s (PROFILE.md §10.2).</summary>
    public static readonly Duty TokenWindowIsAllowanceWindow = new("anti-enumeration.token-window-is-allowance-window");

    /// <summary>Without it: the challenge's values carry base64url padding, which PROFILE.md §10.4 rules out.</summary>
    public static readonly Duty UnpaddedChallenge = new("anti-enumeration.unpadded-challenge");

    /// <summary>Without it: the token key is published as a plain rsaEncryption SPKI, without the PSS parameters of RFC 9578 §6.5.</summary>
    public static readonly Duty PublishPssKey = new("anti-enumeration.publish-pss-key");

    /// <summary>The correct issuer (what bench measures).</summary>
    public PrivacyPassIssuer(RSAParameters key, string originName, long windowSeconds)
        : this(key, originName, windowSeconds, null)
    {
    }

    internal PrivacyPassIssuer(RSAParameters key, string originName, long windowSeconds, LivePolicy? policy)
    {
        _key = key;
        _fast = OpenSslRawRsa.TryCreate(key);
        _originName = originName;
        _windowSeconds = windowSeconds;
        _policy = policy ?? LivePolicy.Correct();
        Spki = _policy.Performs(PublishPssKey) ? TokenKeys.EncodeSpki(key) : RsaEncryptionSpki(key);
        KeyId = TokenKeys.KeyId(Spki);
    }

    public byte[] Spki { get; }

    private static byte[] RsaEncryptionSpki(RSAParameters key)
    {
        using var rsa = RSA.Create();
        rsa.ImportParameters(new RSAParameters { Modulus = key.Modulus, Exponent = key.Exponent });
        return rsa.ExportSubjectPublicKeyInfo();
    }

    public byte[] KeyId { get; }

    private long TokenWindowSeconds => _policy.Performs(TokenWindowIsAllowanceWindow) ? _windowSeconds : AntiEnumerationPolicy.Default.IdentifiedWindowSeconds;

    /// <summary>The challenge of the window holding <paramref name="now"/>: context = SHA-256("mimi-dp-window" || u64 window index).</summary>
    internal WindowChallenge ChallengeAt(long now)
    {
        var bound = _policy.Performs(BindTokensToWindow);
        var window = bound ? Math.Max(0, now) / TokenWindowSeconds : 0;
        var context = bound ? WindowContext(window) : [];
        var challenge = new TokenChallenge(PrivacyPassConstants.TokenTypeBlindRsa, _originName, context, _originName).Encode();
        var header = _policy.Performs(UnpaddedChallenge) ? PrivateTokenHeaders.Challenge(challenge, Spki)
            : $"{PrivacyPassConstants.Scheme} challenge=\"{Padded(challenge)}\", token-key=\"{Padded(Spki)}\"";
        return new WindowChallenge(window, challenge, TokenChallenge.Digest(challenge), header);
    }

    private static string Padded(byte[] bytes)
    {
        var text = System.Buffers.Text.Base64Url.EncodeToString(bytes);
        return text + new string('=', (4 - text.Length % 4) % 4);
    }

    /// <summary>PROFILE.md §10.4: redemption_context = SHA-256("mimi-dp-window" || window index as a big-endian u64).</summary>
    public static byte[] WindowContext(long window)
    {
        Span<byte> input = stackalloc byte[14 + 8];
        "mimi-dp-window"u8.CopyTo(input);
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(input[14..], window);
        return SHA256.HashData(input);
    }

    /// <summary>RFC 9474 BlindSign; OpenSSL's raw private operation when available, always checked by s^e = m.</summary>
    public byte[] BlindSign(byte[] blindedMessage)
    {
        if (_fast?.PrivateOperation(blindedMessage) is { } s
            && BigInteger.ModPow(BlindRsa.ToInt(s), BlindRsa.ToInt(_key.Exponent!), BlindRsa.ToInt(_key.Modulus!)) == BlindRsa.ToInt(blindedMessage))
            return s;
        return BlindRsa.BlindSign(_key, blindedMessage);
    }

    /// <summary>A well-formed token for this DP's challenge and key with a valid authenticator (spending is the caller's).</summary>
    public PrivateToken? Validate(string? authorization, long now)
    {
        var parameters = PrivateTokenHeaders.Parameters(authorization);
        if (parameters is null || !parameters.TryGetValue("token", out var value) || PrivateTokenHeaders.DecodeValue(value) is not { } bytes)
            return null;
        var token = PrivateToken.TryDecode(bytes);
        if (token is null
            || !(CryptographicOperations.FixedTimeEquals(token.ChallengeDigest, ChallengeAt(now).Digest)
                || CryptographicOperations.FixedTimeEquals(token.ChallengeDigest, ChallengeAt(now - TokenWindowSeconds).Digest))
            || !CryptographicOperations.FixedTimeEquals(token.TokenKeyId, KeyId))
            return null;
        return BlindRsa.Verify(_key, token.AuthenticatorInput, token.Authenticator) ? token : null;
    }
}
