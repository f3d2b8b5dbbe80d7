using FluentAssertions;
using Mimi.Conformance.Protocol.Cbor;

namespace Mimi.Conformance.Harness.Tests.Protocol;

/// <summary>CborDeterminism.IsDeterministic against RFC 8949 §4.2.1 (core deterministic encoding) as PROFILE.md §4.1 requires.</summary>
public sealed class CborDeterminismTests
{
    private static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));

    [Theory]
    [InlineData("00")]
    [InlineData("17")]
    [InlineData("1818")]
    [InlineData("1bffffffffffffffff")]
    [InlineData("3bffffffffffffffff")]
    [InlineData("40")]
    [InlineData("6449455446")]
    [InlineData("80")]
    [InlineData("a0")]
    [InlineData("8301820203820405")]
    [InlineData("a201020304")]
    [InlineData("a26161016162820203")]
    [InlineData("a56161614161626142616361436164614461656145")]
    [InlineData("a3 01 27 04 50 21fe31dfa154a261626bf854046fd227 64 726f6c65 64 63736970")] // a profile signer header
    [InlineData("a2 63 637369 01 64 63736970 02")] // {"csi": 1, "csip": 2}: shorter key first
    [InlineData("d2 84 43a10127 a0 40 40")]
    [InlineData("f5")]
    public void Canonical_items_are_accepted(string hex)
    {
        CborDeterminism.IsDeterministic(Hex(hex), out var problem).Should().BeTrue(problem);
        problem.Should().BeNull();
    }

    [Theory]
    [InlineData("unsorted map keys", "a2 03 04 01 02")]
    [InlineData("unsorted text keys", "a2 6162 01 6161 02")]
    [InlineData("unsorted profile header", "a3 04 50 21fe31dfa154a261626bf854046fd227 01 27 64 726f6c65 64 63736970")]
    [InlineData("text key before int key", "a2 6161 01 01 02")]
    [InlineData("duplicate keys", "a2 01 02 01 03")]
    [InlineData("duplicate text keys", "a2 6161 01 6161 02")]
    [InlineData("indefinite-length array", "9f 01 ff")]
    [InlineData("indefinite-length map", "bf 01 02 ff")]
    [InlineData("indefinite-length byte string", "5f 4101 ff")]
    [InlineData("indefinite-length text string", "7f 6161 ff")]
    [InlineData("indefinite-length array nested", "81 9f ff")]
    [InlineData("non-shortest uint (1 in 2 bytes)", "18 01")]
    [InlineData("non-shortest uint (1 in 3 bytes)", "19 0001")]
    [InlineData("non-shortest uint (255 in 3 bytes)", "19 00ff")]
    [InlineData("non-shortest uint (65535 in 5 bytes)", "1a 0000ffff")]
    [InlineData("non-shortest uint (2^32-1 in 9 bytes)", "1b 00000000ffffffff")]
    [InlineData("non-shortest negative int", "38 00")]
    [InlineData("non-shortest byte string length", "58 01 00")]
    [InlineData("non-shortest text string length", "78 01 61")]
    [InlineData("non-shortest array length", "98 01 00")]
    [InlineData("non-shortest map length", "b8 01 00 00")]
    [InlineData("non-shortest tag", "d8 01 00")]
    [InlineData("non-shortest int inside a map", "a1 01 38 07")]
    [InlineData("trailing byte", "00 00")]
    [InlineData("trailing item after a map", "a0 a0")]
    [InlineData("truncated", "82 01")]
    [InlineData("empty", "")]
    [InlineData("break alone", "ff")]
    [InlineData("invalid UTF-8", "62 c328")]
    public void Non_deterministic_or_malformed_items_are_rejected_with_a_reason(string what, string hex)
    {
        CborDeterminism.IsDeterministic(Hex(hex), out var problem).Should().BeFalse(what);
        problem.Should().NotBeNullOrWhiteSpace();
    }

    [Fact]
    public void Trailing_bytes_are_counted_in_the_reason()
    {
        CborDeterminism.IsDeterministic(Hex("a0 0102"), out var problem).Should().BeFalse();
        problem.Should().Be("2 trailing byte(s) after the CBOR item");
    }

    [Fact]
    public void The_writer_produces_what_the_checker_accepts()
    {
        var w = CborDeterminism.NewWriter();
        w.WriteStartMap(3);
        w.WriteTextString("role");
        w.WriteTextString("csip");
        w.WriteInt64(1);
        w.WriteInt64(-8);
        w.WriteInt64(4);
        w.WriteByteString(new byte[16]);
        w.WriteEndMap();
        var encoded = w.Encode();

        CborDeterminism.IsDeterministic(encoded, out var problem).Should().BeTrue(problem);
        CborDiagnostic.ToDiagnostic(encoded).Should().Be("{1: -8, 4: h'00000000000000000000000000000000', \"role\": \"csip\"}");
    }

    // RFC 8949 §4.2.1 sorts map keys by the bytewise order of their encodings, which differs from RFC 7049's
    // length-first rule when keys of different lengths mix, e.g. 100 (0x1864) and -1 (0x20).

    [Fact]
    public void RFC_8949_bytewise_key_order_is_accepted() =>
        CborDeterminism.IsDeterministic(Hex("a2 1864 00 20 00"), out _).Should().BeTrue("{100: 0, -1: 0}: 0x18 < 0x20");

    [Fact]
    public void RFC_7049_length_first_key_order_is_rejected_when_it_differs() =>
        CborDeterminism.IsDeterministic(Hex("a2 20 00 1864 00"), out _).Should().BeFalse("{-1: 0, 100: 0} is not bytewise sorted");

    [Fact]
    public void The_two_key_orders_agree_on_the_keys_the_profile_uses()
    {
        // Every profile key set is accepted in bytewise order.
        string[] keys = ["v", "dp", "csi", "exp", "iat", "pop", "msp", "msps", "tags", "nonce", "csi_type", "new_holder", "role"];
        var encoded = keys.Select(k => { var w = new System.Formats.Cbor.CborWriter(); w.WriteTextString(k); return w.Encode(); })
            .OrderBy(e => e, Comparer<byte[]>.Create((a, b) => a.AsSpan().SequenceCompareTo(b)))
            .ToArray();
        var map = new List<byte> { 0xad }; // map of 13 pairs
        foreach (var key in encoded)
        {
            map.AddRange(key);
            map.Add(0x00);
        }

        CborDeterminism.IsDeterministic(map.ToArray(), out var problem).Should().BeTrue(problem);
    }
}
