using System.Text.Json.Nodes;
using FluentAssertions;
using Mimi.Conformance.Harness.Requirements;
using Mimi.Conformance.Harness.Sender;
using Mimi.Conformance.Tools.Vectors;
using Mimi.Conformance.Protocol.Profile;
using NJsonSchema;

namespace Mimi.Conformance.Harness.Tests.Vectors;

/// <summary>vectors/tags/selection.json and the sender tie-break it describes (PROFILE.md §4.4).</summary>
public sealed class TagSelectionVectorTests
{
    private static string SelectionFile => Path.Combine(RepositoryLayout.Vectors, "tags", TagSelectionVectors.FileName);

    [Fact]
    public async Task Selection_file_is_schema_valid_and_passes_the_checker()
    {
        var schema = await JsonSchema.FromFileAsync(Path.Combine(RepositoryLayout.Vectors, "schemas", TagSelectionVectors.Schema));
        schema.Validate(await File.ReadAllTextAsync(SelectionFile)).Select(e => $"{e.Path}: {e.Kind}").Should().BeEmpty();
        var result = VectorChecker.Check(SelectionFile);
        result.Mismatches.Should().BeEmpty();
        result.Passed.Should().BeGreaterThanOrEqualTo(20);
    }

    [Fact]
    public void Tests_have_unique_ascending_ids_and_known_requirements()
    {
        var catalog = RequirementCatalog.Load(RepositoryLayout.CatalogPath);
        var root = JsonNode.Parse(File.ReadAllText(SelectionFile))!.AsObject();
        var tests = root["testGroups"]!.AsArray().SelectMany(g => g!["tests"]!.AsArray()).Select(t => t!.AsObject()).ToArray();
        root["numberOfTests"]!.GetValue<int>().Should().Be(tests.Length);
        tests.Select(t => t["tcId"]!.GetValue<int>()).Should().OnlyHaveUniqueItems().And.BeInAscendingOrder();
        tests.Select(t => t["requirement"]!.GetValue<string>()).Should().OnlyContain(id => catalog.Find(id) != null);
    }

    [Fact]
    public void Checker_reports_a_wrong_expected_choice()
    {
        var root = JsonNode.Parse(File.ReadAllText(SelectionFile))!.AsObject();
        var first = root["testGroups"]![0]!["tests"]![0]!.AsObject();
        first["reason"] = "any";
        var path = Path.Combine(Path.GetTempPath(), $"mimi-selection-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, root.ToJsonString());
        try
        {
            VectorChecker.Check(path).Mismatches.Should().ContainSingle();
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Choice_does_not_depend_on_the_dp_order_and_is_persisted()
    {
        TieBreakCandidate[] set = [new("id-b", [new MspEntry("mimi://b", ["default"])]), new("id-a", [new MspEntry("mimi://a", ["default"])])];
        var first = TieBreak.Choose("+15550100001", set, null, null, reevaluate: false);
        var reversed = TieBreak.Choose("+15550100001", [.. set.Reverse()], null, null, reevaluate: false);
        first.Choice.Should().Be(reversed.Choice);
        first.Choice!.MappingId.Should().Be("id-a");
        var kept = TieBreak.Choose("+15550100001", [.. set, new("id-0", [new MspEntry("mimi://c", ["default"])])], null, first.State, reevaluate: false);
        kept.Choice.Should().Be(first.Choice);
        kept.Reason.Should().Be(TieBreak.Saved);
    }
}
