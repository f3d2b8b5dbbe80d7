using System.Formats.Cbor;
using FluentAssertions;
using Mimi.Conformance.Protocol.Cbor;
using Mimi.Conformance.Protocol.Cose;
using Mimi.Conformance.Protocol.Crypto;

namespace Mimi.Conformance.Harness.Tests.Protocol;

/// <summary>
/// CborDiagnostic is fed hostile bytes (whatever a DP under test sends ends up in a report), so it must never throw and
/// must stay bounded. Its verdict is cross-checked against System.Formats.Cbor's Lax reader.
/// </summary>
public sealed class CborDiagnosticRobustnessTests
{
    private const int SmallLimit = 2_000;

    private static readonly string[] ValidSamples =
    [
        "00", "1bffffffffffffffff", "3bffffffffffffffff", "c249010000000000000000", "fb7e37e43c8800759c", "f90400", "f8ff",
        "c074323031332d30332d32315432303a30343a30305a", "64f0908591", "8301820203820405", "a26161016162820203",
        "a56161614161626142616361436164614461656145", "5f42010243030405ff", "7f657374726561646d696e67ff", "9fff",
        "9f018202039f0405ffff", "bf61610161629f0203ffff", "826161bf61626163ff", "bf6346756ef563416d7421ff", "d818456449455446",
    ];

    private static byte[] CoseSample()
    {
        var key = SigningKey.FromSeed(Convert.FromHexString("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"));
        return CoseSign1.Sign(key, "csip", "This is the content."u8.ToArray()).Encode();
    }

    private static IEnumerable<byte[]> Valid() => ValidSamples.Select(Convert.FromHexString).Append(CoseSample());

    /// <summary>Renders in every mode and checks the invariants that hold for any input.</summary>
    private static CborDiagnosticResult Check(byte[] input, int limit = 200_000)
    {
        CborDiagnosticResult? plain = null;
        foreach (var (embedded, indent) in new[] { (false, false), (true, false), (false, true), (true, true) })
        {
            var result = CborDiagnostic.Render(input, maxOutputChars: limit, embeddedCbor: embedded, indent: indent);
            result.Text.Should().NotBeNull();
            result.Text.Length.Should().BeLessThanOrEqualTo(limit + 1 + CborDiagnostic.MaxErrorCommentChars);
            if (result.Error is not null)
            {
                result.Text.Should().EndWith(" /").And.Contain("/ error: ");
                result.ErrorOffset.Should().BeInRange(0, input.Length);
            }
            else if (!result.Truncated)
                result.Text.Should().NotContain("/ error: ");
            plain ??= result;
            if (!result.Truncated && !plain.Truncated)
                (result.Error is null).Should().Be(plain.Error is null, "the options change the layout, not the verdict");
        }
        return plain!;
    }

    /// <summary>True when the BCL's Lax reader takes the input as exactly one item.</summary>
    private static bool LaxReaderAccepts(byte[] input)
    {
        try
        {
            var reader = new CborReader(input, CborConformanceMode.Lax);
            reader.SkipValue();
            return reader.BytesRemaining == 0;
        }
        catch (CborContentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>
    /// Ours is stricter than the Lax reader in exactly three documented ways: RFC 8949 §3.3 forbids simple values below
    /// 32 in the two-byte form (the Lax reader takes them), text must be UTF-8 to be printed, and nesting is limited.
    /// </summary>
    private static void AgreesWithLaxReader(byte[] input, CborDiagnosticResult ours)
    {
        if (ours.Truncated)
            return;
        var lax = LaxReaderAccepts(input);
        if (ours.IsWellFormed)
            lax.Should().BeTrue($"{Convert.ToHexString(input)} renders as {ours.Text}");
        else if (lax)
            ours.Error.Should().Match(e => e.StartsWith("simple value ", StringComparison.Ordinal)
                || e == "text string is not valid UTF-8" || e.StartsWith("nesting deeper than", StringComparison.Ordinal),
                $"{Convert.ToHexString(input)} is accepted by the Lax reader");
    }

    [Fact]
    public void Two_thousand_seeded_random_inputs_never_throw_and_agree_with_the_Lax_reader()
    {
        var random = new Random(1234);
        var wellFormed = 0;
        for (var i = 0; i < 2_000; i++)
        {
            var input = new byte[random.Next(0, 65)];
            random.NextBytes(input);
            var result = Check(input);
            AgreesWithLaxReader(input, result);
            if (result.IsWellFormed)
                wellFormed++;
        }
        wellFormed.Should().BeGreaterThan(0, "some random inputs are well-formed by chance, so both verdicts are exercised");
    }

    [Fact]
    public void Random_inputs_biased_towards_structure_never_throw()
    {
        // Random bytes mostly fail on the first byte; drawing from heads, breaks and short items goes deeper.
        byte[] alphabet = [0x00, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x20, 0x38, 0x40, 0x41, 0x42, 0x58, 0x5f, 0x60, 0x61, 0x62, 0x78, 0x7f,
            0x80, 0x81, 0x82, 0x98, 0x9f, 0xa0, 0xa1, 0xa2, 0xb8, 0xbf, 0xc0, 0xc1, 0xd8, 0xf4, 0xf7, 0xf8, 0xf9, 0xfa, 0xfb, 0xff,
            0xc3, 0xe2, 0x80, 0xae, 0xed, 0xa0];
        var random = new Random(1234);
        for (var i = 0; i < 2_000; i++)
        {
            var input = new byte[random.Next(1, 48)];
            for (var j = 0; j < input.Length; j++)
                input[j] = alphabet[random.Next(alphabet.Length)];
            AgreesWithLaxReader(input, Check(input));
        }
    }

    [Fact]
    public void Every_proper_prefix_of_a_valid_item_reports_the_end_of_input()
    {
        foreach (var valid in Valid())
        {
            Check(valid).IsWellFormed.Should().BeTrue(Convert.ToHexString(valid));
            for (var length = 0; length < valid.Length; length++)
            {
                var result = Check(valid[..length]);
                result.Error.Should().Match(e => e.Contains("end of input", StringComparison.Ordinal) || e.StartsWith("empty input", StringComparison.Ordinal),
                    "CBOR is prefix-free, so a cut item can only run out of bytes");
            }
        }
    }

    [Fact]
    public void Mutations_of_valid_items_never_throw()
    {
        var random = new Random(1234);
        var samples = Valid().ToArray();
        for (var i = 0; i < 2_000; i++)
        {
            var input = (byte[])samples[random.Next(samples.Length)].Clone();
            for (var flips = random.Next(1, 4); flips > 0; flips--)
                input[random.Next(input.Length)] = (byte)random.Next(256);
            AgreesWithLaxReader(input, Check(input, SmallLimit));
        }
    }

    [Theory]
    [InlineData(0x81)] // [[[[…
    [InlineData(0xa1)] // {{{{… (each a key)
    [InlineData(0xc1)] // 1(1(1(…
    [InlineData(0x9f)] // [_ [_ [_ …
    public void Deep_nesting_stops_at_the_limit_without_exhausting_the_stack(byte opener)
    {
        var input = Enumerable.Repeat(opener, 100_000).ToArray();

        CborDiagnostic.Render(input).Error.Should().Be("nesting deeper than 64");
        CborDiagnostic.Render(input, maxDepth: CborDiagnostic.MaxSupportedDepth, embeddedCbor: true).Error
            .Should().Be("nesting deeper than 1000");
        var indented = CborDiagnostic.Render(input, maxDepth: CborDiagnostic.MaxSupportedDepth, indent: true);
        (indented.Truncated || indented.Error == "nesting deeper than 1000").Should().BeTrue("2 spaces per level add up past the output limit");
    }

    [Fact]
    public void Byte_strings_nested_in_byte_strings_are_bounded_with_embeddedCbor()
    {
        byte[] item = [0x00];
        for (var i = 0; i < 300; i++)
        {
            var w = new CborWriter();
            w.WriteByteString(item);
            item = w.Encode();
        }

        var result = CborDiagnostic.Render(item, embeddedCbor: true);

        result.IsWellFormed.Should().BeTrue();
        result.Text.Should().StartWith(new string('<', 128)).And.Contain("h'");
    }

    [Fact]
    public void A_large_random_input_is_rendered_quickly_and_bounded()
    {
        var random = new Random(1234);
        var input = new byte[1 << 20];
        random.NextBytes(input);
        input[0] = 0x9f; // an indefinite array, so decoding goes on until something breaks

        var text = CborDiagnostic.ToDiagnostic(input, embeddedCbor: true, indent: true);

        text.Length.Should().BeLessThanOrEqualTo(200_001 + CborDiagnostic.MaxErrorCommentChars);
    }
}
