using System.Text;
using System.Text.RegularExpressions;

namespace Mimi.Conformance.Tools.Vectors;

/// <summary>One sentence of PROFILE.md's normative text: its section, its text, the rule IDs it carries and the level its keywords give.</summary>
internal sealed record ProfileSentence(string Section, string Text, IReadOnlyList<string> RuleIds, string? KeywordLevel)
{
    /// <summary>MUST- or SHOULD-level wording: such a sentence must carry a rule ID (a MAY may).</summary>
    public bool Normative => KeywordLevel is "MUST" or "SHOULD";

    /// <summary>The rule's level: the strongest keyword, MUST for required behaviour stated without one (PROFILE.md preamble).</summary>
    public string Level => KeywordLevel ?? "MUST";

    /// <summary>Both MUST- and SHOULD-level wording: the keywords alone do not give the rule's level.</summary>
    public bool MixesLevels => ProfileText.MixesLevels(Text);

    /// <summary>The sentence as the catalog quotes it: rule IDs removed, whitespace runs collapsed.</summary>
    public string Quote => ProfileText.Collapse(ProfileText.RuleAnchor().Replace(Text, ""));
}

/// <summary>
/// Splits PROFILE.md into sentences the way the rule catalog quotes them. Skipped as informative: the preamble before §1,
/// every section titled as in <see cref="InformativeTitles"/> (with its subsections), code blocks and HTML comments. Each list item
/// and table row is its own block; a block splits at '.', '!' or '?' followed by a space, outside code spans, parentheses
/// and brackets, and not after an abbreviation.
/// </summary>
internal static partial class ProfileText
{
    /// <summary>The informative sections PROFILE.md's preamble names: they may mention rule IDs but state no rule.</summary>
    public static readonly IReadOnlyList<string> InformativeTitles = ["Worked examples", "What the suite checks", RuleIndex.Title];

    private static readonly string[] Abbreviations = ["e.g", "i.e", "etc", "cf", "vs", "approx", "incl", "resp"];

    public static IReadOnlyList<ProfileSentence> Sentences(string markdown)
    {
        var sentences = new List<ProfileSentence>();
        foreach (var (section, block) in Blocks(markdown))
        {
            foreach (var text in Split(block))
            {
                var ids = RuleAnchor().Matches(text).Select(m => m.Groups[1].Value).ToArray();
                sentences.Add(new ProfileSentence(section, text, ids, KeywordLevel(text)));
            }
        }
        return sentences;
    }

    public static string? KeywordLevel(string sentence)
    {
        if (MustWording(sentence))
            return "MUST";
        if (Should().IsMatch(sentence))
            return "SHOULD";
        return May().IsMatch(sentence) ? "MAY" : null;
    }

    public static bool MixesLevels(string sentence) => MustWording(sentence) && Should().IsMatch(sentence);

    private static bool MustWording(string sentence) =>
        Must().IsMatch(sentence) || Refuse().IsMatch(sentence) || StatusAnswer().IsMatch(sentence) || StatusIs().IsMatch(sentence);

    internal static string Collapse(string s) => Whitespace().Replace(s, " ").Trim();

    private static List<(string Section, string Block)> Blocks(string markdown)
    {
        var blocks = new List<(string, string)>();
        string? section = null;
        var skip = true; // the preamble, up to the first numbered heading
        int? skipLevel = null;
        var inCode = false;
        List<string>? current = null;

        void Flush()
        {
            if (current is not null && !skip && section is not null)
                blocks.Add((section, string.Join(' ', current)));
            current = null;
        }

        foreach (var raw in markdown.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            var t = line.Trim();
            if (t.StartsWith("```", StringComparison.Ordinal))
            {
                Flush();
                inCode = !inCode;
                continue;
            }
            if (inCode)
                continue;
            if (Heading().Match(line) is { Success: true } h)
            {
                Flush();
                var level = h.Groups[1].Value.Length;
                var title = h.Groups[2].Value;
                if (skip && skipLevel is { } sl && level <= sl)
                {
                    skip = false;
                    skipLevel = null;
                }
                if (SectionNumber().Match(title) is { Success: true } n)
                {
                    section = n.Groups[1].Value;
                    if (skip && skipLevel is null)
                        skip = false;
                    if (InformativeTitles.Any(informative => title.Contains(informative, StringComparison.Ordinal)))
                    {
                        skip = true;
                        skipLevel = level;
                    }
                }
                continue;
            }
            if (t.Length == 0 || t.StartsWith("<!--", StringComparison.Ordinal))
            {
                Flush();
                continue;
            }
            if (t.StartsWith('|'))
            {
                Flush();
                if (!TableSeparator().IsMatch(t))
                {
                    current = [t];
                    Flush();
                }
                continue;
            }
            if (ListItem().Match(t) is { Success: true } item)
            {
                Flush();
                current = [item.Groups[1].Value];
                continue;
            }
            (current ??= []).Add(t);
        }
        Flush();
        return blocks;
    }

    /// <summary>Sentence ends outside code spans, parentheses and brackets, and not right after an abbreviation.</summary>
    private static List<string> Split(string block)
    {
        var masked = new StringBuilder(block.Length);
        var code = false;
        var depth = 0;
        foreach (var ch in block)
        {
            if (ch == '`')
                code = !code;
            else if (!code && ch is '(' or '[')
                depth++;
            else if (!code && ch is ')' or ']')
                depth = Math.Max(0, depth - 1);
            else if (!code && depth == 0)
            {
                masked.Append(ch);
                continue;
            }
            masked.Append('x');
        }
        var m = masked.ToString();
        var sentences = new List<string>();
        var start = 0;
        for (var i = 0; i < m.Length; i++)
        {
            if (m[i] is not ('.' or '!' or '?') || (i + 1 < m.Length && m[i + 1] != ' '))
                continue;
            var word = LastWord().Match(m[start..i]).Value.TrimEnd('.');
            if (Abbreviations.Contains(word, StringComparer.OrdinalIgnoreCase))
                continue;
            sentences.Add(block[start..(i + 1)].Trim());
            start = i + 1;
        }
        if (block[start..].Trim() is { Length: > 0 } rest)
            sentences.Add(rest);
        return sentences;
    }

    [GeneratedRegex(@"\s*\[(PROF-[A-Z]+-[0-9]{2})\]")]
    internal static partial Regex RuleAnchor();

    [GeneratedRegex(@"\b(MUST|REQUIRED|SHALL)\b")]
    private static partial Regex Must();

    [GeneratedRegex(@"\brefus(e|es|ed|ing)\b", RegexOptions.IgnoreCase)]
    private static partial Regex Refuse();

    /// <summary>"gets 404", "answers `200 ...`", "answered with a 409": a status the text requires.</summary>
    [GeneratedRegex(@"\b(gets?|answers?|answered)\b[^.;]*?`?\b[1-5][0-9]{2}\b", RegexOptions.IgnoreCase)]
    private static partial Regex StatusAnswer();

    /// <summary>"is `400 invalid-mapping`": a refusal stated as what the request is.</summary>
    [GeneratedRegex(@"\b(is|are)\s+`?[45][0-9]{2}\b")]
    private static partial Regex StatusIs();

    [GeneratedRegex(@"\bSHOULD\b")]
    private static partial Regex Should();

    [GeneratedRegex(@"\bMAY\b")]
    private static partial Regex May();

    /// <summary>A Markdown heading: its level (the '#'s) and its title, section number included.</summary>
    [GeneratedRegex(@"^(#{1,6})\s+(.*)$")]
    internal static partial Regex Heading();

    [GeneratedRegex(@"^([0-9]+(?:\.[0-9]+)*)\.?\s")]
    private static partial Regex SectionNumber();

    [GeneratedRegex(@"^\|[\s|:-]+\|$")]
    private static partial Regex TableSeparator();

    [GeneratedRegex(@"^(?:[-*]|[0-9]+\.)\s+(.*)$")]
    private static partial Regex ListItem();

    [GeneratedRegex(@"[A-Za-z.]+$")]
    private static partial Regex LastWord();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
