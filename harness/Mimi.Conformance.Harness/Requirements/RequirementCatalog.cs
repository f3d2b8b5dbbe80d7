using System.Text.Json;
using System.Text.Json.Serialization;
using Mimi.Conformance.Harness.Results;

namespace Mimi.Conformance.Harness.Requirements;

/// <summary>One entry of vectors/requirements.json.</summary>
public sealed record Requirement(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("source")] RequirementSource Source,
    [property: JsonPropertyName("level")] string Level,
    [property: JsonPropertyName("class")] string Class,
    [property: JsonPropertyName("quote")] string Quote,
    [property: JsonPropertyName("dependsOn")] IReadOnlyList<string> DependsOn,
    [property: JsonPropertyName("testable")] string Testable,
    [property: JsonPropertyName("notes")] string? Notes);

/// <summary>One rule of vectors/PROFILE.md (catalog array <c>rules</c>): a normative sentence, its level and class, and the requirements it serves.</summary>
public sealed record Rule(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("level")] string Level,
    [property: JsonPropertyName("class")] string Class,
    [property: JsonPropertyName("section")] string Section,
    [property: JsonPropertyName("quote")] string Quote,
    [property: JsonPropertyName("serves")] IReadOnlyList<string> Serves);

public sealed record RequirementClass(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("description")] string Description);

/// <summary>The requirement catalog: the backbone every test and every report row hangs on.</summary>
public sealed record RequirementCatalog(
    [property: JsonPropertyName("catalog_version")] string CatalogVersion,
    [property: JsonPropertyName("profile")] string Profile,
    [property: JsonPropertyName("classes")] IReadOnlyList<RequirementClass> Classes,
    [property: JsonPropertyName("requirements")] IReadOnlyList<Requirement> Requirements)
{
    public const string FileName = "requirements.json";

    /// <summary>The profile's rules, in PROFILE.md order.</summary>
    [JsonPropertyName("rules")]
    public IReadOnlyList<Rule> Rules { get; init; } = [];

    public static RequirementCatalog Load(string path)
    {
        using var stream = File.OpenRead(path);
        return JsonSerializer.Deserialize<RequirementCatalog>(stream) ?? throw new InvalidDataException($"{path} is empty");
    }

    public Requirement? Find(string id) => Requirements.FirstOrDefault(r => r.Id == id);

    public Rule? FindRule(string id) => Rules.FirstOrDefault(r => r.Id == id);

    /// <summary>Is a requirement of this level gating under --fail-on <paramref name="failOn"/>?</summary>
    public static bool Gates(string level, string failOn) => level == "MUST" || (failOn == "should" && level == "SHOULD");
}
