using System.Text.Json;
using System.Text.Json.Serialization;
using Mimi.Conformance.Harness.Requirements;

namespace Mimi.Conformance.Harness.Results;

/// <summary>One fault mode of the reference DP and the requirements that must fail under it.</summary>
public sealed record FaultExpectation(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("description")] string Description,
    [property: JsonPropertyName("requirements")] IReadOnlyList<string> Requirements)
{
    /// <summary>Null: the requirements fail (or warn). Unstable: the fault is wrong only sometimes, and the requirements are unstable under run --repeat.</summary>
    [JsonPropertyName("expected_verdict")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Verdict? ExpectedVerdict { get; init; }
}

/// <summary>
/// The reference DP's faults and what each must fail, as data: vectors/self-test/faults.json, written from the fault
/// registry (the single source, docs/ARCHITECTURE.md §7) by <c>vectors generate</c> for readers outside the code.
/// </summary>
public sealed record FaultCatalog(
    [property: JsonPropertyName("$schema")] string Schema,
    [property: JsonPropertyName("faults")] IReadOnlyList<FaultExpectation> Faults)
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public const string SchemaReference = "../schemas/faults.schema.json";

    public static string DefaultPath => Path.Combine(RepositoryLayout.Vectors, "self-test", "faults.json");

    public static FaultCatalog Of(IEnumerable<FaultExpectation> faults) => new(SchemaReference, [.. faults]);

    public static FaultCatalog Load(string path) =>
        JsonSerializer.Deserialize<FaultCatalog>(File.ReadAllText(path)) ?? throw new InvalidDataException($"{path} is empty");

    public string ToJson() => JsonSerializer.Serialize(this, Indented).ReplaceLineEndings("\n") + "\n";
}
