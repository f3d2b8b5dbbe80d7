using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Mimi.Conformance.Harness.Sender;
using Mimi.Conformance.Protocol.Profile;

namespace Mimi.Conformance.Tools.Vectors;

/// <summary>
/// vectors/tags/selection.json: the sender tie-break of PROFILE.md §4.4 as data (mapping set + saved state → expected
/// choice), Wycheproof-shaped. Fixed inputs, no randomness: regeneration is byte-identical.
/// </summary>
public static class TagSelectionVectors
{
    public const string Schema = "tag_selection_schema_v1.json";
    public const string FileName = "selection.json";

    private const string Csi = "+15550100001";
    private const string A = "mimi://msp-a.vectors.test";
    private const string B = "mimi://msp-b.vectors.test";
    private const string C = "mimi://msp-c.vectors.test";
    private const string Personal = "tag:example.com,2026:book-club";

    private sealed record Case(string Comment, string Requirement, (string Id, (string Msp, string[] Tags)[] Msps)[] Mappings, string? Purpose,
        (string Id, string Msp, string? Purpose, string Csi)? Saved, bool Reevaluate, (string Id, string Msp)? Expected, string Reason);

    /// <summary>A stable, realistic mapping id (base64url of a SHA-256) for a label.</summary>
    private static string Id(string label) => B64.Encode(SHA256.HashData(Encoding.UTF8.GetBytes("selection/" + label)));

    private static IEnumerable<(string Group, string Comment, Case[] Cases)> Groups()
    {
        string m1 = Id("m1"), m2 = Id("m2"), m3 = Id("m3");
        var (lo, hi) = string.CompareOrdinal(m1, m2) < 0 ? (m1, m2) : (m2, m1);
        yield return ("first-choice", "No saved state: tag, then default (explicit or implicit), then any; ties go to the smallest (mapping_id, msp).",
        [
            new("one default mapping", "DISC-M-02", [(m1, [(A, ["default"])])], null, null, false, (m1, A), TieBreak.Default),
            new("two defaults: the smaller mapping_id wins", "DISC-M-03", [(hi, [(A, ["default"])]), (lo, [(B, ["default"])])], null, null, false, (lo, B), TieBreak.Default),
            new("two defaults in the other DP order: same choice", "DISC-M-03", [(lo, [(B, ["default"])]), (hi, [(A, ["default"])])], null, null, false, (lo, B), TieBreak.Default),
            new("default beats a business entry without a purpose", "DISC-L-07A", [(m1, [(A, ["business"]), (B, ["default"])])], null, null, false, (m1, B), TieBreak.Default),
            new("an untagged entry is the implicit default", "DISC-L-07", [(m1, [(A, ["business"]), (C, [])])], null, null, false, (m1, C), TieBreak.Default),
            new("no default at all: any entry, smallest first", "DISC-L-07A", [(hi, [(A, ["business"])]), (lo, [(C, ["personal"])])], null, null, false, (lo, C), TieBreak.Any),
            new("the wanted tag wins over the default", "DISC-M-02", [(m1, [(A, ["default"])]), (m2, [(B, ["business"])])], "business", null, false, (m2, B), TieBreak.Tag),
            new("a disclosed exact tag is a wanted tag like any other", "DISC-M-04", [(m1, [(A, ["default"])]), (m2, [(B, [Personal])])], Personal, null, false, (m2, B), TieBreak.Tag),
            new("the wanted tag is absent: fall back to the default", "DISC-M-02", [(m1, [(A, ["default"])]), (m2, [(B, ["personal"])])], "business", null, false, (m1, A), TieBreak.Default),
            new("tags are compared as octets: Business is not business", "DISC-M-05", [(m1, [(A, ["default"])]), (m2, [(B, ["business"])])], "Business", null, false, (m1, A), TieBreak.Default),
            new("only an opt-out mapping: nothing to choose", "DISC-R-05", [(m1, [])], null, null, false, null, TieBreak.None),
        ]);
        yield return ("saved-state", "A saved choice is kept while offered; re-evaluation only on explicit user action or when the choice is gone.",
        [
            new("saved choice kept although a smaller default appeared", "DISC-M-03", [(lo, [(A, ["default"])]), (hi, [(B, ["default"])])], null, (hi, B, null, Csi), false, (hi, B), TieBreak.Saved),
            new("saved choice kept whatever the DP order", "DISC-M-03", [(hi, [(B, ["default"])]), (lo, [(A, ["default"])])], null, (hi, B, null, Csi), false, (hi, B), TieBreak.Saved),
            new("saved choice kept over a wanted-tag-free default", "DISC-M-03", [(m1, [(A, ["default"])]), (m3, [(C, ["business"])])], null, (m3, C, null, Csi), false, (m3, C), TieBreak.Saved),
            new("explicit user action re-evaluates", "DISC-M-03", [(lo, [(A, ["default"])]), (hi, [(B, ["default"])])], null, (hi, B, null, Csi), true, (lo, A), TieBreak.Default),
            new("saved mapping removed: re-evaluated", "DISC-M-03", [(m1, [(A, ["default"])])], null, (m3, C, null, Csi), false, (m1, A), TieBreak.Default),
            new("saved MSP no longer in the mapping: re-evaluated", "DISC-M-03", [(m1, [(A, ["default"])])], null, (m1, B, null, Csi), false, (m1, A), TieBreak.Default),
            new("state saved for another purpose does not apply", "DISC-M-03", [(m1, [(A, ["default"])]), (m2, [(B, ["business"])])], "business", (m1, A, null, Csi), false, (m2, B), TieBreak.Tag),
            new("state saved for another CSI does not apply", "DISC-M-03", [(lo, [(A, ["default"])]), (hi, [(B, ["default"])])], null, (hi, B, null, "+15550100002"), false, (lo, A), TieBreak.Default),
            new("saved choice for a purpose kept", "DISC-M-03", [(m1, [(A, ["business"])]), (m2, [(B, ["business"])])], "business", (hi == m2 ? m2 : m1, hi == m2 ? B : A, "business", Csi), false, (hi == m2 ? m2 : m1, hi == m2 ? B : A), TieBreak.Saved),
            new("everything removed: nothing chosen, state forgotten", "DISC-M-03", [], null, (m1, A, null, Csi), false, null, TieBreak.None),
        ]);
    }

    public static JsonObject Generate()
    {
        var tcId = 0;
        var groups = new JsonArray();
        foreach (var (name, comment, cases) in Groups())
        {
            var tests = new JsonArray();
            foreach (var c in cases)
            {
                var t = new JsonObject
                {
                    ["tcId"] = ++tcId,
                    ["comment"] = c.Comment,
                    ["flags"] = new JsonArray(),
                    ["requirement"] = c.Requirement,
                    ["csi"] = Csi,
                    ["mappings"] = new JsonArray([.. c.Mappings.Select(m => (JsonNode)new JsonObject
                    {
                        ["mapping_id"] = m.Id,
                        ["msps"] = new JsonArray([.. m.Msps.Select(e => (JsonNode)new JsonObject { ["msp"] = e.Msp, ["tags"] = new JsonArray([.. e.Tags.Select(x => (JsonNode)x)]) })]),
                    })]),
                    ["purpose"] = c.Purpose,
                    ["saved"] = c.Saved is { } s ? new JsonObject { ["csi"] = s.Csi, ["purpose"] = s.Purpose, ["mapping_id"] = s.Id, ["msp"] = s.Msp } : null,
                    ["reevaluate"] = c.Reevaluate,
                    ["expected"] = c.Expected is { } e2 ? new JsonObject { ["mapping_id"] = e2.Id, ["msp"] = e2.Msp } : null,
                    ["reason"] = c.Reason,
                    ["result"] = "valid",
                };
                tests.Add(t);
            }
            groups.Add(new JsonObject { ["type"] = "TagSelection", ["name"] = name, ["comment"] = comment, ["tests"] = tests });
        }
        return new JsonObject
        {
            ["algorithm"] = "MIMI-TAG-SELECTION",
            ["schema"] = Schema,
            ["generatorVersion"] = MappingVectorGenerator.GeneratorVersion,
            ["numberOfTests"] = tcId,
            ["header"] = new JsonArray(
                "The sender tie-break of PROFILE.md §4.4: given the mappings a lookup returned (in DP order), the purpose tag, the saved state and whether the user asked to re-evaluate, the expected (mapping_id, msp) and reason.",
                "reason: saved, tag, default, any or none. Generated by ./run.sh vectors generate: do not edit by hand."),
            ["notes"] = new JsonObject(),
            ["testGroups"] = groups,
        };
    }

    /// <summary>Runs one test through <see cref="TieBreak.Choose"/>: the choice and the reason must match.</summary>
    public static (bool Ok, string Actual) Check(JsonObject test)
    {
        string? Text(JsonNode? n) => n?.GetValue<string>();
        var candidates = test["mappings"]!.AsArray().Select(m => new TieBreakCandidate(Text(m!["mapping_id"])!,
            [.. m["msps"]!.AsArray().Select(e => new MspEntry(Text(e!["msp"])!, [.. e["tags"]!.AsArray().Select(x => x!.GetValue<string>())]))])).ToArray();
        var saved = test["saved"] is JsonObject s ? new TieBreakState(Text(s["csi"])!, Text(s["purpose"]), Text(s["mapping_id"])!, Text(s["msp"])!) : null;
        var r = TieBreak.Choose(Text(test["csi"])!, candidates, Text(test["purpose"]), saved, test["reevaluate"]!.GetValue<bool>());
        var expected = test["expected"] is JsonObject x ? new TieBreakPick(Text(x["mapping_id"])!, Text(x["msp"])!) : null;
        var stateOk = r.Choice is null ? r.State is null : r.State is { } st && st.MappingId == r.Choice.MappingId && st.Msp == r.Choice.Msp && st.Purpose == Text(test["purpose"]);
        var actual = r.Choice is null ? $"no choice ({r.Reason})" : $"{r.Choice.MappingId} / {r.Choice.Msp} ({r.Reason})";
        return (r.Choice == expected && r.Reason == Text(test["reason"]) && stateOk, actual + (stateOk ? "" : ", state not persisted as chosen"));
    }
}
