using System.Globalization;
using System.Text.Json.Nodes;
using Mimi.Conformance.Tools.Vectors;

namespace Mimi.Conformance.Cli.Sender;

/// <summary>What one case expected and what the adapter answered.</summary>
internal sealed record CaseCheck(bool Passed, string Expected, string Actual);

/// <summary>One step of a lookup scenario: the session's now, how the hostile DP answers, what it serves, what the sender keeps.</summary>
internal sealed record LookupStep(long Now, string Behaviour, JsonObject? MetadataExtra, IReadOnlyList<byte[]> Mappings, IReadOnlyList<string> Kept);

/// <summary>A lookup scenario played by <see cref="HostileDp"/> (vectors/SENDER-ADAPTER.md §4.6).</summary>
internal sealed record LookupScenario(string Name, string Class, IReadOnlyList<LookupStep> Steps);

/// <summary>
/// One request the adapter must answer, from a vector file: its stable id (file#tcId), the requirement it is graded
/// under, the profile rules it checks, the request (without <c>id</c>) and how to grade the answer. A lookup case
/// carries a <see cref="Scenario"/> instead of one request.
/// </summary>
internal sealed record SenderCase(string Id, string Name, string Op, string Requirement, IReadOnlyList<string> Rules, JsonObject Request, Func<JsonObject, CaseCheck> Grade)
{
    public LookupScenario? Scenario { get; init; }
}

/// <summary>
/// Turns the vector files into adapter cases (vectors/SENDER-ADAPTER.md §5): mappings/*.json (verify),
/// ed25519/*.json (ed25519), tags/selection.json (select) and sender/sender_cases.json (disclose, resolve, lookup).
/// </summary>
internal static class SenderCases
{
    public const string Sv01 = "PROF-SV-01", Sv02 = "PROF-SV-02", Sv11 = "PROF-SV-11", Sv12 = "PROF-SV-12", Sv13 = "PROF-SV-13", Sv14 = "PROF-SV-14", Tag09 = "PROF-TAG-09";

    public static IReadOnlyList<SenderCase> Load(string vectorsRoot, JsonObject catalogJson)
    {
        var byStep = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var rule in (catalogJson["rules"] as JsonArray ?? []).OfType<JsonObject>())
        {
            foreach (var step in (rule["verifier_steps"] as JsonArray ?? []).Select(s => s!.GetValue<string>()))
                (byStep.TryGetValue(step, out var l) ? l : byStep[step] = []).Add(rule["id"]!.GetValue<string>());
        }
        var jointSteps = byStep.Where(kv => kv.Value.Contains(Sv11)).Select(kv => kv.Key).ToHashSet(StringComparer.Ordinal);
        var cases = new List<SenderCase>();
        foreach (var file in Directory.GetFiles(Path.Combine(vectorsRoot, "mappings"), "*.json").Order(StringComparer.Ordinal))
            cases.AddRange(Mappings(Relative(vectorsRoot, file), Read(file), byStep, jointSteps));
        foreach (var file in Directory.GetFiles(Path.Combine(vectorsRoot, "ed25519"), "*.json").Order(StringComparer.Ordinal))
            cases.AddRange(Eddsa(Relative(vectorsRoot, file), Read(file)));
        cases.AddRange(Selection("tags/" + TagSelectionVectors.FileName, Read(Path.Combine(vectorsRoot, "tags", TagSelectionVectors.FileName))));
        cases.AddRange(Sender("sender/" + SenderCaseVectors.FileName, Read(Path.Combine(vectorsRoot, "sender", SenderCaseVectors.FileName))));
        return cases;
    }

    private static JsonObject Read(string path) => JsonNode.Parse(File.ReadAllText(path))!.AsObject();

    private static string Relative(string root, string file) => Path.GetRelativePath(root, file).Replace('\\', '/');

    private static IEnumerable<(JsonObject Group, JsonObject Test)> Tests(JsonObject root) =>
        (root["testGroups"] as JsonArray ?? []).OfType<JsonObject>().SelectMany(g => (g["tests"] as JsonArray ?? []).OfType<JsonObject>().Select(t => (g, t)));

    private static string Id(string file, JsonObject test) => $"{file}#{test["tcId"]}";

    private static string? Text(JsonNode? n) => n is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static IEnumerable<SenderCase> Mappings(string file, JsonObject root, Dictionary<string, List<string>> byStep, HashSet<string> jointSteps)
    {
        foreach (var (group, test) in Tests(root))
        {
            var policy = Text(group["policy"])!;
            var result = Text(test["result"])!;
            var rule = Text(test["rule"]);
            var flags = (test["flags"] as JsonArray ?? []).Select(f => Text(f)).OfType<string>().ToArray();
            // A valid mapping verified from bytes and trust alone shows SV-01; an invalid one SV-02 and its step's rule.
            List<string> rules = result switch
            {
                "valid" => [Sv01],
                "acceptable" => [Sv14],
                // An S >= L forgery is read under PROF-SV-13 alone: the step it trips is incidental.
                _ when flags.Contains("SignatureMalleability") => [Sv02, Sv13],
                _ => [Sv02, .. rule is null ? [] : jointSteps.Contains(rule) ? [policy == "joint" ? Sv11 : Sv12] : byStep.GetValueOrDefault(rule) ?? []],
            };
            var request = new JsonObject
            {
                ["op"] = "verify",
                ["mapping"] = Text(test["mapping"]),
                ["now"] = DateTimeOffset.Parse(Text(test["now"])!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal).ToUnixTimeSeconds(),
                ["class"] = policy,
                ["trust"] = new JsonArray([.. (group["keys"] as JsonArray ?? []).OfType<JsonObject>().Select(k => (JsonNode)new JsonObject
                {
                    ["role"] = Text(k["role"]), ["owner"] = Text(k["owner"]), ["public_key"] = Text(k["publicKey"]),
                })]),
            };
            yield return new SenderCase(Id(file, test), Text(test["comment"]) ?? "", "verify", Text(test["requirement"]) ?? "DISC-R-04", rules.Distinct().ToArray(), request,
                answer => GradeVerify(answer, result, rule));
        }
    }

    private static CaseCheck GradeVerify(JsonObject answer, string result, string? rule)
    {
        var got = Text(answer["result"]);
        var gotRule = Text(answer["rule"]);
        var actual = got == "invalid" ? $"invalid at rule {gotRule ?? "(none given)"}" : got ?? "(no result)";
        return result switch
        {
            "valid" => new CaseCheck(got == "valid", "valid", actual),
            // acceptable: small-order or non-canonical edge cases; rejecting them is the SHOULD of PROF-SV-14.
            "acceptable" => new CaseCheck(got == "invalid", "invalid (SHOULD; valid is acceptable under the MUST rules)", actual),
            _ => new CaseCheck(got == "invalid" && (rule is null || gotRule == rule), rule is null ? "invalid" : $"invalid at rule {rule}", actual),
        };
    }

    private static IEnumerable<SenderCase> Eddsa(string file, JsonObject root)
    {
        foreach (var (group, test) in Tests(root))
        {
            var result = Text(test["result"])!;
            var pk = Text(group["publicKey"]?["pk"]) ?? Text(group["key"]?["pk"]) ?? "";
            var request = new JsonObject { ["op"] = "ed25519", ["public_key"] = pk, ["message"] = Text(test["msg"]), ["signature"] = Text(test["sig"]) };
            string[] rules = result == "acceptable" ? [Sv14] : [Sv13];
            yield return new SenderCase(Id(file, test), Text(test["comment"]) ?? "", "ed25519", "DISC-R-04", rules, request, answer =>
            {
                var got = Text(answer["result"]) ?? "(no result)";
                return result == "acceptable" ? new CaseCheck(got == "invalid", "invalid (SHOULD)", got) : new CaseCheck(got == result, result, got);
            });
        }
    }

    private static IEnumerable<SenderCase> Selection(string file, JsonObject root)
    {
        foreach (var (_, test) in Tests(root))
        {
            var request = new JsonObject
            {
                ["op"] = "select",
                ["csi"] = test["csi"]?.DeepClone(),
                ["mappings"] = test["mappings"]?.DeepClone(),
                ["purpose"] = test["purpose"]?.DeepClone(),
                ["saved"] = test["saved"]?.DeepClone(),
                ["reevaluate"] = test["reevaluate"]?.DeepClone(),
            };
            var expected = test["expected"] as JsonObject;
            var csi = Text(test["csi"]);
            var purpose = Text(test["purpose"]);
            yield return new SenderCase(Id(file, test), Text(test["comment"]) ?? "", "select", Text(test["requirement"]) ?? "DISC-M-03", [Tag09], request, answer =>
            {
                var choice = answer["choice"] as JsonObject;
                var saved = answer["saved"] as JsonObject;
                string Pick(JsonObject? o) => o is null ? "no choice" : $"{Text(o["mapping_id"])} / {Text(o["msp"])}";
                var choiceOk = expected is null ? choice is null : choice is not null && Text(choice["mapping_id"]) == Text(expected["mapping_id"]) && Text(choice["msp"]) == Text(expected["msp"]);
                var savedOk = expected is null ? saved is null
                    : saved is not null && Text(saved["mapping_id"]) == Text(expected["mapping_id"]) && Text(saved["msp"]) == Text(expected["msp"])
                      && Text(saved["csi"]) == csi && Text(saved["purpose"]) == purpose;
                return new CaseCheck(choiceOk && savedOk, $"{Pick(expected)}, saved as chosen (csi, purpose, mapping_id, msp)",
                    $"{Pick(choice)}, saved {(saved is null ? "nothing" : $"{Text(saved["csi"])}, {Text(saved["purpose"]) ?? "null"}, {Pick(saved)}")}");
            });
        }
    }

    private static IEnumerable<SenderCase> Sender(string file, JsonObject root)
    {
        var trust = root["trust"]!.AsArray();
        var csi = Text(root["csi"])!;
        foreach (var (group, test) in Tests(root))
        {
            var rules = (test["rules"] as JsonArray ?? []).Select(r => Text(r)).OfType<string>().ToArray();
            var requirement = Text(test["requirement"])!;
            var name = Text(test["comment"]) ?? "";
            switch (Text(group["type"]))
            {
                case "Disclose":
                    var tags = (test["tags"] as JsonArray ?? []).Select(t => Text(t)).OfType<string>().Order(StringComparer.Ordinal).ToArray();
                    yield return new SenderCase(Id(file, test), name, "disclose", requirement, rules,
                        new JsonObject { ["op"] = "disclose", ["mapping"] = Text(test["mapping"]), ["msp"] = Text(test["msp"]), ["disclosures"] = Text(test["disclosures"]) },
                        answer =>
                        {
                            var got = answer["tags"] is JsonArray a ? a.Select(t => Text(t) ?? "(not a string)").Order(StringComparer.Ordinal).ToArray() : null;
                            return new CaseCheck(got is not null && got.SequenceEqual(tags, StringComparer.Ordinal), $"[{string.Join(", ", tags)}]",
                                got is null ? "(no tags array)" : $"[{string.Join(", ", got)}]");
                        });
                    break;
                case "Resolve":
                    var url = Text(test["url"])!;
                    yield return new SenderCase(Id(file, test), name, "resolve", requirement, rules,
                        new JsonObject { ["op"] = "resolve", ["document_url"] = Text(test["document_url"]), ["reference"] = Text(test["reference"]) },
                        answer => new CaseCheck(Text(answer["url"]) == url, url, Text(answer["url"]) ?? "(no url)"));
                    break;
                case "Lookup":
                    var steps = (test["steps"] as JsonArray ?? []).OfType<JsonObject>().Select(s => new LookupStep(
                        s["now"]!.GetValue<long>(), Text(s["behaviour"]) ?? "answer", s["metadata_extra"] as JsonObject,
                        [.. (s["mappings"] as JsonArray ?? []).Select(m => Convert.FromHexString(Text(m)!))],
                        [.. (s["kept"] as JsonArray ?? []).Select(k => Text(k)).OfType<string>()])).ToArray();
                    var scenario = new LookupScenario(Text(test["scenario"])!, Text(group["class"]) ?? "recipient-only", steps);
                    yield return new SenderCase(Id(file, test), name, "lookup", requirement, rules,
                        new JsonObject { ["op"] = "lookup", ["csi"] = csi, ["csi_type"] = "e164", ["class"] = scenario.Class, ["trust"] = trust.DeepClone() },
                        _ => new CaseCheck(false, "graded per step", "")) { Scenario = scenario };
                    break;
            }
        }
    }

    /// <summary>One lookup step's answer: status found (or rate-limited, for a 429 step) and exactly the expected mapping ids, once each.</summary>
    public static CaseCheck GradeLookupStep(LookupStep step, JsonObject answer)
    {
        var status = Text(answer["status"]);
        var kept = answer["kept"] is JsonArray a ? a.Select(k => Text(k) ?? "(not a string)").ToArray() : null;
        var expected = step.Kept.Order(StringComparer.Ordinal).ToArray();
        var actual = $"status {status ?? "(none)"}, kept [{(kept is null ? "(no kept array)" : string.Join(", ", kept))}]";
        var same = kept is not null && kept.Order(StringComparer.Ordinal).SequenceEqual(expected, StringComparer.Ordinal);
        var ok = (status == "found" && same) || (step.Behaviour == "429-then-answer" && status == "rate-limited" && kept is { Length: 0 });
        var what = $"status found, kept [{string.Join(", ", expected)}] (each once, any order)" + (step.Behaviour == "429-then-answer" ? ", or status rate-limited with kept []" : "");
        return new CaseCheck(ok, what, actual);
    }
}
