using Mimi.Conformance.Protocol.PrivacyPass;

namespace Mimi.Conformance.Harness.Client;

/// <summary>Where a lookup gets a Privacy Pass token for a DP's challenge (PROFILE.md §10.4).</summary>
public interface ITokenSource
{
    /// <summary>One token for <paramref name="challenge"/>; throws when none can be had, with the reason.</summary>
    Task<byte[]> TokenAsync(ParsedChallenge challenge, CancellationToken ct = default);
}

/// <summary>No token could be had; <see cref="NeedsTestControl"/> when only test control could have provided a client.</summary>
public sealed class TokenUnavailableException(string message, bool needsTestControl = false) : Exception(message)
{
    public bool NeedsTestControl => needsTestControl;
}

/// <summary>
/// One identified client at a DP's Privacy Pass issuer (PROFILE.md §10): registered through test control, tokens
/// fetched for the DP's challenge, a fresh client once if the allowance is spent. Everything goes through the
/// recorded DP client.
/// </summary>
public sealed class PrivacyPassWallet(DpClient http, TestControlClient? testControl, string issuerDirectory, SeededBytes random, ClientCredentialPool? issued = null) : ITokenSource
{
    public const string NoTestControl = "the harness needs an identified client at the DP's token issuer and registers one through test control " +
        "(PROFILE.md §8 POST {test_control}/clients); the DP offers none or --allow-test-control was not given. Without test control, give " +
        "--client-credentials FILE: credentials your DP issued out of band, one per line, each used for one fresh client";

    private string? _issuerUri;

    public PrivacyPassClient Client { get; } = new(http, random);

    /// <summary>The current client credential, or null before the first registration.</summary>
    public string? Credential { get; private set; }

    /// <summary>For a DP's metadata: its declared issuer directory, test control when allowed.</summary>
    public static PrivacyPassWallet For(DpClient http, DpMetadata metadata, bool allowTestControl, SeededBytes random, ClientCredentialPool? issued = null) =>
        new(http, allowTestControl && metadata.TestControlPath is { } path ? new TestControlClient(http, path) : null,
            metadata.RateLimit?.IssuerDirectory ?? PrivacyPassConstants.DirectoryPath, random, issued);

    /// <summary>A fresh client credential: registered through test control, else the next one the operator issued.</summary>
    public async Task<string> NewCredentialAsync(CancellationToken ct = default)
    {
        if (testControl is null)
        {
            if (issued is { Count: > 0 } && issued.TryTake(out var next))
                return Credential = next;
            throw new TokenUnavailableException(issued is { Count: > 0 }
                ? $"all {issued.Count} credentials of --client-credentials are in use by earlier tests: issue more (each test that needs a fresh identified client takes one)"
                : NoTestControl, needsTestControl: true);
        }
        var (credential, response) = await testControl.RegisterClientAsync(ct);
        // Refused like /trust: what needs the client is not observed (not-verifiable); PROF-TC-06 judges /clients itself.
        return Credential = credential ?? throw new TokenUnavailableException($"test control /clients answered {response.Describe()}; {NoTestControl}", needsTestControl: true);
    }

    public async Task<string> IssuerUriAsync()
    {
        if (_issuerUri is not null)
            return _issuerUri;
        var (uri, response) = await Client.IssuerRequestUriAsync(issuerDirectory);
        return _issuerUri = uri ?? throw new TokenUnavailableException($"issuer directory {issuerDirectory} answered {response.Describe()} without issuer-request-uri");
    }

    public async Task<byte[]> TokenAsync(ParsedChallenge challenge, CancellationToken ct = default)
    {
        var credential = Credential ?? await NewCredentialAsync(ct);
        var (token, response) = await TryIssueAsync(credential, challenge);
        if (token is null && response.Status == 429)
            (token, response) = await TryIssueAsync(await NewCredentialAsync(ct), challenge);
        return token ?? throw new TokenUnavailableException($"the DP's issuer did not issue a token: {response.Describe()}{(response.ProblemType is { } t ? $" type {t}" : "")}");
    }

    /// <summary>Issues with a given credential (and optionally another challenge), returning the refusal instead of throwing.</summary>
    public async Task<(byte[]? Token, DpResponse Response)> TryIssueAsync(string credential, ParsedChallenge challenge, byte[]? challengeOverride = null) =>
        await Client.IssueAsync(await IssuerUriAsync(), credential, challengeOverride ?? challenge.Challenge, challenge.TokenKey, challenge.Key);
}
