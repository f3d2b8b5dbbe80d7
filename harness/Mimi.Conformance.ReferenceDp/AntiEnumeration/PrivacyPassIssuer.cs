using System.Numerics;
using System.Security.Cryptography;
using Mimi.Conformance.Protocol.Crypto;
using Mimi.Conformance.Protocol.PrivacyPass;

namespace Mimi.Conformance.ReferenceDp.AntiEnumeration;

/// <summary>The allowances the DP advertises in metadata <c>rate_limit</c> and enforces (PROFILE.md §10).</summary>
internal sealed record AntiEnumerationPolicy(int Allowance, long WindowSeconds, int IdentifiedLimit, long IdentifiedWindowSeconds)
{
    /// <summary>The minutes' example: 50 anonymous lookups per 24 h; identified clients 120 lookups per minute.</summary>
    public static AntiEnumerationPolicy Default { get; } = new(50, 86_400, 120, 60);

    /// <summary>floor-too-low: both limits at 10, below the profile's floor of 50.</summary>
    public static AntiEnumerationPolicy FloorTooLow { get; } = new(10, 86_400, 10, 60);
}

/// <summary>
/// Privacy Pass issuer and origin in one (RFC 9576 "joint origin and issuer"): token type 0x0002 blind RSA with one
/// RSA-2048 key, one fixed TokenChallenge (issuer_name = origin_info = the DP's host, empty redemption_context).
/// </summary>
internal sealed class PrivacyPassIssuer
{
    private readonly RSAParameters _key;
    private readonly OpenSslRawRsa? _fast;

    public PrivacyPassIssuer(RSAParameters key, string originName)
    {
        _key = key;
        _fast = OpenSslRawRsa.TryCreate(key);
        Spki = TokenKeys.EncodeSpki(key);
        KeyId = TokenKeys.KeyId(Spki);
        Challenge = new TokenChallenge(PrivacyPassConstants.TokenTypeBlindRsa, originName, [], originName).Encode();
        ChallengeDigest = TokenChallenge.Digest(Challenge);
        WwwAuthenticate = PrivateTokenHeaders.Challenge(Challenge, Spki);
    }

    public byte[] Spki { get; }

    public byte[] KeyId { get; }

    public byte[] Challenge { get; }

    public byte[] ChallengeDigest { get; }

    public string WwwAuthenticate { get; }

    /// <summary>RFC 9474 BlindSign; OpenSSL's raw private operation when available, always checked by s^e = m.</summary>
    public byte[] BlindSign(byte[] blindedMessage)
    {
        if (_fast?.PrivateOperation(blindedMessage) is { } s
            && BigInteger.ModPow(BlindRsa.ToInt(s), BlindRsa.ToInt(_key.Exponent!), BlindRsa.ToInt(_key.Modulus!)) == BlindRsa.ToInt(blindedMessage))
            return s;
        return BlindRsa.BlindSign(_key, blindedMessage);
    }

    /// <summary>A well-formed token for this DP's challenge and key with a valid authenticator (spending is the caller's).</summary>
    public PrivateToken? Validate(string? authorization)
    {
        var parameters = PrivateTokenHeaders.Parameters(authorization);
        if (parameters is null || !parameters.TryGetValue("token", out var value) || PrivateTokenHeaders.DecodeValue(value) is not { } bytes)
            return null;
        var token = PrivateToken.TryDecode(bytes);
        if (token is null
            || !CryptographicOperations.FixedTimeEquals(token.ChallengeDigest, ChallengeDigest)
            || !CryptographicOperations.FixedTimeEquals(token.TokenKeyId, KeyId))
            return null;
        return BlindRsa.Verify(_key, token.AuthenticatorInput, token.Authenticator) ? token : null;
    }
}
