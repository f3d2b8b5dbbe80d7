using System.Formats.Cbor;
using FluentAssertions;
using Mimi.Conformance.Protocol.Cose;
using Mimi.Conformance.Protocol.Crypto;
using Mimi.Conformance.Protocol.Profile;

namespace Mimi.Conformance.Harness.Tests.Protocol;

/// <summary>
/// COSE decoding meets whatever a DP under test sends: the only exception it may raise is CoseFormatException, which
/// callers turn into "invalid-mapping"/"cose-structure" verdicts. Anything else escapes MappingVerifier and becomes a 500.
/// </summary>
public sealed class CoseDecodeHardeningTests
{
    private static readonly SigningKey Key =
        SigningKey.FromSeed(Convert.FromHexString("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"));

    private static readonly byte[] Content = "This is the content."u8.ToArray();

    private static byte[] Sign1WithUnprotected(Action<CborWriter> writeUnprotected)
    {
        var valid = CoseSign1.Sign(Key, "csip", Content);
        var w = new CborWriter(CborConformanceMode.Lax);
        w.WriteTag((CborTag)CoseSign1.Tag);
        w.WriteStartArray(4);
        w.WriteByteString(valid.ProtectedBytes);
        writeUnprotected(w);
        w.WriteByteString(valid.Payload);
        w.WriteByteString(valid.Signature);
        w.WriteEndArray();
        return w.Encode();
    }

    [Fact]
    public void Mutated_COSE_objects_raise_only_CoseFormatException()
    {
        var sign1 = CoseSign1.Sign(Key, "csip", Content).Encode();
        var sign = CoseSign.Create(new CoseHeaderMap().Set(CoseHeaderMap.ContentType, "application/mimi-mapping+cbor"), Content)
            .AddSignature(Key, "recipient").Encode();
        var random = new Random(1234);
        for (var i = 0; i < 2_000; i++)
        {
            var input = (byte[])(i % 2 == 0 ? sign1 : sign).Clone();
            for (var flips = random.Next(1, 4); flips > 0; flips--)
                input[random.Next(input.Length)] = (byte)random.Next(256);
            if (random.Next(4) == 0)
                input = input[..random.Next(input.Length)];

            foreach (var decode in new Action[] { () => CoseSign1.Decode(input), () => CoseSign.Decode(input) })
            {
                try
                {
                    decode();
                }
                catch (CoseFormatException)
                {
                }
            }
        }
    }

    [Fact]
    public void A_non_empty_unprotected_header_with_profile_types_decodes()
    {
        // Not a Decode concern: the profile's "unprotected: {}" is for the verifier to enforce.
        var bytes = Sign1WithUnprotected(w =>
        {
            w.WriteStartMap(1);
            w.WriteInt32(4);
            w.WriteByteString([1, 2]);
            w.WriteEndMap();
        });

        CoseSign1.Decode(bytes).Unprotected.Count.Should().Be(1);
    }


    [Theory]
    [InlineData("label 2^64-1")]
    [InlineData("label -2^64")]
    [InlineData("value 2^64-1")]
    public void An_integer_outside_Int64_in_a_header_is_a_format_error(string what)
    {
        var bytes = Sign1WithUnprotected(w =>
        {
            w.WriteStartMap(1);
            switch (what)
            {
                case "label 2^64-1": w.WriteUInt64(ulong.MaxValue); w.WriteInt32(1); break;
                case "label -2^64": w.WriteCborNegativeIntegerRepresentation(ulong.MaxValue); w.WriteInt32(1); break;
                default: w.WriteInt32(4); w.WriteUInt64(ulong.MaxValue); break;
            }
            w.WriteEndMap();
        });

        FluentActions.Invoking(() => CoseSign1.Decode(bytes)).Should().Throw<CoseFormatException>(what);
    }

    [Fact]
    public void A_payload_integer_outside_Int64_is_a_format_error()
    {
        var w = new CborWriter(CborConformanceMode.Canonical);
        w.WriteStartMap(1);
        w.WriteTextString("iat");
        w.WriteUInt64(ulong.MaxValue);
        w.WriteEndMap();

        FluentActions.Invoking(() => MappingPayload.Decode(w.Encode())).Should().Throw<ProfileFormatException>();
    }
}
