using Mimi.Conformance.Harness.Client;
using Mimi.Conformance.Protocol.Profile;
using Mimi.Conformance.Suite.Infrastructure;

namespace Mimi.Conformance.Suite.Privacy;

/// <summary>
/// R6, the parts visible from outside: a lookup needs no account or cookie and no answer sets one (PROFILE.md §6.3).
/// What forwarded lookups carry is checked with the federation tests (FederationTests); what the DP keeps inside is not
/// observable and stays not-verifiable.
/// </summary>
public sealed class SenderPrivacyTests(ConformanceFixture dp)
{
    private readonly DpOperations _ops = new(dp);

    [Fact, Requirement("DISC-R-06")]
    [Requirement("PROF-LU-10")]
    [Requirement("PROF-LU-11")]
    public async Task Anonymous_lookup_works_without_account_or_cookie_and_no_answer_sets_a_cookie()
    {
        dp.RequirePublishing();
        var csi = _ops.Parties.NewE164();
        await _ops.PublishValidAsync(_ops.Mapping(csi, _ops.Parties.NewRecipientKey(), ["default"]));
        var client = dp.Client;

        var metadata = Expect.Reachable(await client.GetAsync(ProfileConstants.MetadataPath), "metadata");
        var bare = Expect.Reachable(await dp.Profile.LookupWithAsync(ProfileClient.Lookup(csi), null), "lookup without credentials");
        var refused = Expect.Reachable(await client.PostRawAsync(dp.Meta.LookupPath, "{\"csi\":"u8.ToArray(), "application/json"), "malformed lookup");
        // Anonymous the profile's way: nothing at all, or a Privacy Pass token alone (anti-enumeration class).
        var answer = await _ops.LookupAsync(csi);

        Expect.That(answer.Found, "anonymous-lookup", "the published mapping, for a lookup with no account, session or cookie", answer.FormatProblem ?? answer.Status ?? "no status");
        var setting = new (string What, DpResponse Response)[] { ("metadata", metadata), ("lookup without credentials", bare), ("refusal", refused), ("anonymous lookup", answer.Response) }
            .Where(r => r.Response.Headers.ContainsKey("set-cookie")).Select(r => r.What).ToArray();
        Expect.That(setting.Length == 0, "no-cookie", "no Set-Cookie on any answer (PROFILE.md §6.3)", setting.Length == 0 ? "none" : $"Set-Cookie on {string.Join(", ", setting)}");
    }

    [Fact, Requirement("DISC-R-06")]
    public void What_the_dp_keeps_about_senders_needs_an_operator_statement()
    {
        _ = dp.Meta;
        Expect.NotVerifiable("what a DP logs or joins internally is not observable over the profile's interface; profile 0.1 defines no " +
            "sender-hidden (OHTTP) or CSI-hidden (PIR) mode to test. Operator statement requested: the DP does not store or log client " +
            "addresses, account ids or token values next to looked-up CSIs or answers, and does not pass them to peers or third parties. " +
            "The black-box parts (no account or cookie needed, no cookie set, nothing about the sender in forwarded lookups) are tested separately.");
    }
}
