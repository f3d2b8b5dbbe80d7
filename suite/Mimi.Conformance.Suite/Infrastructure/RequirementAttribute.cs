using Xunit.v3;

namespace Mimi.Conformance.Suite.Infrastructure;

/// <summary>
/// Names a catalog requirement or profile rule (vectors/requirements.json) a test gives evidence for. The first one on a
/// test is the requirement it is graded under; further ones name the PROFILE.md rules it checks exactly.
/// </summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Class, AllowMultiple = true)]
public sealed class RequirementAttribute(string id) : Attribute, ITraitAttribute
{
    public const string TraitName = "Requirement";

    public string Id { get; } = id;

    public IReadOnlyCollection<KeyValuePair<string, string>> GetTraits() => [new(TraitName, Id)];
}
