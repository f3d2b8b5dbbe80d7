using System.Text;
using Mimi.Conformance.Harness.Client;
using Mimi.Conformance.Harness.Roles;
using Mimi.Conformance.Protocol.Profile;
using Mimi.Conformance.Protocol.Profile.Wire;
using Mimi.Conformance.Suite.Infrastructure;
using static Mimi.Conformance.Protocol.Profile.ProfileConstants;

namespace Mimi.Conformance.Suite.TestControl;

/// <summary>
/// PROFILE.md §8: the test-control calls do what the text says and refuse what it refuses. Graded under the metadata
/// requirement, which advertises <c>test_control</c>; each test leaves the DP reset and trusting the harness again.
/// </summary>
public sealed class TestControlTests(ConformanceFixture dp)
{
    private readonly DpOperations _ops = new(dp);

    private TestControlClient RequireTestControl()
    {
        dp.RequirePublishing();
        if (dp.TestControl is null)
            Expect.NotVerifiable("the DP offers no test control, or it is not allowed for this target (--allow-test-control)");
        return dp.TestControl!;
    }

    [Fact, Requirement("PROF-META-01")]
    [Requirement("PROF-TC-01")]
    public async Task A_dp_without_test_control_answers_under_test_control_with_404_test_control_disabled()
    {
        if (dp.Meta.TestControlPath is not null)
            Expect.NotApplicable($"the DP offers test control at {dp.Meta.TestControlPath}");
        // Nothing is reset: a DP that offers none has nothing to reset, and the answer must say so.
        var response = Expect.Reachable(await dp.Client.PostRawAsync("/test-control/reset", "{}"u8.ToArray(), "application/json"), "POST /test-control/reset");
        Expect.Refused(response, "test-control-disabled", 404, Problems.TestControlDisabled);
    }

    private MappingBuilder Fresh(long validitySeconds = 7 * 86_400) =>
        _ops.Mapping(_ops.Parties.NewE164(), _ops.Parties.NewRecipientKey(), ["default"]) with { ValiditySeconds = validitySeconds };

    [Fact, Requirement("PROF-META-01")]
    [Requirement("PROF-TC-05")]
    public async Task A_clock_advance_that_is_negative_fractional_or_beyond_100_years_is_refused_and_moves_nothing()
    {
        var control = RequireTestControl();
        var moved = false;
        try
        {
            foreach (var (label, json) in new[] { ("negative", "{\"advance_s\":-86400}"), ("fractional", "{\"advance_s\":1.5}"), ("beyond 100 years", "{\"advance_s\":3162240001}") })
            {
                var response = await dp.Client.SendAsync(HttpMethod.Post, dp.Client.Resolve(control.PathOf(ProfilePaths.Control.Clock)), Encoding.UTF8.GetBytes(json),
                    DpClient.JsonContentType, dp.Client.TestControlHeaders);
                moved |= response.Status is >= 200 and < 300;
                Expect.Refused(response, $"advance_s {label}", 400, Problems.MalformedRequest);
            }
            // A mapping issued now and valid for a week is refused by a clock a day behind (iat ahead) or a century on (expired).
            await _ops.PublishValidAsync(Fresh());
            Expect.Observed("clock unchanged", "a mapping issued now is accepted after the refused advances", "accepted");
        }
        finally
        {
            if (moved)
            {
                await control.ResetAsync();
                await dp.ReestablishTrustAsync();
            }
        }
    }

    [Fact, Requirement("PROF-META-01")]
    [Requirement("PROF-TC-02")]
    public async Task Trust_answers_204_and_the_dp_then_trusts_the_keys_in_addition()
    {
        var control = RequireTestControl();
        // A CSIP new to the DP: its credentials are refused before /trust and accepted after, the harness's still are.
        var csip = new Csip("csip.trust-check.conformance.test", _ops.Parties.Key("trust-check-csip"));
        var (before, _) = (Fresh() with { Issuer = csip }).Build();
        Expect.Refused(Expect.Reachable(await _ops.PublishAsync(before), "publish before /trust"), "untrusted-before", 422, Problems.PopInvalid);
        var trusted = Expect.Reachable(await control.TrustAsync([csip.Trusted]), "test control /trust");
        Expect.That(trusted.Status == 204, "trust", "HTTP 204", trusted.Describe() + Expect.ProblemType(trusted));
        await _ops.PublishValidAsync(Fresh() with { Issuer = csip });
        await _ops.PublishValidAsync(Fresh());
    }

    [Fact, Requirement("PROF-META-01")]
    [Requirement("PROF-TC-06")]
    public async Task Clients_answers_201_with_a_fresh_credential_each_time()
    {
        var control = RequireTestControl();
        if (!dp.Meta.ConformanceClasses.Contains("anti-enumeration"))
            Expect.NotApplicable("the DP does not claim the anti-enumeration class");
        var (first, r1) = await control.RegisterClientAsync();
        var (second, r2) = await control.RegisterClientAsync();
        foreach (var (credential, response, name) in new[] { (first, r1, "first"), (second, r2, "second") })
            Expect.That(response.Status == 201 && !string.IsNullOrEmpty(credential), $"clients-{name}", "HTTP 201 {\"credential\": \"<opaque>\"}", response.Describe() + Expect.ProblemType(response));
        Expect.That(first != second, "fresh", "two calls give two clients", "the same credential twice");
    }

    [Fact, Requirement("PROF-META-01")]
    [Requirement("PROF-TC-03")]
    public async Task Reset_forgets_mappings_and_test_control_keys_and_moves_the_clock_back()
    {
        var control = RequireTestControl();
        var (held, _) = Fresh().Build();
        Expect.That((await _ops.PublishAsync(held)).Status == 201, "publish", "HTTP 201 for a fresh mapping", "not 201");
        var advance = await control.AdvanceClockAsync(2 * 86_400);
        if (!TestControlClient.Succeeded(advance))
            Expect.NotVerifiable($"test control /clock answered {advance.Describe()}");
        try
        {
            var reset = await control.ResetAsync();
            Expect.That(reset.Status == 204, "reset", "HTTP 204", reset.Describe() + Expect.ProblemType(reset));
            if (!dp.Options!.TrustConfigured)
            {
                // The harness's CSIP was trusted through /trust only: after the reset its credentials are untrusted.
                var (untrusted, _) = Fresh().Build();
                Expect.Refused(await _ops.PublishAsync(untrusted), "publish after reset, before /trust again", 422);
                await dp.ReestablishTrustAsync();
            }
            // Forgotten: the same mapping is new again (201), not already live (200).
            var again = await _ops.PublishAsync(held);
            Expect.That(again.Status == 201, "mappings forgotten", "HTTP 201 for the mapping published before the reset", again.Describe() + Expect.ProblemType(again));
            // Clock back: a mapping valid for one day from now would be expired on a clock two days on.
            await _ops.PublishValidAsync(Fresh(86_400));
            Expect.Observed("clock reset", "a mapping valid for one day from now is accepted", "accepted");
        }
        finally
        {
            await dp.ReestablishTrustAsync();
        }
    }
}
