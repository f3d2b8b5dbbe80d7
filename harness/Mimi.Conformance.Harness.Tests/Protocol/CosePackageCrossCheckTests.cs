using System.Formats.Cbor;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using FluentAssertions;
using Mimi.Conformance.Harness.Requirements;
using Mimi.Conformance.Harness.Roles;
using Mimi.Conformance.Protocol.Cose;
using Mimi.Conformance.Protocol.Profile;
using static Mimi.Conformance.Protocol.Profile.ProfileConstants;
using Pkg = System.Security.Cryptography.Cose;

namespace Mimi.Conformance.Harness.Tests.Protocol;

/// <summary>
/// An independent view of our COSE: the BCL's System.Security.Cryptography.Cose decodes the COSE_Sign and COSE_Sign1
/// structures we produce (mappings, credentials, removals, invalidations, the committed mapping vectors) and must
/// see the same protected headers, payload and signatures. The package has no EdDSA, so it cannot check the profile's
/// signatures; our Sig_structure is cross-checked instead with ES256, which both sides can sign and verify.
/// </summary>
public sealed class CosePackageCrossCheckTests
{
    private static readonly Parties Parties = new("cose-cross-check", TimeProvider.System);
    private const string DpId = "mimi://dp.cose.test";

    private static (byte[] Cose, MappingPayload Payload) Mapping(bool countersign = false)
    {
        var built = MappingBuilder.For(Parties, DpId, Parties.NewE164(), Parties.NewRecipientKey(), ["default"], ["business", "tag:example.com,2026:friends"]).Build();
        return countersign ? (CoseSign.Decode(built.Cose).AddSignature(Parties.PeerDp.Key, SignerRoles.Dp).Encode(), built.Payload) : built;
    }

    // ---- what the package sees in our structures ----

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_package_reads_our_mappings_as_we_do(bool countersigned)
    {
        var (bytes, payload) = Mapping(countersigned);

        var ours = CoseSign.Decode(bytes);
        var theirs = Pkg.CoseMessage.DecodeMultiSign(bytes);

        AssertSame(ours, theirs);
        ours.Signatures.Should().HaveCount(countersigned ? 4 : 3, "recipient, two MSPs and, countersigned, the DP");
        theirs.Content!.Value.ToArray().Should().Equal(payload.Encode());
        theirs.ProtectedHeaders.GetValueAsString(Pkg.CoseHeaderLabel.ContentType).Should().Be(MappingContentType);
        theirs.Signatures.Select(s => s.ProtectedHeaders.GetValueAsString(new Pkg.CoseHeaderLabel(CoseHeaderMap.Role)))
            .Should().Equal(countersigned ? ["recipient", "msp", "msp", "dp"] : ["recipient", "msp", "msp"]);
        ours.Signatures.Should().OnlyContain(s => s.Signature.Length == 64);
    }

    [Fact]
    public void The_package_reads_the_credential_inside_a_mapping_as_we_do()
    {
        var (_, payload) = Mapping();

        AssertSame(CoseSign1.Decode(payload.Pop), Pkg.CoseMessage.DecodeSign1(payload.Pop));
        PopCredential.Decode(Pkg.CoseMessage.DecodeSign1(payload.Pop).Content!.Value.ToArray()).Issuer.Should().Be(Parties.Csip.Id);
    }

    /// <summary>The roles a removal is signed under (PROFILE.md §6.4): the mapping's recipient, or the CSIP.</summary>
    public static TheoryData<string> RemovalSigners => new() { SignerRoles.Recipient, SignerRoles.Csip };

    [Theory]
    [MemberData(nameof(RemovalSigners))]
    public void The_package_reads_our_removals_as_we_do(string role)
    {
        var signer = role == SignerRoles.Csip ? Parties.Csip.Key : Parties.NewRecipientKey();
        var bytes = MappingBuilder.Removal(Parties, signer, role, DpId, Parties.NewE164(), "m-1", disconnectedSince: role == SignerRoles.Csip ? Parties.Now - 86_400 : null);

        var theirs = Pkg.CoseMessage.DecodeSign1(bytes);

        AssertSame(CoseSign1.Decode(bytes), theirs);
        theirs.ProtectedHeaders.GetValueAsBytes(Pkg.CoseHeaderLabel.KeyIdentifier).Should().Equal(signer.KeyId);
        RemovalRequest.Decode(theirs.Content!.Value.ToArray()).Dp.Should().Be(DpId);
    }

    [Fact]
    public void The_package_reads_our_invalidations_as_we_do()
    {
        var (mapping, _) = Mapping();
        var bytes = MappingBuilder.Invalidation(Parties, Parties.PeerDp.Key, Parties.PeerDp.Id, DpId, Parties.NewE164(), Parties.Now - 3600, mapping, Parties.Now);

        AssertSame(CoseSign1.Decode(bytes), Pkg.CoseMessage.DecodeSign1(bytes));
    }

    [Fact]
    public void The_package_reads_every_committed_mapping_vector_that_we_accept_as_we_do()
    {
        var agreed = 0;
        foreach (var file in Directory.GetFiles(Path.Combine(RepositoryLayout.Vectors, "mappings"), "*.json").Order(StringComparer.Ordinal))
        {
            var groups = JsonNode.Parse(File.ReadAllText(file))!["testGroups"]!.AsArray();
            foreach (var test in groups.SelectMany(g => g!["tests"]!.AsArray()))
            {
                var bytes = Convert.FromHexString(test!["mapping"]!.GetValue<string>());
                CoseSign ours;
                try
                {
                    ours = CoseSign.Decode(bytes);
                }
                catch (CoseFormatException)
                {
                    continue; // our strict decoder's refusals (non-deterministic encodings and the like) are the vectors' own subject
                }
                var label = $"{Path.GetFileName(file)} tcId {test["tcId"]}";
                Pkg.CoseMultiSignMessage theirs;
                try
                {
                    theirs = Pkg.CoseMessage.DecodeMultiSign(bytes);
                }
                catch (CryptographicException e)
                {
                    throw new Xunit.Sdk.XunitException($"{label}: we decode it, the package refuses it: {e.Message}");
                }
                AssertSame(ours, theirs, label);
                CoseSign1? pop = null;
                try
                {
                    pop = CoseSign1.Decode(MappingPayload.Decode(ours.Payload, strict: false).Pop);
                }
                catch (Exception e) when (e is ProfileFormatException or CoseFormatException)
                {
                    // a vector about a broken payload or credential
                }
                if (pop is not null && !IsMalformedCredential(test))
                    AssertSame(pop, Pkg.CoseMessage.DecodeSign1(MappingPayload.Decode(ours.Payload, strict: false).Pop), label + " credential");
                agreed++;
            }
        }
        agreed.Should().BeGreaterThanOrEqualTo(100, "108 of the 120 mapping vectors are COSE_Sign our strict decoder accepts");
    }

    /// <summary>A vector whose subject is a credential outside its encoding rules (e.g. a label in both header buckets, which the package refuses to decode).</summary>
    private static bool IsMalformedCredential(JsonNode test) =>
        test["result"]?.GetValue<string>() == "invalid" && test["flags"]?.AsArray().Any(f => f?.GetValue<string>() == "PopMalformed") == true;

    [Fact]
    public void The_comparison_notices_a_signature_or_header_that_differs()
    {
        var (bytes, _) = Mapping();
        var ours = CoseSign.Decode(bytes);
        var theirs = Pkg.CoseMessage.DecodeMultiSign(bytes);
        var flipped = ours.Signatures[1].Signature.ToArray();
        flipped[0] ^= 1;
        var otherRole = new CoseHeaderMap().Set(CoseHeaderMap.Alg, CoseSign.EdDsa).Set(CoseHeaderMap.Kid, ours.Signatures[1].KeyId!).Set(CoseHeaderMap.Role, SignerRoles.Dp);

        FluentActions.Invoking(() => AssertSame(ours with { Signatures = [ours.Signatures[0], ours.Signatures[1] with { Signature = flipped }, ours.Signatures[2]] }, theirs))
            .Should().Throw<Exception>();
        FluentActions.Invoking(() => AssertSame(ours with { Signatures = [ours.Signatures[0], ours.Signatures[1] with { Protected = otherRole }, ours.Signatures[2]] }, theirs))
            .Should().Throw<Exception>();
        FluentActions.Invoking(() => AssertSame(ours with { Signatures = [.. ours.Signatures.Take(2)] }, theirs)).Should().Throw<Exception>();
    }

    // ---- our Sig_structure, checked by the package with an algorithm it has ----

    [Fact]
    public void A_sign1_the_package_signs_with_ES256_verifies_over_our_Sig_structure()
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var headers = new Pkg.CoseHeaderMap { [Pkg.CoseHeaderLabel.KeyIdentifier] = Pkg.CoseHeaderValue.FromBytes([1, 2, 3]) };
        headers[new Pkg.CoseHeaderLabel(CoseHeaderMap.Role)] = Pkg.CoseHeaderValue.FromString(SignerRoles.Csip);
        var payload = "a removal, say"u8.ToArray();

        var encoded = Pkg.CoseSign1Message.SignEmbedded(payload, new Pkg.CoseSigner(ec, HashAlgorithmName.SHA256, headers));
        var message = Pkg.CoseMessage.DecodeSign1(encoded);

        var tbs = CoseSign1.ToBeSigned(message.RawProtectedHeaders.ToArray(), payload);
        ec.VerifyData(tbs, message.Signature.Span, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation).Should().BeTrue();
    }

    [Fact]
    public void A_sign1_we_sign_with_ES256_over_our_Sig_structure_verifies_in_the_package()
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var headers = new CoseHeaderMap().Set(CoseHeaderMap.Alg, Es256).Set(CoseHeaderMap.Kid, new byte[] { 1, 2, 3 }).Set(CoseHeaderMap.Role, SignerRoles.Csip);
        var protectedBytes = headers.Encode();
        var payload = "a removal, say"u8.ToArray();
        var signature = ec.SignData(CoseSign1.ToBeSigned(protectedBytes, payload), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        var encoded = new CoseSign1(protectedBytes, headers, new CoseHeaderMap(), payload, signature).Encode();

        Pkg.CoseMessage.DecodeSign1(encoded).VerifyEmbedded(ec).Should().BeTrue();
        var tampered = encoded.ToArray();
        tampered[^1] ^= 1;
        Pkg.CoseMessage.DecodeSign1(tampered).VerifyEmbedded(ec).Should().BeFalse();
    }

    [Fact]
    public void An_ES256_signature_we_add_to_a_real_mapping_verifies_in_the_package_beside_our_EdDSA_ones()
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var (bytes, _) = Mapping();
        var mapping = CoseSign.Decode(bytes);
        var headers = new CoseHeaderMap().Set(CoseHeaderMap.Alg, Es256).Set(CoseHeaderMap.Kid, new byte[] { 9 }).Set(CoseHeaderMap.Role, SignerRoles.Dp);
        var protectedBytes = headers.Encode();
        var signature = ec.SignData(mapping.ToBeSigned(protectedBytes), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        var joint = mapping with { Signatures = [.. mapping.Signatures, new CoseSignature(protectedBytes, headers, new CoseHeaderMap(), signature)] };

        var theirs = Pkg.CoseMessage.DecodeMultiSign(joint.Encode());

        theirs.Signatures[^1].VerifyEmbedded(ec).Should().BeTrue("the package's Sig_structure for a COSE_Signature is ours");
        MappingVerifier.Verify(bytes, new TrustStore([Parties.Csip.Trusted, .. Parties.Msps.Select(m => m.Trusted)]), Parties.Now, VerificationPolicy.RecipientOnly)
            .Valid.Should().BeTrue("our EdDSA verifier is unchanged and still the one that checks the profile's signatures");
    }

    // ---- comparison ----

    private const long Es256 = -7;

    private static void AssertSame(CoseSign ours, Pkg.CoseMultiSignMessage theirs, string because = "")
    {
        theirs.RawProtectedHeaders.ToArray().Should().Equal(ours.BodyProtectedBytes, because);
        AssertSameHeaders(ours.BodyProtected, theirs.ProtectedHeaders, because + " body protected");
        AssertSameHeaders(ours.Unprotected, theirs.UnprotectedHeaders, because + " body unprotected");
        theirs.Content.Should().NotBeNull(because);
        theirs.Content!.Value.ToArray().Should().Equal(ours.Payload, because);
        theirs.Signatures.Should().HaveCount(ours.Signatures.Count, because);
        for (var i = 0; i < ours.Signatures.Count; i++)
        {
            var (o, t) = (ours.Signatures[i], theirs.Signatures[i]);
            t.RawProtectedHeaders.ToArray().Should().Equal(o.ProtectedBytes, $"{because} signature {i}");
            AssertSameHeaders(o.Protected, t.ProtectedHeaders, $"{because} signature {i} protected");
            AssertSameHeaders(o.Unprotected, t.UnprotectedHeaders, $"{because} signature {i} unprotected");
            t.Signature.ToArray().Should().Equal(o.Signature, $"{because} signature {i}");
        }
    }

    private static void AssertSame(CoseSign1 ours, Pkg.CoseSign1Message theirs, string because = "")
    {
        theirs.RawProtectedHeaders.ToArray().Should().Equal(ours.ProtectedBytes, because);
        AssertSameHeaders(ours.Protected, theirs.ProtectedHeaders, because + " protected");
        AssertSameHeaders(ours.Unprotected, theirs.UnprotectedHeaders, because + " unprotected");
        theirs.Content.Should().NotBeNull(because);
        theirs.Content!.Value.ToArray().Should().Equal(ours.Payload, because);
        theirs.Signature.ToArray().Should().Equal(ours.Signature, because);
    }

    /// <summary>Same labels, and under each the same CBOR value, byte for byte.</summary>
    private static void AssertSameHeaders(CoseHeaderMap ours, Pkg.CoseHeaderMap theirs, string because)
    {
        theirs.Count.Should().Be(ours.Count, because);
        foreach (var (label, value) in ours.Entries)
        {
            var key = label is long l ? new Pkg.CoseHeaderLabel(checked((int)l)) : new Pkg.CoseHeaderLabel((string)label);
            theirs.TryGetValue(key, out var seen).Should().BeTrue($"{because}: label {label}");
            seen.EncodedValue.ToArray().Should().Equal(Encode(value), $"{because}: label {label}");
        }
    }

    private static byte[] Encode(object value)
    {
        var w = new CborWriter(CborConformanceMode.Lax);
        Write(w, value);
        return w.Encode();

        static void Write(CborWriter w, object v)
        {
            switch (v)
            {
                case long x: w.WriteInt64(x); break;
                case string s: w.WriteTextString(s); break;
                case byte[] b: w.WriteByteString(b); break;
                case bool f: w.WriteBoolean(f); break;
                case object[] a:
                    w.WriteStartArray(a.Length);
                    foreach (var item in a)
                        Write(w, item);
                    w.WriteEndArray();
                    break;
                default: throw new ArgumentException($"header value of type {v.GetType().Name}");
            }
        }
    }
}
