using Mimi.Conformance.Harness.Client;

namespace Mimi.Conformance.Suite.Infrastructure;

/// <summary>
/// One test's identified client at the DP's Privacy Pass issuer (PROFILE.md §10): the harness's wallet, with its
/// failures turned into the test's outcome (not-verifiable without test control, otherwise a harness error).
/// </summary>
internal sealed class TokenWallet(ConformanceFixture fixture) : ITokenSource
{
    private PrivacyPassWallet? _wallet;

    private PrivacyPassWallet Wallet => _wallet ??= PrivacyPassWallet.For(fixture.Client, fixture.Meta, fixture.Options!.AllowTestControl,
        new SeededBytes($"{fixture.Options!.Seed}/{TestContext.Current.Test?.UniqueID}"), fixture.IssuedClients);

    public string? Credential => Wallet.Credential;

    public RateLimitPolicy? Policy => fixture.Meta.RateLimit;

    public PrivacyPassClient Client => Wallet.Client;

    /// <summary>A newly registered client credential; not-verifiable without test control.</summary>
    public Task<string> NewCredentialAsync() => Outcome(() => Wallet.NewCredentialAsync());

    /// <summary>One token for this challenge with this test's credential; a fresh credential once if the allowance is spent.</summary>
    public Task<byte[]> TokenAsync(ParsedChallenge challenge, CancellationToken ct = default) => Outcome(() => Wallet.TokenAsync(challenge, ct));

    /// <summary>Issues with a given credential, returning the refusal instead of throwing.</summary>
    public Task<(byte[]? Token, DpResponse Response)> TryIssueAsync(string credential, ParsedChallenge challenge, byte[]? challengeOverride = null) =>
        Outcome(() => Wallet.TryIssueAsync(credential, challenge, challengeOverride));

    private static async Task<T> Outcome<T>(Func<Task<T>> action)
    {
        try
        {
            return await action();
        }
        catch (TokenUnavailableException e) when (e.NeedsTestControl)
        {
            Expect.NotVerifiable(e.Message);
            throw;
        }
        catch (TokenUnavailableException e)
        {
            throw new HarnessErrorException(e.Message);
        }
    }
}
