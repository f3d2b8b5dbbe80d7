using System.Text.Json.Nodes;
using FluentAssertions;
using Mimi.Conformance.Tools;
using Mimi.Conformance.Harness.Requirements;
using Mimi.Conformance.Tools.Vectors;
using NJsonSchema;

namespace Mimi.Conformance.Harness.Tests.Vectors;

/// <summary>The generated vectors: reproducible byte for byte, schema-valid, consistent, and passing the harness's verifiers.</summary>
public sealed class MappingVectorTests
{
    private static string VectorsDir => RepositoryLayout.Vectors;

    private static string[] MappingFiles => Directory.GetFiles(Path.Combine(VectorsDir, "mappings"), "*.json").Order(StringComparer.Ordinal).ToArray();

    [Fact]
    public void Regenerating_writes_byte_identical_files()
    {
        var temp = Directory.CreateTempSubdirectory("mimi-vectors-");
        try
        {
            var written = VectorFiles.WriteAll(temp.FullName);
            written.Should().NotBeEmpty();
            foreach (var path in written)
            {
                var relative = Path.GetRelativePath(temp.FullName, path);
                var committed = Path.Combine(VectorsDir, relative);
                File.Exists(committed).Should().BeTrue($"{relative} is generated and must be committed (./run.sh vectors generate)");
                File.ReadAllBytes(path).Should().Equal(File.ReadAllBytes(committed), $"{relative} must equal a fresh generation (./run.sh vectors generate)");
            }
        }
        finally
        {
            temp.Delete(recursive: true);
        }
    }

    [Fact]
    public void Profile_examples_match_the_generator()
    {
        var profile = File.ReadAllText(Path.Combine(VectorsDir, "PROFILE.md"));
        profile.Should().Contain(ExampleWriter.ProfileBegin + "\n" + ExampleWriter.ProfileSection() + ExampleWriter.ProfileEnd);
    }

    [Fact]
    public void Mapping_vectors_pass_the_verifier_and_number_at_least_80()
    {
        var results = MappingFiles.Select(VectorChecker.Check).ToArray();
        results.SelectMany(r => r.Mismatches).Should().BeEmpty();
        results.Sum(r => r.Passed).Should().BeGreaterThanOrEqualTo(80);
    }

    [Fact]
    public void Eddsa_file_passes_and_is_wycheproof_shaped()
    {
        var path = Path.Combine(VectorsDir, "ed25519", "ed25519_rfc8032_verify.json");
        var result = VectorChecker.Check(path);
        result.Mismatches.Should().BeEmpty();
        result.Passed.Should().BeGreaterThan(20);
    }

    [Fact]
    public async Task Files_validate_against_their_schemas()
    {
        var mapping = await JsonSchema.FromFileAsync(Path.Combine(VectorsDir, "schemas", VectorFiles.MappingSchema));
        var eddsa = await JsonSchema.FromFileAsync(Path.Combine(VectorsDir, "schemas", VectorFiles.EddsaSchema));
        foreach (var file in MappingFiles)
            mapping.Validate(await File.ReadAllTextAsync(file)).Select(e => $"{file} {e.Path}: {e.Kind}").Should().BeEmpty();
        eddsa.Validate(await File.ReadAllTextAsync(Path.Combine(VectorsDir, "ed25519", "ed25519_rfc8032_verify.json"))).Should().BeEmpty();
    }

    [Fact]
    public void Tests_have_unique_ids_known_requirements_and_explained_flags()
    {
        var catalog = RequirementCatalog.Load(RepositoryLayout.CatalogPath);
        foreach (var file in MappingFiles)
        {
            var root = JsonNode.Parse(File.ReadAllText(file))!.AsObject();
            var tests = root["testGroups"]!.AsArray().SelectMany(g => g!["tests"]!.AsArray()).Select(t => t!.AsObject()).ToArray();
            root["numberOfTests"]!.GetValue<int>().Should().Be(tests.Length);
            tests.Select(t => t["tcId"]!.GetValue<int>()).Should().OnlyHaveUniqueItems().And.BeInAscendingOrder();
            tests.Select(t => t["requirement"]!.GetValue<string>()).Should().OnlyContain(id => catalog.Find(id) != null, file);
            var notes = root["notes"]!.AsObject();
            tests.SelectMany(t => t["flags"]!.AsArray().Select(f => f!.GetValue<string>())).Should().OnlyContain(f => notes.ContainsKey(f), file);
        }
    }

    [Fact]
    public void Checker_reports_a_vector_whose_expected_result_is_wrong()
    {
        var root = JsonNode.Parse(File.ReadAllText(Path.Combine(VectorsDir, "mappings", "mapping_verify_signatures.json")))!.AsObject();
        var tests = root["testGroups"]![0]!["tests"]!.AsArray();
        tests[0]!["result"] = "invalid";                 // a valid mapping claimed invalid
        tests[^1]!["result"] = "valid";                  // an invalid one claimed valid
        tests[^2]!["rule"] = "cose-structure";           // right result, wrong rule
        var path = Path.Combine(Path.GetTempPath(), $"mimi-vectors-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, root.ToJsonString());
        try
        {
            using var output = new StringWriter();
            ToolCommands.Check([path], output).Should().Be(1);
            var text = output.ToString();
            text.Split('\n').Count(l => l.StartsWith("MISMATCH", StringComparison.Ordinal)).Should().Be(3);
            text.TrimEnd().Split('\n')[^1].Should().MatchRegex(@"^\d+ passed, 3 failed$");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Acceptable_edge_cases_are_rejected_by_libsodium()
    {
        // The harness's verifier is strict (libsodium through NSec); "acceptable" records that ZIP-215 verifiers differ.
        var root = JsonNode.Parse(File.ReadAllText(Path.Combine(VectorsDir, "mappings", "mapping_verify_ed25519.json")))!.AsObject();
        var acceptable = root["testGroups"]!.AsArray().SelectMany(g => g!["tests"]!.AsArray()).Where(t => t!["result"]!.GetValue<string>() == "acceptable").ToArray();
        acceptable.Should().HaveCount(3);
        foreach (var t in acceptable)
            t!["result"] = "invalid";
        var path = Path.Combine(Path.GetTempPath(), $"mimi-vectors-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, root.ToJsonString());
        try
        {
            VectorChecker.Check(path).Mismatches.Should().BeEmpty();
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void External_wycheproof_files_pass_when_installed()
    {
        // run.sh installs no third-party Wycheproof file (no registry here ships one); a developer may drop
        // ed25519_test.json or rsa_pss_*_test.json into reports/wycheproof/ and this test runs them.
        var dir = Path.Combine(RepositoryLayout.Root, "reports", "wycheproof");
        var files = Directory.Exists(dir) ? Directory.GetFiles(dir, "*.json") : [];
        if (files.Length == 0)
            Assert.Skip("no external Wycheproof file in reports/wycheproof/");
        foreach (var path in files)
            VectorChecker.Check(path).Mismatches.Should().BeEmpty(path);
    }
}
