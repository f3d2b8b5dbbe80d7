using System.Text.Json;
using System.Text.Json.Serialization;
using Mimi.Conformance.Harness.Configuration;
using Mimi.Conformance.Harness.Requirements;

namespace Mimi.Conformance.Harness.Results;

/// <summary>
/// What a DP's operator declares about the parts of a requirement no black-box test can observe (--statement FILE,
/// README.md). A declaration turns that requirement's not-verifiable results into <see cref="Verdict.Declared"/>,
/// never into a pass, and only for requirements the catalog marks <c>partial</c> or <c>declaration</c>.
/// </summary>
public sealed record OperatorStatement(
    [property: JsonPropertyName("operator")] string Operator,
    [property: JsonPropertyName("declarations")] IReadOnlyList<Declaration> Declarations)
{
    public const int MaxBytes = 64 * 1024;

    public string? Declares(string requirementId) => Declarations.FirstOrDefault(d => d.Id == requirementId)?.Text;

    /// <summary>Reads and checks a statement file; every mistake is one line naming the fix.</summary>
    public static OperatorStatement Load(string path, RequirementCatalog catalog)
    {
        if (!File.Exists(path))
            throw new ConfigurationException($"--statement {path}: no such file");
        if (new FileInfo(path).Length > MaxBytes)
            throw new ConfigurationException($"--statement {path}: larger than {MaxBytes / 1024} KiB");
        OperatorStatement? statement;
        try
        {
            statement = JsonSerializer.Deserialize<OperatorStatement>(File.ReadAllBytes(path));
        }
        catch (JsonException e)
        {
            throw new ConfigurationException($"--statement {path}: not a statement ({e.Message.Split('.')[0]}); see README.md, operator statements");
        }
        if (statement is null || string.IsNullOrWhiteSpace(statement.Operator) || statement.Declarations is null || statement.Declarations.Count == 0)
            throw new ConfigurationException($"--statement {path}: needs \"operator\" and a non-empty \"declarations\" array");
        foreach (var d in statement.Declarations)
        {
            var requirement = catalog.Find(d.Id ?? "") ?? throw new ConfigurationException($"--statement {path}: {d.Id} is not a requirement of the catalog");
            if (requirement.Testable == "black-box")
                throw new ConfigurationException($"--statement {path}: {d.Id} is black-box testable; a statement cannot stand in for its tests");
            if (string.IsNullOrWhiteSpace(d.Text))
                throw new ConfigurationException($"--statement {path}: the declaration of {d.Id} has no \"text\"");
        }
        return statement;
    }
}

public sealed record Declaration(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("text")] string Text);
