using FluentAssertions;
using Mimi.Conformance.Protocol.Cbor;

namespace Mimi.Conformance.Harness.Tests.Protocol;

/// <summary>
/// RFC 8949 Appendix A, every row of the table (encoded hex → diagnostic notation), in the table's order.
/// The diagnostic strings are the RFC's own, with one documented difference: the two bignum rows (0xc249…, 0xc349…)
/// show the value (18446744073709551616, -18446744073709551617) in the RFC, but their RFC 8949 §8 diagnostic notation is
/// the tag with its byte string, which is what CborDiagnostic prints. Every float row matches the RFC text exactly
/// (1.0e+300, 5.960464477539063e-8, 0.00006103515625 included). RFC 7049's simple(24) = 0xf818 row is gone from RFC 8949
/// because that encoding is not well-formed; it is tested as an error below.
/// </summary>
public sealed class CborDiagnosticAppendixATests
{
    private static readonly (string Hex, string Diagnostic)[] AppendixA =
    [
        ("00", "0"),
        ("01", "1"),
        ("0a", "10"),
        ("17", "23"),
        ("1818", "24"),
        ("1819", "25"),
        ("1864", "100"),
        ("1903e8", "1000"),
        ("1a000f4240", "1000000"),
        ("1b000000e8d4a51000", "1000000000000"),
        ("1bffffffffffffffff", "18446744073709551615"),
        ("c249010000000000000000", "2(h'010000000000000000')"), // RFC table: 18446744073709551616
        ("3bffffffffffffffff", "-18446744073709551616"),
        ("c349010000000000000000", "3(h'010000000000000000')"), // RFC table: -18446744073709551617
        ("20", "-1"),
        ("29", "-10"),
        ("3863", "-100"),
        ("3903e7", "-1000"),
        ("f90000", "0.0"),
        ("f98000", "-0.0"),
        ("f93c00", "1.0"),
        ("fb3ff199999999999a", "1.1"),
        ("f93e00", "1.5"),
        ("f97bff", "65504.0"),
        ("fa47c35000", "100000.0"),
        ("fa7f7fffff", "3.4028234663852886e+38"),
        ("fb7e37e43c8800759c", "1.0e+300"),
        ("f90001", "5.960464477539063e-8"),
        ("f90400", "0.00006103515625"),
        ("f9c400", "-4.0"),
        ("fbc010666666666666", "-4.1"),
        ("f97c00", "Infinity"),
        ("f97e00", "NaN"),
        ("f9fc00", "-Infinity"),
        ("fa7f800000", "Infinity"),
        ("fa7fc00000", "NaN"),
        ("faff800000", "-Infinity"),
        ("fb7ff0000000000000", "Infinity"),
        ("fb7ff8000000000000", "NaN"),
        ("fbfff0000000000000", "-Infinity"),
        ("f4", "false"),
        ("f5", "true"),
        ("f6", "null"),
        ("f7", "undefined"),
        ("f0", "simple(16)"),
        ("f8ff", "simple(255)"),
        ("c074323031332d30332d32315432303a30343a30305a", "0(\"2013-03-21T20:04:00Z\")"),
        ("c11a514b67b0", "1(1363896240)"),
        ("c1fb41d452d9ec200000", "1(1363896240.5)"),
        ("d74401020304", "23(h'01020304')"),
        ("d818456449455446", "24(h'6449455446')"),
        ("d82076687474703a2f2f7777772e6578616d706c652e636f6d", "32(\"http://www.example.com\")"),
        ("40", "h''"),
        ("4401020304", "h'01020304'"),
        ("60", "\"\""),
        ("6161", "\"a\""),
        ("6449455446", "\"IETF\""),
        ("62225c", "\"\\\"\\\\\""),
        ("62c3bc", "\"\\u00fc\""),
        ("63e6b0b4", "\"\\u6c34\""),
        ("64f0908591", "\"\\ud800\\udd51\""),
        ("80", "[]"),
        ("83010203", "[1, 2, 3]"),
        ("8301820203820405", "[1, [2, 3], [4, 5]]"),
        ("98190102030405060708090a0b0c0d0e0f101112131415161718181819",
            "[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25]"),
        ("a0", "{}"),
        ("a201020304", "{1: 2, 3: 4}"),
        ("a26161016162820203", "{\"a\": 1, \"b\": [2, 3]}"),
        ("826161a161626163", "[\"a\", {\"b\": \"c\"}]"),
        ("a56161614161626142616361436164614461656145", "{\"a\": \"A\", \"b\": \"B\", \"c\": \"C\", \"d\": \"D\", \"e\": \"E\"}"),
        ("5f42010243030405ff", "(_ h'0102', h'030405')"),
        ("7f657374726561646d696e67ff", "(_ \"strea\", \"ming\")"),
        ("9fff", "[_ ]"),
        ("9f018202039f0405ffff", "[_ 1, [2, 3], [_ 4, 5]]"),
        ("9f01820203820405ff", "[_ 1, [2, 3], [4, 5]]"),
        ("83018202039f0405ff", "[1, [2, 3], [_ 4, 5]]"),
        ("83019f0203ff820405", "[1, [_ 2, 3], [4, 5]]"),
        ("9f0102030405060708090a0b0c0d0e0f101112131415161718181819ff",
            "[_ 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25]"),
        ("bf61610161629f0203ffff", "{_ \"a\": 1, \"b\": [_ 2, 3]}"),
        ("826161bf61626163ff", "[\"a\", {_ \"b\": \"c\"}]"),
        ("bf6346756ef563416d7421ff", "{_ \"Fun\": true, \"Amt\": -2}"),
    ];

    public static TheoryData<string, string> Rows()
    {
        var data = new TheoryData<string, string>();
        foreach (var (hex, diagnostic) in AppendixA)
            data.Add(hex, diagnostic);
        return data;
    }

    [Fact]
    public void The_table_has_all_81_rows_of_RFC_8949_Appendix_A() =>
        AppendixA.Select(r => r.Hex).Distinct().Should().HaveCount(81);

    [Theory]
    [MemberData(nameof(Rows))]
    public void Appendix_A_row_renders_as_in_the_RFC(string hex, string diagnostic)
    {
        var result = CborDiagnostic.Render(Convert.FromHexString(hex));

        result.Text.Should().Be(diagnostic);
        result.IsWellFormed.Should().BeTrue();
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public void Appendix_A_row_is_also_well_formed_for_the_BCL_reader(string hex, string diagnostic)
    {
        _ = diagnostic;
        var reader = new System.Formats.Cbor.CborReader(Convert.FromHexString(hex), System.Formats.Cbor.CborConformanceMode.Lax);
        reader.SkipValue();
        reader.BytesRemaining.Should().Be(0);
    }

    [Fact]
    public void RFC_7049s_simple_24_row_is_not_well_formed_under_RFC_8949() =>
        CborDiagnostic.ToDiagnostic(Convert.FromHexString("f818")).Should().StartWith("/ error: simple value 24 in the two-byte form");

    [Theory]
    [InlineData("5fff", "''_")] // RFC 8949 §8.1: empty indefinite-length strings, since (_ ) would not say which kind
    [InlineData("7fff", "\"\"_")]
    [InlineData("5f40ff", "(_ h'')")]
    [InlineData("7f6161ff", "(_ \"a\")")]
    [InlineData("bfff", "{_ }")]
    [InlineData("9f9fffff", "[_ [_ ]]")]
    [InlineData("f93e00", "1.5")]
    [InlineData("fa3fc00000", "1.5")]
    [InlineData("fb3ff8000000000000", "1.5")]
    [InlineData("fb3fb999999999999a", "0.1")]
    [InlineData("fa3dcccccd", "0.10000000149011612")] // a float32 0.1 shown as the exact value it denotes
    [InlineData("f97e01", "NaN")] // NaN with a payload
    [InlineData("1800", "0")] // not preferred serialisation, still well-formed
    [InlineData("3a7fffffff", "-2147483648")]
    [InlineData("c2410a", "2(h'0a')")]
    [InlineData("d9d9f700", "55799(0)")]
    [InlineData("db00000001000000000a", "4294967296(10)")]
    [InlineData("f820", "simple(32)")]
    [InlineData("6b0a09225c2f7f0001e280ae", "\"\\n\\t\\\"\\\\/\\u007f\\u0000\\u0001\\u202e\"")] // JSON escapes, ASCII-only output
    public void Other_well_formed_items_render_as_RFC_8949_section_8_diagnostic_notation(string hex, string diagnostic)
    {
        var result = CborDiagnostic.Render(Convert.FromHexString(hex));

        result.Text.Should().Be(diagnostic);
        result.IsWellFormed.Should().BeTrue();
    }

    [Theory]
    [InlineData(1e23, "1.0e+23")]
    [InlineData(1e20, "100000000000000000000.0")]
    [InlineData(1e21, "1.0e+21")]
    [InlineData(1e-7, "1.0e-7")]
    [InlineData(0.000001, "0.000001")]
    [InlineData(123.456, "123.456")]
    [InlineData(-123.456, "-123.456")]
    [InlineData(0.1, "0.1")]
    [InlineData(double.MaxValue, "1.7976931348623157e+308")]
    [InlineData(double.Epsilon, "5.0e-324")]
    [InlineData(2.5e-5, "0.000025")]
    [InlineData(-1.0, "-1.0")]
    public void Floats_print_shortest_round_trip_as_JavaScript_does_with_a_dot_zero_on_whole_mantissas(double value, string expected)
    {
        var text = CborDiagnostic.FormatFloat(value);

        text.Should().Be(expected);
        double.Parse(text, System.Globalization.CultureInfo.InvariantCulture).Should().Be(value);
    }
}
