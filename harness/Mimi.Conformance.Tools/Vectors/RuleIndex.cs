using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Mimi.Conformance.Tools.Vectors;

/// <summary>One row of PROFILE.md's rule index: what a rule's sentence does not say about it.</summary>
/// <param name="Level">Empty unless the sentence words both a MUST and a SHOULD.</param>
internal sealed record RuleIndexRow(string Id, string Class, IReadOnlyList<string> Serves, string? Level, IReadOnlyList<string> VectorFiles, IReadOnlyList<string> VerifierSteps);

/// <summary>
/// Generates the catalog's rules (vectors/requirements.json, array <c>rules</c>) from PROFILE.md, the single source of a
/// rule: the sentence carrying the rule's ID gives its section, level and quote; the rule index (the profile's last
/// section) gives its class, the requirements it serves and its vectors. The catalog's other members (classes,
/// requirements) are hand-written and kept as they are; <c>rules</c> is its last member.
/// </summary>
internal static class RuleIndex
{
    public const string Title = "Rule index";

    private static readonly string[] Columns = ["rule", "class", "serves", "level", "vector files", "verifier steps"];

    private const string InIndex = "PROFILE.md, rule index";

    private const string RulesMember = "\n  \"rules\": [";

    /// <summary>Rewrites the rules of vectors/requirements.json from vectors/PROFILE.md; false when they were current.</summary>
    public static bool Update(string vectorsDirectory)
    {
        var catalogPath = Path.Combine(vectorsDirectory, "requirements.json");
        var catalog = File.ReadAllText(catalogPath).ReplaceLineEndings("\n");
        var updated = Catalog(File.ReadAllText(Path.Combine(vectorsDirectory, "PROFILE.md")), catalog);
        if (updated == catalog)
            return false;
        File.WriteAllText(catalogPath, updated, new UTF8Encoding(false));
        return true;
    }

    /// <summary>The catalog text with its rules generated from <paramref name="profile"/>.</summary>
    /// <exception cref="InvalidDataException">The index and the text disagree, or the catalog does not end with its rules.</exception>
    public static string Catalog(string profile, string catalog)
    {
        profile = profile.ReplaceLineEndings("\n");
        catalog = catalog.ReplaceLineEndings("\n");
        if (JsonNode.Parse(catalog) is not JsonObject root || root.LastOrDefault().Key != "rules")
            throw new InvalidDataException("vectors/requirements.json must be a JSON object whose last member is \"rules\" (generated from PROFILE.md)");
        var head = catalog[..catalog.LastIndexOf(RulesMember, StringComparison.Ordinal)];
        var rules = Rules(profile).Select(r => Json(r.Row, r.Sentence));
        return $"{head}{RulesMember}\n{string.Join(",\n", rules)}\n  ]\n}}\n";
    }

    /// <summary>Each rule's index row with the sentence carrying its ID, in the order of the text.</summary>
    public static IReadOnlyList<(RuleIndexRow Row, ProfileSentence Sentence)> Rules(string profile)
    {
        var rows = Read(profile);
        var sentences = ProfileText.Sentences(profile).Where(s => s.RuleIds.Count > 0).ToArray();
        if (sentences.FirstOrDefault(s => s.RuleIds.Count > 1) is { } two)
            throw new InvalidDataException($"PROFILE.md §{two.Section}: one rule per sentence, split \"{two.Quote}\" ({string.Join(", ", two.RuleIds)})");
        var ids = sentences.Select(s => s.RuleIds[0]).ToArray();
        Unique(ids, id => $"PROFILE.md: {id} anchors two sentences; a rule ID anchors exactly one");
        Unique(rows.Select(r => r.Id), id => $"{InIndex}: {id} has two rows");
        if (ids.Except(rows.Select(r => r.Id)).FirstOrDefault() is { } unindexed)
            throw new InvalidDataException($"PROFILE.md: {unindexed} has no row in the rule index (the last section)");
        if (rows.Select(r => r.Id).Except(ids).FirstOrDefault() is { } stray)
            throw new InvalidDataException($"{InIndex}: {stray} is the ID of no sentence of the text");
        var rules = new List<(RuleIndexRow, ProfileSentence)>();
        for (var i = 0; i < rows.Count; i++)
        {
            var (row, sentence) = (rows[i], sentences[i]);
            if (row.Id != ids[i])
                throw new InvalidDataException($"{InIndex}: lists {row.Id} where the text has {ids[i]}; list the rules in the order of the text");
            if (row.Level is null && sentence.MixesLevels)
                throw new InvalidDataException($"{InIndex}: the sentence of {row.Id} words both a MUST and a SHOULD; give its level (MUST or SHOULD)");
            if (row.Level is not null && !sentence.MixesLevels)
                throw new InvalidDataException($"{InIndex}: leave the level of {row.Id} empty; its sentence's keywords give {sentence.Level}");
            if (row.Level is not (null or "MUST" or "SHOULD"))
                throw new InvalidDataException($"{InIndex}: the level of {row.Id} is MUST or SHOULD, not {row.Level}");
            rules.Add((row, sentence));
        }
        return rules;
    }

    /// <summary>The rows of the table under the heading titled <see cref="Title"/>.</summary>
    public static IReadOnlyList<RuleIndexRow> Read(string profile)
    {
        var lines = profile.ReplaceLineEndings("\n").Split('\n');
        var heading = Array.FindIndex(lines, l => ProfileText.Heading().Match(l) is { Success: true } h && h.Groups[2].Value.EndsWith(Title, StringComparison.Ordinal));
        if (heading < 0)
            throw new InvalidDataException($"PROFILE.md has no section titled \"{Title}\"");
        var table = lines.Skip(heading + 1).TakeWhile(l => !ProfileText.Heading().IsMatch(l)).Where(l => l.StartsWith('|')).Select(Cells).ToArray();
        if (table.Length < 2 || !table[0].SequenceEqual(Columns))
            throw new InvalidDataException($"{InIndex}: the table's columns are | {string.Join(" | ", Columns)} |");
        return [.. table.Skip(2).Select(cells => cells.Length == Columns.Length
            ? new RuleIndexRow(cells[0], cells[1], List(cells[2]), cells[3].Length == 0 ? null : cells[3], List(cells[4]), List(cells[5]))
            : throw new InvalidDataException($"{InIndex}: the row of {cells[0]} has {cells.Length} cells, not {Columns.Length}"))];
    }

    private static string[] Cells(string line) => [.. line.Trim().Trim('|').Split('|').Select(c => c.Trim())];

    private static string[] List(string cell) => cell.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    private static void Unique(IEnumerable<string> ids, Func<string, string> message)
    {
        if (ids.GroupBy(id => id, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw new InvalidDataException(message(twice.Key));
    }

    /// <summary>One rule in the catalog's layout: the short members on one line, then one line per longer member.</summary>
    private static string Json(RuleIndexRow row, ProfileSentence sentence)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"    {{\n      \"id\": {Json(row.Id)}, \"level\": {Json(row.Level ?? sentence.Level)}, \"class\": {Json(row.Class)}, \"section\": {Json(sentence.Section)},\n");
        sb.Append(CultureInfo.InvariantCulture, $"      \"quote\": {Json(sentence.Quote)},\n      \"serves\": {Json(row.Serves)}");
        if (row.VectorFiles.Count > 0)
            sb.Append(CultureInfo.InvariantCulture, $",\n      \"vector_files\": {Json(row.VectorFiles)}");
        if (row.VerifierSteps.Count > 0)
            sb.Append(CultureInfo.InvariantCulture, $",\n      \"verifier_steps\": {Json(row.VerifierSteps)}");
        return sb.Append("\n    }").ToString();
    }

    private static string Json(IReadOnlyList<string> items) => $"[{string.Join(", ", items.Select(Json))}]";

    /// <summary>A JSON string escaping only what JSON requires, so that the catalog reads like the profile.</summary>
    private static string Json(string s)
    {
        var sb = new StringBuilder("\"", s.Length + 2);
        foreach (var c in s)
        {
            _ = c switch
            {
                '"' => sb.Append("\\\""),
                '\\' => sb.Append("\\\\"),
                '\n' => sb.Append("\\n"),
                '\t' => sb.Append("\\t"),
                < ' ' => sb.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"),
                _ => sb.Append(c),
            };
        }
        return sb.Append('"').ToString();
    }
}
