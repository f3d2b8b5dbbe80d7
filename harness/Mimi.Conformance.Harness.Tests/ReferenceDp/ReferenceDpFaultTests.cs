using System.Text.Json.Nodes;
using FluentAssertions;
using Mimi.Conformance.Harness.Results;
using Mimi.Conformance.Harness.Roles;
using Mimi.Conformance.Protocol.Cbor;
using Mimi.Conformance.Protocol.Cose;
using Mimi.Conformance.Protocol.Profile;
using Mimi.Conformance.Protocol.Profile.Wire;
using Mimi.Conformance.ReferenceDp.Faults;
using Mimi.Conformance.ReferenceDp.Hosting;
using static Mimi.Conformance.Harness.Tests.ReferenceDp.DpTestHost;
using static Mimi.Conformance.Protocol.Profile.ProfileConstants;

namespace Mimi.Conformance.Harness.Tests.ReferenceDp;

/// <summary>Each fault breaks what it says (a sample; the suite's self-test covers them all), and startup checks its options.</summary>
public sealed class ReferenceDpFaultTests
{
    private readonly Parties _parties = new("reference-dp-fault-tests", TimeProvider.System);

    [Fact]
    public void Every_fault_has_a_unique_name_and_a_description()
    {
        FaultRegistry.All.Select(f => f.Name).Should().OnlyHaveUniqueItems();
        FaultRegistry.All.Should().OnlyContain(f => f.Description.Length > 10 && f.Skips.Count > 0 && f.Breaks.Count > 0);
    }

    [Fact]
    public void Faults_json_is_generated_from_the_registry()
    {
        File.ReadAllText(Mimi.Conformance.Harness.Results.FaultCatalog.DefaultPath).ReplaceLineEndings("\n")
            .Should().Be(Mimi.Conformance.Cli.SelfTest.ReferenceFaults.Catalog.ToJson(), "vectors/self-test/faults.json is written by ./run.sh vectors generate");
    }

    [Fact]
    public void No_two_faults_skip_the_same_duties()
    {
        // An intermittent fault may skip a duty another skips always: what it tests is that a flake is told from a pass.
        FaultRegistry.All.GroupBy(f => (f.Intermittent, string.Join(",", f.Skips.Select(d => d.Name).Order(StringComparer.Ordinal))))
            .Where(g => g.Count() > 1).Select(g => string.Join(" = ", g.Select(f => f.Name))).Should().BeEmpty("two faults with the same duties, skipped alike, test the same thing");
    }

    [Fact]
    public void A_fault_that_starts_the_dp_without_a_feature_is_an_at_start_fault()
    {
        FaultRegistry.All.Where(f => f.Lacks != DpFeatures.None).Should().NotBeEmpty().And.OnlyContain(f => f.AtStart, "a running DP cannot lose test control or federation");
    }

    [Fact]
    public async Task A_dp_started_with_a_fault_lacking_test_control_offers_none_whatever_its_options()
    {
        await using var dp = await DpTestHost.StartAsync(null, true, "advertise-disabled-test-control");

        var metadata = await JsonOf(await dp.Http.GetAsync(MetadataPath, TestContext.Current.CancellationToken));
        metadata!["test_control"]!.GetValue<string>().Should().Be(ProfilePaths.TestControl, "the fault keeps advertising it");
        await ShouldBeProblemAsync(await dp.PostRawAsync(ProfilePaths.TestControl + ProfilePaths.Control.Reset, "{}"u8.ToArray(), "application/json"), 404, Problems.TestControlDisabled);
    }

    [Fact]
    public async Task An_unknown_fault_name_is_refused_at_start()
    {
        var dir = Directory.CreateTempSubdirectory("mimi-refdp-badfault-").FullName;
        try
        {
            var act = () => ReferenceDpHost.StartAsync(new ReferenceDpOptions { DataDirectory = dir, Faults = new HashSet<string> { "no-such-fault" } }, TestContext.Current.CancellationToken);

            (await act.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Contain("no-such-fault").And.NotContain(Environment.NewLine);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Without_test_control_the_endpoints_answer_test_control_disabled()
    {
        await using var dp = await DpTestHost.StartAsync(testControl: false);

        using var response = await dp.PostAsync(ProfilePaths.Control.Under(ProfilePaths.TestControl, ProfilePaths.Control.Trust), new TrustRequest(), WireJson.Default.TrustRequest);
        using var metadata = await dp.Http.GetAsync(new Uri(MetadataPath, UriKind.Relative), TestContext.Current.CancellationToken);

        await ShouldBeProblemAsync(response, 404, Problems.TestControlDisabled);
        (await JsonOf(metadata))!.AsObject().ContainsKey("test_control").Should().BeFalse();
    }

    [Fact]
    public async Task Skip_dp_countersign_and_re_encode_payload_break_what_they_say()
    {
        await using var dp = await DpTestHost.StartAsync(null, true, "skip-dp-countersign", "re-encode-payload");
        await dp.TrustAsync(_parties);
        var (cose, payload) = MappingBuilder.For(_parties, dp.DpId, _parties.NewE164(), _parties.NewRecipientKey(), ["default"]).Build();

        var (_, published) = await dp.PublishAsync(cose);
        var (_, found) = await dp.LookupAsync(payload.Csi);

        B64.TryDecode(published!["mapping"]!.GetValue<string>(), out var stored).Should().BeTrue();
        CoseSign.Decode(stored).Signatures.Should().NotContain(s => s.Role == SignerRoles.Dp);
        B64.TryDecode(found!["mappings"]![0]!["mapping"]!.GetValue<string>(), out var served).Should().BeTrue();
        var servedPayload = CoseSign.Decode(served).Payload;
        CborDeterminism.IsDeterministic(servedPayload, out _).Should().BeFalse();
        servedPayload.Should().NotEqual(payload.Encode());
        servedPayload.Should().HaveCount(payload.Encode().Length);
    }

    [Fact]
    public async Task Accept_unsigned_stores_a_mapping_without_any_signature()
    {
        await using var dp = await DpTestHost.StartAsync(null, true, "accept-unsigned");
        await dp.TrustAsync(_parties);
        var builder = MappingBuilder.For(_parties, dp.DpId, _parties.NewE164(), _parties.NewRecipientKey()) with { SignAsRecipient = false };

        var (status, body) = await dp.PublishAsync(builder.Build().Cose);

        status.Should().Be(201, Show(body));
        (await dp.LookupAsync(builder.Csi)).Body!["status"]!.GetValue<string>().Should().Be("found");
    }

    [Fact]
    public async Task Accept_untrusted_pop_takes_a_credential_from_an_unknown_csip()
    {
        await using var dp = await DpTestHost.StartAsync(null, true, "accept-untrusted-pop");
        await dp.TrustAsync(_parties);
        var builder = MappingBuilder.For(_parties, dp.DpId, _parties.NewE164(), _parties.NewRecipientKey(), ["default"]) with { Issuer = _parties.UntrustedCsip };
        var forged = builder with { BoundKey = _parties.Stranger, Csi = _parties.NewE164() };

        var (status, body) = await dp.PublishAsync(builder.Build().Cose);
        var (forgedStatus, _) = await dp.PublishAsync(forged.Build().Cose);

        status.Should().Be(201, Show(body));
        forgedStatus.Should().Be(422, "only the issuer check is skipped; the recipient binding still holds");
    }

    [Fact]
    public async Task Drop_second_mapping_and_conflate_opt_out_change_lookups()
    {
        await using var dp = await DpTestHost.StartAsync(null, true, "drop-second-mapping", "conflate-opt-out");
        await dp.TrustAsync(_parties);
        var two = _parties.NewE164();
        var optOut = _parties.NewE164();
        foreach (var csi in new[] { two, two })
            (await dp.PublishAsync(MappingBuilder.For(_parties, dp.DpId, csi, _parties.NewRecipientKey(), ["default"]).Build().Cose)).Status.Should().Be(201);
        (await dp.PublishAsync(MappingBuilder.For(_parties, dp.DpId, optOut, _parties.NewRecipientKey()).Build().Cose)).Status.Should().Be(201);

        (await dp.LookupAsync(two)).Body!["mappings"]!.AsArray().Should().HaveCount(1);
        (await dp.LookupAsync(optOut)).Body!["status"]!.GetValue<string>().Should().Be("not_found");
    }

    [Fact]
    public async Task Accept_any_remover_lets_a_stranger_remove()
    {
        await using var dp = await DpTestHost.StartAsync(null, true, "accept-any-remover");
        await dp.TrustAsync(_parties);
        var (cose, payload) = MappingBuilder.For(_parties, dp.DpId, _parties.NewE164(), _parties.NewRecipientKey(), ["default"]).Build();
        var id = (await dp.PublishAsync(cose)).Body!["mapping_id"]!.GetValue<string>();

        var (status, _) = await dp.RemoveAsync(MappingBuilder.Removal(_parties, _parties.Stranger, SignerRoles.Recipient, dp.DpId, payload.Csi, id));

        status.Should().Be(200);
        (await dp.LookupAsync(payload.Csi)).Body!["status"]!.GetValue<string>().Should().Be("not_found");
    }

    [Fact]
    public async Task Ignore_remove_answers_200_but_keeps_the_mapping()
    {
        await using var dp = await DpTestHost.StartAsync(null, true, "ignore-remove");
        await dp.TrustAsync(_parties);
        var recipient = _parties.NewRecipientKey();
        var (cose, payload) = MappingBuilder.For(_parties, dp.DpId, _parties.NewE164(), recipient, ["default"]).Build();
        var id = (await dp.PublishAsync(cose)).Body!["mapping_id"]!.GetValue<string>();

        var (status, _) = await dp.RemoveAsync(MappingBuilder.Removal(_parties, recipient, SignerRoles.Recipient, dp.DpId, payload.Csi, id));

        status.Should().Be(200);
        (await dp.LookupAsync(payload.Csi)).Body!["status"]!.GetValue<string>().Should().Be("found");
    }

    [Fact]
    public async Task Serve_plain_http_listens_without_tls_and_advertises_http()
    {
        await using var dp = await DpTestHost.StartAsync(null, true, "serve-plain-http");
        using var plain = new HttpClient { BaseAddress = dp.Dp.Url };

        using var response = await plain.GetAsync(new Uri(MetadataPath, UriKind.Relative), TestContext.Current.CancellationToken);

        dp.Dp.Url.Scheme.Should().Be("http");
        dp.Dp.Ready.Url.Should().StartWith("http://127.0.0.1:");
        ((int)response.StatusCode).Should().Be(200);
    }

    [Fact]
    public async Task The_test_control_clock_expires_mappings()
    {
        await using var dp = await DpTestHost.StartAsync();
        await dp.TrustAsync(_parties);
        var (cose, payload) = MappingBuilder.For(_parties, dp.DpId, _parties.NewE164(), _parties.NewRecipientKey(), ["default"]).Build();
        (await dp.PublishAsync(cose)).Status.Should().Be(201);

        var advanced = await dp.Control!.AdvanceClockAsync(8 * 86_400, TestContext.Current.CancellationToken);
        var (_, afterExpiry) = await dp.LookupAsync(payload.Csi);
        using var reset = await dp.PostRawAsync("/test-control/reset", [], null);
        var (republished, _) = await dp.PublishAsync(cose);

        advanced.Status.Should().Be(204);
        afterExpiry!["status"]!.GetValue<string>().Should().Be("not_found", "the mapping's exp (7 days) has passed on the DP's clock");
        ((int)reset.StatusCode).Should().Be(204);
        republished.Should().Be(422, "reset forgot the harness's CSIP key");
    }
}
