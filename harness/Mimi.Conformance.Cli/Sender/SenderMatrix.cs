using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mimi.Conformance.Reporting;
using Mimi.Conformance.Harness.Results;
using Mimi.Conformance.Protocol.Files;

namespace Mimi.Conformance.Cli.Sender;

/// <summary>
/// Several sender adapters side by side (vectors/SENDER-ADAPTER.md §7): one row per sender rule, one column per
/// implementation, the rules on which the implementations disagree first. Written as matrix.json and matrix.html.
/// </summary>
internal static class SenderMatrix
{
    public const string JsonFile = "matrix.json";
    public const string HtmlFile = "matrix.html";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static JsonObject Build(IReadOnlyList<(string Name, string ReportPath, ConformanceReport Report)> runs)
    {
        var senderRules = runs.SelectMany(r => r.Report.Rules).Where(r => r.Class == SenderReport.SenderClass).Select(r => r.Id).Distinct(StringComparer.Ordinal).ToList();
        var rows = senderRules.Select(id =>
        {
            var cells = runs.Select(r => r.Report.Rules.FirstOrDefault(x => x.Id == id)).ToArray();
            var verdicts = cells.Select(c => c?.Verdict.ToWire() ?? "untested").ToArray();
            var level = cells.FirstOrDefault(c => c is not null)?.Level ?? "";
            return (Id: id, Level: level, Agree: verdicts.Distinct(StringComparer.Ordinal).Count() <= 1, Verdicts: verdicts,
                Reasons: cells.Select(c => c?.Tests.FirstOrDefault(t => t.Verdict != Verdict.Pass)?.Reason).ToArray());
        }).OrderBy(r => r.Agree).ThenBy(r => r.Id, StringComparer.Ordinal).ToList();
        return new JsonObject
        {
            ["schema"] = "mimi-sender-matrix/1",
            ["implementations"] = new JsonArray([.. runs.Select(r => (JsonNode)new JsonObject
            {
                ["name"] = r.Name,
                ["target"] = r.Report.Run.Target,
                ["verdict"] = r.Report.Summary.Verdict.ToWire(),
                ["exit_code"] = r.Report.Summary.ExitCode,
                ["report"] = r.ReportPath,
            })]),
            ["disagreements"] = rows.Count(r => !r.Agree),
            ["rules"] = new JsonArray([.. rows.Select(r => (JsonNode)new JsonObject
            {
                ["id"] = r.Id,
                ["level"] = r.Level,
                ["agree"] = r.Agree,
                ["verdicts"] = new JsonObject(runs.Select((run, i) => KeyValuePair.Create(run.Name, (JsonNode?)r.Verdicts[i]))),
                ["reasons"] = new JsonObject(runs.Select((run, i) => KeyValuePair.Create(run.Name, (JsonNode?)r.Reasons[i])).Where(p => p.Value is not null)),
            })]),
        };
    }

    public static void Write(JsonObject matrix, string directory)
    {
        Directory.CreateDirectory(directory);
        AtomicFile.Write(Path.Combine(directory, JsonFile), s => ReportFiles.WriteText(s, w => w.Write(matrix.ToJsonString(Indented) + "\n")));
        AtomicFile.Write(Path.Combine(directory, HtmlFile), s => ReportFiles.WriteText(s, w => Html(matrix, w)));
    }

    private static void Html(JsonObject m, TextWriter w)
    {
        var names = m["implementations"]!.AsArray().Select(i => i!["name"]!.GetValue<string>()).ToArray();
        w.Write("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sender matrix</title><style>");
        w.Write("body{font-family:system-ui,sans-serif;margin:1.5em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left}");
        w.Write(".pass{background:#d7f5dc}.fail{background:#f8d0d0}.warn{background:#fbeec2}.error{background:#e6d0f5}.not-verifiable,.untested,.not-applicable{background:#eee}tr.disagree th{color:#a00}");
        w.Write("</style></head><body><h1>Sender matrix</h1><p>");
        Reporting.Html.Encode(w, $"{m["disagreements"]} rule(s) with disagreements, listed first.");
        w.Write("</p><table><thead><tr><th>rule</th><th>level</th>");
        foreach (var i in m["implementations"]!.AsArray())
        {
            w.Write("<th>");
            Reporting.Html.Encode(w, i!["name"]!.GetValue<string>());
            w.Write("<br><small>");
            Reporting.Html.Encode(w, $"{i["target"]} — {i["verdict"]}");
            w.Write("</small></th>");
        }
        w.Write("</tr></thead><tbody>");
        foreach (var r in m["rules"]!.AsArray())
        {
            w.Write(r!["agree"]!.GetValue<bool>() ? "<tr><th>" : "<tr class=\"disagree\"><th>");
            Reporting.Html.Encode(w, r["id"]!.GetValue<string>());
            w.Write("</th><td>");
            Reporting.Html.Encode(w, r["level"]!.GetValue<string>());
            w.Write("</td>");
            foreach (var n in names)
            {
                var v = r["verdicts"]![n]?.GetValue<string>() ?? "untested";
                w.Write($"<td class=\"{Reporting.Html.Encode(v)}\" title=\"");
                Reporting.Html.Encode(w, r["reasons"]![n]?.GetValue<string>() ?? "");
                w.Write("\">");
                Reporting.Html.Encode(w, v);
                w.Write("</td>");
            }
            w.Write("</tr>");
        }
        w.Write("</tbody></table></body></html>\n");
    }
}
