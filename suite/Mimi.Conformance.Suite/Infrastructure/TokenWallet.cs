using System.Text.Json;
using System.Text.Json.Nodes;
using Mimi.Conformance.Harness.Client;
using Mimi.Conformance.Protocol.PrivacyPass;

namespace Mimi.Conformance.Suite.Infrastructure;

/// <summary>
/// One test's identified client at the DP's Privacy Pass issuer (PROFILE.md §10): registers through test control,
/// fetches tokens for the DP's challenge, and presents them. Everything goes through the recorded DP client.
/// </summary>
internal sealed class TokenWallet(ConformanceFixture fixture)
{
    private PrivacyPassClient? _client;
    private string? _issuerUri;

    public string? Credential { get; private set; }

    public RateLimitPolicy? Policy => RateLimitPolicy.Parse(fixture.MetadataJson);

    public PrivacyPassClient Client => _client ??= new PrivacyPassClient(fixture.Client, new SeededBytes($"{fixture.Options!.Seed}/{TestContext.Current.Test?.UniqueID}"));

    /// <summary>A newly registered client credential; not-verifiable without test control.</summary>
    public async Task<string> NewCredentialAsync()
    {
        var testControl = fixture.Meta.TestControlPath;
        if (testControl is null || !fixture.Options!.AllowTestControl)
            Expect.NotVerifiable("the harness needs an identified client at the DP's token issuer and registers one through test control " +
                "(PROFILE.md §8 POST {test_control}/clients); the DP offers none or --allow-test-control was not given");
        var (credential, response) = await Client.RegisterClientAsync(testControl);
        if (credential is null)
            throw new HarnessErrorException($"test control /clients answered {response.Describe()}");
        return Credential = credential;
    }

    public async Task<string> IssuerUriAsync()
    {
        if (_issuerUri is not null)
            return _issuerUri;
        var directory = Policy?.IssuerDirectory ?? PrivacyPassConstants.DirectoryPath;
        var (uri, response) = await Client.IssuerRequestUriAsync(directory);
        return _issuerUri = uri ?? throw new HarnessErrorException($"issuer directory {directory} answered {response.Describe()} without issuer-request-uri");
    }

    /// <summary>One token for this challenge with this test's credential; a fresh credential once if the allowance is spent.</summary>
    public async Task<byte[]> TokenAsync(ParsedChallenge challenge)
    {
        var credential = Credential ?? await NewCredentialAsync();
        var (token, response) = await Client.IssueAsync(await IssuerUriAsync(), credential, challenge.Challenge, challenge.TokenKey, challenge.Key);
        if (token is null && response.Status == 429)
            (token, response) = await Client.IssueAsync(await IssuerUriAsync(), await NewCredentialAsync(), challenge.Challenge, challenge.TokenKey, challenge.Key);
        return token ?? throw new HarnessErrorException($"the DP's issuer did not issue a token: {response.Describe()}{Expect.ProblemType(response)}");
    }

    /// <summary>Issues with a given credential, returning the refusal instead of throwing.</summary>
    public async Task<(byte[]? Token, DpResponse Response)> TryIssueAsync(string credential, ParsedChallenge challenge, byte[]? challengeOverride = null) =>
        await Client.IssueAsync(await IssuerUriAsync(), credential, challengeOverride ?? challenge.Challenge, challenge.TokenKey, challenge.Key);

    public Task<DpResponse> LookupWithTokenAsync(string path, JsonObject request, byte[] token, DpClient? client = null, IReadOnlyList<KeyValuePair<string, string>>? extraHeaders = null) =>
        LookupWithAsync(path, request, PrivacyPassClient.Authorization(token), client, extraHeaders);

    public Task<DpResponse> LookupWithAsync(string path, JsonObject request, string? authorization, DpClient? client = null, IReadOnlyList<KeyValuePair<string, string>>? extraHeaders = null)
    {
        var c = client ?? fixture.Client;
        IReadOnlyList<KeyValuePair<string, string>> headers = [.. authorization is null ? [] : new KeyValuePair<string, string>[] { new("Authorization", authorization) }, .. extraHeaders ?? []];
        return c.SendAsync(HttpMethod.Post, c.Resolve(path), JsonSerializer.SerializeToUtf8Bytes(request), "application/json", headers);
    }
}
