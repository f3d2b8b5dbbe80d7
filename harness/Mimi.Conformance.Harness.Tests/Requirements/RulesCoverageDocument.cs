using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Mimi.Conformance.Harness.Requirements;

namespace Mimi.Conformance.Harness.Tests.Requirements;

/// <summary>A suite test and every ID its [Requirement] attributes name (the first is the requirement it is graded under).</summary>
internal sealed record TaggedTest(string Name, IReadOnlyList<string> Ids);

/// <summary>What gives evidence for one rule: suite tests tagging it, self-test faults naming it, vectors exercising it.</summary>
internal sealed record RuleEvidence(Rule Rule, IReadOnlyList<string> Tests, IReadOnlyList<string> Faults, IReadOnlyList<string> Vectors)
{
    /// <summary>Cases of a sender run (vectors/SENDER-ADAPTER.md) that check this rule.</summary>
    public int AdapterCases { get; init; }

    public bool DpSide => Rule.Class != "sender";
}

/// <summary>
/// Renders docs/rules-coverage.md: per rule of the catalog, the suite tests that tag it, the faults of
/// vectors/self-test/faults.json that name it and the vectors that exercise it, with the gaps counted. Generated, never
/// edited by hand (ProfileRuleCoverageTests checks it is current).
/// </summary>
internal static partial class RulesCoverageDocument
{
    public const string RelativePath = "docs/rules-coverage.md";

    public static IReadOnlyList<RuleEvidence> Collect(RequirementCatalog catalog, JsonObject catalogJson, IReadOnlyList<TaggedTest> tests, JsonNode faults, IReadOnlyDictionary<string, JsonNode> vectorFiles)
    {
        var ruleJson = (catalogJson["rules"] as JsonArray ?? []).OfType<JsonObject>().ToDictionary(r => (string)r["id"]!, StringComparer.Ordinal);
        var faultNames = new Dictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        foreach (var fault in (faults["faults"] as JsonArray ?? []).OfType<JsonObject>())
        {
            // Faults name requirements today and rules once the checks land; either member counts.
            foreach (var id in Strings(fault["requirements"]).Concat(Strings(fault["rules"])))
                Add(faultNames, id, (string)fault["name"]!);
        }
        var vectorCounts = CountVectors(catalog, ruleJson, vectorFiles);
        // Sender rules are certified through sender adapters: count the adapter cases that check each (vectors/SENDER-ADAPTER.md §5).
        var adapterCases = Mimi.Conformance.Cli.Sender.SenderCases.Load(RepositoryLayout.Vectors, catalogJson).SelectMany(c => c.Rules)
            .GroupBy(r => r, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        return [.. catalog.Rules.Select(rule =>
        {
            var files = Strings(ruleJson.GetValueOrDefault(rule.Id)?["vector_files"])
                .Select(f => vectorFiles.TryGetValue(f, out var v) ? $"{f} ({CaseCount(v)} cases)" : $"{f} (missing)");
            var counted = vectorCounts.GetValueOrDefault(rule.Id)?.Select(kv => $"{kv.Value} in {kv.Key}") ?? [];
            return new RuleEvidence(rule,
                [.. tests.Where(t => t.Ids.Contains(rule.Id, StringComparer.Ordinal)).Select(t => t.Name).Order(StringComparer.Ordinal)],
                [.. faultNames.GetValueOrDefault(rule.Id) ?? []],
                [.. counted.Concat(files)]) { AdapterCases = adapterCases.GetValueOrDefault(rule.Id) };
        })];
    }

    public static string Render(RequirementCatalog catalog, IReadOnlyList<RuleEvidence> evidence)
    {
        var sb = new StringBuilder();
        sb.Append("# Profile rule coverage (generated)\n\n");
        sb.Append(CultureInfo.InvariantCulture, $"Generated from `vectors/requirements.json` (catalog {catalog.CatalogVersion}, {catalog.Profile}), the `[Requirement]` attributes of the suite's tests, ");
        sb.Append("`vectors/self-test/faults.json` and the vector files. Do not edit by hand: regenerate with\n");
        sb.Append("`MIMI_UPDATE_RULES_COVERAGE=1 dotnet harness/Mimi.Conformance.Harness.Tests/bin/Release/net10.0/Mimi.Conformance.Harness.Tests.dll ");
        sb.Append("-class Mimi.Conformance.Harness.Tests.Requirements.ProfileRuleCoverageTests` (after `./run.sh build`).\n\n");
        sb.Append("A rule is *checked* when a suite test tags it, *faulted* when a fault of the self-test names it, and *vectored* when vectors ");
        sb.Append("exercise it. Rules of class `sender` bind senders, recipients and CSIPs: vectors and the harness's client test them, not a DP.\n\n");

        sb.Append("## Rules by class and level\n\n| class | MUST | SHOULD | MAY | total |\n|---|---|---|---|---|\n");
        foreach (var c in catalog.Classes.Select(c => c.Id).Where(c => evidence.Any(e => e.Rule.Class == c)))
        {
            var rules = evidence.Where(e => e.Rule.Class == c).ToArray();
            sb.Append(CultureInfo.InvariantCulture, $"| {c} | {Count(rules, "MUST")} | {Count(rules, "SHOULD")} | {Count(rules, "MAY")} | {rules.Length} |\n");
        }
        sb.Append(CultureInfo.InvariantCulture, $"| **all** | {Count(evidence, "MUST")} | {Count(evidence, "SHOULD")} | {Count(evidence, "MAY")} | {evidence.Count} |\n\n");

        var dp = evidence.Where(e => e.DpSide).ToArray();
        var sender = evidence.Where(e => !e.DpSide).ToArray();
        sb.Append("## Gaps\n\n");
        sb.Append(CultureInfo.InvariantCulture, $"- DP-side rules: {dp.Length}; checked by a suite test: {dp.Count(e => e.Tests.Count > 0)}; named by a fault: {dp.Count(e => e.Faults.Count > 0)}.\n");
        sb.Append(CultureInfo.InvariantCulture, $"- DP-side rules without a check: {dp.Count(e => e.Tests.Count == 0)} ({Ids(dp.Where(e => e.Tests.Count == 0))}).\n");
        sb.Append(CultureInfo.InvariantCulture, $"- DP-side rules without a fault: {dp.Count(e => e.Faults.Count == 0)} ({Ids(dp.Where(e => e.Faults.Count == 0))}).\n");
        sb.Append(CultureInfo.InvariantCulture, $"- Sender rules: {sender.Length}; with vectors: {sender.Count(e => e.Vectors.Count > 0)}; checked by a suite test: {sender.Count(e => e.Tests.Count > 0)}; ");
        sb.Append(CultureInfo.InvariantCulture, $"with neither: {sender.Count(e => e.Vectors.Count == 0 && e.Tests.Count == 0)} ({Ids(sender.Where(e => e.Vectors.Count == 0 && e.Tests.Count == 0))}).\n");
        sb.Append(CultureInfo.InvariantCulture, $"- Sender rules checked by sender-adapter cases (`./run.sh sender`, vectors/SENDER-ADAPTER.md): {sender.Count(e => e.AdapterCases > 0)}; ");
        sb.Append(CultureInfo.InvariantCulture, $"without: {sender.Count(e => e.AdapterCases == 0)} ({Ids(sender.Where(e => e.AdapterCases == 0))}).\n\n");

        sb.Append("## Rules\n\n| rule | level | class | § | suite tests | faults | vectors | adapter cases |\n|---|---|---|---|---|---|---|---|\n");
        foreach (var e in evidence)
            sb.Append(CultureInfo.InvariantCulture, $"| {e.Rule.Id} | {e.Rule.Level} | {e.Rule.Class} | {e.Rule.Section} | {Cell(e.Tests)} | {Cell(e.Faults)} | {Cell(e.Vectors)} | {(e.DpSide ? "—" : e.AdapterCases.ToString(CultureInfo.InvariantCulture))} |\n");
        return sb.ToString();
    }

    /// <summary>
    /// Vector cases per rule: a case whose <c>rule</c> member is a rule ID counts for it; one whose <c>rule</c> names a
    /// verifier step (the failedRule of vectors/mappings) counts for each rule listing that step in <c>verifier_steps</c>.
    /// </summary>
    private static Dictionary<string, SortedDictionary<string, int>> CountVectors(RequirementCatalog catalog, IReadOnlyDictionary<string, JsonObject> ruleJson, IReadOnlyDictionary<string, JsonNode> vectorFiles)
    {
        var byStep = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var rule in catalog.Rules)
        {
            foreach (var step in Strings(ruleJson.GetValueOrDefault(rule.Id)?["verifier_steps"]))
                (byStep.TryGetValue(step, out var l) ? l : byStep[step] = []).Add(rule.Id);
        }
        var counts = new Dictionary<string, SortedDictionary<string, int>>(StringComparer.Ordinal);
        foreach (var (file, root) in vectorFiles.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            foreach (var test in Cases(root))
            {
                var named = Strings(test["rule"]).Concat(Strings(test["rules"])).ToArray();
                var rules = named.Where(n => RuleId().IsMatch(n)).Concat(named.SelectMany(n => byStep.GetValueOrDefault(n) ?? [])).Distinct(StringComparer.Ordinal);
                foreach (var rule in rules)
                {
                    var perFile = counts.TryGetValue(rule, out var d) ? d : counts[rule] = new SortedDictionary<string, int>(StringComparer.Ordinal);
                    perFile[file] = perFile.GetValueOrDefault(file) + 1;
                }
            }
        }
        return counts;
    }

    private static IEnumerable<JsonObject> Cases(JsonNode root) =>
        (root["testGroups"] as JsonArray ?? []).OfType<JsonObject>().SelectMany(g => (g["tests"] as JsonArray ?? []).OfType<JsonObject>());

    private static int CaseCount(JsonNode root) => Cases(root).Count();

    private static IEnumerable<string> Strings(JsonNode? node) => node switch
    {
        JsonArray a => a.Select(n => n?.GetValue<string>()).OfType<string>(),
        JsonValue v when v.TryGetValue<string>(out var s) => [s],
        _ => [],
    };

    private static void Add(Dictionary<string, SortedSet<string>> map, string key, string value) =>
        (map.TryGetValue(key, out var set) ? set : map[key] = new SortedSet<string>(StringComparer.Ordinal)).Add(value);

    private static int Count(IEnumerable<RuleEvidence> rules, string level) => rules.Count(e => e.Rule.Level == level);

    private static string Ids(IEnumerable<RuleEvidence> rules) => rules.Any() ? string.Join(", ", rules.Select(e => e.Rule.Id)) : "none";

    private static string Cell(IReadOnlyList<string> items) => items.Count == 0 ? "—" : string.Join("<br>", items);

    [GeneratedRegex(@"^PROF-[A-Z]+-[0-9]{2}$")]
    private static partial Regex RuleId();
}
