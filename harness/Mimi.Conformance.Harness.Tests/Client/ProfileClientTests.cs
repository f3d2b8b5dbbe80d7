using FluentAssertions;
using Mimi.Conformance.Harness.Client;
using Mimi.Conformance.Harness.Results;
using Mimi.Conformance.Harness.Roles;
using Mimi.Conformance.Harness.Tests.ReferenceDp;

namespace Mimi.Conformance.Harness.Tests.Client;

/// <summary>
/// The typed client against the reference DP of the anti-enumeration class: one lookup path answers a PrivateToken
/// challenge with a token from the wallet and asks once more, every step recorded as evidence, secrets redacted.
/// </summary>
public sealed class ProfileClientTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private sealed class Recorder : IExchangeSink
    {
        public List<Exchange> Exchanges { get; } = [];

        public void Record(Exchange exchange)
        {
            lock (Exchanges)
                Exchanges.Add(exchange);
        }
    }

    private static async Task<(DpTestHost Dp, DpClient Client, ProfileClient Profile, Recorder Evidence, Parties Parties)> StartAsync()
    {
        var dp = await DpTestHost.StartAsync(o => o with { AntiEnumeration = true });
        var client = DpTestHost.PinnedDpClient(dp.Dp.Url.ToString(), dp.Dp.PinSha256Hex);
        var (profile, _, problem) = await ProfileClient.ConnectAsync(client, Ct);
        profile.Should().NotBeNull(problem);
        var parties = new Parties("profile-client", TimeProvider.System);
        (await profile!.TestControl!.TrustAsync(parties.TrustedForDp, Ct)).Status.Should().Be(204);
        var evidence = new Recorder();
        client.Sink = evidence;
        return (dp, client, profile, evidence, parties);
    }

    [Fact]
    public async Task A_lookup_answers_the_token_challenge_once_and_records_every_step()
    {
        var (dp, client, profile, evidence, parties) = await StartAsync();
        await using var _ = dp;
        using var __ = client;
        var csi = parties.NewE164();
        (await profile.PublishAsync(MappingBuilder.For(parties, profile.Metadata.DpId, csi, parties.NewRecipientKey()).Build().Cose, ct: Ct)).Status.Should().Be(201);
        evidence.Exchanges.Clear();
        var wallet = PrivacyPassWallet.For(client, profile.Metadata, allowTestControl: true, new SeededBytes("profile-client-test"));

        var answer = LookupAnswer.Parse(await profile.LookupAsync(ProfileClient.Lookup(csi), wallet, ct: Ct));

        answer.FormatProblem.Should().BeNull();
        answer.Found.Should().BeTrue();
        answer.Mappings.Should().ContainSingle();
        evidence.Exchanges.Select(e => $"{e.Method} {new Uri(e.Url).AbsolutePath} {e.Status}").Should().Equal(
            $"POST {profile.Metadata.LookupPath} 401",
            "POST /test-control/clients 201",
            "GET /.well-known/private-token-issuer-directory 200",
            "POST /v1/token-request 200",
            $"POST {profile.Metadata.LookupPath} 200");
        evidence.Exchanges[^1].RequestHeaders["authorization"].Should().Be("[redacted]");
        wallet.Credential.Should().NotBeNull();
    }

    [Fact]
    public async Task Without_a_token_source_the_challenge_is_the_answer_and_without_test_control_no_token_can_be_had()
    {
        var (dp, client, profile, evidence, parties) = await StartAsync();
        await using var _ = dp;
        using var __ = client;

        var bare = await profile.LookupAsync(ProfileClient.Lookup(parties.NewE164()), ct: Ct);
        var noControl = PrivacyPassWallet.For(client, profile.Metadata, allowTestControl: false, new SeededBytes("profile-client-test"));
        var act = () => profile.LookupAsync(ProfileClient.Lookup(parties.NewE164()), noControl, ct: Ct);

        bare.Status.Should().Be(401);
        ParsedChallenge.From(bare, out var problem).Should().NotBeNull(problem);
        (await act.Should().ThrowAsync<TokenUnavailableException>()).Which.NeedsTestControl.Should().BeTrue();
        evidence.Exchanges.Should().OnlyContain(e => new Uri(e.Url).AbsolutePath == profile.Metadata.LookupPath, "no test control call without permission");
    }
}
