using System.Numerics;
using System.Security.Cryptography;
using FluentAssertions;
using Mimi.Conformance.Protocol.Crypto;
using Mimi.Conformance.Tools.Vectors;
using Mimi.Conformance.Protocol.PrivacyPass;

namespace Mimi.Conformance.Harness.Tests.Protocol;

/// <summary>
/// RFC 9474 Appendix A, RSABSSA-SHA384-PSS-Deterministic (identity preparation, 48-byte salt): encoded_msg,
/// blinded_msg, blind_sig and sig reproduced byte for byte. Source: the vector block of
/// cfrg/draft-irtf-cfrg-rsa-blind-signatures (draft -13 text, the values the RFC publishes for this variant). In that
/// draft text the labels of the Appendix A blocks are shuffled (the block headed "PSS-Randomized" lists a msg_prefix
/// yet its encoded_msg is EMSA-PSS over msg alone), so every value here was cross-checked independently with
/// Python integer arithmetic: EMSA-PSS(msg, salt) = encoded_msg, encoded_msg * inv^-e = blinded_msg,
/// blind_sig^e = blinded_msg, blind_sig * inv = sig, sig^e = encoded_msg.
/// </summary>
public sealed class BlindRsaRfc9474Tests
{
    private const string EncodedMsg =
        "6e0c464d9c2f9fbc147b43570fc4f238e0d0b38870b3addcf7a4217df912ccef17a7f629aa850f63a063925f312d61d6" +
        "437be954b45025e8282f9c0b1131bc8ff19a8a928d859b37113db1064f92a27f64761c181c1e1f9b251ae5a2f8a40475" +
        "73b67a270584e089beadcb13e7c82337797119712e9b849ff56e04385d144d3ca9d8d92bf78adb20b5bbeb3685f17038" +
        "ec6afade3ef354429c51c687b45a7018ee3a6966b3af15c9ba8f40e6461ba0a17ef5a799672ad882bab02b518f9da7c1" +
        "a962945c2e9b0f02f29b31b9cdf3e633f9d9d2a22e96e1de28e25241ca7dd04147112f578973403e0f4fd80865965475" +
        "d22294f065e17a1c4a201de93bd14223e6b1b999fd548f2f759f52db71964528b6f15b9c2d7811f2a0a35d534b821630" +
        "1c47f4f04f412cae142b48c4cdff78bc54df690fd43142d750c671dd8e2e938e6a440b2f825b6dbb3e19f1d7a3c01504" +
        "28a47948037c322365b7fe6fe57ac88d8f80889e9ff38177bad8c8d8d98db42908b389cb59692a58ce275aa15acb032c" +
        "a951b3e0a3404b7f33f655b7c7d83a2f8d1b6bbff49d5fcedf2e030e80881aa436db27a5c0dea13f32e7d460dbf01240" +
        "c2320c2bb5b3225b17145c72d61d47c8f84d1e19417ebd8ce3638a82d395cc6f7050b6209d9283dc7b93fecc04f3f9e7" +
        "f566829ac41568ef799480c733c09759aa9734e2013d7640dc6151018ea902bc";

    private const string Inv =
        "80682c48982407b489d53d1261b19ec8627d02b8cda5336750b8cee332ae260de57b02d72609c1e0e9f28e2040fc65b6" +
        "f02d56dbd6aa9af8fde656f70495dfb723ba01173d4707a12fddac628ca29f3e32340bd8f7ddb557cf819f6b01e445ad" +
        "96f874ba235584ee71f6581f62d4f43bf03f910f6510deb85e8ef06c7f09d9794a008be7ff2529f0ebb69decef646387" +
        "dc767b74939265fec0223aa6d84d2a8a1cc912d5ca25b4e144ab8f6ba054b54910176d5737a2cff011da431bd5f2a0d2" +
        "d66b9e70b39f4b050e45c0d9c16f02deda9ddf2d00f3e4b01037d7029cd49c2d46a8e1fc2c0c17520af1f4b5e25ba396" +
        "afc4cd60c494a4c426448b35b49635b337cfb08e7c22a39b256dd032c00adddafb51a627f99a0e1704170ac1f1912e49" +
        "d9db10ec04c19c58f420212973e0cb329524223a6aa56c7937c5dffdb5d966b6cd4cbc26f3201dd25c80960a1a111b32" +
        "947bb78973d269fac7f5186530930ed19f68507540eed9e1bab8b00f00d8ca09b3f099aae46180e04e3584bd7ca054df" +
        "18a1504b89d1d1675d0966c4ae1407be325cdf623cf13ff13e4a28b594d59e3eadbadf6136eee7a59d6a444c9eb4e219" +
        "8e8a974f27a39eb63af2c9af3870488b8adaad444674f512133ad80b9220e09158521614f1faadfe8505ef57b7df6813" +
        "048603f0dd04f4280177a11380fbfc861dbcbd7418d62155248dad5fdec0991f";

    private const string BlindedMsg =
        "10c166c6a711e81c46f45b18e5873cc4f494f003180dd7f115585d871a28930259654fe28a54dab319cc5011204c8373" +
        "b50a57b0fdc7a678bd74c523259dfe4fd5ea9f52f170e19dfa332930ad1609fc8a00902d725cfe50685c95e5b2968c9a" +
        "2828a21207fcf393d15f849769e2af34ac4259d91dfd98c3a707c509e1af55647efaa31290ddf48e0133b798562af5ea" +
        "bd327270ac2fb6c594734ce339a14ea4fe1b9a2f81c0bc230ca523bda17ff42a377266bc2778a274c0ae5ec5a8cbbe36" +
        "4fcf0d2403f7ee178d77ff28b67a20c7ceec009182dbcaa9bc99b51ebbf13b7d542be337172c6474f2cd3561219fe0df" +
        "a3fb207cff89632091ab841cf38d8aa88af6891539f263adb8eac6402c41b6ebd72984e43666e537f5f5fe27b2b5aa11" +
        "4957e9a580730308a5f5a9c63a1eb599f093ab401d0c6003a451931b6d124180305705845060ebba6b0036154fcef3e5" +
        "e9f9e4b87e8f084542fd1dd67e7782a5585150181c01eb6d90cb95883837384a5b91dbb606f266059ecc51b5acbaa280" +
        "e45cfd2eec8cc1cdb1b7211c8e14805ba683f9b78824b2eb005bc8a7d7179a36c152cb87c8219e5569bba911bb32a1b9" +
        "23ca83de0e03fb10fba75d85c55907dda5a2606bf918b056c3808ba496a4d95532212040a5f44f37e1097f26dc27b98a" +
        "51837daa78f23e532156296b64352669c94a8a855acf30533d8e0594ace7c442";

    private const string BlindSig =
        "364f6a40dbfbc3bbb257943337eeff791a0f290898a6791283bba581d9eac90a6376a837241f5f73a78a5c6746e1306b" +
        "a3adab6067c32ff69115734ce014d354e2f259d4cbfb890244fd451a497fe6ecf9aa90d19a2d441162f7eaa7ce3fc4e8" +
        "9fd4e76b7ae585be2a2c0fd6fb246b8ac8d58bcb585634e30c9168a434786fe5e0b74bfe8187b47ac091aa571ffea0a8" +
        "64cb906d0e28c77a00e8cd8f6aba4317a8cc7bf32ce566bd1ef80c64de041728abe087bee6cadd0b7062bde5ceef308a" +
        "23bd1ccc154fd0c3a26110df6193464fc0d24ee189aea8979d722170ba945fdcce9b1b4b63349980f3a92dc2e5418c54" +
        "d38a862916926b3f9ca270a8cf40dfb9772bfbdd9a3e0e0892369c18249211ba857f35963d0e05d8da98f1aa0c6bba58" +
        "f47487b8f663e395091275f82941830b050b260e4767ce2fa903e75ff8970c98bfb3a08d6db91ab1746c86420ee2e909" +
        "bf681cac173697135983c3594b2def673736220452fde4ddec867d40ff42dd3da36c84e3e52508b891a00f50b4f62d11" +
        "2edb3b6b6cc3dbd546ba10f36b03f06c0d82aeec3b25e127af545fac28e1613a0517a6095ad18a98ab79f68801e05c17" +
        "5e15bae21f821e80c80ab4fdec6fb34ca315e194502b8f3dcf7892b511aee45060e3994cd15e003861bc7220a2babd7b" +
        "40eda03382548a34a7110f9b1779bf3ef6011361611e6bc5c0dc851e1509de1a";

    private const string N = Rfc9474Vector.N;
    private const string Msg = Rfc9474Vector.Msg;
    private const string Salt = Rfc9474Vector.Salt;
    private const string Sig = Rfc9474Vector.Sig;

    private static byte[] H(string hex) => Convert.FromHexString(hex);

    private static RSAParameters Key() => Rfc9474Vector.PrivateKey();

    [Fact]
    public void Encoded_message_matches_the_vector() =>
        Convert.ToHexString(BlindRsa.EncodePss(H(Msg), H(Salt), 4095)).Should().BeEquivalentTo(EncodedMsg);

    [Fact]
    public void Blind_with_the_vector_salt_and_inverse_gives_blinded_msg()
    {
        var result = BlindRsa.BlindWith(Key(), H(Msg), H(Salt), BlindRsa.ToInt(H(Inv)));
        Convert.ToHexString(result.BlindedMessage).Should().BeEquivalentTo(BlindedMsg);
        Convert.ToHexString(result.Inverse).Should().BeEquivalentTo(Inv);
    }

    [Fact]
    public void Blind_sign_gives_blind_sig() =>
        Convert.ToHexString(BlindRsa.BlindSign(Key(), H(BlindedMsg))).Should().BeEquivalentTo(BlindSig);

    [Fact]
    public void Finalize_gives_sig_and_the_BCL_verifies_it()
    {
        var sig = BlindRsa.Finalize(Key(), H(Msg), H(BlindSig), H(Inv));
        Convert.ToHexString(sig!).Should().BeEquivalentTo(Sig);
        BlindRsa.Verify(Key(), H(Msg), H(Sig)).Should().BeTrue();
    }

    [Fact]
    public void Finalize_refuses_a_blind_signature_with_one_flipped_bit()
    {
        var bad = H(BlindSig);
        bad[^1] ^= 1;
        BlindRsa.Finalize(Key(), H(Msg), bad, H(Inv)).Should().BeNull();
        var badMsg = H(Msg);
        badMsg[0] ^= 0x80;
        BlindRsa.Verify(Key(), badMsg, H(Sig)).Should().BeFalse();
    }

    [Fact]
    public void Round_trip_with_a_fresh_key_and_seeded_randomness_verifies()
    {
        using var rsa = RSA.Create(2048);
        var sk = rsa.ExportParameters(true);
        var seeded = new Random(9474);
        byte[] Next(int n)
        {
            var b = new byte[n];
            seeded.NextBytes(b);
            return b;
        }
        var msg = "token input"u8.ToArray();
        var blinded = BlindRsa.Blind(sk, msg, Next);
        var sig = BlindRsa.Finalize(sk, msg, BlindRsa.BlindSign(sk, blinded.BlindedMessage), blinded.Inverse);
        sig.Should().NotBeNull();
        rsa.VerifyData(msg, sig!, HashAlgorithmName.SHA384, RSASignaturePadding.Pss).Should().BeTrue();
    }

    [Fact]
    public void Token_key_spki_round_trips_and_carries_the_rsassa_pss_oid()
    {
        var spki = TokenKeys.EncodeSpki(Key());
        Convert.ToHexString(spki).Should().Contain("06092A864886F70D01010A");
        var decoded = TokenKeys.TryDecodeSpki(spki);
        decoded.Should().NotBeNull();
        decoded!.Value.Modulus.Should().Equal(H(N));
        TokenKeys.KeyId(spki).Should().HaveCount(32);
    }

    [Fact]
    public void Token_challenge_and_token_encode_and_decode()
    {
        var challenge = new TokenChallenge(2, "issuer.example", [], "origin.example");
        TokenChallenge.TryDecode(challenge.Encode()).Should().BeEquivalentTo(challenge);
        TokenChallenge.TryDecode([.. challenge.Encode(), 0]).Should().BeNull();
        var token = new PrivateToken(2, new byte[32], new byte[32], new byte[32], new byte[256]);
        PrivateToken.TryDecode(token.Encode()).Should().BeEquivalentTo(token);
        var header = PrivateTokenHeaders.Challenge(challenge.Encode(), [1, 2, 3]);
        var parameters = PrivateTokenHeaders.Parameters("Basic realm=\"x\", " + header);
        PrivateTokenHeaders.DecodeValue(parameters!["challenge"]).Should().Equal(challenge.Encode());
        PrivateTokenHeaders.DecodeValue(parameters["token-key"]).Should().Equal([1, 2, 3]);
    }
}
