using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Mimi.Conformance.Protocol.Crypto;
using Mimi.Conformance.Protocol.PrivacyPass;

namespace Mimi.Conformance.Harness.Client;

/// <summary>The DP's metadata <c>rate_limit</c> (PROFILE.md §10), read leniently: null members mean "not declared".</summary>
public sealed record RateLimitPolicy(int? Allowance, long? WindowSeconds, string IssuerDirectory, int? IdentifiedLimit, long? IdentifiedWindowSeconds)
{
    /// <summary>Whether <c>rate_limit.non_default</c> is present at all (PROFILE.md §10.4), whatever it holds.</summary>
    public bool NonDefaultDeclared { get; init; }

    public int? NonDefaultLimit { get; init; }

    public long? NonDefaultWindowSeconds { get; init; }

    public static RateLimitPolicy? Parse(JsonObject? metadata)
    {
        if (metadata?["rate_limit"] is not JsonObject rl)
            return null;
        var anon = rl["anonymous"] as JsonObject;
        var ident = rl["identified"] as JsonObject;
        return new RateLimitPolicy(
            Int(anon?["allowance"]), Long(anon?["window_s"]),
            anon?["issuer_directory"] is JsonValue d && d.TryGetValue<string>(out var ds) ? ds : PrivacyPassConstants.DirectoryPath,
            Int(ident?["limit"]), Long(ident?["window_s"]))
        {
            NonDefaultDeclared = rl["non_default"] is not null,
            NonDefaultLimit = Int((rl["non_default"] as JsonObject)?["limit"]),
            NonDefaultWindowSeconds = Long((rl["non_default"] as JsonObject)?["window_s"]),
        };
    }

    private static int? Int(JsonNode? n) => n is JsonValue v && v.TryGetValue<int>(out var i) ? i : null;

    private static long? Long(JsonNode? n) => n is JsonValue v && v.TryGetValue<long>(out var i) ? i : null;
}

/// <summary>A parsed <c>WWW-Authenticate: PrivateToken</c> challenge (RFC 9577 §2.1).</summary>
public sealed record ParsedChallenge(byte[] Challenge, TokenChallenge Decoded, byte[] TokenKey, RSAParameters Key)
{
    /// <summary>The challenge in a 401, or null with the reason it is not a usable PrivateToken challenge.</summary>
    public static ParsedChallenge? From(DpResponse response, out string problem)
    {
        problem = "";
        var header = response.Headers.GetValueOrDefault("www-authenticate");
        var parameters = PrivateTokenHeaders.Parameters(header);
        if (parameters is null)
        {
            problem = header is null ? "no WWW-Authenticate header" : $"WWW-Authenticate has no PrivateToken challenge: {header}";
            return null;
        }
        var challenge = PrivateTokenHeaders.DecodeValue(parameters.GetValueOrDefault("challenge"));
        var decoded = challenge is null ? null : TokenChallenge.TryDecode(challenge);
        var tokenKey = PrivateTokenHeaders.DecodeValue(parameters.GetValueOrDefault("token-key"));
        var key = tokenKey is null ? null : TokenKeys.TryDecodeSpki(tokenKey);
        if (decoded is null || challenge is null)
            problem = "challenge= is missing or not a base64url TokenChallenge";
        else if (decoded.TokenType != PrivacyPassConstants.TokenTypeBlindRsa)
            problem = $"token_type is 0x{decoded.TokenType:x4}, the profile uses 0x0002";
        else if (key is null || tokenKey is null)
            problem = "token-key= is missing or not an RSA SubjectPublicKeyInfo";
        else if (key.Value.Modulus!.Length != PrivacyPassConstants.Nk)
            problem = $"token-key is {key.Value.Modulus!.Length * 8}-bit, type 0x0002 needs 2048";
        return problem.Length == 0 ? new ParsedChallenge(challenge!, decoded!, tokenKey!, key!.Value) : null;
    }
}

/// <summary>Reproducible bytes from the run's seed: SHA-256(seed / label / counter) blocks (blinding and nonces).</summary>
public sealed class SeededBytes(string seed)
{
    private long _counter;

    public byte[] Next(int length)
    {
        var output = new byte[length];
        for (var at = 0; at < length; at += 32)
        {
            var block = SHA256.HashData(Encoding.UTF8.GetBytes($"{seed}/privacypass/{Interlocked.Increment(ref _counter)}"));
            block.AsSpan(0, Math.Min(32, length - at)).CopyTo(output.AsSpan(at));
        }
        return output;
    }
}

/// <summary>The harness as a Privacy Pass client (RFC 9578 §6): blind a token input, ask the issuer, finalize.</summary>
public sealed class PrivacyPassClient(DpClient client, SeededBytes random)
{
    public SeededBytes Random => random;

    /// <summary>The issuer-request-uri from the issuer directory, or null with the directory's answer.</summary>
    public async Task<(string? Uri, DpResponse Response)> IssuerRequestUriAsync(string directoryPath)
    {
        var response = await client.GetAsync(directoryPath);
        var uri = response.Status == 200 && response.Json?["issuer-request-uri"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
        return (uri, response);
    }

    /// <summary>
    /// One token for <paramref name="challenge"/> under <paramref name="tokenKey"/>; null token when the issuer refuses
    /// or its answer does not finalize (the response says which).
    /// </summary>
    public async Task<(byte[]? Token, DpResponse Response)> IssueAsync(string issuerRequestUri, string credential, byte[] challenge, byte[] tokenKey, RSAParameters key)
    {
        var nonce = random.Next(PrivacyPassConstants.NonceLength);
        var keyId = TokenKeys.KeyId(tokenKey);
        var input = PrivateToken.Input(PrivacyPassConstants.TokenTypeBlindRsa, nonce, TokenChallenge.Digest(challenge), keyId);
        var blinded = BlindRsa.Blind(key, input, random.Next);
        var request = new TokenRequest(PrivacyPassConstants.TokenTypeBlindRsa, keyId[^1], blinded.BlindedMessage).Encode();
        var response = await client.SendAsync(HttpMethod.Post, client.Resolve(issuerRequestUri), request, PrivacyPassConstants.RequestContentType,
            [new("Authorization", $"Bearer {credential}")]);
        if (response.Status != 200 || response.Body.Length != PrivacyPassConstants.Nk)
            return (null, response);
        var signature = BlindRsa.Finalize(key, input, response.Body, blinded.Inverse);
        return (signature is null ? null : [.. input, .. signature], response);
    }

    public static string Authorization(byte[] token) => PrivateTokenHeaders.Authorization(token);

    /// <summary>Parses a Retry-After value: delay-seconds or an HTTP-date; null when absent or malformed.</summary>
    public static bool RetryAfterIsValid(string? value) =>
        value is not null && (long.TryParse(value.Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _)
            || DateTimeOffset.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out _));
}
