using FluentAssertions;
using Mimi.Conformance.Tools;

namespace Mimi.Conformance.Harness.Tests.Vectors;

/// <summary>
/// `cose verify` on known answers computed outside this code base (OpenSSL 3.0 signatures, hand-built CBOR; see
/// CoseSigStructureTests): accepted as published, rejected with one byte changed.
/// </summary>
public sealed class CoseVerifyCommandTests
{
    /// <summary>RFC 8032 §7.1 TEST 1 public key.</summary>
    private const string Test1PublicKey = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";

    private const string KnownSign1 =
        "d284581fa30127045021fe31dfa154a261626bf854046fd22764726f6c656463736970a054546869732069732074686520636f6e74656e742e" +
        "5840239efa1afe300b55934feea781d959acd06d0e227261d5ded8dc6d353cb68876e5b9cabf45ee1c7355db9cd93eed6d07ffc19156df5b1e03c4a494de75f92507";

    private const string KnownSign =
        "d862845821a103781d6170706c69636174696f6e2f6d696d692d6d617070696e672b63626f72a054546869732069732074686520636f6e74656e742e" +
        "81835824a30127045021fe31dfa154a261626bf854046fd22764726f6c6569726563697069656e74a0" +
        "584046ba3724b2d97f6680c967b2dbd85b64424b2ab2cd1bc7f1cb0ecb9facea3794d18dcc3f12e227a4240df6053242fead5344a690d10f0722b214986ba07e1607";

    private static (int Exit, string Output) Run(string cose, string key = Test1PublicKey, string? aad = null, bool diag = false)
    {
        using var output = new StringWriter();
        var exit = ToolCommands.Verify(cose, key, aad, diag, output);
        return (exit, output.ToString());
    }

    private static string ChangeByte(string hex, int fromEnd)
    {
        var bytes = Convert.FromHexString(hex);
        bytes[^fromEnd] ^= 0x01;
        return Convert.ToHexStringLower(bytes);
    }

    [Fact]
    public void Accepts_the_known_COSE_Sign1_and_names_its_role_and_kid()
    {
        var (exit, text) = Run(KnownSign1);
        exit.Should().Be(0);
        text.Should().Contain("VALID").And.Contain("role csip").And.Contain("kid 21fe31dfa154a261626bf854046fd227");
    }

    [Fact]
    public void Rejects_the_COSE_Sign1_with_one_payload_byte_changed() =>
        Run(ChangeByte(KnownSign1, 70)).Exit.Should().Be(1);

    [Fact]
    public void Accepts_the_known_COSE_Sign_and_says_which_signature()
    {
        var (exit, text) = Run(KnownSign);
        exit.Should().Be(0);
        text.Should().Contain("signature 0: VALID (role recipient, kid 21fe31dfa154a261626bf854046fd227, alg -8)");
    }

    [Fact]
    public void Rejects_the_COSE_Sign_with_one_signature_byte_changed()
    {
        var (exit, text) = Run(ChangeByte(KnownSign, 1));
        exit.Should().Be(1);
        text.Should().Contain("signature 0: invalid");
    }

    [Fact]
    public void Rejects_under_another_key_or_with_external_aad()
    {
        Run(KnownSign, "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c").Exit.Should().Be(1);
        Run(KnownSign1, aad: "00").Exit.Should().Be(1);
    }

    [Fact]
    public void Diag_prints_diagnostic_notation()
    {
        var (_, text) = Run(KnownSign1, diag: true);
        text.Should().StartWith("18(").And.Contain("\"role\": \"csip\"");
    }

    [Fact]
    public void Bad_input_is_exit_2()
    {
        Run("zz").Exit.Should().Be(2);
        Run(KnownSign1, "00").Exit.Should().Be(2);
    }
}
