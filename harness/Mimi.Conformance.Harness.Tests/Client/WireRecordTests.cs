using System.Text.Json;
using FluentAssertions;
using Mimi.Conformance.Harness.Roles;
using Mimi.Conformance.Protocol.Profile;
using Mimi.Conformance.Protocol.Profile.Wire;
using static Mimi.Conformance.Protocol.Profile.ProfileConstants;

namespace Mimi.Conformance.Harness.Tests.Client;

/// <summary>The wire records write the JSON PROFILE.md specifies, and read it strictly.</summary>
public sealed class WireRecordTests
{
    [Fact]
    public void A_trust_body_groups_keys_by_role_and_leaves_out_roles_without_keys()
    {
        var parties = new Parties("wire-records", TimeProvider.System);

        var body = JsonSerializer.Serialize(TrustRequest.For([parties.Csip.Trusted, parties.PeerDp.Trusted]), WireJson.Default.TrustRequest);

        body.Should().Be($$"""{"csip_keys":[{"owner":"{{parties.Csip.Id}}","x":"{{B64.Encode(parties.Csip.Key.PublicKey)}}"}],"dp_keys":[{"owner":"{{parties.PeerDp.Id}}","x":"{{B64.Encode(parties.PeerDp.Key.PublicKey)}}"}]}""");
    }

    [Fact]
    public void Recipient_keys_are_never_trusted_through_test_control()
    {
        var act = () => TrustRequest.For([new TrustedKey(SignerRoles.Recipient, "someone", new byte[32])]);

        act.Should().Throw<ArgumentException>().Which.Message.Should().Contain("recipient");
    }

    [Fact]
    public void Requests_carry_the_profiles_member_names_and_no_absent_optional_member()
    {
        Json(new LookupRequest("+15550100001", CsiTypes.E164)).Should().Be("""{"csi":"\u002B15550100001","csi_type":"e164"}""");
        Json(new LookupRequest("+15550100001", CsiTypes.E164, new FederationRequest("client_selected", ["mimi://a.test"]), ["mimi://msp.test"], "work", "compact"))
            .Should().Be("""{"csi":"\u002B15550100001","csi_type":"e164","federation":{"mode":"client_selected","dps":["mimi://a.test"]},"msp_filter":["mimi://msp.test"],"tag":"work","format":"compact"}""");
        JsonSerializer.Serialize(new PeersRequest("https://127.0.0.1:1/registry", ["pin"], ["mimi://b.test"]), WireJson.Default.PeersRequest)
            .Should().Be("""{"registry_url":"https://127.0.0.1:1/registry","tls_pins":["pin"],"preferred":["mimi://b.test"]}""");
        JsonSerializer.Serialize(new ClockRequest(86_400), WireJson.Default.ClockRequest).Should().Be("""{"advance_s":86400}""");
        JsonSerializer.Serialize(new PublishRequest("AAAA", [new DisclosureEntry("c2FsdA", "tag:x")]), WireJson.Default.PublishRequest)
            .Should().Be("""{"mapping":"AAAA","disclosures":[{"salt":"c2FsdA","tag":"tag:x"}]}""");

        static string Json(LookupRequest request) => JsonSerializer.Serialize(request, WireJson.Default.LookupRequest);
    }

    [Theory]
    [InlineData("""{"csi_type":"e164"}""")]
    [InlineData("""{"csi":null,"csi_type":"e164"}""")]
    [InlineData("""{"csi":7,"csi_type":"e164"}""")]
    [InlineData("""{"csi":"+1","csi":"+2","csi_type":"e164"}""")]
    public void Reads_are_strict(string json)
    {
        var act = () => JsonSerializer.Deserialize(json, WireJson.Default.LookupRequest);

        act.Should().Throw<JsonException>();
    }

    [Fact]
    public void Unknown_members_are_ignored_as_the_profile_asks()
    {
        JsonSerializer.Deserialize("""{"csi":"+15550100001","csi_type":"e164","future":{"x":1}}""", WireJson.Default.LookupRequest)
            .Should().Be(new LookupRequest("+15550100001", CsiTypes.E164));
    }
}
