using System.Text.Json.Nodes;
using FluentAssertions;
using Mimi.Conformance.Harness.Roles;
using Mimi.Conformance.Protocol.Cose;
using Mimi.Conformance.Protocol.Crypto;
using Mimi.Conformance.Protocol.Profile;
using static Mimi.Conformance.Harness.Tests.ReferenceDp.DpTestHost;
using static Mimi.Conformance.Protocol.Profile.ProfileConstants;

namespace Mimi.Conformance.Harness.Tests.ReferenceDp;

/// <summary>One DP for a test class, already trusting the harness's CSIP and MSP keys. Tests use fresh CSIs.</summary>
public sealed class SharedReferenceDp : IAsyncLifetime
{
    internal DpTestHost Host { get; private set; } = null!;

    internal Parties Parties { get; } = new("reference-dp-tests", TimeProvider.System);

    public async ValueTask InitializeAsync()
    {
        Host = await DpTestHost.StartAsync();
        await Host.TrustAsync(Parties);
    }

    public async ValueTask DisposeAsync() => await Host.DisposeAsync();
}

public sealed class ReferenceDpLifecycleTests(SharedReferenceDp shared) : IClassFixture<SharedReferenceDp>
{
    private DpTestHost Dp => shared.Host;
    private Parties Parties => shared.Parties;

    private MappingBuilder Builder(SigningKey recipient, string? csi = null, params string[][] tags) =>
        MappingBuilder.For(Parties, Dp.DpId, csi ?? Parties.NewE164(), recipient, tags.Length == 0 ? [["default"]] : tags);

    [Fact]
    public async Task Metadata_advertises_the_profile_the_dp_key_and_test_control()
    {
        using var response = await Dp.Http.GetAsync(new Uri(MetadataPath, UriKind.Relative), TestContext.Current.CancellationToken);
        var doc = await JsonOf(response);

        ((int)response.StatusCode).Should().Be(200);
        doc!["profile"]!.GetValue<string>().Should().Be(ProfileConstants.Version);
        doc["dp_id"]!.GetValue<string>().Should().Be(Dp.DpId);
        doc["endpoints"]!["publish"]!.GetValue<string>().Should().Be("/v1/mappings");
        doc["conformance_classes"]!.AsArray().Select(n => n!.GetValue<string>()).Should().Equal("core", "joint-signature", "tag-privacy", "lifecycle", "federation");
        doc["limits"]!["max_body_bytes"]!.GetValue<int>().Should().Be(65_536);
        doc["test_control"]!.GetValue<string>().Should().Be("/test-control");
        var key = doc["signing_keys"]![0]!;
        B64.TryDecode(key["x"]!.GetValue<string>(), out var x).Should().BeTrue();
        B64.Encode(KeyIds.For(x)).Should().Be(key["kid"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_published_mapping_is_countersigned_and_looked_up_byte_for_byte()
    {
        var (cose, payload) = Builder(Parties.NewRecipientKey(), null, ["default"], ["business"]).Build();

        var (status, body) = await Dp.PublishAsync(cose);

        status.Should().Be(201, Show(body));
        var id = body!["mapping_id"]!.GetValue<string>();
        id.Should().Be(MappingPayload.IdOf(payload.Encode()));
        B64.TryDecode(body["mapping"]!.GetValue<string>(), out var countersigned).Should().BeTrue();
        var trust = new TrustStore([.. Parties.TrustedForDp, new TrustedKey(SignerRoles.Dp, Dp.DpId, await DpPublicKeyAsync())]);
        var verification = MappingVerifier.Verify(countersigned, trust, Parties.Now, VerificationPolicy.Joint);
        verification.Valid.Should().BeTrue(string.Join("; ", verification.Steps.Select(s => $"{s.Rule}={s.Passed}:{s.Detail}")));
        CoseSign.Decode(countersigned).Payload.Should().Equal(CoseSign.Decode(cose).Payload);

        var (lookupStatus, found) = await Dp.LookupAsync(payload.Csi);
        lookupStatus.Should().Be(200);
        found!["status"]!.GetValue<string>().Should().Be("found");
        var entry = found["mappings"]!.AsArray().Should().ContainSingle().Subject!;
        entry["mapping_id"]!.GetValue<string>().Should().Be(id);
        entry["mapping"]!.GetValue<string>().Should().Be(body["mapping"]!.GetValue<string>());
    }

    [Fact]
    public async Task Publishing_the_same_payload_again_answers_200_with_the_stored_mapping()
    {
        var (cose, _) = Builder(Parties.NewRecipientKey()).Build();
        var (first, firstBody) = await Dp.PublishAsync(cose);
        var (second, secondBody) = await Dp.PublishAsync(cose);

        first.Should().Be(201);
        second.Should().Be(200);
        secondBody!.ToJsonString().Should().Be(firstBody!.ToJsonString());
    }

    [Fact]
    public async Task Two_mappings_for_a_csi_come_back_oldest_first_and_in_a_stable_order()
    {
        var csi = Parties.NewE164();
        var (a, _) = Builder(Parties.NewRecipientKey(), csi).Build();
        var (b, _) = Builder(Parties.NewRecipientKey(), csi, ["personal"]).Build();
        var idA = (await Dp.PublishAsync(a)).Body!["mapping_id"]!.GetValue<string>();
        var idB = (await Dp.PublishAsync(b)).Body!["mapping_id"]!.GetValue<string>();

        var first = (await Dp.LookupAsync(csi)).Body!["mappings"]!.AsArray().Select(m => m!["mapping_id"]!.GetValue<string>()).ToArray();
        var again = (await Dp.LookupAsync(csi)).Body!["mappings"]!.AsArray().Select(m => m!["mapping_id"]!.GetValue<string>()).ToArray();

        first.Should().Equal(idA, idB);
        again.Should().Equal(first);
    }

    [Fact]
    public async Task An_opt_out_mapping_is_found_and_an_unknown_csi_is_not()
    {
        var optOut = Builder(Parties.NewRecipientKey()) with { Msps = [] };
        var (cose, payload) = optOut.Build();
        (await Dp.PublishAsync(cose)).Status.Should().Be(201);

        var (_, found) = await Dp.LookupAsync(payload.Csi);
        var (unknownStatus, unknown) = await Dp.LookupAsync(Parties.NewE164());

        found!["status"]!.GetValue<string>().Should().Be("found");
        found["mappings"]!.AsArray().Should().HaveCount(1);
        unknownStatus.Should().Be(200);
        unknown!["status"]!.GetValue<string>().Should().Be("not_found");
        unknown["mappings"]!.AsArray().Should().BeEmpty();
    }

    [Fact]
    public async Task The_recipient_removes_its_mapping_which_then_cannot_be_republished_or_removed_again()
    {
        var recipient = Parties.NewRecipientKey();
        var (cose, payload) = Builder(recipient).Build();
        var id = (await Dp.PublishAsync(cose)).Body!["mapping_id"]!.GetValue<string>();
        var removal = MappingBuilder.Removal(Parties, recipient, SignerRoles.Recipient, Dp.DpId, payload.Csi, id);

        var (status, body) = await Dp.RemoveAsync(removal);

        status.Should().Be(200, Show(body));
        body!["removed"]!.AsArray().Select(n => n!.GetValue<string>()).Should().Equal(id);
        (await Dp.LookupAsync(payload.Csi)).Body!["status"]!.GetValue<string>().Should().Be("not_found");
        var (republished, republishBody) = await Dp.PublishAsync(cose);
        republished.Should().Be(409);
        Type(republishBody).Should().Be(Problems.Replayed);
        var (replayed, replayBody) = await Dp.RemoveAsync(removal);
        replayed.Should().Be(409);
        Type(replayBody).Should().Be(Problems.Replayed);
    }

    [Fact]
    public async Task A_stranger_cannot_remove_a_mapping_and_it_stays()
    {
        var (cose, payload) = Builder(Parties.NewRecipientKey()).Build();
        var id = (await Dp.PublishAsync(cose)).Body!["mapping_id"]!.GetValue<string>();

        var (asRecipient, body) = await Dp.RemoveAsync(MappingBuilder.Removal(Parties, Parties.Stranger, SignerRoles.Recipient, Dp.DpId, payload.Csi, id));
        var (asCsip, _) = await Dp.RemoveAsync(MappingBuilder.Removal(Parties, Parties.UntrustedCsip.Key, SignerRoles.Csip, Dp.DpId, payload.Csi, null, "unassigned"));

        asRecipient.Should().Be(403);
        Type(body).Should().Be(Problems.Unauthorized);
        asCsip.Should().Be(403);
        (await Dp.LookupAsync(payload.Csi)).Body!["mappings"]!.AsArray().Should().HaveCount(1);
    }

    [Fact]
    public async Task The_csip_removes_every_mapping_of_a_csi()
    {
        var csi = Parties.NewE164();
        (await Dp.PublishAsync(Builder(Parties.NewRecipientKey(), csi).Build().Cose)).Status.Should().Be(201);
        (await Dp.PublishAsync(Builder(Parties.NewRecipientKey(), csi).Build().Cose)).Status.Should().Be(201);

        var (status, body) = await Dp.RemoveAsync(MappingBuilder.Removal(Parties, Parties.Csip.Key, SignerRoles.Csip, Dp.DpId, csi, null, "unassigned"));

        status.Should().Be(200, Show(body));
        body!["removed"]!.AsArray().Should().HaveCount(2);
        (await Dp.LookupAsync(csi)).Body!["status"]!.GetValue<string>().Should().Be("not_found");
    }

    [Fact]
    public async Task Removals_for_another_dp_or_outside_the_window_are_refused()
    {
        var recipient = Parties.NewRecipientKey();
        var (cose, payload) = Builder(recipient).Build();
        var id = (await Dp.PublishAsync(cose)).Body!["mapping_id"]!.GetValue<string>();

        var (wrongDp, wrongDpBody) = await Dp.RemoveAsync(MappingBuilder.Removal(Parties, recipient, SignerRoles.Recipient, "mimi://other-dp.test", payload.Csi, id));
        var (stale, staleBody) = await Dp.RemoveAsync(MappingBuilder.Removal(Parties, recipient, SignerRoles.Recipient, Dp.DpId, payload.Csi, id, issuedAt: Parties.Now - 3600));

        wrongDp.Should().Be(422);
        Type(wrongDpBody).Should().Be(Problems.WrongDp);
        stale.Should().Be(422);
        Type(staleBody).Should().Be(Problems.Expired);
    }

    public static TheoryData<string, int, string> Refusals => new()
    {
        { "untrusted-csip", 422, Problems.PopInvalid },
        { "wrong-dp", 422, Problems.WrongDp },
        { "no-recipient-signature", 422, Problems.InvalidSignature },
        { "bound-to-another-key", 422, Problems.InvalidSignature },
        { "credential-for-another-csi", 422, Problems.PopInvalid },
        { "credential-expired", 422, Problems.PopInvalid },
        { "mapping-from-the-future", 422, Problems.Expired },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task A_mapping_that_fails_verification_is_refused_and_never_visible(string defect, int status, string type)
    {
        var b = Builder(Parties.NewRecipientKey());
        b = defect switch
        {
            "untrusted-csip" => b with { Issuer = Parties.UntrustedCsip },
            "wrong-dp" => b with { DpId = "mimi://other-dp.test" },
            "no-recipient-signature" => b with { SignAsRecipient = false },
            "bound-to-another-key" => b with { BoundKey = Parties.Stranger },
            "credential-for-another-csi" => b with { CredentialSubject = Parties.NewE164() },
            "credential-expired" => b with { CredentialExpiresAt = Parties.Now - 10, IssuedAt = Parties.Now - 20 },
            "mapping-from-the-future" => b with { IssuedAt = Parties.Now + 3600 },
            _ => throw new ArgumentOutOfRangeException(nameof(defect)),
        };
        var (cose, payload) = b.Build();

        var (actual, body) = await Dp.PublishAsync(cose);

        actual.Should().Be(status, Show(body));
        Type(body).Should().Be(type);
        (await Dp.LookupAsync(payload.Csi)).Body!["status"]!.GetValue<string>().Should().Be("not_found");
    }

    private async Task<byte[]> DpPublicKeyAsync()
    {
        using var response = await Dp.Http.GetAsync(new Uri(MetadataPath, UriKind.Relative), TestContext.Current.CancellationToken);
        var doc = await JsonOf(response);
        B64.TryDecode(doc!["signing_keys"]![0]!["x"]!.GetValue<string>(), out var x).Should().BeTrue();
        return x;
    }
}

public sealed class ReferenceDpRestartTests
{
    [Fact]
    public async Task A_restart_with_the_same_data_directory_keeps_mappings_trust_and_the_dp_key()
    {
        var dir = Directory.CreateTempSubdirectory("mimi-refdp-restart-").FullName;
        try
        {
            var parties = new Parties("reference-dp-restart", TimeProvider.System);
            var csi = parties.NewE164();
            string published, pinBefore;
            await using (var first = await DpTestHost.StartAsync(dir))
            {
                await first.TrustAsync(parties);
                var (status, body) = await first.PublishAsync(MappingBuilder.For(parties, first.DpId, csi, parties.NewRecipientKey(), ["default"]).Build().Cose);
                status.Should().Be(201);
                published = body!["mapping"]!.GetValue<string>();
                pinBefore = first.Dp.PinSha256Hex;
            }

            await using var second = await DpTestHost.StartAsync(dir);
            var (_, found) = await second.LookupAsync(csi);
            found!["mappings"]!.AsArray().Should().ContainSingle().Which!["mapping"]!.GetValue<string>().Should().Be(published);
            var trust = new TrustStore([.. parties.TrustedForDp, new TrustedKey(SignerRoles.Dp, second.DpId, await PublicKeyAsync(second))]);
            B64.TryDecode(published, out var bytes).Should().BeTrue();
            MappingVerifier.Verify(bytes, trust, parties.Now, VerificationPolicy.Joint).Valid.Should().BeTrue("the DP key survives a restart");
            // Trust added through test control is persisted too: a new mapping is still accepted.
            (await second.PublishAsync(MappingBuilder.For(parties, second.DpId, csi, parties.NewRecipientKey(), ["default"]).Build().Cose)).Status.Should().Be(201);
            second.Dp.PinSha256Hex.Should().NotBe(pinBefore, "the TLS certificate is made fresh at every start");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task<byte[]> PublicKeyAsync(DpTestHost host)
    {
        using var response = await host.Http.GetAsync(new Uri(MetadataPath, UriKind.Relative), TestContext.Current.CancellationToken);
        var doc = (await JsonOf(response))!;
        B64.TryDecode(doc["signing_keys"]![0]!["x"]!.GetValue<string>(), out var x).Should().BeTrue();
        return x;
    }
}
