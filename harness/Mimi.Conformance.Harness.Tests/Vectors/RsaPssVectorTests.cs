using System.Security.Cryptography;
using System.Text.Json.Nodes;
using FluentAssertions;
using Mimi.Conformance.Tools;
using Mimi.Conformance.Harness.Requirements;
using Mimi.Conformance.Tools.Vectors;
using Mimi.Conformance.Protocol.Crypto;
using NJsonSchema;

namespace Mimi.Conformance.Harness.Tests.Vectors;

/// <summary>The token-signature vectors in Wycheproof's rsassa_pss_verify layout, and the generic RSASSA-PSS verifier behind them.</summary>
public sealed class RsaPssVectorTests
{
    private static string TokenFile => Path.Combine(RepositoryLayout.Vectors, "privacypass", RsaPssVectorGenerator.FileName);

    [Fact]
    public async Task Token_file_passes_validates_and_covers_valid_and_invalid_cases()
    {
        var result = VectorChecker.Check(TokenFile);
        result.Mismatches.Should().BeEmpty();
        result.Passed.Should().BeGreaterThanOrEqualTo(20);
        var schema = await JsonSchema.FromFileAsync(Path.Combine(RepositoryLayout.Vectors, "schemas", RsaPssVectorGenerator.Schema));
        schema.Validate(await File.ReadAllTextAsync(TokenFile)).Should().BeEmpty();
        var results = Tests(JsonNode.Parse(await File.ReadAllTextAsync(TokenFile))!.AsObject()).Select(t => t["result"]!.GetValue<string>()).ToArray();
        results.Should().Contain("valid").And.Contain("invalid");
    }

    [Fact]
    public void Checker_catches_flipped_expectations_in_a_pss_file()
    {
        var root = JsonNode.Parse(File.ReadAllText(TokenFile))!.AsObject();
        var tests = Tests(root).ToArray();
        var valid = tests.First(t => t["result"]!.GetValue<string>() == "valid");
        var invalid = tests.First(t => t["result"]!.GetValue<string>() == "invalid");
        valid["result"] = "invalid";
        invalid["result"] = "valid";
        var output = CheckText(root, out var exit);
        exit.Should().Be(1);
        output.TrimEnd().Split('\n')[^1].Should().MatchRegex(@"^\d+ passed, 2 failed$");
    }

    [Fact]
    public void Older_n_e_layout_is_read_and_a_hash_the_platform_lacks_is_skipped_not_passed()
    {
        var root = JsonNode.Parse(File.ReadAllText(TokenFile))!.AsObject();
        var group = root["testGroups"]![0]!.AsObject();
        var key = group["publicKey"]!.AsObject();
        group["n"] = key["modulus"]!.GetValue<string>();
        group["e"] = key["publicExponent"]!.GetValue<string>();
        group.Remove("publicKey");
        root["testGroups"]![1]!["sha"] = "SHA-512/224";
        var output = CheckText(root, out var exit);
        exit.Should().Be(0);
        output.Should().Contain("SKIPPED 2 tests").And.Contain("unsupported hash SHA-512/224");
        output.TrimEnd().Split('\n')[^1].Should().Be($"{Tests(root).Count() - 2} passed, 0 failed");
    }

    [Fact]
    public void Generic_verifier_agrees_with_the_bcl_for_its_own_parameters()
    {
        using var rsa = RSA.Create(2048);
        var p = rsa.ExportParameters(false);
        var msg = "mimi"u8.ToArray();
        var sig = rsa.SignData(msg, HashAlgorithmName.SHA256, RSASignaturePadding.Pss);
        var n = BlindRsa.ToInt(p.Modulus!);
        var e = BlindRsa.ToInt(p.Exponent!);
        RsaPss.Verify(n, e, msg, sig, HashAlgorithmName.SHA256, HashAlgorithmName.SHA256, 32).Should().BeTrue();
        RsaPss.Verify(n, e, msg, sig, HashAlgorithmName.SHA256, HashAlgorithmName.SHA256, 20).Should().BeFalse();
        RsaPss.Verify(n, e, msg, sig, HashAlgorithmName.SHA384, HashAlgorithmName.SHA384, 32).Should().BeFalse();
        RsaPss.Verify(n, e, [.. msg, 0], sig, HashAlgorithmName.SHA256, HashAlgorithmName.SHA256, 32).Should().BeFalse();
        RsaPss.Verify(n, e, msg, sig.AsSpan(0, sig.Length - 1), HashAlgorithmName.SHA256, HashAlgorithmName.SHA256, 32).Should().BeFalse();
    }

    private static IEnumerable<JsonObject> Tests(JsonObject root) =>
        root["testGroups"]!.AsArray().SelectMany(g => g!["tests"]!.AsArray()).Select(t => t!.AsObject());

    private static string CheckText(JsonObject root, out int exit)
    {
        var path = Path.Combine(Path.GetTempPath(), $"mimi-pss-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, root.ToJsonString());
        try
        {
            using var output = new StringWriter();
            exit = ToolCommands.Check([path], output);
            return output.ToString();
        }
        finally
        {
            File.Delete(path);
        }
    }
}
