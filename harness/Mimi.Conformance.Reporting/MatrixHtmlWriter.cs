using Mimi.Conformance.Harness.Results;

namespace Mimi.Conformance.Reporting;

/// <summary>
/// matrix.html: one self-contained page styled like report.html (its stylesheet), no external requests. Hooks:
/// <c>#dp-table</c>, <c>#matrix tr.req-row[data-id][data-same]</c> with <c>td.cell[data-dp][data-verdict]</c> (a link
/// to that DP's report at the requirement, and <c>details.cell-reason</c> when there is a reason),
/// <c>#cross-import</c> / <c>#cross-federation</c> <c>td.cross[data-publisher][data-via]</c>, the filter
/// <c>#differences-only</c> with <c>#matrix-visible</c>, and <c>#legend</c>.
/// </summary>
public sealed class MatrixHtmlWriter() : TextReportWriter<MatrixDocument>(FileName)
{
    public const string FileName = "matrix.html";

    /// <summary>The requirement of each cross-DP scenario: the anchor its cells open in the serving DP's report.</summary>
    private static readonly Dictionary<string, string> ScenarioRequirement = new(StringComparer.Ordinal) { ["import"] = "DISC-M-01", ["federation"] = "DISC-L-10" };

    public override void Write(MatrixDocument document, TextWriter writer)
    {
        var (m, w) = (document, writer);
        string E(string? s) => Html.Encode(s);
        var reports = m.Dps.ToDictionary(d => d.Name, d => d.Report, StringComparer.Ordinal);
        w.WriteLine("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>MIMI DP interop matrix</title>");
        w.WriteLine("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; base-uri 'none'; form-action 'none'\">");
        w.Write("<style>\n");
        w.Write(ReportAssets.Css);
        w.WriteLine("\ntd.cell, td.cross { text-align: center; white-space: nowrap; } td.cell a.chip, td.cross a.chip { text-decoration: none; }"
            + " .cell-reason summary { cursor: pointer; font-size: .75rem; color: var(--muted); } .cell-reason p { white-space: normal; text-align: left; max-width: 28rem; margin: .2rem 0; font-size: .8rem; }"
            + " .matrix-wrap { overflow-x: auto; } tr.req-row[hidden] { display: none; }\n</style></head><body>");
        w.WriteLine($"<header class=\"page-header\"><div class=\"title-row\"><div class=\"title-block\"><p class=\"eyebrow\">MIMI Discovery Providers · interop matrix</p><h1>Interop matrix</h1><p class=\"subtitle\">profile <code>{E(m.ProfileVersion)}</code> · suite <code>{E(m.SuiteVersion)}</code> · {E(ReportFacts.FormatTimestamp(m.GeneratedAt))}</p></div></div></header><main>");
        w.WriteLine("<section class=\"card\"><h2>DPs</h2><table class=\"grid\" id=\"dp-table\"><thead><tr><th>DP</th><th>URL</th><th>faults</th><th>verdict</th><th>report</th></tr></thead><tbody>");
        foreach (var dp in m.Dps)
            w.WriteLine($"<tr data-dp=\"{E(dp.Name)}\"><td>{E(dp.Name)}</td><td><code>{E(dp.Url)}</code></td><td>{E(string.Join(", ", dp.Faults))}</td><td><span class=\"overall-{E(dp.Verdict)}\">{E(dp.Verdict)}</span>{(dp.Complete ? "" : " (incomplete)")}</td><td><a href=\"{E(dp.Report)}\">{E(dp.RunId)}</a></td></tr>");
        w.WriteLine("</tbody></table></section>");
        w.WriteLine("<section class=\"card\"><h2>Requirements × DPs</h2><div class=\"toolbar\"><label><input type=\"checkbox\" id=\"differences-only\"> Differences only</label> <span id=\"matrix-visible\" class=\"muted\" aria-live=\"polite\"></span></div>");
        w.Write("<div class=\"matrix-wrap\"><table class=\"grid\" id=\"matrix\"><thead><tr><th>requirement</th><th>level</th><th>class</th>");
        foreach (var dp in m.Dps)
            w.Write($"<th>{E(dp.Name)}</th>");
        w.WriteLine("</tr></thead><tbody>");
        foreach (var row in m.Requirements)
        {
            var verdicts = m.Dps.Select(dp => row.Verdicts.TryGetValue(dp.Name, out var v) ? v : Verdict.Untested).ToList();
            var same = verdicts.Distinct().Count() <= 1;
            w.Write($"<tr class=\"req-row\" data-id=\"{E(row.Id)}\" data-same=\"{(same ? "true" : "false")}\"><td><code>{E(row.Id)}</code><br><small class=\"muted\">{E(row.Title)}</small></td><td>{E(row.Level)}</td><td>{E(row.Class)}</td>");
            for (var i = 0; i < m.Dps.Count; i++)
            {
                var dp = m.Dps[i];
                var v = verdicts[i].ToWire();
                w.Write($"<td class=\"cell\" data-dp=\"{E(dp.Name)}\" data-verdict=\"{v}\"><a class=\"chip v-{v}\" href=\"{E(dp.Report)}#{E(row.Id)}\" title=\"Open {E(dp.Name)}'s report at {E(row.Id)}\">{v}</a>");
                if (row.Reasons.TryGetValue(dp.Name, out var reason) && !string.IsNullOrWhiteSpace(reason))
                    w.Write($"<details class=\"cell-reason\"><summary>why</summary><p>{E(reason)}</p></details>");
                w.Write("</td>");
            }
            w.WriteLine("</tr>");
        }
        w.WriteLine("</tbody></table></div></section>");
        foreach (var (scenario, title) in new[] { ("import", "import (§6.5): published at the row's DP, imported and served by the column's DP"),
                     ("federation", "federation (§11): published at the row's DP, found by a client_selected lookup at the column's DP") })
        {
            w.WriteLine($"<section class=\"card\"><h2>Cross-DP {E(title)}</h2><table class=\"grid\" id=\"cross-{scenario}\"><thead><tr><th>published at ↓ / via →</th>");
            foreach (var dp in m.Dps)
                w.Write($"<th>{E(dp.Name)}</th>");
            w.WriteLine("</tr></thead><tbody>");
            foreach (var a in m.Dps)
            {
                w.Write($"<tr><th>{E(a.Name)}</th>");
                foreach (var b in m.Dps)
                {
                    var cell = m.Cross.FirstOrDefault(c => c.Scenario == scenario && c.Publisher == a.Name && c.Via == b.Name);
                    if (cell is null)
                    {
                        w.Write("<td class=\"muted\">—</td>");
                        continue;
                    }
                    var v = cell.Verdict.ToWire();
                    w.Write($"<td class=\"cross\" data-scenario=\"{scenario}\" data-publisher=\"{E(a.Name)}\" data-via=\"{E(b.Name)}\" data-verdict=\"{v}\"><a class=\"chip v-{v}\" href=\"{E(reports.GetValueOrDefault(b.Name))}#{ScenarioRequirement[scenario]}\">{v}</a>");
                    if (!string.IsNullOrWhiteSpace(cell.Reason))
                        w.Write($"<details class=\"cell-reason\"><summary>why</summary><p>{E(cell.Reason)}</p></details>");
                    w.Write("</td>");
                }
                w.WriteLine("</tr>");
            }
            w.WriteLine("</tbody></table></section>");
        }
        w.WriteLine("<section class=\"card\"><h2>Cross-DP reasons</h2><ul id=\"cross-reasons\">");
        foreach (var c in m.Cross)
            w.WriteLine($"<li><b>{E(c.Scenario)} {E(c.Publisher)} → {E(c.Via)}</b> {c.Verdict.ToWire()}: {E(c.Reason)}</li>");
        w.WriteLine("</ul></section>");
        w.WriteLine("<section id=\"legend\" class=\"card\"><h2>Verdict legend</h2><dl class=\"legend\">");
        foreach (var verdict in ReportFacts.VerdictsWorstFirst)
            w.WriteLine($"<div><dt><span class=\"chip v-{verdict.ToWire()}\">{verdict.ToWire()}</span></dt><dd>{E(HtmlReportWriter.Legend[verdict])}</dd></div>");
        w.WriteLine("</dl><p class=\"muted\">A cell links to that DP's report at the requirement; \"why\" shows the reason.</p></section></main>");
        w.Write("<script>\n");
        w.Write(ReportAssets.MatrixScript);
        w.WriteLine("</script>\n</body></html>");
    }
}
