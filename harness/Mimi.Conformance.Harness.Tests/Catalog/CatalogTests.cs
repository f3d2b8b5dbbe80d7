using System.Reflection;
using System.Runtime.Loader;
using System.Text.Json.Nodes;
using FluentAssertions;
using Mimi.Conformance.Harness.Results;
using Mimi.Conformance.Cli.Execution;
using Mimi.Conformance.Cli.SelfTest;
using Mimi.Conformance.Harness.Requirements;
using Mimi.Conformance.Harness.Tests.Requirements;
using NJsonSchema;

namespace Mimi.Conformance.Harness.Tests.Catalog;

/// <summary>The catalog is the backbone: it must be valid, and every test and fault must point into it.</summary>
public sealed class CatalogTests
{
    private static readonly RequirementCatalog Catalog = RequirementCatalog.Load(RepositoryLayout.CatalogPath);

    [Fact]
    public async Task Catalog_validates_against_its_schema()
    {
        var schema = await JsonSchema.FromFileAsync(Path.Combine(RepositoryLayout.Vectors, "schemas", "requirements.schema.json"));
        var errors = schema.Validate(await File.ReadAllTextAsync(RepositoryLayout.CatalogPath));
        errors.Should().BeEmpty(string.Join("; ", errors.Select(e => $"{e.Path}: {e.Kind}")));
    }

    [Fact]
    public void Catalog_ids_are_unique_and_dependencies_exist()
    {
        Catalog.Requirements.Select(r => r.Id).Should().OnlyHaveUniqueItems();
        Catalog.Requirements.SelectMany(r => r.DependsOn).Should().OnlyContain(id => Catalog.Find(id) != null);
        Catalog.Requirements.Select(r => r.Class).Distinct().Should().BeSubsetOf(Catalog.Classes.Select(c => c.Id));
        Catalog.Requirements.Where(r => r.Id.StartsWith("DISC-R-", StringComparison.Ordinal)).Should().HaveCount(10);
    }

    [Fact]
    public void Every_suite_test_declares_exactly_one_catalog_requirement()
    {
        var tests = SuiteTests();
        tests.Should().NotBeEmpty();
        tests.Where(t => t.Requirement is null).Select(t => t.Name).Should().BeEmpty("every conformance test names its requirement");
        tests.Where(t => t.Requirement is not null && Catalog.Find(t.Requirement) is null)
            .Select(t => $"{t.Name} → {t.Requirement}").Should().BeEmpty("requirement ids must exist in vectors/requirements.json");
    }

    [Fact]
    public async Task Fault_catalog_validates_and_names_catalog_requirements()
    {
        var schema = await JsonSchema.FromFileAsync(Path.Combine(RepositoryLayout.Vectors, "schemas", "faults.schema.json"));
        (schema.Validate(await File.ReadAllTextAsync(FaultCatalog.DefaultPath))).Should().BeEmpty();
        var faults = FaultCatalog.Load(FaultCatalog.DefaultPath);
        faults.Faults.Select(f => f.Name).Should().OnlyHaveUniqueItems();
        faults.Faults.SelectMany(f => f.Requirements).Should().OnlyContain(id => Catalog.Find(id) != null || Catalog.FindRule(id) != null);
        faults.Faults.Select(f => f.Name).Should().BeEquivalentTo(Mimi.Conformance.ReferenceDp.Faults.FaultRegistry.All.Select(f => f.Name),
            "faults.json is generated from the reference DP's fault registry");
    }

    [Fact]
    public void Every_fault_mapped_requirement_has_a_test()
    {
        var timelines = JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryLayout.Vectors, "lifecycle", "timelines.json")))!;
        var tested = SuiteTests().SelectMany(t => t.Ids).Concat(ProfileRuleCoverageTests.TimelineRows(timelines).SelectMany(t => t.Ids)).ToHashSet();
        FaultCatalog.Load(FaultCatalog.DefaultPath).Faults.SelectMany(f => f.Requirements).Should().OnlyContain(id => tested.Contains(id));
    }

    /// <summary>Reads [Requirement] off every test method of the built suite without running it.</summary>
    internal static IReadOnlyList<(string Name, string? Requirement, IReadOnlyList<string> Ids)> SuiteTests()
    {
        var path = SuiteRunner.SuiteAssembly;
        File.Exists(path).Should().BeTrue($"the suite must be built at {path}");
        var dir = Path.GetDirectoryName(path)!;
        var alc = new AssemblyLoadContext("suite-scan", isCollectible: true);
        alc.Resolving += (ctx, name) => File.Exists(Path.Combine(dir, name.Name + ".dll")) ? ctx.LoadFromAssemblyPath(Path.Combine(dir, name.Name + ".dll")) : null;
        try
        {
            var assembly = alc.LoadFromAssemblyPath(path);
            return assembly.GetTypes()
                .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
                .Where(m => m.CustomAttributes.Any(a => a.AttributeType.Name is "FactAttribute" or "TheoryAttribute"))
                .Select(m =>
                {
                    IReadOnlyList<string> ids = [.. m.CustomAttributes.Where(a => a.AttributeType.Name == "RequirementAttribute").Select(a => (string)a.ConstructorArguments[0].Value!)];
                    return ($"{m.DeclaringType!.Name}.{m.Name}", ids.Count > 0 ? ids[0] : null, ids);
                })
                .ToList();
        }
        finally
        {
            alc.Unload();
        }
    }
}
