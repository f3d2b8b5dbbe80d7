using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Mimi.Conformance.Protocol.PrivacyPass;
using Mimi.Conformance.Protocol.Profile;
using Mimi.Conformance.ReferenceDp.Discovery;
using Mimi.Conformance.ReferenceDp.Endpoints;
using Mimi.Conformance.ReferenceDp.Faults;
using Mimi.Conformance.ReferenceDp.Store;
using static Mimi.Conformance.Protocol.Profile.ProfileConstants;

namespace Mimi.Conformance.ReferenceDp.AntiEnumeration;

internal sealed record TokenKeyEntry(
    [property: JsonPropertyName("token-type")] int TokenType,
    [property: JsonPropertyName("token-key")] string TokenKey,
    [property: JsonPropertyName("not-before")] long NotBefore);

/// <summary>RFC 9578 §4 issuer directory.</summary>
internal sealed record IssuerDirectory(
    [property: JsonPropertyName("issuer-request-uri")] string IssuerRequestUri,
    [property: JsonPropertyName("token-keys")] IReadOnlyList<TokenKeyEntry> TokenKeys);

internal sealed record ClientRegistration([property: JsonPropertyName("credential")] string Credential);

[JsonSerializable(typeof(IssuerDirectory))]
[JsonSerializable(typeof(ClientRegistration))]
internal sealed partial class AeJson : JsonSerializerContext;

/// <summary>
/// The anti-enumeration class (PROFILE.md §10): issuer directory and issuance, the lookup gate (Privacy Pass token,
/// identified client, or a 401 challenge that is the same for every CSI), and test control's client registration.
/// </summary>
/// <param name="federationDefault">The declared default lookup mode when the DP federates (null: it does not, and limits no non-default lookups).</param>
internal sealed class AntiEnumerationEndpoints(PrivacyPassIssuer issuer, AntiEnumerationStore store, AntiEnumerationPolicy policy, TimeProvider clock, LivePolicy dpPolicy, MappingStore mappings,
    string? federationDefault = null)
{
    public static readonly Duty RequireToken = new("anti-enumeration.require-token");
    public static readonly Duty StartAllowanceWindowsPerClient = new("anti-enumeration.start-allowance-windows-per-client");
    public static readonly Duty EndIdentifiedWindowsOnTime = new("anti-enumeration.end-identified-windows-on-time");
    public static readonly Duty SpendTokensOnce = new("anti-enumeration.spend-tokens-once");
    public static readonly Duty AnswerTokenResponseType = new("anti-enumeration.answer-token-response-type");
    public static readonly Duty AnswerClientsWith201 = new("anti-enumeration.answer-clients-with-201");
    public static readonly Duty EnforceAllowance = new("anti-enumeration.enforce-allowance");
    public static readonly Duty UniformChallenge = new("anti-enumeration.uniform-challenge");
    public static readonly Duty SendRetryAfter = new("anti-enumeration.send-retry-after");
    public static readonly Duty LimitNonDefaultLookups = new("anti-enumeration.limit-non-default-lookups");
    public static readonly Duty DeclareNonDefaultLimit = new("metadata.declare-non-default-limit");
    public static readonly Duty ChallengeUnknownBearer = new("anti-enumeration.challenge-unknown-bearer");
    public static readonly Duty RechallengeInvalidTokens = new("anti-enumeration.rechallenge-invalid-tokens");
    public static readonly Duty AuthenticateIssuance = new("anti-enumeration.authenticate-issuance");
    public static readonly Duty CheckTokenRequestMediaType = new("anti-enumeration.check-token-request-media-type");
    public static readonly Duty GateBeforeCsiSyntax = new("anti-enumeration.gate-before-csi-syntax");
    public static readonly Duty DeclareRateLimitAsShown = new("metadata.declare-rate-limit-as-shown");
    public static readonly Duty NameOneIssuerEndpoint = new("metadata.name-one-issuer-endpoint");
    public static readonly Duty ServeDirectoryMediaType = new("anti-enumeration.serve-directory-media-type");
    public static readonly Duty AnswerOverLimitWith429 = new("anti-enumeration.answer-over-limit-with-429");

    public const string TokenRequestPath = "/v1/token-request";
    public const string ClientsPath = Paths.TestControl + "/clients";
    private const string BearerPrefix = "Bearer ";

    private readonly byte[] _directory = JsonSerializer.SerializeToUtf8Bytes(
        new IssuerDirectory(TokenRequestPath, [new TokenKeyEntry(PrivacyPassConstants.TokenTypeBlindRsa, B64.Encode(issuer.Spki), 0)]), AeJson.Default.IssuerDirectory);

    /// <summary>Metadata <c>rate_limit</c>; read on every metadata render, so the undeclared-non-default-limit fault can switch it.</summary>
    public MetadataRateLimit Metadata => new(
        new AnonymousRateLimit(dpPolicy.Performs(DeclareRateLimitAsShown) ? "privacypass" : "privacy-pass", PrivacyPassConstants.TokenTypeBlindRsa, policy.Allowance, policy.WindowSeconds,
            PrivacyPassConstants.DirectoryPath, dpPolicy.Performs(NameOneIssuerEndpoint) ? TokenRequestPath : "/v1/token"),
        new IdentifiedRateLimit(policy.IdentifiedLimit, policy.IdentifiedWindowSeconds, dpPolicy.Performs(DeclareRateLimitAsShown) ? "bearer" : "Bearer"),
        federationDefault is not null && dpPolicy.Performs(DeclareNonDefaultLimit) ? AntiEnumerationPolicy.NonDefault : null);

    public IEnumerable<DpRoute> Routes =>
    [
        new(PrivacyPassConstants.DirectoryPath, new Dictionary<string, RequestDelegate>
        {
            [HttpMethods.Get] = ctx => Replies.BytesAsync(ctx, StatusCodes.Status200OK,
                dpPolicy.Performs(ServeDirectoryMediaType) ? PrivacyPassConstants.DirectoryContentType : "application/json", _directory),
        }),
        new(TokenRequestPath, new Dictionary<string, RequestDelegate> { [HttpMethods.Post] = IssueAsync }),
    ];

    public IEnumerable<DpRoute> TestControlRoutes =>
    [
        new(ClientsPath, new Dictionary<string, RequestDelegate> { [HttpMethods.Post] = RegisterAsync }),
    ];

    private long Now => clock.GetUtcNow().ToUnixTimeSeconds();

    /// <summary>
    /// Lets a parsed lookup through, or answers it: 401 + challenge without a valid credential (identical for every
    /// CSI), 401 for a spent or foreign token, 429 + Retry-After for an identified client over its limit.
    /// </summary>
    public async Task<bool> AdmitLookupAsync(HttpContext ctx, LookupRequest request)
    {
        // The credential comes before the CSI's syntax: a refusal must not say whether the CSI is well formed (PROFILE.md §10.4).
        if (!dpPolicy.Performs(GateBeforeCsiSyntax) && !Csis.IsValid(request.CsiType, request.Csi))
            throw new ProblemException(Problems.UnsupportedCsi, "the CSI is not canonical");
        var authorization = ctx.Request.Headers.Authorization.ToString();
        if (authorization.StartsWith(PrivacyPassConstants.Scheme, StringComparison.OrdinalIgnoreCase))
        {
            var token = issuer.Validate(authorization, Now);
            if (token is null)
                return await Rechallenge(ctx, "the token is malformed, for another challenge, window or issuer key, or its authenticator does not verify");
            if (!store.TrySpend(token.Nonce, Now) && dpPolicy.Performs(SpendTokensOnce))
                return await Rechallenge(ctx, "the token was already redeemed; tokens are single-use");
            return true;
        }
        if (authorization.StartsWith(BearerPrefix, StringComparison.Ordinal) && store.IsClient(authorization[BearerPrefix.Length..]))
        {
            var credential = authorization[BearerPrefix.Length..];
            ctx.Items[RateLimitContext.IdentifiedClientItem] = credential;
            // A mode other than the declared default asks peers: its own, smaller window per client (PROFILE.md §10.4).
            if (federationDefault is not null && request.Federation is { } federation && federation.Mode != federationDefault)
            {
                var nonDefault = AntiEnumerationPolicy.NonDefault;
                var charged = store.Charge("non-default", credential, nonDefault.Limit, nonDefault.WindowS, Now, enforce: true);
                if (!charged.Allowed && dpPolicy.Performs(LimitNonDefaultLookups))
                {
                    await Problem(ctx, Problems.RateLimited, $"at most {nonDefault.Limit} non-default lookups (federation.mode other than {federationDefault}) per {nonDefault.WindowS} s for an identified client", RetryAfter(charged));
                    return false;
                }
            }
            var decision = store.Charge("lookup", credential, policy.IdentifiedLimit,
                dpPolicy.Performs(EndIdentifiedWindowsOnTime) ? policy.IdentifiedWindowSeconds : 2 * policy.IdentifiedWindowSeconds, Now, enforce: true);
            if (decision.Allowed)
                return true;
            if (!dpPolicy.Performs(AnswerOverLimitWith429))
            {
                await Replies.BytesAsync(ctx, StatusCodes.Status200OK, "application/json", """{"status":"not_found","mappings":[]}"""u8.ToArray());
                return false;
            }
            await Problem(ctx, Problems.RateLimited, $"at most {policy.IdentifiedLimit} lookups per {policy.IdentifiedWindowSeconds} s for an identified client", RetryAfter(decision));
            return false;
        }
        // An unknown Bearer credential is no credential: the same challenge as an anonymous lookup.
        if (authorization.StartsWith(BearerPrefix, StringComparison.Ordinal) && !dpPolicy.Performs(ChallengeUnknownBearer))
        {
            await Problem(ctx, Problems.Unauthenticated, "unknown client credential");
            return false;
        }
        if (!dpPolicy.Performs(RequireToken))
            return true;
        var detail = "anonymous lookups need a Privacy Pass token (RFC 9577); see the WWW-Authenticate challenge";
        if (Csis.IsValid(request.CsiType, request.Csi) && mappings.LiveFor(request.Csi, request.CsiType, Now).Count > 0 && !dpPolicy.Performs(UniformChallenge))
            detail = "this CSI has mappings; present a Privacy Pass token (RFC 9577) to read them";
        return await Challenge(ctx, Problems.TokenRequired, detail);
    }

    private async Task IssueAsync(HttpContext ctx)
    {
        var authorization = ctx.Request.Headers.Authorization.ToString();
        var credential = authorization.StartsWith(BearerPrefix, StringComparison.Ordinal) ? authorization[BearerPrefix.Length..] : null;
        if (credential is null || (!store.IsClient(credential) && dpPolicy.Performs(AuthenticateIssuance)))
        {
            await Problem(ctx, Problems.Unauthenticated, "token issuance needs an identified client: Authorization: Bearer <client credential>",
                ("WWW-Authenticate", "Bearer"));
            return;
        }
        if (!string.Equals(ctx.Request.ContentType, PrivacyPassConstants.RequestContentType, StringComparison.OrdinalIgnoreCase) && dpPolicy.Performs(CheckTokenRequestMediaType))
            throw new ProblemException(Problems.UnsupportedMediaType, $"Content-Type must be {PrivacyPassConstants.RequestContentType}");
        var body = new byte[3 + PrivacyPassConstants.Nk + 1];
        var read = 0;
        int n;
        while (read < body.Length && (n = await ctx.Request.Body.ReadAsync(body.AsMemory(read), ctx.RequestAborted)) > 0)
            read += n;
        var request = TokenRequest.TryDecode(body.AsSpan(0, read));
        if (request is null || request.TokenType != PrivacyPassConstants.TokenTypeBlindRsa)
            throw new ProblemException(Problems.MalformedRequest, $"the body is not a TokenRequest of type 0x0002 ({3 + PrivacyPassConstants.Nk} bytes)");
        if (request.TruncatedTokenKeyId != issuer.KeyId[^1])
            throw new ProblemException(Problems.MalformedRequest, "truncated_token_key_id names no key of this issuer");
        var decision = store.Charge("issue", credential, policy.Allowance, policy.WindowSeconds, Now, enforce: true,
            fixedBoundaries: !dpPolicy.Performs(StartAllowanceWindowsPerClient));
        if (!decision.Allowed && dpPolicy.Performs(EnforceAllowance))
        {
            await Problem(ctx, Problems.RateLimited, $"this client's allowance of {policy.Allowance} tokens per {policy.WindowSeconds} s is used up", RetryAfter(decision));
            return;
        }
        byte[] signature;
        try
        {
            signature = issuer.BlindSign(request.BlindedMessage);
        }
        catch (CryptographicException)
        {
            throw new ProblemException(Problems.MalformedRequest, "blinded_msg is not a valid message representative for this key");
        }
        await Replies.BytesAsync(ctx, StatusCodes.Status200OK, dpPolicy.Performs(AnswerTokenResponseType) ? PrivacyPassConstants.ResponseContentType : "application/octet-stream", signature);
    }

    private async Task RegisterAsync(HttpContext ctx)
    {
        var credential = B64.Encode(RandomNumberGenerator.GetBytes(18));
        store.RegisterClient(credential, Now);
        ctx.Response.StatusCode = dpPolicy.Performs(AnswerClientsWith201) ? StatusCodes.Status201Created : StatusCodes.Status200OK;
        ctx.Response.ContentType = "application/json";
        ctx.Response.Headers.CacheControl = "no-store";
        await JsonSerializer.SerializeAsync(ctx.Response.Body, new ClientRegistration(credential), AeJson.Default.ClientRegistration, ctx.RequestAborted);
    }

    private (string, string)[] RetryAfter(QuotaDecision decision) =>
        dpPolicy.Performs(SendRetryAfter) ? [("Retry-After", decision.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture))] : [];

    /// <summary>A refused token gets invalid-token with a fresh challenge, so the client can fetch another (PROFILE.md §10.4).</summary>
    private async Task<bool> Rechallenge(HttpContext ctx, string detail)
    {
        if (dpPolicy.Performs(RechallengeInvalidTokens))
            return await Challenge(ctx, Problems.InvalidToken, detail);
        await Problem(ctx, Problems.InvalidToken, detail);
        return false;
    }

    private async Task<bool> Challenge(HttpContext ctx, string type, string detail)
    {
        await Problem(ctx, type, detail, ("WWW-Authenticate", issuer.ChallengeAt(Now).WwwAuthenticate));
        return false;
    }

    private static async Task Problem(HttpContext ctx, string type, string detail, params (string Name, string Value)[] headers)
    {
        ctx.Response.Clear();
        ctx.Response.StatusCode = ProblemCatalog.StatusOf(type);
        foreach (var (name, value) in headers)
            ctx.Response.Headers[name] = value;
        ctx.Response.ContentType = ProblemContentType;
        ctx.Response.Headers.CacheControl = "no-store";
        await JsonSerializer.SerializeAsync(ctx.Response.Body, new ProblemBody(type, ProblemCatalog.TitleOf(type), ProblemCatalog.StatusOf(type), detail), DpJson.Default.ProblemBody, ctx.RequestAborted);
    }
}
