using FluentAssertions;
using Mimi.Conformance.Harness.Roles;
using Mimi.Conformance.Protocol.Profile;

namespace Mimi.Conformance.Harness.Tests.Protocol;

public sealed class MappingRoundTripTests
{
    private static readonly Parties Parties = new("unit-tests", TimeProvider.System);
    private const string DpId = "mimi://dp.unit.test";

    private static TrustStore Trust(params TrustedKey[] extra) => new([Parties.Csip.Trusted, .. Parties.Msps.Select(m => m.Trusted), .. extra]);

    [Fact]
    public void A_recipient_signed_mapping_verifies_offline()
    {
        var (cose, payload) = MappingBuilder.For(Parties, DpId, Parties.NewE164(), Parties.NewRecipientKey(), ["default"], ["business", "tag:example.com,2026:friends"]).Build();

        var result = MappingVerifier.Verify(cose, Trust(), Parties.Now, VerificationPolicy.RecipientOnly);

        result.Valid.Should().BeTrue(string.Join("; ", result.Steps.Select(s => $"{s.Rule}={s.Passed}:{s.Detail}")));
        result.Payload.Should().BeEquivalentTo(payload);
        MappingPayload.Decode(payload.Encode()).Encode().Should().Equal(payload.Encode());
    }

    [Fact]
    public void A_mapping_signed_by_another_key_than_the_bound_one_fails()
    {
        var builder = MappingBuilder.For(Parties, DpId, Parties.NewE164(), Parties.NewRecipientKey(), ["default"]) with { BoundKey = Parties.Stranger };

        var result = MappingVerifier.Verify(builder.Build().Cose, Trust(), Parties.Now, VerificationPolicy.RecipientOnly);

        result.Valid.Should().BeFalse();
        result.FirstFailure!.Rule.Should().Be("recipient-key-bound");
    }

    [Fact]
    public void A_flipped_payload_byte_is_caught()
    {
        var (cose, _) = MappingBuilder.For(Parties, DpId, Parties.NewE164(), Parties.NewRecipientKey(), ["default"]).Build();
        var decoded = Mimi.Conformance.Protocol.Cose.CoseSign.Decode(cose);
        var tampered = decoded with { Signatures = decoded.Signatures.Take(1).ToArray() };
        var bytes = tampered.Encode();
        var sigIndex = bytes.Length - 10;
        bytes[sigIndex] ^= 0x01;

        MappingVerifier.Verify(bytes, Trust(), Parties.Now, VerificationPolicy.RecipientOnly).Valid.Should().BeFalse();
    }

    [Fact]
    public void Deeply_nested_payload_is_a_format_error_not_a_crash()
    {
        // {"msps": [[[[...]]]]} 30,000 levels deep: must be refused by the depth bound, never recurse to a stack overflow.
        var depth = 30_000;
        var bytes = new List<byte> { 0xA1, 0x64, (byte)'m', (byte)'s', (byte)'p', (byte)'s' };
        bytes.AddRange(Enumerable.Repeat((byte)0x81, depth));
        bytes.Add(0x80);

        FluentActions.Invoking(() => MappingPayload.Decode([.. bytes])).Should().Throw<ProfileFormatException>();
        FluentActions.Invoking(() => MappingPayload.Decode([.. bytes], strict: false)).Should().Throw<ProfileFormatException>();
    }
}
