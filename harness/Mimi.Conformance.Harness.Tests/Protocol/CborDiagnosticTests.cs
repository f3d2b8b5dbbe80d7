using FluentAssertions;
using Mimi.Conformance.Protocol.Cbor;
using Mimi.Conformance.Protocol.Cose;
using Mimi.Conformance.Protocol.Crypto;

namespace Mimi.Conformance.Harness.Tests.Protocol;

/// <summary>CborDiagnostic beyond Appendix A: error reporting, limits, the &lt;&lt;…&gt;&gt; option and indentation.</summary>
public sealed class CborDiagnosticTests
{
    private static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));

    [Theory]
    [InlineData("", "/ error: empty input, no CBOR item at offset 0 /")]
    [InlineData("8301", "[1 / error: unexpected end of input: array of 3 item(s) ends after 1 at offset 2 /")]
    [InlineData("a20102 03", "{1: 2, 3 / error: unexpected end of input: map value missing at offset 4 /")]
    [InlineData("0102", "1 / error: 1 trailing byte(s) after the item: h'02' at offset 1 /")]
    [InlineData("80 000102030405060708090a0b0c0d0e0f10",
        "[] / error: 17 trailing byte(s) after the item: h'000102030405060708090a0b0c0d0e0f…' at offset 1 /")]
    [InlineData("1c", "/ error: reserved additional information 28 (initial byte 0x1c) at offset 0 /")]
    [InlineData("82 01 fe", "[1 / error: reserved additional information 30 (initial byte 0xfe) at offset 2 /")]
    [InlineData("ff", "/ error: unexpected break (0xff) outside an indefinite-length item at offset 0 /")]
    [InlineData("8201ff", "[1 / error: unexpected break (0xff) outside an indefinite-length item at offset 2 /")]
    [InlineData("1f", "/ error: indefinite length is not allowed for major type 0 (initial byte 0x1f) at offset 0 /")]
    [InlineData("3f", "/ error: indefinite length is not allowed for major type 1 (initial byte 0x3f) at offset 0 /")]
    [InlineData("df", "/ error: indefinite length is not allowed for major type 6 (initial byte 0xdf) at offset 0 /")]
    [InlineData("1a0001", "/ error: unexpected end of input in a head: 4 argument byte(s) needed, 2 left at offset 0 /")]
    [InlineData("450102", "/ error: unexpected end of input: byte string of length 5, 2 byte(s) left at offset 0 /")]
    [InlineData("8262c328", "[ / error: text string is not valid UTF-8 at offset 1 /")]
    [InlineData("63eda080", "/ error: text string is not valid UTF-8 at offset 0 /")] // an encoded lone surrogate
    [InlineData("f818", "/ error: simple value 24 in the two-byte form (RFC 8949 §3.3: values below 32 use one byte) at offset 0 /")]
    [InlineData("5f 4101 6101 ff", "(_ h'01' / error: a chunk of an indefinite-length byte string must be a definite-length byte string at offset 3 /")]
    [InlineData("7f 7f ff ff", "(_ / error: a chunk of an indefinite-length text string must be a definite-length text string at offset 1 /")]
    [InlineData("5f 41", "(_ / error: unexpected end of input: chunk of length 1, 0 byte(s) left at offset 1 /")]
    [InlineData("5f 4101", "(_ h'01' / error: unexpected end of input: indefinite-length byte string has no break at offset 3 /")]
    [InlineData("9f 01", "[_ 1 / error: unexpected end of input: indefinite-length array has no break at offset 2 /")]
    [InlineData("bf 01 02 03 ff", "{_ 1: 2, 3 / error: break where a map value is expected at offset 4 /")]
    [InlineData("bf 01", "{_ 1 / error: unexpected end of input: map value missing at offset 2 /")]
    [InlineData("c1", "1( / error: unexpected end of input: tag 1 has no content at offset 1 /")]
    [InlineData("c1 ff", "1( / error: unexpected break (0xff) outside an indefinite-length item at offset 1 /")]
    [InlineData("5b ffffffffffffffff", "/ error: unexpected end of input: byte string of length 18446744073709551615, 0 byte(s) left at offset 0 /")]
    [InlineData("9b ffffffffffffffff 00",
        "[0 / error: unexpected end of input: array of 18446744073709551615 item(s) ends after 1 at offset 10 /")]
    public void Malformed_input_renders_what_was_decodable_then_the_error(string hex, string expected)
    {
        var result = CborDiagnostic.Render(Hex(hex));

        result.Text.Should().Be(expected);
        result.Error.Should().NotBeNull();
        result.IsWellFormed.Should().BeFalse();
        result.Truncated.Should().BeFalse();
        expected.Should().EndWith($" at offset {result.ErrorOffset} /");
    }

    [Fact]
    public void Nesting_is_limited_by_maxDepth_counting_arrays_maps_and_tags()
    {
        CborDiagnostic.ToDiagnostic(Hex("81 a1 00 c1 00"), maxDepth: 3).Should().Be("[{0: 1(0)}]");
        CborDiagnostic.ToDiagnostic(Hex("81 a1 00 c1 00"), maxDepth: 2).Should().Be("[{0: / error: nesting deeper than 2 at offset 3 /");
        CborDiagnostic.ToDiagnostic(Hex("81818100"), maxDepth: 2).Should().Be("[[ / error: nesting deeper than 2 at offset 2 /");
        CborDiagnostic.ToDiagnostic(Hex("00"), maxDepth: 0).Should().Be("0");
        CborDiagnostic.ToDiagnostic(Hex("80"), maxDepth: 0).Should().Be("/ error: nesting deeper than 0 at offset 0 /");
    }

    [Fact]
    public void The_default_depth_limit_is_64()
    {
        var ok = Enumerable.Repeat((byte)0x81, 64).Append((byte)0x00).ToArray();
        var deep = Enumerable.Repeat((byte)0x81, 65).Append((byte)0x00).ToArray();

        CborDiagnostic.Render(ok).IsWellFormed.Should().BeTrue();
        CborDiagnostic.ToDiagnostic(deep).Should().EndWith("/ error: nesting deeper than 64 at offset 64 /");
    }

    [Fact]
    public void Output_is_cut_at_maxOutputChars_and_marked()
    {
        var big = new byte[3 + 1000];
        big[0] = 0x59;
        big[1] = 0x03;
        big[2] = 0xe8;

        var result = CborDiagnostic.Render(big, maxOutputChars: 100);

        result.Text.Should().HaveLength(101).And.StartWith("h'0000").And.EndWith(CborDiagnostic.TruncationMarker);
        result.Truncated.Should().BeTrue();
        result.Error.Should().BeNull();
        result.IsWellFormed.Should().BeFalse("rendering stopped before the end, so well-formedness is unknown");
        CborDiagnostic.ToDiagnostic(big, maxOutputChars: 0).Should().Be(CborDiagnostic.TruncationMarker);
        CborDiagnostic.ToDiagnostic(Hex("00"), maxOutputChars: 1).Should().Be("0");
    }

    [Fact]
    public void A_one_megabyte_string_is_bounded_by_the_default_limit()
    {
        var payload = new byte[1 << 20];
        var encoded = new byte[5 + payload.Length];
        encoded[0] = 0x5a;
        encoded[2] = 0x10; // 0x00100000 = 1 MiB

        var text = CborDiagnostic.ToDiagnostic(encoded);

        text.Should().HaveLength(200_001).And.EndWith("…");
    }

    [Fact]
    public void Limits_out_of_range_are_caller_errors()
    {
        FluentActions.Invoking(() => CborDiagnostic.ToDiagnostic([0], maxDepth: -1)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => CborDiagnostic.ToDiagnostic([0], maxDepth: CborDiagnostic.MaxSupportedDepth + 1)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => CborDiagnostic.ToDiagnostic([0], maxOutputChars: -1)).Should().Throw<ArgumentOutOfRangeException>();
    }

    [Theory]
    [InlineData("43a10127", "<<{1: -8}>>")]
    [InlineData("420102", "h'0102'")] // two items, not one
    [InlineData("4162", "h'62'")] // a truncated item
    [InlineData("41ff", "h'ff'")]
    [InlineData("40", "h''")]
    [InlineData("4140", "<<h''>>")]
    [InlineData("4443a10127", "<<<<{1: -8}>>>>")]
    [InlineData("d818456449455446", "24(<<\"IETF\">>)")]
    [InlineData("5f 43a10127 ff", "(_ h'a10127')")] // chunks are never shown as embedded items
    public void With_embeddedCbor_a_byte_string_holding_one_well_formed_item_shows_as_double_angle_brackets(string hex, string expected)
    {
        CborDiagnostic.ToDiagnostic(Hex(hex), embeddedCbor: true).Should().Be(expected);
        CborDiagnostic.Render(Hex(hex), embeddedCbor: true).IsWellFormed.Should().BeTrue();
    }

    [Fact]
    public void Embedded_items_count_against_the_depth_limit_and_fall_back_to_hex()
    {
        CborDiagnostic.ToDiagnostic(Hex("43a10127"), maxDepth: 2, embeddedCbor: true).Should().Be("<<{1: -8}>>");
        CborDiagnostic.ToDiagnostic(Hex("43a10127"), maxDepth: 1, embeddedCbor: true).Should().Be("h'a10127'");
        CborDiagnostic.Render(Hex("43a10127"), maxDepth: 1, embeddedCbor: true).IsWellFormed.Should().BeTrue();
    }

    [Fact]
    public void An_error_inside_a_would_be_embedded_item_is_not_an_error_of_the_outer_item()
    {
        var result = CborDiagnostic.Render(Hex("82 42 8201 00"), embeddedCbor: true);

        result.Text.Should().Be("[h'8201', 0]");
        result.IsWellFormed.Should().BeTrue();
    }

    [Fact]
    public void Indent_puts_each_element_on_its_own_line()
    {
        CborDiagnostic.ToDiagnostic(Hex("a26161016162820203"), indent: true)
            .Should().Be("{\n  \"a\": 1,\n  \"b\": [\n    2,\n    3\n  ]\n}");
        CborDiagnostic.ToDiagnostic(Hex("bf61610161629f0203ffff"), indent: true)
            .Should().Be("{_\n  \"a\": 1,\n  \"b\": [_\n    2,\n    3\n  ]\n}");
        CborDiagnostic.ToDiagnostic(Hex("5f42010243030405ff"), indent: true).Should().Be("(_\n  h'0102',\n  h'030405'\n)");
        CborDiagnostic.ToDiagnostic(Hex("d8628180"), indent: true).Should().Be("98([\n  []\n])");
        CborDiagnostic.ToDiagnostic(Hex("80"), indent: true).Should().Be("[]");
        CborDiagnostic.ToDiagnostic(Hex("a0"), indent: true).Should().Be("{}");
        CborDiagnostic.ToDiagnostic(Hex("9fff"), indent: true).Should().Be("[_ ]");
    }

    [Fact]
    public void A_COSE_Sign1_renders_for_a_report_with_embedded_headers_and_indentation()
    {
        var key = SigningKey.FromSeed(Convert.FromHexString("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"));
        var cose = CoseSign1.Sign(key, "csip", "This is the content."u8.ToArray()).Encode();

        var text = CborDiagnostic.ToDiagnostic(cose, embeddedCbor: true, indent: true);

        text.Should().Be(
            "18([\n" +
            "  <<{\n" +
            "    1: -8,\n" +
            "    4: h'21fe31dfa154a261626bf854046fd227',\n" +
            "    \"role\": \"csip\"\n" +
            "  }>>,\n" +
            "  {},\n" +
            "  h'546869732069732074686520636f6e74656e742e',\n" +
            "  h'239efa1afe300b55934feea781d959acd06d0e227261d5ded8dc6d353cb68876e5b9cabf45ee1c7355db9cd93eed6d07ffc19156df5b1e03c4a494de75f92507'\n" +
            "])");
        CborDiagnostic.ToDiagnostic(cose).Should().StartWith("18([h'a30127045021fe31dfa154a261626bf854046fd22764726f6c656463736970', {}, h'5468");
    }
}
