using System.Reflection;
using System.Runtime.Loader;
using System.Text.Json.Nodes;
using FluentAssertions;
using Mimi.Conformance.Harness.Results;
using Mimi.Conformance.Cli.Execution;
using Mimi.Conformance.Harness.Lifecycle;
using Mimi.Conformance.Harness.Requirements;
using Mimi.Conformance.Tools.Vectors;

namespace Mimi.Conformance.Harness.Tests.Requirements;

/// <summary>
/// PROFILE.md and the catalog's rules stay in step: every normative sentence carries a rule ID, the catalog's rules are
/// generated from the text (RuleIndex: one sentence per ID, its exact text, level and section), and docs/rules-coverage.md
/// shows, per rule, what tests it. Rules lacking a check or a fault are reported there, not failed (yet).
/// </summary>
public sealed class ProfileRuleCoverageTests
{
    private static readonly RequirementCatalog Catalog = RequirementCatalog.Load(RepositoryLayout.CatalogPath);

    private static readonly string ProfilePath = Path.Combine(RepositoryLayout.Vectors, "PROFILE.md");

    private static readonly Lazy<IReadOnlyList<ProfileSentence>> Text = new(() => ProfileText.Sentences(File.ReadAllText(ProfilePath)));

    [Fact]
    public void Every_normative_sentence_carries_a_rule_id()
    {
        Text.Value.Should().HaveCountGreaterThan(200, "the parser must find the profile's sentences");
        Text.Value.Where(s => s.Normative && s.RuleIds.Count == 0).Select(s => $"§{s.Section}: {s.Text}")
            .Should().BeEmpty("every MUST/SHOULD/refuse/status sentence of PROFILE.md needs a rule ID [PROF-AREA-nn] at its end and a row in the profile's rule index");
    }

    /// <summary>PROFILE.md is the single source of a rule: the catalog's rules are what the generator makes of it.</summary>
    [Fact]
    public void Catalog_rules_are_generated_from_the_profile()
    {
        var catalog = File.ReadAllText(RepositoryLayout.CatalogPath).ReplaceLineEndings("\n");
        catalog.Should().Be(RuleIndex.Catalog(File.ReadAllText(ProfilePath), catalog),
            "the rules of vectors/requirements.json are written from PROFILE.md (its sentences and its rule index) by ./run.sh vectors generate");
    }

    [Fact]
    public void Rules_serve_catalog_requirements_and_belong_to_catalog_classes()
    {
        var classes = Catalog.Classes.Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
        Catalog.Rules.Where(r => !classes.Contains(r.Class)).Select(r => $"{r.Id}: {r.Class}").Should().BeEmpty();
        Catalog.Rules.SelectMany(r => r.Serves.Where(id => Catalog.Find(id) is null).Select(id => $"{r.Id} serves {id}"))
            .Should().BeEmpty("serves names requirement IDs of the same catalog");
        // The profile requirements that predate the rules are rules too, with their own ID.
        foreach (var id in new[] { "PROF-META-01", "PROF-ERR-01", "PROF-SIG-01" })
            Catalog.FindRule(id).Should().NotBeNull($"{id} is a requirement and the rule of its sentence").And.Match<Rule>(r => r.Serves.Contains(id));
        Catalog.Rules.Where(r => r.Class == "sender" && r.Serves.Count == 0).Should().BeEmpty();
    }

    [Fact]
    public void The_parser_finds_untagged_rules_and_skips_informative_text()
    {
        const string sample = """
            # Title
            Preamble: a DP MUST be ignored here.

            ## 1. Transport [DISC-R-07]
            - A DP MUST use TLS (1.2 or later, e.g. 1.3) [PROF-TR-01]. Plain HTTP gets `426`.
            - A DP SHOULD log, e.g. to a file; it never refuses (a refusal. here is in parentheses) [PROF-TR-02].
            - A DP MAY add `detail. MUST` in code.
            ```
            A DP MUST NOT count code.
            ```
            | a | b |
            |---|---|
            | x | refused |
            ### 1.1 What the suite checks
            A DP MUST be skipped.
            ## 2. Errors
            The request is `400 malformed-request`.
            ## 9. Worked examples
            A DP MUST be skipped too.
            ## 10. Later
            A recipient removal without `mapping_id` is refused [PROF-RM-03].
            """;
        var sentences = ProfileText.Sentences(sample.Replace("\r\n", "\n", StringComparison.Ordinal));
        sentences.Select(s => (s.Section, s.Quote, string.Join(",", s.RuleIds), s.KeywordLevel)).Should().Equal(
            ("1", "A DP MUST use TLS (1.2 or later, e.g. 1.3).", "PROF-TR-01", "MUST"),
            ("1", "Plain HTTP gets `426`.", "", "MUST"),
            ("1", "A DP SHOULD log, e.g. to a file; it never refuses (a refusal. here is in parentheses).", "PROF-TR-02", "MUST"),
            ("1", "A DP MAY add `detail. MUST` in code.", "", "MUST"),
            ("1", "| a | b |", "", null),
            ("1", "| x | refused |", "", "MUST"),
            ("2", "The request is `400 malformed-request`.", "", "MUST"),
            ("10", "A recipient removal without `mapping_id` is refused.", "PROF-RM-03", "MUST"));
        sentences.Where(s => s.Normative && s.RuleIds.Count == 0).Should().HaveCount(4, "the untagged status, code-span keyword, table and error sentences are flagged");
        ProfileText.KeywordLevel("A DP SHOULD log.").Should().Be("SHOULD");
        ProfileText.KeywordLevel("A DP MAY log.").Should().Be("MAY");
        ProfileText.KeywordLevel("Tags are opaque.").Should().BeNull();
    }

    [Fact]
    public void Every_id_a_suite_test_names_is_a_requirement_or_a_rule()
    {
        var tests = SuiteTests();
        tests.Should().NotBeEmpty();
        tests.SelectMany(t => t.Ids.Where(id => Catalog.Find(id) is null && Catalog.FindRule(id) is null).Select(id => $"{t.Name} → {id}"))
            .Should().BeEmpty("[Requirement] names catalog requirements or rules");
    }

    [Fact]
    public void A_test_naming_a_requirement_and_rules_is_read_under_its_first_id()
    {
        var xml = Path.Combine(Path.GetTempPath(), $"mimi-traits-{Guid.NewGuid():N}.xml");
        File.WriteAllText(xml, """
            <assemblies schema-version="3"><assembly total="1"><collection><test name="Suite.RemovalTests.Replay" result="Pass" time="0.1">
            <traits><trait name="Requirement" value="DISC-R-10" /><trait name="Requirement" value="PROF-RM-08" /><trait name="Requirement" value="PROF-RM-11" /></traits>
            </test></collection></assembly></assemblies>
            """);
        try
        {
            XunitResultReader.Read(xml).Tests.Should().ContainSingle().Which.Requirement.Should().Be("DISC-R-10");
        }
        finally
        {
            File.Delete(xml);
        }
    }

    [Fact]
    public void Every_sender_rule_is_checked_by_a_sender_adapter_case()
    {
        var cases = Mimi.Conformance.Cli.Sender.SenderCases.Load(RepositoryLayout.Vectors, JsonNode.Parse(File.ReadAllText(RepositoryLayout.CatalogPath))!.AsObject());
        Catalog.Rules.Where(r => r.Class == "sender" && !cases.Any(c => c.Rules.Contains(r.Id))).Select(r => r.Id)
            .Should().BeEmpty("every sender rule needs a vector or case that ./run.sh sender runs through an adapter (vectors/SENDER-ADAPTER.md §5)");
        cases.SelectMany(c => c.Rules).Where(id => Catalog.FindRule(id)?.Class != "sender").Should().BeEmpty("adapter cases check sender rules only");
    }

    [Fact]
    public void Rules_coverage_document_is_current()
    {
        var catalogJson = JsonNode.Parse(File.ReadAllText(RepositoryLayout.CatalogPath))!.AsObject();
        var faults = JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryLayout.Vectors, "self-test", "faults.json")))!;
        var vectors = Directory.GetFiles(RepositoryLayout.Vectors, "*.json", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(RepositoryLayout.Vectors, f).Replace('\\', '/'))
            .Where(f => f.Contains('/', StringComparison.Ordinal) && !f.StartsWith("schemas/", StringComparison.Ordinal) && !f.StartsWith("self-test/", StringComparison.Ordinal))
            .ToDictionary(f => f, f => JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryLayout.Vectors, f)))!, StringComparer.Ordinal);
        var evidence = RulesCoverageDocument.Collect(Catalog, catalogJson, [.. SuiteTests(), .. TimelineRows(vectors["lifecycle/timelines.json"])], faults, vectors);
        evidence.Should().HaveCount(Catalog.Rules.Count);
        var rendered = RulesCoverageDocument.Render(Catalog, evidence);
        var path = Path.Combine(RepositoryLayout.Root, RulesCoverageDocument.RelativePath);
        if (Environment.GetEnvironmentVariable("MIMI_UPDATE_RULES_COVERAGE") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, rendered);
        }
        File.Exists(path).Should().BeTrue($"{RulesCoverageDocument.RelativePath} is generated (MIMI_UPDATE_RULES_COVERAGE=1, see its header)");
        File.ReadAllText(path).Replace("\r\n", "\n", StringComparison.Ordinal).Should().Be(rendered,
            $"{RulesCoverageDocument.RelativePath} must be regenerated after changing rules, suite tags, faults or vectors (MIMI_UPDATE_RULES_COVERAGE=1, see its header)");
    }

    /// <summary>The lifecycle timelines' rows: each is a test case of LifecycleTimelineTests tagged with its vector's rules.</summary>
    /// <summary>Lifecycle rules are tagged per timeline row (a trait of the data row), not on the test method.</summary>
    internal static IEnumerable<TaggedTest> TimelineRows(JsonNode timelines) =>
        Timeline.ReadAll(timelines.AsObject()).Where(t => t.Rules.Count > 0)
            .Select(t => new TaggedTest($"LifecycleTimelineTests (timeline tcId {t.TcId})", t.Rules));

    /// <summary>Every [Requirement] ID on each test method of the built suite (class-level ones too), read without running it.</summary>
    private static IReadOnlyList<TaggedTest> SuiteTests()
    {
        var path = SuiteRunner.SuiteAssembly;
        File.Exists(path).Should().BeTrue($"the suite must be built at {path}");
        var dir = Path.GetDirectoryName(path)!;
        var alc = new AssemblyLoadContext("suite-rule-scan", isCollectible: true);
        alc.Resolving += (ctx, name) => File.Exists(Path.Combine(dir, name.Name + ".dll")) ? ctx.LoadFromAssemblyPath(Path.Combine(dir, name.Name + ".dll")) : null;
        try
        {
            static IEnumerable<string> Ids(IEnumerable<CustomAttributeData> attributes) =>
                attributes.Where(a => a.AttributeType.Name == "RequirementAttribute").Select(a => a.ConstructorArguments[0].Value as string).OfType<string>();
            return [.. alc.LoadFromAssemblyPath(path).GetTypes()
                .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
                .Where(m => m.CustomAttributes.Any(a => a.AttributeType.Name is "FactAttribute" or "TheoryAttribute"))
                .Select(m => new TaggedTest($"{m.DeclaringType!.Name}.{m.Name}", [.. Ids(m.CustomAttributes).Concat(Ids(m.DeclaringType.CustomAttributes)).Distinct(StringComparer.Ordinal)]))
                .OrderBy(t => t.Name, StringComparer.Ordinal)];
        }
        finally
        {
            alc.Unload();
        }
    }
}
