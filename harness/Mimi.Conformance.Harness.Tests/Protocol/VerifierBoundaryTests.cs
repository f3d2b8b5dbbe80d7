using System.Numerics;
using System.Security.Cryptography;
using FluentAssertions;
using Mimi.Conformance.Harness.Roles;
using Mimi.Conformance.Tools.Vectors;
using Mimi.Conformance.Protocol.Cbor;
using Mimi.Conformance.Protocol.Cose;
using Mimi.Conformance.Protocol.Crypto;
using Mimi.Conformance.Protocol.Profile;
using static Mimi.Conformance.Protocol.Profile.ProfileConstants;

namespace Mimi.Conformance.Harness.Tests.Protocol;

/// <summary>
/// Boundaries of the verifiers that the vector files do not pin down: validity windows at equality, the reason a
/// failure reports, signatures other than the first, RSASSA-PSS parameter limits, CBOR nesting and float widths.
/// Each case here was a surviving mutant of `./run.sh mutation`.
/// </summary>
public sealed class VerifierBoundaryTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_790_000_000);
    private readonly Parties _parties = new("verifier-boundaries", new FixedTime(Now));

    private MappingBuilder Builder() => MappingBuilder.For(_parties, "mimi://dp.conformance.test", "+15550100001", _parties.NewRecipientKey());

    private MappingVerification Verify(byte[] mapping) =>
        MappingVerifier.Verify(mapping, new TrustStore(_parties.TrustedForDp), Now.ToUnixTimeSeconds(), VerificationPolicy.RecipientOnly);

    [Fact]
    public void A_valid_mapping_has_an_id_and_no_first_failure()
    {
        var (mapping, payload) = Builder().Build();
        var result = Verify(mapping);
        result.Valid.Should().BeTrue();
        result.FirstFailure.Should().BeNull();
        result.MappingId.Should().Be(MappingPayload.IdOf(CoseSign.Decode(mapping).Payload)).And.NotBeNullOrEmpty();
        payload.Csi.Should().Be("+15550100001");
    }

    [Fact]
    public void An_undecodable_mapping_has_no_id_and_no_verification_is_valid_without_steps()
    {
        var result = Verify([0xa0]);
        result.Valid.Should().BeFalse();
        result.MappingId.Should().BeNull();
        new MappingVerification([], null, null, null).Valid.Should().BeFalse();
    }

    [Fact]
    public void A_credential_expiring_exactly_at_the_mapping_iat_is_valid_and_one_second_earlier_is_not()
    {
        var iat = Now.ToUnixTimeSeconds();
        Verify((Builder() with { IssuedAt = iat, CredentialExpiresAt = iat }).Build().Cose).Valid.Should().BeTrue();
        Verify((Builder() with { IssuedAt = iat, CredentialExpiresAt = iat - 1 }).Build().Cose).FirstFailure!.Rule.Should().Be("pop-validity");
    }

    [Fact]
    public void A_credential_assigned_at_its_own_iat_is_valid_and_one_second_later_is_not()
    {
        var iat = Now.ToUnixTimeSeconds();
        Verify((Builder() with { IssuedAt = iat, AssignedAt = iat - 60 }).Build().Cose).Valid.Should().BeTrue();
        Verify((Builder() with { IssuedAt = iat, AssignedAt = iat - 59 }).Build().Cose).FirstFailure!.Rule.Should().Be("pop-validity");
    }

    [Fact]
    public void A_mapping_whose_iat_equals_its_exp_is_refused()
    {
        var result = Verify((Builder() with { ValiditySeconds = 0 }).Build().Cose);
        result.FirstFailure!.Rule.Should().Be("mapping-validity");
    }

    [Fact]
    public void Header_problems_on_a_later_signature_are_found_and_named()
    {
        var (mapping, _) = Builder().Build();
        var cose = CoseSign.Decode(mapping);
        var stranger = _parties.Key("second-signer");
        var withCrit = cose.AddSignature(stranger, SignerRoles.Dp, new CoseHeaderMap().Set(CoseHeaderMap.Crit, new object[] { 99L }));
        Verify(withCrit.Encode()).FirstFailure!.Detail.Should().Contain("crit");

        var second = cose.AddSignature(stranger, SignerRoles.Dp);
        var unprotected = second with { Signatures = [second.Signatures[0], second.Signatures[1] with { Unprotected = new CoseHeaderMap().Set(CoseHeaderMap.Kid, stranger.KeyId) }] };
        Verify(unprotected.Encode()).FirstFailure!.Detail.Should().Contain("unprotected header");

        var wrongType = CoseSign.Create(new CoseHeaderMap().Set(CoseHeaderMap.ContentType, "application/cbor"), cose.Payload).AddSignature(stranger, SignerRoles.Recipient);
        Verify(wrongType.Encode()).FirstFailure!.Detail.Should().Contain("content type").And.Contain(MappingContentType);
    }

    [Fact]
    public void Missing_recipient_and_untrusted_credential_issuer_say_so()
    {
        var noRecipient = Verify((Builder() with { SignAsRecipient = false, ExtraSigners = [(_parties.Stranger, SignerRoles.Dp)] }).Build().Cose);
        noRecipient.Steps.Single(s => s.Rule == "recipient-signature").Should().Match<VerificationStep>(s => !s.Passed && s.Detail.Contains("no signature with role recipient"));

        var untrusted = Verify((Builder() with { Issuer = _parties.UntrustedCsip }).Build().Cose);
        untrusted.FirstFailure!.Rule.Should().Be("pop-issuer-trusted");
        untrusted.FirstFailure.Detail.Should().Contain("is not a trusted CSIP key").And.Contain(Convert.ToHexStringLower(_parties.UntrustedCsip.Key.KeyId));
        untrusted.Steps.Single(s => s.Rule == "recipient-signature").Detail.Should().Contain("no usable PoP credential");
    }

    [Theory]
    [InlineData("SHA-1", "SHA1")]
    [InlineData("SHA-256", "SHA256")]
    [InlineData("SHA-384", "SHA384")]
    [InlineData("SHA-512", "SHA512")]
    public void Wycheproof_hash_names_map_to_the_bcl(string name, string expected) =>
        RsaPss.HashNamed(name)!.Value.Name.Should().Be(expected);

    [Fact]
    public void Unknown_hash_names_and_sha3_without_platform_support_map_to_nothing()
    {
        RsaPss.HashNamed("SHA-224").Should().BeNull();
        RsaPss.HashNamed("SHA-512/256").Should().BeNull();
        RsaPss.HashNamed("SHA3-256").Should().Be(SHA3_256.IsSupported ? HashAlgorithmName.SHA3_256 : null);
        RsaPss.HashNamed("SHA3-384").Should().Be(SHA3_384.IsSupported ? HashAlgorithmName.SHA3_384 : null);
        RsaPss.HashNamed("SHA3-512").Should().Be(SHA3_512.IsSupported ? HashAlgorithmName.SHA3_512 : null);
    }

    [Fact]
    public void Pss_salt_length_is_bounded_by_the_modulus_at_exactly_hLen_plus_sLen_plus_2()
    {
        using var rsa = RSA.Create(1024);
        var key = rsa.ExportParameters(true);
        var (n, e) = (BlindRsa.ToInt(key.Modulus!), BlindRsa.ToInt(key.Exponent!));
        var msg = "boundary"u8.ToArray();
        var fits = new byte[128 - 64 - 2];
        var sig = BlindRsa.ToBytes(BigInteger.ModPow(BlindRsa.ToInt(RsaPss.Encode(msg, fits, 1023, HashAlgorithmName.SHA512, HashAlgorithmName.SHA512)), BlindRsa.ToInt(key.D!), n), 128);
        RsaPss.Verify(n, e, msg, sig, HashAlgorithmName.SHA512, HashAlgorithmName.SHA512, fits.Length).Should().BeTrue();
        RsaPss.Verify(n, e, msg, sig, HashAlgorithmName.SHA512, HashAlgorithmName.SHA512, fits.Length + 1).Should().BeFalse();
        var tooLong = () => RsaPss.Encode(msg, new byte[fits.Length + 1], 1023, HashAlgorithmName.SHA512, HashAlgorithmName.SHA512);
        tooLong.Should().Throw<CryptographicException>();
    }

    [Fact]
    public void Pss_encoding_always_clears_the_bits_above_emBits_and_verifies()
    {
        var key = Rfc9474Vector.PrivateKey();
        var (n, e, d) = (BlindRsa.ToInt(key.Modulus!), BlindRsa.ToInt(key.Exponent!), BlindRsa.ToInt(key.D!));
        var random = new Random(8017);
        for (var i = 0; i < 24; i++)
        {
            var salt = new byte[48];
            random.NextBytes(salt);
            var msg = BitConverter.GetBytes(i);
            var em = RsaPss.Encode(msg, salt, 4095, HashAlgorithmName.SHA384, HashAlgorithmName.SHA384);
            (em[0] & 0x80).Should().Be(0, "emBits = 4095 leaves the top bit of EM zero");
            var sig = BlindRsa.ToBytes(BigInteger.ModPow(BlindRsa.ToInt(em), d, n), 512);
            RsaPss.Verify(n, e, msg, sig, HashAlgorithmName.SHA384, HashAlgorithmName.SHA384, 48).Should().BeTrue();
        }
    }

    [Fact]
    public void Pss_verify_refuses_nonsense_parameters()
    {
        var key = Rfc9474Vector.PrivateKey();
        var (n, e) = (BlindRsa.ToInt(key.Modulus!), BlindRsa.ToInt(key.Exponent!));
        var msg = Convert.FromHexString(Rfc9474Vector.Msg);
        var sig = Convert.FromHexString(Rfc9474Vector.Sig);
        RsaPss.Verify(n, e, msg, sig, HashAlgorithmName.SHA384, HashAlgorithmName.SHA384, 48).Should().BeTrue();
        RsaPss.Verify(n, e, msg, sig, HashAlgorithmName.SHA384, HashAlgorithmName.SHA384, -1).Should().BeFalse();
        RsaPss.Verify(n, BigInteger.Zero, msg, sig, HashAlgorithmName.SHA384, HashAlgorithmName.SHA384, 48).Should().BeFalse();
        RsaPss.Verify(BigInteger.Zero, e, msg, sig, HashAlgorithmName.SHA384, HashAlgorithmName.SHA384, 48).Should().BeFalse();
        RsaPss.Verify(-n, e, msg, sig, HashAlgorithmName.SHA384, HashAlgorithmName.SHA384, 48).Should().BeFalse();
    }

    [Fact]
    public void Cbor_nesting_is_accepted_up_to_the_limit_and_refused_one_level_deeper()
    {
        static byte[] Nested(int depth) => [.. Enumerable.Repeat((byte)0x81, depth), 0x00];
        CborDeterminism.IsDeterministic(Nested(CborDeterminism.MaxDepth), out var ok).Should().BeTrue(ok);
        CborDeterminism.IsDeterministic(Nested(CborDeterminism.MaxDepth + 1), out var deep).Should().BeFalse();
        deep.Should().Contain($"{CborDeterminism.MaxDepth}");
        static byte[] Tagged(int depth) => [.. Enumerable.Repeat((byte)0xc1, depth), 0x00];
        CborDeterminism.IsDeterministic(Tagged(CborDeterminism.MaxDepth), out var tagsOk).Should().BeTrue(tagsOk);
        CborDeterminism.IsDeterministic(Tagged(CborDeterminism.MaxDepth + 1), out _).Should().BeFalse();
        static byte[] InMaps(int depth) => [.. Enumerable.Range(0, depth).SelectMany(_ => new byte[] { 0xa1, 0x00 }), 0x00];
        CborDeterminism.IsDeterministic(InMaps(CborDeterminism.MaxDepth), out var mapsOk).Should().BeTrue(mapsOk);
        CborDeterminism.IsDeterministic(InMaps(CborDeterminism.MaxDepth + 1), out _).Should().BeFalse();
    }

    [Theory]
    [InlineData("f93c00", true)]              // 1.0 as half: shortest
    [InlineData("fa3f800000", false)]         // 1.0 as single
    [InlineData("fb3ff0000000000000", false)] // 1.0 as double
    [InlineData("f97e00", true)]              // NaN as half
    [InlineData("fa7fc00000", false)]         // NaN as single
    [InlineData("fa47c35000", true)]          // 100000.0 needs a single
    [InlineData("fb40f86a0000000000", false)] // 100000.0 as double
    [InlineData("fb3ff199999999999a", true)]  // 1.1 needs a double
    public void Floats_must_use_their_shortest_exact_width(string hex, bool deterministic) =>
        CborDeterminism.IsDeterministic(Convert.FromHexString(hex), out _).Should().Be(deterministic, hex);

    [Fact]
    public void The_profile_writer_refuses_indefinite_lengths()
    {
        var w = CborDeterminism.NewWriter();
        var start = () => w.WriteStartArray(null);
        start.Should().Throw<InvalidOperationException>();
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
