using Xunit.v3;

namespace Mimi.Conformance.Suite.Infrastructure;

/// <summary>Names the catalog requirement (vectors/requirements.json) a test gives evidence for.</summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Class, AllowMultiple = false)]
public sealed class RequirementAttribute(string id) : Attribute, ITraitAttribute
{
    public const string TraitName = "Requirement";

    public string Id { get; } = id;

    public IReadOnlyCollection<KeyValuePair<string, string>> GetTraits() => [new(TraitName, Id)];
}
