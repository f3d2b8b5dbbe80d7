using System.Globalization;
using Mimi.Conformance.Harness.Results;

namespace Mimi.Conformance.Reporting;

/// <summary>
/// matrix.html: one self-contained page (inline CSS, no script, no external requests). Hooks: <c>#dp-table</c>,
/// <c>#matrix tr.req-row[data-id]</c> with <c>td.cell[data-dp][data-verdict]</c>, and <c>#cross-import</c> / <c>#cross-federation</c> <c>td.cross[data-publisher][data-via]</c>.
/// </summary>
public sealed class MatrixHtmlWriter() : TextReportWriter<MatrixDocument>(FileName)
{
    public const string FileName = "matrix.html";

    public override void Write(MatrixDocument document, TextWriter writer)
    {
        var (m, w) = (document, writer);
        string E(string? s) => Html.Encode(s);
        w.WriteLine("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>MIMI DP interop matrix</title>");
        w.WriteLine("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">");
        w.WriteLine("<style>body{font:14px system-ui,sans-serif;margin:1.5em}table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top}"
            + "td.cell,td.cross{text-align:center;font-weight:600}.pass{background:#d4f4d4}.fail{background:#f8c8c8}.warn{background:#fbe7b5}.error{background:#f0b0e0}"
            + ".not-verifiable,.not-applicable{background:#eee;color:#555}.untested{background:#fff;color:#999}small{color:#555}</style></head><body>");
        w.WriteLine($"<h1>MIMI Discovery Provider interop matrix</h1><p>{E(m.ProfileVersion)} · suite {E(m.SuiteVersion)} · {E(ReportFacts.FormatTimestamp(m.GeneratedAt))}</p>");
        w.WriteLine("<h2>DPs</h2><table id=\"dp-table\"><tr><th>DP</th><th>URL</th><th>faults</th><th>verdict</th><th>report</th></tr>");
        foreach (var dp in m.Dps)
            w.WriteLine($"<tr data-dp=\"{E(dp.Name)}\"><td>{E(dp.Name)}</td><td>{E(dp.Url)}</td><td>{E(string.Join(", ", dp.Faults))}</td><td>{E(dp.Verdict)}{(dp.Complete ? "" : " (incomplete)")}</td><td><a href=\"{E(dp.Report)}\">{E(dp.RunId)}</a></td></tr>");
        w.WriteLine("</table><h2>Requirements × DPs</h2><table id=\"matrix\"><tr><th>requirement</th><th>level</th><th>class</th>");
        foreach (var dp in m.Dps)
            w.Write($"<th>{E(dp.Name)}</th>");
        w.WriteLine("</tr>");
        foreach (var row in m.Requirements)
        {
            w.Write($"<tr class=\"req-row\" data-id=\"{E(row.Id)}\"><td>{E(row.Id)}<br><small>{E(row.Title)}</small></td><td>{E(row.Level)}</td><td>{E(row.Class)}</td>");
            foreach (var dp in m.Dps)
            {
                var v = row.Verdicts.TryGetValue(dp.Name, out var verdict) ? verdict.ToWire() : "untested";
                var title = row.Reasons.TryGetValue(dp.Name, out var reason) ? $" title=\"{E(reason)}\"" : "";
                w.Write($"<td class=\"cell {v}\" data-dp=\"{E(dp.Name)}\" data-verdict=\"{v}\"{title}>{v}</td>");
            }
            w.WriteLine("</tr>");
        }
        w.WriteLine("</table>");
        foreach (var (scenario, title) in new[] { ("import", "import (§6.5): published at the row's DP, imported and served by the column's DP"),
                     ("federation", "federation (§11): published at the row's DP, found by a client_selected lookup at the column's DP") })
        {
            w.WriteLine($"<h2>Cross-DP {E(title)}</h2><table id=\"cross-{scenario}\"><tr><th></th>");
            foreach (var dp in m.Dps)
                w.Write($"<th>{E(dp.Name)}</th>");
            w.WriteLine("</tr>");
            foreach (var a in m.Dps)
            {
                w.Write($"<tr><th>{E(a.Name)}</th>");
                foreach (var b in m.Dps)
                {
                    var cell = m.Cross.FirstOrDefault(c => c.Scenario == scenario && c.Publisher == a.Name && c.Via == b.Name);
                    w.Write(cell is null ? "<td>—</td>"
                        : $"<td class=\"cross {cell.Verdict.ToWire()}\" data-scenario=\"{scenario}\" data-publisher=\"{E(a.Name)}\" data-via=\"{E(b.Name)}\" data-verdict=\"{cell.Verdict.ToWire()}\" title=\"{E(cell.Reason)}\">{cell.Verdict.ToWire()}</td>");
                }
                w.WriteLine("</tr>");
            }
            w.WriteLine("</table>");
        }
        w.WriteLine("<ul id=\"cross-reasons\">");
        foreach (var c in m.Cross)
            w.WriteLine($"<li><b>{E(c.Scenario)} {E(c.Publisher)} → {E(c.Via)}</b> {c.Verdict.ToWire()}: {E(c.Reason)}</li>");
        w.WriteLine("</ul>");
        w.WriteLine("</body></html>");
    }
}
