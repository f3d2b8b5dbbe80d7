using System.Text.Json.Nodes;
using FluentAssertions;
using Mimi.Conformance.Harness.Lifecycle;
using Mimi.Conformance.Harness.Requirements;
using Mimi.Conformance.Tools.Vectors;
using NJsonSchema;

namespace Mimi.Conformance.Harness.Tests.Vectors;

/// <summary>vectors/lifecycle/timelines.json and the profile model it is checked against (PROFILE.md §12).</summary>
public sealed class LifecycleVectorTests
{
    private static string TimelineFile => Path.Combine(RepositoryLayout.Vectors, "lifecycle", LifecycleVectors.FileName);

    [Fact]
    public async Task Timeline_file_is_schema_valid_generated_and_passes_the_checker()
    {
        var schema = await JsonSchema.FromFileAsync(Path.Combine(RepositoryLayout.Vectors, "schemas", LifecycleVectors.Schema));
        var text = await File.ReadAllTextAsync(TimelineFile);
        schema.Validate(text).Select(e => $"{e.Path}: {e.Kind}").Should().BeEmpty();
        text.Should().Be(VectorFiles.Serialize(LifecycleVectors.Generate()), "the file is what ./run.sh vectors generate writes");
        var result = VectorChecker.Check(TimelineFile);
        result.Mismatches.Should().BeEmpty();
        result.Passed.Should().BeGreaterThanOrEqualTo(15);
    }

    [Fact]
    public void Timelines_have_unique_ids_known_lifecycle_or_core_requirements_and_cover_the_class()
    {
        var catalog = RequirementCatalog.Load(RepositoryLayout.CatalogPath);
        var timelines = Timeline.ReadAll(JsonNode.Parse(File.ReadAllText(TimelineFile))!.AsObject());
        timelines.Select(t => t.TcId).Should().OnlyHaveUniqueItems().And.BeInAscendingOrder();
        timelines.Should().OnlyContain(t => catalog.Find(t.Requirement) != null);
        string[] lifecycle = ["DISC-L-16", "DISC-L-17", "DISC-L-17A", "DISC-L-18", "DISC-L-19", "DISC-L-19A", "DISC-L-20", "DISC-L-20A", "DISC-M-06", "DISC-R-09", "DISC-R-10"];
        timelines.Select(t => t.Requirement).Distinct().Should().BeEquivalentTo(lifecycle);
    }

    [Fact]
    public void Checker_reports_an_expectation_the_rules_contradict()
    {
        var root = JsonNode.Parse(File.ReadAllText(TimelineFile))!.AsObject();
        // The conflict timeline: say the newer holder's publish without new_holder is accepted (newest wins).
        var conflict = root["testGroups"]!.AsArray().SelectMany(g => g!["tests"]!.AsArray())
            .First(t => t!["requirement"]!.GetValue<string>() == "DISC-L-17A")!.AsObject();
        var refused = conflict["steps"]!.AsArray().First(s => s!["expect"]!["result"]!.GetValue<string>() == "refused")!.AsObject();
        refused["expect"] = new JsonObject { ["result"] = "accepted" };
        var path = Path.Combine(Path.GetTempPath(), $"mimi-timelines-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, root.ToJsonString());
        try
        {
            var result = VectorChecker.Check(path);
            result.Mismatches.Should().ContainSingle().Which.Should().Contain("conflict");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Model_refuses_a_credential_assigned_after_it_was_issued()
    {
        var bad = new Timeline(1, "bad", [], "DISC-L-17", [], "lifecycle", [new TimelineHolder("A", 100)],
            [new TimelineStep(0, TimelineStep.Publish, new TimelineExpect(TimelineExpect.Accepted)) { Holder = "A", Mapping = "a1", Tags = ["default"] }]);
        var act = () => LifecycleModel.Check(bad);
        act.Should().Throw<InvalidOperationException>().WithMessage("*assigned after*");
    }
}
