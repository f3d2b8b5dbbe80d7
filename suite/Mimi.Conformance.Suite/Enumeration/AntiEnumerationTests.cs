using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Mimi.Conformance.Harness.Client;
using Mimi.Conformance.Protocol.Crypto;
using Mimi.Conformance.Protocol.PrivacyPass;
using Mimi.Conformance.Protocol.Profile;
using Mimi.Conformance.Protocol.Profile.Wire;
using Mimi.Conformance.Suite.Infrastructure;

namespace Mimi.Conformance.Suite.Enumeration;

/// <summary>
/// The anti-enumeration class (PROFILE.md §10) and R8: Privacy Pass challenge, single-use tokens bound to the DP's
/// challenge and key, the per-window allowance (floor and cap), identified rate limits with Retry-After, no existence
/// oracle, and a bounded enumeration probe whose figures go into the report.
/// </summary>
public sealed class AntiEnumerationTests(ConformanceFixture dp)
{
    private const string ClassName = "anti-enumeration";
    private const int Floor = 50;
    private const int ProbeSize = 1000;
    private const int MaxLoop = 1000;

    private readonly DpOperations _ops = new(dp);

    private bool Claims => dp.Meta.ConformanceClasses.Contains(ClassName);

    private void RequireClass()
    {
        if (!Claims)
            Expect.NotApplicable("the DP does not claim the anti-enumeration class in conformance_classes");
    }

    private static LookupRequest Lookup(string csi) => ProfileClient.Lookup(csi);

    /// <summary>One lookup with this Authorization (or none), no token fetched on the harness's behalf.</summary>
    private Task<DpResponse> AskAsync(LookupRequest request, string? authorization, DpClient? via = null) =>
        via is null ? dp.Profile.LookupWithAsync(request, authorization) : dp.Profile.LookupWithAsync(via, request, authorization);

    private Task<DpResponse> WithTokenAsync(LookupRequest request, byte[] token) => AskAsync(request, PrivacyPassClient.Authorization(token));

    /// <summary>An anonymous lookup's challenge, which every other test here starts from.</summary>
    private async Task<ParsedChallenge> ChallengeAsync()
    {
        var response = Expect.Reachable(await AskAsync(Lookup(_ops.Parties.NewE164()), null), "anonymous lookup");
        Expect.That(response.Status == 401, "token-required", "HTTP 401 for an anonymous lookup without a token", response.Describe());
        var challenge = ParsedChallenge.From(response, out var problem);
        Expect.That(challenge is not null, "challenge-parses", "WWW-Authenticate: PrivateToken challenge=\"…\", token-key=\"…\" with a type 0x0002 TokenChallenge and an RSA-2048 token key", problem);
        return challenge!;
    }

    private RateLimitPolicy Policy()
    {
        var policy = _ops.Tokens.Policy;
        Expect.That(policy?.Allowance is > 0 && policy.WindowSeconds is > 0, "rate-limit-declared", "metadata rate_limit.anonymous.allowance and window_s",
            policy is null ? "no rate_limit" : $"allowance {policy.Allowance?.ToString(CultureInfo.InvariantCulture) ?? "none"}, window_s {policy.WindowSeconds?.ToString(CultureInfo.InvariantCulture) ?? "none"}");
        if (policy!.Allowance > MaxLoop)
            Expect.NotVerifiable($"the declared allowance {policy.Allowance} is above the harness's loop bound of {MaxLoop}");
        return policy;
    }

    [Fact, Requirement("DISC-M-07")]
    [Requirement("PROF-AE-15")]
    public async Task Anonymous_lookup_without_a_token_gets_a_PrivateToken_challenge()
    {
        RequireClass();
        var challenge = await ChallengeAsync();
        var (uri, directory) = await _ops.Tokens.Client.IssuerRequestUriAsync(_ops.Tokens.Policy?.IssuerDirectory ?? PrivacyPassConstants.DirectoryPath);
        var keys = directory.Json?["token-keys"] as JsonArray;
        var listed = keys?.Any(k => k?["token-key"] is JsonValue v && v.TryGetValue<string>(out var s) && PrivateTokenHeaders.DecodeValue(s) is { } b && b.AsSpan().SequenceEqual(challenge.TokenKey)) == true;
        Expect.That(uri is not null && listed, "issuer-directory", "the issuer directory lists issuer-request-uri and the challenge's token-key",
            $"{directory.Describe()}, issuer-request-uri {uri ?? "missing"}, token key {(listed ? "listed" : "not listed")}");
    }

    [Fact, Requirement("DISC-M-07")]
    [Requirement("PROF-AE-19")]
    public async Task A_valid_token_is_accepted_once()
    {
        RequireClass();
        var challenge = await ChallengeAsync();
        var token = await _ops.Tokens.TokenAsync(challenge);
        var first = Expect.Reachable(await WithTokenAsync(Lookup(_ops.Parties.NewE164()), token), "lookup with a token");
        Expect.Status(first, 200, "token-accepted");
        var again = Expect.Reachable(await WithTokenAsync(Lookup(_ops.Parties.NewE164()), token), "lookup with the same token");
        Expect.That(again.Status is 401 or 403, "token-single-use", "HTTP 401/403 for a redeemed token", again.Describe());
    }

    [Fact, Requirement("DISC-M-07")]
    [Requirement("PROF-AE-21")]
    public async Task A_token_with_base64url_padding_is_accepted()
    {
        RequireClass();
        var challenge = await ChallengeAsync();
        var token = await _ops.Tokens.TokenAsync(challenge);
        var value = System.Buffers.Text.Base64Url.EncodeToString(token);
        var padded = value + new string('=', (4 - (value.Length % 4)) % 4);
        if (padded.Length == value.Length)
            Expect.NotApplicable($"a {token.Length}-byte token has no base64url padding to add or leave out (PROFILE.md §10.4)");
        // The unpadded form is what every other token test sends (A_valid_token_is_accepted_once).
        var response = Expect.Reachable(await AskAsync(Lookup(_ops.Parties.NewE164()), $"{PrivacyPassConstants.Scheme} token=\"{padded}\""), "lookup with a padded token");
        Expect.Status(response, 200, "padded-token-accepted");
    }

    [Fact, Requirement("DISC-M-07")]
    [Requirement("PROF-AE-19")]
    public async Task A_token_for_another_challenge_or_issuer_is_refused()
    {
        RequireClass();
        var challenge = await ChallengeAsync();
        var foreign = new TokenChallenge(PrivacyPassConstants.TokenTypeBlindRsa, challenge.Decoded.IssuerName, [], "other-dp.conformance.test").Encode();
        var (token, issued) = await _ops.Tokens.TryIssueAsync(await _ops.Tokens.NewCredentialAsync(), challenge, foreign);
        if (token is null)
            throw new HarnessErrorException($"the DP's issuer did not issue a token: {issued.Describe()}");
        var otherChallenge = Expect.Reachable(await WithTokenAsync(Lookup(_ops.Parties.NewE164()), token), "lookup with a token for another origin");
        Expect.That(otherChallenge.Status is 401 or 403, "other-challenge-refused", "HTTP 401/403 for a token whose challenge names another origin", otherChallenge.Describe());

        // A token under a key the DP never published: same challenge, signed by an issuer the harness plays.
        using var rsa = RSA.Create(2048);
        var key = rsa.ExportParameters(true);
        var spki = TokenKeys.EncodeSpki(key);
        var input = PrivateToken.Input(PrivacyPassConstants.TokenTypeBlindRsa, _ops.Tokens.Client.Random.Next(32), TokenChallenge.Digest(challenge.Challenge), TokenKeys.KeyId(spki));
        var blinded = BlindRsa.Blind(key, input, _ops.Tokens.Client.Random.Next);
        var signature = BlindRsa.Finalize(key, input, BlindRsa.BlindSign(key, blinded.BlindedMessage), blinded.Inverse)!;
        var otherIssuer = Expect.Reachable(await WithTokenAsync(Lookup(_ops.Parties.NewE164()), [.. input, .. signature]), "lookup with another issuer's token");
        Expect.That(otherIssuer.Status is 401 or 403, "other-issuer-refused", "HTTP 401/403 for a token under an unknown issuer key", otherIssuer.Describe());
    }

    /// <summary>The metadata document, fetched now (a fault may change it after setup).</summary>
    private async Task<(JsonObject Metadata, Uri Url)> MetadataAsync()
    {
        var response = Expect.Reachable(await dp.Client.GetAsync(ProfileConstants.MetadataPath), "metadata");
        if (response.Json is not JsonObject json)
            throw new HarnessErrorException($"metadata did not parse: {response.Describe()}");
        return (json, dp.Client.Resolve(ProfileConstants.MetadataPath));
    }

    private static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static long? Number(JsonNode? node) => node is JsonValue v && v.TryGetValue<long>(out var n) ? n : null;

    [Fact, Requirement("DISC-M-07")]
    [Requirement("PROF-AE-01")]
    public async Task Metadata_declares_rate_limit_anonymous_and_identified_as_shown()
    {
        RequireClass();
        var (metadata, _) = await MetadataAsync();
        var rl = metadata["rate_limit"] as JsonObject;
        var anon = rl?["anonymous"] as JsonObject;
        var ident = rl?["identified"] as JsonObject;
        Expect.That(anon is not null && Text(anon["scheme"]) == "privacypass" && Number(anon["token_type"]) == 2 && Number(anon["allowance"]) is not null
                && Number(anon["window_s"]) is > 0 && Text(anon["issuer_directory"]) is { Length: > 0 } && Text(anon["issuer_request_uri"]) is { Length: > 0 },
            "anonymous-declared", "rate_limit.anonymous {scheme: \"privacypass\", token_type: 2, allowance, window_s > 0, issuer_directory, issuer_request_uri}", anon?.ToJsonString() ?? "absent");
        Expect.That(ident is not null && Number(ident["limit"]) is not null && Number(ident["window_s"]) is > 0 && Text(ident["auth"]) == "bearer",
            "identified-declared", "rate_limit.identified {limit, window_s > 0, auth: \"bearer\"}", ident?.ToJsonString() ?? "absent");
    }

    [Fact, Requirement("DISC-M-07")]
    [Requirement("PROF-AE-06")]
    public async Task The_issuer_directory_answers_its_media_type_and_lists_a_type_2_key()
    {
        RequireClass();
        var response = Expect.Reachable(await dp.Client.GetAsync(_ops.Tokens.Policy?.IssuerDirectory ?? PrivacyPassConstants.DirectoryPath), "issuer directory");
        Expect.Status(response, 200, "directory-200");
        var mediaType = response.ContentType?.Split(';')[0].Trim();
        Expect.That(string.Equals(mediaType, PrivacyPassConstants.DirectoryContentType, StringComparison.OrdinalIgnoreCase), "directory-media-type",
            PrivacyPassConstants.DirectoryContentType, response.ContentType ?? "(none)");
        var keys = response.Json?["token-keys"] as JsonArray;
        var good = keys?.Any(k => k is JsonObject o && Number(o["token-type"]) == 2 && Text(o["token-key"]) is { } key && PrivateTokenHeaders.DecodeValue(key) is { } spki
            && TokenKeys.TryDecodeSpki(spki) is not null && Number(o["not-before"]) is not null) == true;
        Expect.That(Text(response.Json?["issuer-request-uri"]) is not null && good, "directory-shape",
            "{\"issuer-request-uri\": \"…\", \"token-keys\": [{\"token-type\": 2, \"token-key\": \"<base64url RSASSA-PSS SPKI>\", \"not-before\": …}]}", response.Json?.ToJsonString() ?? response.Describe());
    }

    [Fact, Requirement("DISC-M-07")]
    [Requirement("PROF-AE-07")]
    public async Task Metadata_and_issuer_directory_name_the_same_issuance_endpoint()
    {
        RequireClass();
        var (metadata, metadataUrl) = await MetadataAsync();
        var declared = Text((metadata["rate_limit"] as JsonObject)?["anonymous"]?["issuer_request_uri"]);
        var directoryUrl = dp.Client.Resolve(_ops.Tokens.Policy?.IssuerDirectory ?? PrivacyPassConstants.DirectoryPath);
        var (listed, directory) = await _ops.Tokens.Client.IssuerRequestUriAsync(directoryUrl.ToString());
        // Either form: an absolute https URL, or a path relative to the document carrying it.
        static Uri? Resolve(Uri document, string? value) =>
            value is not null && Uri.TryCreate(document, value, out var u) && u.Scheme == Uri.UriSchemeHttps ? u : null;
        var fromMetadata = Resolve(metadataUrl, declared);
        var fromDirectory = Resolve(directoryUrl, listed);
        Expect.That(fromMetadata is not null && fromDirectory is not null && Uri.Compare(fromMetadata, fromDirectory, UriComponents.HttpRequestUrl, UriFormat.UriEscaped, StringComparison.Ordinal) == 0,
            "same-issuer-endpoint", "rate_limit.anonymous.issuer_request_uri and the directory's issuer-request-uri resolve to the same https endpoint",
            $"metadata {declared ?? "absent"} → {fromMetadata?.ToString() ?? "?"}, directory {listed ?? directory.Describe()} → {fromDirectory?.ToString() ?? "?"}");
    }

    /// <summary>A well-formed TokenRequest for the DP's key (PROFILE.md §10.3), and the endpoint it goes to.</summary>
    private async Task<(Uri Endpoint, byte[] Body, byte KeyIdByte)> TokenRequestAsync(ParsedChallenge challenge)
    {
        var (uri, directory) = await _ops.Tokens.Client.IssuerRequestUriAsync(_ops.Tokens.Policy?.IssuerDirectory ?? PrivacyPassConstants.DirectoryPath);
        if (uri is null)
            throw new HarnessErrorException($"the issuer directory names no issuer-request-uri: {directory.Describe()}");
        var keyId = TokenKeys.KeyId(challenge.TokenKey);
        var input = PrivateToken.Input(PrivacyPassConstants.TokenTypeBlindRsa, _ops.Tokens.Client.Random.Next(32), TokenChallenge.Digest(challenge.Challenge), keyId);
        var blinded = BlindRsa.Blind(challenge.Key, input, _ops.Tokens.Client.Random.Next);
        return (dp.Client.Resolve(uri), new TokenRequest(PrivacyPassConstants.TokenTypeBlindRsa, keyId[^1], blinded.BlindedMessage).Encode(), keyId[^1]);
    }

    private Task<DpResponse> IssueRawAsync(Uri endpoint, byte[] body, string contentType, string? credential) =>
        dp.Client.SendAsync(HttpMethod.Post, endpoint, body, contentType, credential is null ? [] : [new("Authorization", $"Bearer {credential}")]);

    [Fact, Requirement("DISC-M-07")]
    [Requirement("PROF-AE-09")]
    public async Task The_token_key_is_an_RSA_2048_RSASSA_PSS_SHA_384_key_named_by_the_SHA_256_of_its_SPKI()
    {
        RequireClass();
        var challenge = await ChallengeAsync();
        var spki = challenge.TokenKey;
        Expect.That(challenge.Key.Modulus is { Length: 256 } m && (m[0] & 0x80) != 0, "rsa-2048", "a 2048-bit RSA modulus", $"{(challenge.Key.Modulus?.Length ?? 0) * 8}-bit buffer");
        // The DER this profile fixes: id-RSASSA-PSS with SHA-384, MGF1-SHA-384 and salt 48 (RFC 9578 §6.5).
        var expected = TokenKeys.EncodeSpki(challenge.Key);
        Expect.That(expected.AsSpan().SequenceEqual(spki), "pss-spki", "SubjectPublicKeyInfo with id-RSASSA-PSS, SHA-384, MGF1-SHA-384, salt 48, DER",
            $"{spki.Length} bytes{(spki.AsSpan().SequenceEqual(expected) ? "" : ", another encoding or algorithm identifier")}");
        // token_key_id = SHA-256(SPKI): a token naming that id is redeemed.
        var token = await _ops.Tokens.TokenAsync(challenge);
        var redeemed = Expect.Reachable(await WithTokenAsync(Lookup(_ops.Parties.NewE164()), token), "lookup with a token named by SHA-256(SPKI)");
        Expect.Status(redeemed, 200, "token-key-id");
    }

    [Fact, Requirement("DISC-M-07")]
    [Requirement("PROF-AE-10")]
    public async Task A_token_request_is_answered_with_a_private_token_response_holding_the_blind_signature()
    {
        RequireClass();
        var challenge = await ChallengeAsync();
        var (token, issued) = await _ops.Tokens.TryIssueAsync(await _ops.Tokens.NewCredentialAsync(), challenge);
        Expect.Status(issued, 200, "issued");
        var mediaType = issued.ContentType?.Split(';')[0].Trim();
        Expect.That(string.Equals(mediaType, PrivacyPassConstants.ResponseContentType, StringComparison.OrdinalIgnoreCase), "response-media-type",
            PrivacyPassConstants.ResponseContentType, issued.ContentType ?? "(none)");
        Expect.That(issued.Body.Length == PrivacyPassConstants.Nk && token is not null, "blind-signature",
            $"blind_sig of {PrivacyPassConstants.Nk} bytes that finalizes to an RSABSSA-SHA384-PSS signature of the token input (RFC 9474)",
            $"{issued.Body.Length} bytes{(token is null ? ", does not finalize" : "")}");
    }

    [Fact, Requirement("DISC-M-07")]
    [Requirement("PROF-AE-12")]
    public async Task Issuance_without_a_known_credential_gets_401_unauthenticated()
    {
        RequireClass();
        var (endpoint, body, _) = await TokenRequestAsync(await ChallengeAsync());
        var none = Expect.Reachable(await IssueRawAsync(endpoint, body, PrivacyPassConstants.RequestContentType, null), "token request without a credential");
        Expect.Refused(none, "no-credential", 401, ProfileConstants.Problems.Unauthenticated);
        var unknown = Expect.Reachable(await IssueRawAsync(endpoint, body, PrivacyPassConstants.RequestContentType, Convert.ToHexStringLower(_ops.Tokens.Client.Random.Next(18))), "token request with an unknown credential");
        Expect.Refused(unknown, "unknown-credential", 401, ProfileConstants.Problems.Unauthenticated);
    }

    [Fact, Requirement("DISC-M-07")]
    [Requirement("PROF-AE-13")]
    public async Task A_token_request_of_another_media_type_or_shape_is_refused()
    {
        RequireClass();
        var (endpoint, body, keyIdByte) = await TokenRequestAsync(await ChallengeAsync());
        var credential = await _ops.Tokens.NewCredentialAsync();
        var media = Expect.Reachable(await IssueRawAsync(endpoint, body, "application/octet-stream", credential), "token request as application/octet-stream");
        Expect.Refused(media, "other-media-type", 415, ProfileConstants.Problems.UnsupportedMediaType);
        byte[] otherType = [.. body];
        otherType[1] = 0x01;
        var type1 = Expect.Reachable(await IssueRawAsync(endpoint, otherType, PrivacyPassConstants.RequestContentType, credential), "token request of type 0x0001");
        Expect.Refused(type1, "other-token-type", 400, ProfileConstants.Problems.MalformedRequest);
        byte[] otherKey = [.. body];
        otherKey[2] = (byte)(keyIdByte ^ 0xff);
        var foreignKey = Expect.Reachable(await IssueRawAsync(endpoint, otherKey, PrivacyPassConstants.RequestContentType, credential), "token request for another key");
        Expect.Refused(foreignKey, "other-key", 400, ProfileConstants.Problems.MalformedRequest);
        var truncated = Expect.Reachable(await IssueRawAsync(endpoint, body[..100], PrivacyPassConstants.RequestContentType, credential), "truncated token request");
        Expect.Refused(truncated, "truncated", 400, ProfileConstants.Problems.MalformedRequest);
    }

    [Fact, Requirement("DISC-M-07")]
    [Requirement("PROF-AE-14")]
    public async Task A_lookup_without_a_valid_credential_gets_401_whatever_CSI_it_names()
    {
        RequireClass();
        foreach (var (csi, type) in new[] { ("12125550100", ProfileConstants.CsiTypes.E164), ("+1 212 555 0100", ProfileConstants.CsiTypes.E164), ("not-an-address", ProfileConstants.CsiTypes.Email) })
        {
            var response = Expect.Reachable(await AskAsync(ProfileClient.Lookup(csi, type), null), $"anonymous lookup of the malformed CSI {csi}");
            Expect.Refused(response, $"malformed-csi-{type}-gated", 401, ProfileConstants.Problems.TokenRequired);
        }
    }

    [Fact, Requirement("DISC-M-07")]
    [Requirement("PROF-AE-16")]
    public async Task A_lookup_with_an_unknown_Bearer_credential_is_challenged_like_an_anonymous_one()
    {
        RequireClass();
        var unknown = $"Bearer {Convert.ToHexStringLower(_ops.Tokens.Client.Random.Next(18))}";
        var response = Expect.Reachable(await AskAsync(Lookup(_ops.Parties.NewE164()), unknown), "lookup with an unknown Bearer credential");
        Expect.Refused(response, "unknown-bearer", 401, ProfileConstants.Problems.TokenRequired);
        var challenge = ParsedChallenge.From(response, out var problem);
        Expect.That(challenge is not null, "unknown-bearer-challenge", "a PrivateToken challenge in WWW-Authenticate", problem);
    }

    [Fact, Requirement("DISC-M-07")]
    [Requirement("PROF-AE-17")]
    public async Task The_challenge_names_the_DP_host_and_is_unpadded_base64url()
    {
        RequireClass();
        var response = Expect.Reachable(await AskAsync(Lookup(_ops.Parties.NewE164()), null), "anonymous lookup");
        var challenge = ParsedChallenge.From(response, out var problem);
        Expect.That(challenge is not null, "challenge-parses", "a type 0x0002 PrivateToken challenge", problem);
        var host = new Uri(dp.Meta.DpId).Host;
        var decoded = challenge!.Decoded;
        Expect.That(decoded.IssuerName == host && decoded.OriginInfo == host && decoded.RedemptionContext.Length == 32, "challenge-fields",
            $"issuer_name = origin_info = {host}, a 32-byte redemption_context",
            $"issuer_name {decoded.IssuerName}, origin_info {decoded.OriginInfo}, redemption_context {decoded.RedemptionContext.Length} bytes");
        var parameters = PrivateTokenHeaders.Parameters(response.Headers.GetValueOrDefault("www-authenticate"))!;
        var values = new[] { "challenge", "token-key" }.Select(n => (n, v: parameters.GetValueOrDefault(n) ?? "")).ToArray();
        Expect.That(values.All(p => p.v.Length > 0 && p.v.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')), "unpadded-base64url",
            "challenge= and token-key= in base64url without padding", string.Join(", ", values.Select(p => $"{p.n}=\"{p.v}\"")));
    }

    [Fact, Requirement("DISC-M-07")]
    [Requirement("PROF-AE-20")]
    public async Task A_refused_token_gets_invalid_token_with_a_fresh_challenge()
    {
        RequireClass();
        var challenge = await ChallengeAsync();
        var token = await _ops.Tokens.TokenAsync(challenge);
        Expect.Status(Expect.Reachable(await WithTokenAsync(Lookup(_ops.Parties.NewE164()), token), "lookup with a token"), 200, "token-accepted");
        byte[] tampered = [.. token];
        tampered[^1] ^= 0x01;
        foreach (var (what, bytes) in new[] { ("spent", token), ("tampered", tampered) })
        {
            var response = Expect.Reachable(await WithTokenAsync(Lookup(_ops.Parties.NewE164()), bytes), $"lookup with a {what} token");
            Expect.Refused(response, $"{what}-invalid-token", 401, ProfileConstants.Problems.InvalidToken);
            var fresh = ParsedChallenge.From(response, out var problem);
            Expect.That(fresh is not null, $"{what}-rechallenged", "a PrivateToken challenge in WWW-Authenticate", problem);
        }
    }

    [Fact, Requirement("DISC-M-07")]
    [Requirement("PROF-AE-18")]
    public async Task A_token_dies_with_its_window_and_a_new_window_gets_a_new_challenge()
    {
        RequireClass();
        var policy = Policy();
        var challenge = await ChallengeAsync();
        var context = challenge.Decoded.RedemptionContext;
        Expect.That(context.Length == 32, "window-context", "a 32-byte redemption_context naming the token window (PROFILE.md §10.4)", $"{context.Length} bytes");
        var token = await _ops.Tokens.TokenAsync(challenge);
        var testControl = dp.TestControl;
        if (testControl is null)
            Expect.NotVerifiable("moving to a later window needs test control's clock (PROFILE.md §8 POST {test_control}/clock)");
        try
        {
            var advance = await testControl.AdvanceClockAsync(2 * policy.WindowSeconds!.Value);
            if (!TestControlClient.Succeeded(advance))
                Expect.NotVerifiable($"test control /clock answered {advance.Describe()}");
            var late = Expect.Reachable(await WithTokenAsync(Lookup(_ops.Parties.NewE164()), token), "lookup with a token two windows old");
            Expect.That(late.Status is 401 or 403, "token-time-bound", $"HTTP 401/403 for an unspent token fetched {2 * policy.WindowSeconds} s earlier", late.Describe());
            var next = await ChallengeAsync();
            Expect.That(!next.Decoded.RedemptionContext.AsSpan().SequenceEqual(context), "context-rolls-over", "the new window's challenge carries another redemption_context",
                Convert.ToHexStringLower(next.Decoded.RedemptionContext));
        }
        finally
        {
            await testControl.ResetAsync();
            await dp.ReestablishTrustAsync();
        }
    }

    /// <summary>Test control, for a check that moves the DP's clock; not-verifiable without it.</summary>
    private TestControlClient RequireClock()
    {
        var control = dp.TestControl;
        if (control is null)
            Expect.NotVerifiable("placing requests on either side of a window's end needs test control's clock (PROFILE.md §8 POST {test_control}/clock)");
        return control!;
    }

    private static async Task AdvanceAsync(TestControlClient control, long seconds)
    {
        if (seconds <= 0)
            return;
        var advance = await control.AdvanceClockAsync(seconds);
        if (!TestControlClient.Succeeded(advance))
            Expect.NotVerifiable($"test control /clock answered {advance.Describe()}");
    }

    /// <summary>The advance that puts the DP's clock (reset, so the harness's) at this fraction of a window of fixed boundaries.</summary>
    private long ToPhase(long window, double fraction) => ((long)(window * fraction) - dp.Now % window + window) % window;

    /// <summary>
    /// PROFILE.md §10.2: a client's window starts at its first request and lasts window_s. The first request is placed
    /// mid-way between two fixed boundaries, the window used up, and the clock moved to 3/4 window_s after the first
    /// request (past a fixed boundary, inside the client's window: refused) and then to 5/4 (past its end: served).
    /// </summary>
    private async Task WindowStartsAtTheFirstRequestAsync(string what, int limit, long window, Func<Task<(bool Served, DpResponse Response)>> request)
    {
        if (limit > MaxLoop)
            Expect.NotVerifiable($"the declared {what} limit {limit} is above the harness's loop bound of {MaxLoop}");
        if (window < 40)
            Expect.NotVerifiable($"a {what} window_s of {window} s leaves no room between its end and a fixed boundary for the harness's clock skew");
        var control = RequireClock();
        try
        {
            await AdvanceAsync(control, ToPhase(window, 0.5));
            var first = dp.Now;
            var served = 0;
            DpResponse? refused = null;
            while (served < limit && refused is null)
            {
                var (ok, response) = await request();
                if (ok)
                    served++;
                else
                    refused = response;
            }
            Expect.That(served == limit, $"{what}-window-used", $"{limit} {what}s served in one window", $"{served}, then {refused?.Describe()}{(refused is null ? "" : Expect.ProblemType(refused))}");
            var spent = dp.Now - first;
            // The next request comes 3/4 window_s after the first whatever this took; it must only end before that.
            if (spent > window / 4)
                Expect.NotVerifiable($"using up the window took {spent} s, more than a quarter of its {window} s, so the next requests cannot be placed");
            await AdvanceAsync(control, window * 3 / 4 - spent);
            var (inside, insideResponse) = await request();
            Expect.That(!inside && insideResponse.Status == 429, $"{what}-window-runs-from-first-request",
                $"429: 3/4 window_s ({window * 3 / 4} s) after the client's first {what}, past a boundary of fixed windows, its window still runs",
                insideResponse.Describe() + Expect.ProblemType(insideResponse));
            await AdvanceAsync(control, window / 2);
            var (after, afterResponse) = await request();
            Expect.That(after, $"{what}-window-lasts-window-s", $"served: 5/4 window_s ({window * 5 / 4} s) after the client's first {what}, its window has ended",
                afterResponse.Describe() + Expect.ProblemType(afterResponse));
        }
        finally
        {
            await control.ResetAsync();
            await dp.ReestablishTrustAsync();
        }
    }

    [Fact, Requirement("DISC-M-07")]
    [Requirement("PROF-AE-02")]
    public async Task The_token_allowance_window_starts_at_the_clients_first_request_and_lasts_window_s()
    {
        RequireClass();
        var policy = Policy();
        var challenge = await ChallengeAsync();
        string? credential = null;
        await WindowStartsAtTheFirstRequestAsync("token request", policy.Allowance!.Value, policy.WindowSeconds!.Value, async () =>
        {
            credential ??= await _ops.Tokens.NewCredentialAsync();
            var (token, response) = await _ops.Tokens.TryIssueAsync(credential, challenge);
            return (token is not null, response);
        });
    }

    [Fact, Requirement("DISC-L-22")]
    [Requirement("PROF-AE-02")]
    public async Task The_identified_lookup_window_starts_at_the_clients_first_lookup_and_lasts_window_s()
    {
        RequireClass();
        var limit = _ops.Tokens.Policy?.IdentifiedLimit;
        var window = _ops.Tokens.Policy?.IdentifiedWindowSeconds;
        Expect.That(limit is > 0 && window is > 0, "identified-limit-declared", "metadata rate_limit.identified.limit and window_s", $"{limit}, {window}");
        string? bearer = null;
        await WindowStartsAtTheFirstRequestAsync("lookup", limit!.Value, window!.Value, async () =>
        {
            bearer ??= $"Bearer {await _ops.Tokens.NewCredentialAsync()}";
            var response = Expect.Reachable(await AskAsync(Lookup(_ops.Parties.NewE164()), bearer), "identified lookup");
            return (response.Status == 200, response);
        });
    }

    [Fact, Requirement("DISC-M-07")]
    [Requirement("PROF-AE-03")]
    public async Task The_token_window_is_anonymous_window_s_long_on_fixed_boundaries()
    {
        RequireClass();
        var window = Policy().WindowSeconds!.Value;
        if (window < 40)
            Expect.NotVerifiable($"an anonymous window_s of {window} s leaves no room around its boundaries for the harness's clock skew");
        var control = RequireClock();
        try
        {
            // W = floor(now / window_s): at 1/4 and 3/4 of one such window the challenge is the same; at 13/12, past
            // the next boundary and only 5/6 window_s after the first challenge, it is another (PROF-AE-18).
            await AdvanceAsync(control, ToPhase(window, 0.25));
            var first = (await ChallengeAsync()).Decoded.RedemptionContext;
            await AdvanceAsync(control, window / 2);
            var same = (await ChallengeAsync()).Decoded.RedemptionContext;
            Expect.That(same.AsSpan().SequenceEqual(first), "one-token-window", $"the same redemption_context {window / 2} s later, inside one window W = floor(now / {window})",
                $"{Convert.ToHexStringLower(first)} then {Convert.ToHexStringLower(same)}");
            await AdvanceAsync(control, window / 3);
            var next = (await ChallengeAsync()).Decoded.RedemptionContext;
            Expect.That(!next.AsSpan().SequenceEqual(first), "fixed-boundary", $"another redemption_context past the boundary of W, {window * 5 / 6} s after the first challenge",
                Convert.ToHexStringLower(next));
        }
        finally
        {
            await control.ResetAsync();
            await dp.ReestablishTrustAsync();
        }
    }

    [Fact, Requirement("DISC-M-07")]
    [Requirement("PROF-AE-04")]
    [Requirement("PROF-AE-05")]
    public async Task At_least_the_floor_of_lookups_succeeds_within_one_window()
    {
        RequireClass();
        var policy = Policy();
        Expect.That(policy.Allowance >= Floor, "allowance-floor-declared", $"rate_limit.anonymous.allowance ≥ {Floor}", $"{policy.Allowance}");
        var challenge = await ChallengeAsync();
        var credential = await _ops.Tokens.NewCredentialAsync();
        var want = Math.Max(policy.Allowance!.Value, Floor);
        var served = 0;
        string? stop = null;
        for (var i = 0; i < want && stop is null; i++)
        {
            var (token, issued) = await _ops.Tokens.TryIssueAsync(credential, challenge);
            if (token is null)
            {
                stop = $"issuance {i + 1} refused: {issued.Describe()}{Expect.ProblemType(issued)}";
                break;
            }
            var answer = Expect.Reachable(await WithTokenAsync(Lookup(_ops.Parties.NewE164()), token), "lookup");
            if (answer.Status == 200)
                served++;
            else
                stop = $"lookup {i + 1} answered {answer.Describe()}";
        }
        Expect.That(served >= want, "anonymous-floor", $"{want} token-backed lookups served for one client within one window", $"{served} served{(stop is null ? "" : $"; {stop}")}");

        if (policy.IdentifiedLimit is { } limit)
        {
            Expect.That(limit >= Floor, "identified-floor-declared", $"rate_limit.identified.limit ≥ {Floor}", $"{limit}");
            var bearer = $"Bearer {await _ops.Tokens.NewCredentialAsync()}";
            var ok = 0;
            for (var i = 0; i < Floor; i++)
                ok += (await AskAsync(Lookup(_ops.Parties.NewE164()), bearer)).Status == 200 ? 1 : 0;
            Expect.That(ok == Floor, "identified-floor", $"{Floor} lookups served for one identified client", $"{ok} served");
        }
    }

    [Fact, Requirement("DISC-M-07")]
    [Requirement("PROF-AE-11")]
    public async Task Issuance_beyond_the_allowance_is_refused_and_the_next_window_restores_it()
    {
        RequireClass();
        var policy = Policy();
        var challenge = await ChallengeAsync();
        var credential = await _ops.Tokens.NewCredentialAsync();
        var allowance = policy.Allowance!.Value;
        var issued = 0;
        DpResponse? refusal = null;
        for (var i = 0; i <= allowance && refusal is null; i++)
        {
            var (token, response) = await _ops.Tokens.TryIssueAsync(credential, challenge);
            if (token is not null)
                issued++;
            else
                refusal = response;
        }
        Expect.That(issued == allowance && refusal is not null, "allowance-cap", $"{allowance} tokens issued, request {allowance + 1} refused",
            $"{issued} issued{(refusal is null ? ", none refused" : $", then {refusal.Describe()}")}");
        Expect.Refused(refusal!, "allowance-refusal", 429, ProfileConstants.Problems.RateLimited);
        Expect.That(refusal!.Headers.ContainsKey("retry-after"), "allowance-retry-after", "Retry-After on the 429 (PROFILE.md §10.3)", refusal.Headers.ContainsKey("retry-after") ? "present" : "absent");

        var testControl = dp.TestControl;
        if (testControl is null)
            Expect.NotVerifiable("the window roll-over needs test control's clock (PROFILE.md §8 POST {test_control}/clock)");
        try
        {
            var advance = await testControl.AdvanceClockAsync(policy.WindowSeconds!.Value);
            if (!TestControlClient.Succeeded(advance))
                Expect.NotVerifiable($"test control /clock answered {advance.Describe()}");
            var (next, nextResponse) = await _ops.Tokens.TryIssueAsync(credential, challenge);
            Expect.That(next is not null, "next-window-restores", $"a token issued after the clock moved {policy.WindowSeconds} s", nextResponse.Describe() + Expect.ProblemType(nextResponse));
        }
        finally
        {
            // The moved clock would break every later test's timestamps: reset the DP and trust the harness again.
            await testControl.ResetAsync();
            await dp.ReestablishTrustAsync();
        }
    }

    [Fact, Requirement("DISC-L-22")]
    [Requirement("PROF-AE-22")]
    [Requirement("PROF-AE-24")]
    public async Task An_identified_client_over_its_limit_gets_429_with_Retry_After_and_others_are_unaffected()
    {
        RequireClass();
        // Every lookup asks for a CSI the DP holds: a 429 disguised as not_found, or one carrying the mapping, shows.
        var csi = _ops.Parties.NewE164();
        var held = dp.PublishBlocker is null ? await _ops.PublishValidAsync(_ops.Mapping(csi, _ops.Parties.NewRecipientKey(), ["default"])) : null;
        var limit = _ops.Tokens.Policy?.IdentifiedLimit;
        Expect.That(limit is > 0 && _ops.Tokens.Policy?.IdentifiedWindowSeconds is > 0, "identified-limit-declared", "metadata rate_limit.identified.limit and window_s", $"{limit}");
        if (limit > MaxLoop)
            Expect.NotVerifiable($"the declared limit {limit} is above the harness's loop bound of {MaxLoop}");
        var noisy = $"Bearer {await _ops.Tokens.NewCredentialAsync()}";
        var quiet = $"Bearer {await _ops.Tokens.NewCredentialAsync()}";
        DpResponse? throttled = null;
        var served = 0;
        for (var i = 0; i <= limit!.Value && throttled is null; i++)
        {
            var answer = Expect.Reachable(await AskAsync(Lookup(csi), noisy), "identified lookup");
            if (answer.Status == 200 && (held is null || answer.Json?["status"]?.ToString() == "found"))
                served++;
            else
                throttled = answer;
        }
        Expect.That(served == limit && throttled?.Status == 429, "identified-429", $"{limit} lookups served, lookup {limit + 1} answered 429 (never a disguised not_found)",
            $"{served} served{(throttled is null ? ", none refused" : $", then {throttled.Describe()}{Expect.ProblemType(throttled)}")}");
        if (held is not null)
            Expect.That(!throttled!.Text.Contains(B64.Encode(held.Cose.AsSpan(0, 48)), StringComparison.Ordinal) && !throttled.Text.Contains("\"mappings\"", StringComparison.Ordinal),
                "no-mapping-data", "the 429 carries no mapping data", throttled.Text.Length > 160 ? throttled.Text[..160] + "…" : throttled.Text);
        var retryAfter = throttled!.Headers.GetValueOrDefault("retry-after");
        Expect.That(PrivacyPassClient.RetryAfterIsValid(retryAfter), "retry-after", "a Retry-After header (seconds or HTTP-date) on the 429", retryAfter ?? "no Retry-After");
        var other = Expect.Reachable(await AskAsync(Lookup(_ops.Parties.NewE164()), quiet), "another client's lookup");
        Expect.Status(other, 200, "other-client-unaffected");
    }

    [Fact, Requirement("DISC-L-12")]
    [Requirement("PROF-AE-25")]
    [Requirement("PROF-AE-26")]
    public async Task Non_default_lookups_are_limited_per_client_as_declared_and_default_lookups_are_not()
    {
        RequireClass();
        if (!dp.Meta.ConformanceClasses.Contains("federation"))
            Expect.NotApplicable("non-default lookups exist only at a DP claiming both anti-enumeration and federation (PROFILE.md §10.4)");
        var policy = _ops.Tokens.Policy!;
        var identified = policy.IdentifiedLimit;
        Expect.That(identified is > 0, "identified-limit-declared", "metadata rate_limit.identified.limit", $"{identified}");
        // A mode other than the declared default that asks no peer: client_selected naming only this DP (its own
        // dp_id is ignored, PROFILE.md §11.4), or local when client_selected is the default.
        var declaredDefault = dp.Meta.Federation?["default"]?.ToString();
        var mode = declaredDefault == "client_selected" ? "local" : "client_selected";
        LookupRequest NonDefault() => Lookup(_ops.Parties.NewE164()) with { Federation = new FederationRequest(mode, mode == "client_selected" ? [dp.Meta.DpId] : null) };
        var noisy = $"Bearer {await _ops.Tokens.NewCredentialAsync()}";

        async Task<(int Served, DpResponse? Refused)> SpendAsync(int upTo)
        {
            var served = 0;
            for (var i = 0; i < upTo; i++)
            {
                var answer = Expect.Reachable(await AskAsync(NonDefault(), noisy), "non-default lookup");
                if (answer.Status != 200)
                    return (served, answer);
                served++;
            }
            return (served, null);
        }

        if (!policy.NonDefaultDeclared)
        {
            // A DP may leave non-default lookups unlimited; one that limits them below the identified limit without declaring it breaks PROF-AE-25.
            if (identified > MaxLoop)
                Expect.NotVerifiable($"the declared identified limit {identified} is above the harness's loop bound of {MaxLoop}");
            var (served, refused) = await SpendAsync(identified!.Value);
            Expect.That(refused is null, "undeclared-limit", $"no rate_limit.non_default declared, so {identified} non-default lookups (the identified limit) are served",
                $"{served} served, then {refused?.Describe()}{(refused is null ? "" : Expect.ProblemType(refused))}");
            Expect.NotApplicable($"the DP does not limit non-default lookups (no rate_limit.non_default; {served} of them served, the identified limit)");
        }
        var limit = policy.NonDefaultLimit;
        Expect.That(limit is >= 1 && policy.NonDefaultWindowSeconds is >= 1, "non-default-declared", "rate_limit.non_default {\"limit\": N ≥ 1, \"window_s\": S ≥ 1}",
            $"limit {limit?.ToString(CultureInfo.InvariantCulture) ?? "none"}, window_s {policy.NonDefaultWindowSeconds?.ToString(CultureInfo.InvariantCulture) ?? "none"}");
        if (limit > MaxLoop)
            Expect.NotVerifiable($"the declared non-default limit {limit} is above the harness's loop bound of {MaxLoop}");
        if (limit >= identified)
            Expect.NotVerifiable($"the declared non-default limit {limit} is not below the identified limit {identified}, which would refuse first");

        var (count, throttled) = await SpendAsync(limit!.Value + 1);
        Expect.That(count == limit && throttled?.Status == 429 && (!throttled.IsProblem || throttled.ProblemType == "urn:mimi-dp-profile:problem:rate-limited"), "non-default-429",
            $"{limit} non-default lookups (mode {mode}) served, lookup {limit + 1} answered 429 rate-limited",
            $"{count} served{(throttled is null ? ", none refused" : $", then {throttled.Describe()}{Expect.ProblemType(throttled)}")}");
        var retryAfter = throttled!.Headers.GetValueOrDefault("retry-after");
        Expect.That(PrivacyPassClient.RetryAfterIsValid(retryAfter), "retry-after", "a Retry-After header (seconds or HTTP-date) on the 429", retryAfter ?? "no Retry-After");
        var plain = Expect.Reachable(await AskAsync(Lookup(_ops.Parties.NewE164()), noisy), "the same client's lookup without federation");
        Expect.Status(plain, 200, "default-lookup-unaffected");
        var other = Expect.Reachable(await AskAsync(NonDefault(), $"Bearer {await _ops.Tokens.NewCredentialAsync()}"), "another client's non-default lookup");
        Expect.Status(other, 200, "other-client-unaffected");
    }

    [Fact, Requirement("DISC-R-08")]
    [Requirement("PROF-AE-23")]
    public async Task Refusals_do_not_reveal_whether_a_CSI_exists()
    {
        RequireClass();
        dp.RequirePublishing();
        var known = _ops.Parties.NewE164();
        await _ops.PublishValidAsync(_ops.Mapping(known, _ops.Parties.NewRecipientKey(), ["default"]));
        var a = Expect.Reachable(await AskAsync(Lookup(known), null), "anonymous lookup of a published CSI");
        var b = Expect.Reachable(await AskAsync(Lookup(_ops.Parties.NewE164()), null), "anonymous lookup of an unknown CSI");
        Expect.That(a.Status == b.Status && a.Status != 200, "same-status", "the same non-200 status for both", $"published {a.Status}, unknown {b.Status}");
        static string Headers(DpResponse r) => string.Join("; ", r.Headers.Where(h => h.Key != "date").OrderBy(h => h.Key, StringComparer.Ordinal).Select(h => $"{h.Key}: {h.Value}"));
        Expect.That(Headers(a) == Headers(b), "same-headers", "identical headers apart from Date", Headers(a) == Headers(b) ? "identical" : $"published [{Headers(a)}] vs unknown [{Headers(b)}]");
        Expect.That(a.Body.AsSpan().SequenceEqual(b.Body), "same-body", "identical bodies", a.Body.AsSpan().SequenceEqual(b.Body) ? "identical" : $"published {a.Text} vs unknown {b.Text}");
    }

    [Fact, Requirement("DISC-R-08")]
    public async Task Enumeration_probe_resolves_nothing_without_tokens_and_at_most_the_allowance_with_them()
    {
        _ = dp.Meta;
        var csis = Enumerable.Range(0, ProbeSize).Select(_ => _ops.Parties.NewE164()).ToArray();
        if (dp.PublishBlocker is null)
            await _ops.PublishValidAsync(_ops.Mapping(csis[ProbeSize / 2], _ops.Parties.NewRecipientKey(), ["default"]));
        // The probe's own client records nothing: 2,000 exchanges would swamp the report; the figures are the evidence.
        using var quiet = new DpClient(dp.Options!, TimeProvider.System) { TraceLabel = dp.Client.TraceLabel };
        var started = TimeProvider.System.GetTimestamp();
        var anonymous = await CountResolvedAsync(quiet, csis, _ => null);
        var anonymousMs = TimeProvider.System.GetElapsedTime(started).TotalMilliseconds;
        if (!Claims)
        {
            if (anonymous < ProbeSize)
                Expect.NotVerifiable($"the DP claims no anti-enumeration class; {ProbeSize - anonymous} of {ProbeSize} anonymous lookups were refused by a mechanism the profile does not define");
            Expect.That(false, "anonymous-probe", "anonymous lookups limited (the DP claims no anti-enumeration mechanism)", $"{anonymous} of {ProbeSize} CSIs resolved without any credential in {anonymousMs:0} ms");
        }
        Expect.That(anonymous == 0, "anonymous-probe", $"0 of {ProbeSize} CSIs resolve without a token", $"{anonymous} of {ProbeSize} resolved in {anonymousMs:0} ms");

        var policy = Policy();
        var challenge = await ChallengeAsync();
        var credential = await _ops.Tokens.NewCredentialAsync();
        var tokens = new List<byte[]>();
        started = TimeProvider.System.GetTimestamp();
        for (var i = 0; i < policy.Allowance!.Value + 5; i++)
        {
            var (token, _) = await _ops.Tokens.TryIssueAsync(credential, challenge);
            if (token is null)
                break;
            tokens.Add(token);
        }
        var issueMs = TimeProvider.System.GetElapsedTime(started).TotalMilliseconds;
        Expect.That(tokens.Count <= policy.Allowance, "tokens-per-window", $"at most {policy.Allowance} tokens for one client in one window",
            $"{tokens.Count} issued in {issueMs:0} ms");
        Expect.That(tokens.Count > 0, "tokens-issued", "at least one token issued", $"{tokens.Count}");
        // Every CSI gets a token: fresh ones first, then replays of spent ones, as an enumerator would try.
        started = TimeProvider.System.GetTimestamp();
        var withTokens = await CountResolvedAsync(quiet, csis, i => PrivacyPassClient.Authorization(tokens[i % tokens.Count]));
        var tokenMs = TimeProvider.System.GetElapsedTime(started).TotalMilliseconds;
        Expect.That(withTokens <= policy.Allowance, "token-probe", $"at most {policy.Allowance} of {ProbeSize} CSIs resolve with one window's tokens (replays included)",
            $"{withTokens} of {ProbeSize} resolved with {tokens.Count} tokens in {tokenMs:0} ms");
    }

    /// <summary>Looks up every CSI (8 at a time, loopback) and counts the 200s.</summary>
    private async Task<int> CountResolvedAsync(DpClient client, string[] csis, Func<int, string?> authorization)
    {
        var resolved = 0;
        var unanswered = 0;
        string? stop = null;
        using var cancel = new CancellationTokenSource();
        try
        {
            await Parallel.ForEachAsync(Enumerable.Range(0, csis.Length), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancel.Token }, async (i, _) =>
            {
                var answer = await AskAsync(Lookup(csis[i]), authorization(i), client);
                if (answer.Status == 200)
                    Interlocked.Increment(ref resolved);
                // A DP that does not answer makes the probe meaningless: stop early and say why, rather than wait out 1,000 timeouts.
                if (answer.TransportError is { } error && Interlocked.Increment(ref unanswered) >= DpClient.CircuitBreakerThreshold)
                {
                    stop ??= error;
                    await cancel.CancelAsync();
                }
            });
        }
        catch (OperationCanceledException) when (stop is not null)
        {
        }
        if (stop is not null)
            throw new HarnessErrorException($"the enumeration probe stopped after {unanswered} lookups without an answer: {stop}");
        return resolved;
    }
}
