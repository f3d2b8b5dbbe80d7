using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using Mimi.Conformance.Harness.Results;

namespace Mimi.Conformance.Reporting;

/// <summary>
/// report.html: one self-contained file (inline CSS and vanilla JS, no external requests, works from file://).
/// Every piece of report text goes through <see cref="Html.Encode(TextWriter, string?)"/>. Each requirement's
/// evidence (checks, exchanges, byte diffs, reproducers) is rendered here too, but kept gzip-compressed and base64
/// in <c>&lt;script type="application/json" id="report-evidence"&gt;</c> (one entry per chunk of rows, named by the
/// detail row's <c>data-chunk</c>); the script inflates it with <c>DecompressionStream</c> when a row is opened, which keeps a clean run's page small
/// (issue 16). The full data is report.json next to it.
/// </summary>
/// <remarks>
/// Stable hooks for browser tests: <c>#overall-verdict[data-verdict]</c>, <c>#class-table tr.class-row</c>,
/// <c>#untested-must-list li[data-id]</c>, the filters <c>#filter-class</c>, <c>#filter-level</c>,
/// <c>#filter-verdict</c>, <c>#search</c> and the counter <c>#visible-count</c>; requirement rows
/// <c>tr.req-row</c> (ids <c>r0</c>, <c>r1</c>, ...) with <c>data-id</c>, <c>data-verdict</c>, <c>data-level</c>,
/// <c>data-class</c>, <c>data-gating</c> and <c>aria-expanded</c>, each followed by <c>tr.req-detail</c>
/// (<c>aria-controls</c> of the row) holding <c>article.test[data-test-id][data-verdict]</c> blocks with
/// <c>table.checks</c>, <c>details.exchange</c> and <c>pre.reproducer</c>; <c>#no-match</c> shows when
/// the filters hide every row. Triage: <c>#triage</c> with <c>#next-steps li.triage-group[data-kind][data-count]</c>
/// (the first has <c>data-first</c>), <c>#gating-failures li[data-id]</c> with <c>.why</c>, <c>#class-verdicts
/// li[data-class][data-verdict]</c>; <c>#changed-since</c> with <c>[data-change]</c> items. Evidence (after
/// loading): <c>div.evidence[data-loaded]</c>, <c>a.check-exchange</c>, <c>section.byte-diff</c>,
/// <c>details.exchange[data-direction]</c>, <c>pre.cbor[data-side]</c>; <c>html[data-ready]</c> once interactive.
/// </remarks>
public sealed class HtmlReportWriter() : TextReportWriter<ConformanceReport>(FileName)
{
    public const string FileName = "report.html";

    public override void Write(ConformanceReport document, TextWriter writer)
    {
        new Renderer(document, writer).Render();
    }

    internal static readonly Dictionary<Verdict, string> Legend = new()
    {
        [Verdict.Pass] = "Every check of every test held.",
        [Verdict.Declared] = "Not observable by a black-box test; the operator's statement (--statement) declares it. Counted as met, never as a pass.",
        [Verdict.Fail] = "A MUST requirement is broken.",
        [Verdict.Warn] = "A SHOULD requirement is broken.",
        [Verdict.Unstable] = "The repetitions of a test (run --repeat N) disagree: the DP is right only sometimes. Each repetition's outcome is listed; a gated unstable item is never compliant.",
        [Verdict.Error] = "The harness or the DP failed beyond the subject of the test (unreachable, malformed, timed out); the requirement could not be judged.",
        [Verdict.NotVerifiable] = "Needs test control or an operator statement this run did not have; the reason gives the manual procedure. Never counted as a pass.",
        [Verdict.NotApplicable] = "Does not apply to this DP, with the reason (for example a conformance class it does not claim).",
        [Verdict.Untested] = "No test in this suite version covers the requirement (a coverage gap, not a DP failure).",
    };

    /// <summary>Inflates one <c>#report-evidence</c> entry: test article id to its evidence HTML.</summary>
    internal static IReadOnlyDictionary<string, string> Inflate(string base64)
    {
        using var input = new GZipStream(new MemoryStream(Convert.FromBase64String(base64)), CompressionMode.Decompress);
        return JsonSerializer.Deserialize<Dictionary<string, string>>(input) ?? [];
    }

    /// <summary>Inside base64 the JSON needs no HTML escaping, and "\u003C" for every "&lt;" would cost a fifth of the size.</summary>
    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static string Deflate(Dictionary<string, string> fragments)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.SmallestSize, leaveOpen: true))
            JsonSerializer.Serialize(gzip, fragments, Relaxed);
        return Convert.ToBase64String(buffer.ToArray());
    }

    /// <summary>A passing test shows this many of its exchanges (and every one a check names): a 1,000-lookup probe stays in report.json.</summary>
    private const int PassingExchangesShown = 12;

    /// <summary>Characters of each body a passing test shows.</summary>
    private const int PassingBodyShown = 1024;

    /// <summary>The indexes of the exchanges the page shows: all of a test that did not pass, else the first few and those its checks name.</summary>
    private static List<int> ShownExchanges(TestResult test, IReadOnlyList<PayloadDiff> diffs)
    {
        if (ReportFacts.IsProblem(test.Verdict) || test.Exchanges.Count <= PassingExchangesShown)
            return [.. Enumerable.Range(0, test.Exchanges.Count)];
        var named = test.Checks.Select(c => c.Exchange).OfType<int>()
            .Concat(diffs.SelectMany(d => new[] { d.PublishedSeq, d.ServedSeq })).ToHashSet();
        return [.. Enumerable.Range(0, test.Exchanges.Count).Where(x => x < PassingExchangesShown || named.Contains(test.Exchanges[x].Seq))];
    }

    private sealed class Renderer(ConformanceReport report, TextWriter output)
    {
        private const int RequirementColumns = 7;

        /// <summary>Rows per compressed chunk: gzip compresses across tests, so few large chunks keep a clean run under 1.5 MB.</summary>
        private const int RowsPerChunk = 64;

        private readonly Dictionary<string, string> evidence = new(StringComparer.Ordinal);

        private readonly Dictionary<string, string> chunk = new(StringComparer.Ordinal);

        private bool fullBytes;

        /// <summary>Bodies already shown in the current test, by text: a repeated one links to the first (the size budget).</summary>
        private readonly Dictionary<string, string> shownBodies = new(StringComparer.Ordinal);

        private TextWriter w = output;

        private readonly Dictionary<string, string> rowIds = report.Requirements
            .Select((r, i) => (r.Id, Row: "r" + i.ToString(CultureInfo.InvariantCulture)))
            .DistinctBy(x => x.Id, StringComparer.Ordinal)
            .ToDictionary(x => x.Id, x => x.Row, StringComparer.Ordinal);

        public void Render()
        {
            var run = report.Run;
            var verdict = report.Summary.Verdict.ToWire();
            Raw("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
            Raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
            Raw("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'\">\n");
            Raw("<meta name=\"referrer\" content=\"no-referrer\">\n");
            Raw("<meta name=\"generator\" content=\"Mimi.Conformance ");
            Text(run.SuiteVersion);
            Raw("\">\n<title>");
            Text(verdict);
            Raw(" · MIMI DP conformance · ");
            Text(run.Target);
            Raw("</title>\n<style>\n");
            Raw(ReportAssets.Css);
            Raw("</style>\n</head>\n<body>\n");
            Header();
            Raw("<main>\n");
            Banners();
            TriageSection();
            ChangedSection();
            SummarySection();
            ClassesSection();
            UntestedSection();
            RequirementsSection();
            LegendSection();
            Raw("</main>\n<footer class=\"page-footer\">Generated by Mimi.Conformance ");
            Text(run.SuiteVersion);
            Raw(" · report format <code>");
            Text(report.Schema);
            Raw("</code> · this file is self-contained and makes no network requests; the evidence is embedded compressed (<code>#report-evidence</code>), the full data is report.json.</footer>\n");
            Raw("<noscript><p class=\"banner banner-info\">The evidence of each test is shown by the page's script; with scripts off, read report.json.</p></noscript>\n");
            Raw("<script type=\"application/json\" id=\"report-evidence\">");
            Raw(JsonSerializer.Serialize(evidence));
            Raw("</script>\n<script>\n");
            Raw(ReportAssets.Script);
            Raw("</script>\n</body>\n</html>\n");
        }

        private void Header()
        {
            var run = report.Run;
            var summary = report.Summary;
            var (passed, applicable) = ReportFacts.PassRatio(report);
            Raw("<header class=\"page-header\" id=\"report-header\">\n<div class=\"title-row\">\n<div class=\"title-block\">\n");
            Raw("<p class=\"eyebrow\">MIMI Discovery Provider · conformance report</p>\n<h1 id=\"target\">");
            Text(run.Target);
            Raw("</h1>\n<p class=\"subtitle\">");
            Text(run.TargetKind);
            Raw(" · profile <code>");
            Text(run.ProfileVersion);
            Raw("</code> · suite <code>");
            Text(run.SuiteVersion);
            Raw("</code></p>\n</div>\n");
            Raw("<div class=\"overall overall-");
            Text(summary.Verdict.ToWire());
            Raw("\" id=\"overall-verdict\" data-verdict=\"");
            Text(summary.Verdict.ToWire());
            Raw("\" role=\"status\"><span class=\"overall-label\">Overall</span><span class=\"overall-value\">");
            Text(summary.Verdict.ToWire());
            Raw("</span><span class=\"overall-ratio\">");
            Text(Invariant($"{passed}/{applicable} requirements pass · {summary.Verification.Observed}/{summary.Verification.Gated} gated verified"));
            Raw("</span></div>\n</div>\n<dl class=\"run-meta\" id=\"run-info\">\n");
            Meta("Run", () => Code(run.Id));
            Meta("Started", () => Time(run.StartedAt));
            Meta("Finished", () => Time(run.FinishedAt));
            Meta("Duration", () => Text(ReportFacts.FormatDuration(run.DurationMs)));
            Meta("Fail on", () => Text(run.FailOn + (run.UnstableGate == UnstableGate.Incomplete ? ", unstable=incomplete" : "")));
            if (run.Repeat > 1)
                Meta("Repeat", () => Text(Invariant($"{run.Repeat} × each test")));
            Meta("Exit code", () => Code(summary.ExitCode.ToString(CultureInfo.InvariantCulture)));
            Meta("Completeness", () =>
            {
                Raw(run.Completeness.Complete ? "<span class=\"ok\">complete</span> · " : "<span class=\"bad\">incomplete</span> · ");
                Text(Invariant($"{run.Completeness.Executed} of {run.Completeness.Planned} planned tests ran"));
            });
            Meta("Filters", () => List(run.Filters, "none"));
            if (run.Faults.Count > 0)
            {
                Meta("DP faults", () => List(run.Faults, "none"));
            }

            if (run.Harness is { } harness)
            {
                // What an operator configures to certify without test control (the keys are public; a keys file's secret never appears).
                Meta("Harness seed", () => Code(harness.Seed ?? $"keys file {harness.KeysFile}"));
                Meta("Harness keys", () =>
                {
                    Raw("<ul class=\"harness-keys\" id=\"harness-keys\">");
                    foreach (var key in harness.Keys)
                    {
                        Raw("<li>");
                        Text($"{key.Role} {key.Owner} kid ");
                        Code(key.Kid);
                        Raw(" key ");
                        Code(key.PublicKey);
                        Raw("</li>");
                    }

                    Raw("</ul>");
                });
                Meta("Trust body", () => Code(harness.TrustBody));
            }

            if (report.Summary.Verification.NotVerifiable.Count > 0)
            {
                Meta("Not verifiable", () => List(report.Summary.Verification.NotVerifiable, "none"));
            }

            Raw("</dl>\n</header>\n");
        }

        private void Banners()
        {
            var completeness = report.Run.Completeness;
            if (!completeness.Complete)
            {
                Raw("<div class=\"banner banner-bad\" id=\"incomplete-banner\" role=\"alert\"><strong>Incomplete run.</strong> ");
                Text(Invariant($"Only {completeness.Executed} of {completeness.Planned} planned tests ran"));
                if (!string.IsNullOrWhiteSpace(completeness.Reason))
                {
                    Raw(": ");
                    Text(completeness.Reason);
                }

                Raw(". This report is not a full certification.</div>\n");
            }

            if (report.Run.Faults.Count > 0)
            {
                Raw("<div class=\"banner banner-info\" id=\"fault-banner\">The reference DP ran with deliberate fault modes: ");
                List(report.Run.Faults, string.Empty);
                Raw(". Failures are expected for the requirements those faults break.</div>\n");
            }
        }

        private void TriageSection()
        {
            var groups = Triage.Groups(report);
            var anchors = Triage.TestAnchors(report);
            Raw("<section id=\"triage\" class=\"card triage\">\n<h2>What to do next</h2>\n");
            var actionable = groups.Count(g => g.Kind is TriageKind.RootCause or TriageKind.Error);
            if (actionable == 0)
            {
                Raw("<p class=\"empty\" id=\"next-steps-none\">No failure to fix.</p>\n");
            }

            Raw("<ol class=\"next-steps\" id=\"next-steps\">\n");
            var first = true;
            foreach (var group in groups)
            {
                var kind = group.Kind switch
                {
                    TriageKind.RootCause => "root-cause",
                    TriageKind.Error => "error",
                    TriageKind.NotVerifiable => "not-verifiable",
                    _ => "not-applicable",
                };
                var isFirst = first && group.Kind == TriageKind.RootCause;
                first = false;
                var n = group.Items.Count;
                Raw("<li class=\"triage-group kind-");
                Raw(kind);
                Raw("\" data-kind=\"");
                Raw(kind);
                Raw("\" data-count=\"");
                Raw(n.ToString(CultureInfo.InvariantCulture));
                Raw(isFirst ? "\" data-first=\"true\">" : "\">");
                Raw("<details");
                Raw(group.Kind is TriageKind.NotApplicable ? ">" : " open>");
                Raw("<summary class=\"triage-head\">");
                if (isFirst)
                {
                    Raw("<span class=\"tag tag-first\" title=\"Gating, and the cause that breaks the most items\">fix first</span> ");
                }

                if (group.Gating && group.Kind is TriageKind.RootCause or TriageKind.Error)
                {
                    Raw("<span class=\"tag tag-gating\">gating</span> ");
                }

                var items = n == 1 ? "1 item" : Invariant($"{n} items");
                switch (group.Kind)
                {
                    case TriageKind.RootCause:
                    case TriageKind.Error:
                        Raw("<b>");
                        Text(group.Kind == TriageKind.Error ? items + " could not be judged, one cause" : items + (n == 1 ? " fails" : " fail, one root cause"));
                        Raw("</b>: check <code>");
                        Text(group.Cause);
                        Raw("</code>");
                        if (group.Endpoint.Length > 0)
                        {
                            Raw(" on <code>");
                            Text(group.Endpoint);
                            Raw("</code>");
                        }

                        break;
                    case TriageKind.NotVerifiable:
                        Raw("<b>");
                        Text(items + (n == 1 ? " needs" : " need") + " the same remedy");
                        Raw("</b> (not verifiable)");
                        break;
                    default:
                        Raw("<b>");
                        Text(items + (n == 1 ? " does" : " do") + " not apply, for the same reason");
                        Raw("</b>");
                        break;
                }

                Raw("</summary><p class=\"why\">");
                Text(group.Kind is TriageKind.RootCause or TriageKind.Error ? group.Items[0].Reason : group.Cause);
                Raw("</p><ul class=\"triage-items\">");
                foreach (var item in group.Items)
                {
                    Raw("<li data-id=\"");
                    Text(item.Id);
                    Raw("\"><a href=\"#");
                    Text(item.Anchor);
                    Raw("\"><code>");
                    Text(item.Id);
                    Raw("</code></a>");
                    if (item.Gating)
                    {
                        Raw(" <span class=\"muted\">gating</span>");
                    }

                    Raw("</li>");
                }

                Raw("</ul></details></li>\n");
            }

            Raw("</ol>\n");
            if (report.Summary.GatingFailures.Count > 0)
            {
                Raw("<h3>Gating failures</h3>\n<ul class=\"id-list\" id=\"gating-failures\">\n");
                foreach (var id in report.Summary.GatingFailures.Distinct(StringComparer.Ordinal))
                {
                    GatingItem(id, anchors);
                }

                Raw("</ul>\n");
            }

            Raw("<h3>Verdict per class</h3>\n<ul class=\"class-verdicts\" id=\"class-verdicts\">");
            foreach (var name in ReportFacts.ClassNames(report))
            {
                var declared = report.Classes.FirstOrDefault(c => c.Class == name);
                var verdict = declared?.Verdict ?? VerdictNames.Worst(report.Requirements.Where(r => r.Class == name).Select(r => r.Verdict));
                Raw("<li data-class=\"");
                Text(name);
                Raw("\" data-verdict=\"");
                Raw(verdict.ToWire());
                Raw("\">");
                Chip(verdict);
                Raw(" ");
                Text(name);
                if (declared?.Claimed != true)
                {
                    Raw(" <span class=\"muted\">not claimed</span>");
                }

                Raw("</li>");
            }

            Raw("</ul>\n</section>\n");
        }

        private void GatingItem(string id, Dictionary<string, string> anchors)
        {
            var requirement = report.Requirements.FirstOrDefault(r => r.Id == id);
            var rule = requirement is null ? report.Rules.FirstOrDefault(r => r.Id == id) : null;
            var verdict = requirement?.Verdict ?? rule?.Verdict;
            var reason = requirement is not null
                ? requirement.Tests.FirstOrDefault(t => ReportFacts.IsProblem(t.Verdict))?.Reason
                : rule?.Tests.FirstOrDefault(t => ReportFacts.IsProblem(t.Verdict))?.Reason;
            var anchor = requirement is not null ? rowIds.GetValueOrDefault(id)
                : rule?.Tests.Select(t => anchors.GetValueOrDefault(t.Id)).FirstOrDefault(a => a is not null);
            Raw("<li data-id=\"");
            Text(id);
            Raw("\">");
            if (anchor is not null)
            {
                Raw("<a href=\"#");
                Raw(anchor);
                Raw("\"><code>");
                Text(id);
                Raw("</code></a> ");
            }
            else
            {
                Code(id);
                Raw(" ");
            }

            if (verdict is { } v)
            {
                Chip(v);
                Raw(" ");
            }

            Text(requirement?.Title ?? rule?.Section ?? string.Empty);
            Raw(" <span class=\"why\">");
            Text(Triage.OneLine(reason));
            Raw("</span></li>\n");
        }

        private void ChangedSection()
        {
            var changes = report.ChangedSince;
            var baseline = report.Baseline;
            if (changes is null && baseline is null)
            {
                return;
            }

            Raw("<section id=\"changed-since\" class=\"card\">\n<h2>Changed since</h2>\n");
            if (changes is not null)
            {
                Raw("<p>Run <code>");
                Text(changes.SinceRun);
                Raw("</code>, then <b>");
                Text(changes.SinceVerdict.ToWire());
                Raw("</b>, now <b>");
                Text(report.Summary.Verdict.ToWire());
                Raw("</b>.</p>\n");
                ChangeList("New failures", "new-failure", changes.NewFailures);
                ChangeList("Fixed", "fixed", changes.Fixed);
                if (changes.Changes.Count == 0)
                {
                    Raw("<p class=\"empty\" id=\"no-changes\">No verdict changed.</p>\n");
                }
                else
                {
                    Raw("<table class=\"grid\" id=\"verdict-changes\"><thead><tr><th>ID</th><th>Kind</th><th>Before</th><th>Now</th></tr></thead><tbody>\n");
                    foreach (var c in changes.Changes)
                    {
                        Raw("<tr data-change=\"changed\" data-id=\"");
                        Text(c.Id);
                        Raw("\"><td><code>");
                        Text(c.Id);
                        Raw("</code></td><td>");
                        Text(c.Kind);
                        Raw("</td><td>");
                        Text(c.Before);
                        Raw("</td><td>");
                        Text(c.After);
                        Raw("</td></tr>\n");
                    }

                    Raw("</tbody></table>\n");
                }
            }

            if (baseline is not null)
            {
                Raw("<h3>Against the baseline <code>");
                Text(Path.GetFileName(baseline.File));
                Raw("</code>: ");
                Text(baseline.Status);
                Raw("</h3>\n");
                ChangeList("New failures (not in the baseline)", "baseline-new-failure", baseline.NewFailures);
                ChangeList("Fixed (listed, now passing: remove them from the baseline)", "baseline-fixed", baseline.Fixed);
            }

            Raw("</section>\n");
        }

        private void ChangeList(string title, string kind, IReadOnlyList<string> ids)
        {
            Raw("<h3>");
            Text(Invariant($"{title} ({ids.Count})"));
            Raw("</h3><ul class=\"id-list\">");
            foreach (var id in ids)
            {
                Raw("<li data-change=\"");
                Raw(kind);
                Raw("\" data-id=\"");
                Text(id);
                Raw("\">");
                if (rowIds.TryGetValue(id, out var row))
                {
                    Raw("<a href=\"#");
                    Raw(row);
                    Raw("\"><code>");
                    Text(id);
                    Raw("</code></a>");
                }
                else
                {
                    Code(id);
                }

                Raw("</li>");
            }

            Raw("</ul>\n");
        }

        private void SummarySection()
        {
            var requirementCounts = ReportFacts.RequirementCounts(report);
            var testCounts = ReportFacts.TestCounts(report);
            var total = report.Requirements.Count;
            Raw("<section id=\"summary\" class=\"card\">\n<h2>Summary</h2>\n<div class=\"counts\">\n");
            Raw("<div class=\"count-group\" id=\"requirement-counts\"><h3>");
            Text(Invariant($"Requirements ({total})"));
            Raw("</h3><div class=\"chips\">");
            foreach (var verdict in ReportFacts.VerdictsWorstFirst.Where(v => requirementCounts[v] > 0))
            {
                Raw("<button type=\"button\" class=\"chip chip-count ");
                Raw(ChipClass(verdict));
                Raw("\" data-filter-verdict=\"");
                Raw(verdict.ToWire());
                Raw("\" data-count=\"");
                Raw(requirementCounts[verdict].ToString(CultureInfo.InvariantCulture));
                Raw("\" title=\"Show only these requirements\"><b>");
                Raw(requirementCounts[verdict].ToString(CultureInfo.InvariantCulture));
                Raw("</b> ");
                Raw(verdict.ToWire());
                Raw("</button>");
            }

            if (total == 0)
            {
                Raw("<span class=\"muted\">no requirements in this run</span>");
            }

            Raw("</div>");
            Bar(requirementCounts, total);
            Raw("</div>\n<div class=\"count-group\" id=\"test-counts\"><h3>");
            Text(Invariant($"Tests ({testCounts.Values.Sum()})"));
            Raw("</h3><div class=\"chips\">");
            foreach (var verdict in ReportFacts.VerdictsWorstFirst.Where(v => testCounts[v] > 0))
            {
                Raw("<span class=\"chip chip-count ");
                Raw(ChipClass(verdict));
                Raw("\" data-verdict=\"");
                Raw(verdict.ToWire());
                Raw("\" data-count=\"");
                Raw(testCounts[verdict].ToString(CultureInfo.InvariantCulture));
                Raw("\"><b>");
                Raw(testCounts[verdict].ToString(CultureInfo.InvariantCulture));
                Raw("</b> ");
                Raw(verdict.ToWire());
                Raw("</span>");
            }

            Raw("</div>");
            Bar(testCounts, testCounts.Values.Sum());
            Raw("</div>\n</div>\n");

            Raw("</section>\n");
        }

        private void ClassesSection()
        {
            Raw("<section id=\"classes\" class=\"card\">\n<h2>Conformance classes</h2>\n");
            Raw("<table class=\"grid\" id=\"class-table\">\n<thead><tr><th>Class</th><th>Claimed by DP</th><th>Verdict</th><th class=\"num\">Requirements</th><th>Breakdown</th></tr></thead>\n<tbody>\n");
            foreach (var name in ReportFacts.ClassNames(report))
            {
                var declared = report.Classes.FirstOrDefault(c => c.Class == name);
                var members = report.Requirements.Where(r => r.Class == name).ToList();
                var verdict = declared?.Verdict ?? VerdictNames.Worst(members.Select(r => r.Verdict));
                var counts = ReportFacts.Count(members.Select(r => r.Verdict));
                Raw("<tr class=\"class-row\" data-class=\"");
                Text(name);
                Raw("\" data-verdict=\"");
                Raw(verdict.ToWire());
                Raw("\" data-claimed=\"");
                Raw(declared?.Claimed == true ? "true" : "false");
                Raw("\"><td><button type=\"button\" class=\"linkish\" data-filter-class=\"");
                Text(name);
                Raw("\" title=\"Show only this class\">");
                Text(name);
                Raw("</button></td><td>");
                Raw(declared is null ? "<span class=\"muted\">not declared</span>" : declared.Claimed ? "yes" : "<span class=\"muted\">no</span>");
                Raw("</td><td>");
                Chip(verdict);
                Raw("</td><td class=\"num\">");
                Raw(members.Count.ToString(CultureInfo.InvariantCulture));
                Raw("</td><td class=\"breakdown\">");
                Bar(counts, members.Count);
                Raw("<span class=\"breakdown-text\">");
                Text(string.Join(" · ", ReportFacts.VerdictsWorstFirst.Where(v => counts[v] > 0)
                    .Select(v => Invariant($"{counts[v]} {v.ToWire()}"))));
                Raw("</span></td></tr>\n");
            }

            Raw("</tbody>\n</table>\n</section>\n");
        }

        private void UntestedSection()
        {
            var untested = ReportFacts.UntestedMust(report);
            Raw("<section id=\"untested\" class=\"card\">\n<h2>Untested MUST requirements <span class=\"pill\" id=\"untested-must-count\">");
            Raw(untested.Count.ToString(CultureInfo.InvariantCulture));
            Raw("</span></h2>\n");
            if (untested.Count == 0)
            {
                Raw("<p class=\"empty\" id=\"untested-must-none\">Every MUST requirement in this run is covered by at least one test.</p>\n");
            }
            else
            {
                Raw("<p class=\"muted\">No test in this suite version covers these; the report says nothing about whether the DP meets them.</p>\n<ul class=\"id-list\" id=\"untested-must-list\">\n");
                foreach (var requirement in untested)
                {
                    RequirementListItem(requirement.Id);
                }

                Raw("</ul>\n");
            }

            Raw("</section>\n");
        }

        private void RequirementsSection()
        {
            Raw("<section id=\"requirements\" class=\"card\">\n<h2>Requirements</h2>\n<div class=\"toolbar\" role=\"search\">\n");
            Raw("<label>Class <select id=\"filter-class\"><option value=\"\">All classes</option>");
            foreach (var name in ReportFacts.ClassNames(report))
            {
                Option(name, name);
            }

            Raw("</select></label>\n<label>Level <select id=\"filter-level\"><option value=\"\">All levels</option>");
            foreach (var level in ReportFacts.LevelNames(report))
            {
                Option(level, level);
            }

            Raw("</select></label>\n<label>Verdict <select id=\"filter-verdict\"><option value=\"\">All verdicts</option>");
            var counts = ReportFacts.RequirementCounts(report);
            foreach (var verdict in ReportFacts.VerdictsWorstFirst)
            {
                Option(verdict.ToWire(), Invariant($"{verdict.ToWire()} ({counts[verdict]})"));
            }

            Raw("</select></label>\n<label class=\"grow\">Search <input type=\"search\" id=\"search\" placeholder=\"ID, title, quote, test…\" autocomplete=\"off\" spellcheck=\"false\"></label>\n");
            Raw("<span id=\"visible-count\" class=\"muted\" aria-live=\"polite\">");
            Text(Invariant($"{report.Requirements.Count} requirements"));
            Raw("</span>\n<span class=\"toolbar-buttons\"><button type=\"button\" id=\"expand-all\">Expand all</button><button type=\"button\" id=\"collapse-all\">Collapse all</button></span>\n</div>\n");
            Raw("<table class=\"grid req-table\" id=\"requirement-table\">\n<thead><tr><th class=\"col-toggle\"><span class=\"sr-only\">Expand</span></th><th>Verdict</th><th>ID</th><th>Title</th><th>Level</th><th>Class</th><th class=\"num\">Tests</th></tr></thead>\n<tbody>\n");
            for (var i = 0; i < report.Requirements.Count; i++)
            {
                RequirementRows(report.Requirements[i], "r" + i.ToString(CultureInfo.InvariantCulture), ChunkOf(i));
                if ((i + 1) % RowsPerChunk == 0 || i == report.Requirements.Count - 1)
                {
                    if (chunk.Count > 0)
                    {
                        evidence[ChunkOf(i)] = Deflate(chunk);
                    }

                    chunk.Clear();
                }
            }

            Raw("</tbody>\n<tbody id=\"no-match\" hidden><tr><td colspan=\"");
            Raw(RequirementColumns.ToString(CultureInfo.InvariantCulture));
            Raw("\" class=\"empty\">No requirement matches the filters.</td></tr></tbody>\n</table>\n</section>\n");
        }

        private static string ChunkOf(int row) => "c" + (row / RowsPerChunk).ToString(CultureInfo.InvariantCulture);

        private void RequirementRows(RequirementResult requirement, string rowId, string chunkId)
        {
            Raw("<tr class=\"req-row\" id=\"");
            Raw(rowId);
            Raw("\" data-id=\"");
            Text(requirement.Id);
            Raw("\" data-verdict=\"");
            Raw(requirement.Verdict.ToWire());
            Raw("\" data-level=\"");
            Text(requirement.Level);
            Raw("\" data-class=\"");
            Text(requirement.Class);
            Raw("\" data-gating=\"");
            Raw(requirement.Gating ? "true" : "false");
            Raw("\" tabindex=\"0\" aria-expanded=\"false\" aria-controls=\"");
            Raw(rowId);
            Raw("-detail\">");
            Raw("<td class=\"col-toggle\"><span class=\"caret\" aria-hidden=\"true\"></span></td><td>");
            Chip(requirement.Verdict);
            Raw("</td><td class=\"req-id\"><code>");
            Text(requirement.Id);
            Raw("</code></td><td class=\"req-title\">");
            Text(requirement.Title);
            if (requirement.Gating && ReportFacts.IsProblem(requirement.Verdict))
            {
                Raw(" <span class=\"tag tag-gating\" title=\"This requirement decides the exit code\">gating</span>");
            }

            Raw("</td><td><span class=\"level level-");
            Text(requirement.Level.ToLowerInvariant());
            Raw("\">");
            Text(requirement.Level);
            Raw("</span></td><td>");
            Text(requirement.Class);
            Raw("</td><td class=\"num\">");
            Raw(requirement.Tests.Count.ToString(CultureInfo.InvariantCulture));
            Raw("</td></tr>\n");

            Raw("<tr class=\"req-detail\" id=\"");
            Raw(rowId);
            Raw("-detail\" data-chunk=\"");
            Raw(chunkId);
            Raw("\" data-for=\"");
            Raw(rowId);
            Raw("\"><td colspan=\"");
            Raw(RequirementColumns.ToString(CultureInfo.InvariantCulture));
            Raw("\"><div class=\"detail\">\n");
            if (!string.IsNullOrWhiteSpace(requirement.Quote))
            {
                Raw("<blockquote class=\"quote\">");
                Text(requirement.Quote);
                Raw("</blockquote>\n");
            }

            Raw("<p class=\"source muted\">Source: ");
            Text(string.Join(" ", new[] { requirement.Source.Doc, requirement.Source.Version, requirement.Source.Ref }.Where(s => !string.IsNullOrWhiteSpace(s))));
            Raw(" · ");
            Raw(requirement.Gating ? "gating (decides the exit code)" : "not gating under this run's --fail-on");
            Raw("</p>\n");
            if (requirement.Tests.Count == 0)
            {
                Raw("<p class=\"empty\">");
                Raw(requirement.Verdict == Verdict.Untested
                    ? "No test covers this requirement."
                    : "No test ran for this requirement.");
                Raw("</p>\n");
            }

            for (var t = 0; t < requirement.Tests.Count; t++)
            {
                var testId = rowId + "-t" + t.ToString(CultureInfo.InvariantCulture);
                TestBlock(requirement.Tests[t], testId);
                var page = w;
                using var fragment = new StringWriter(CultureInfo.InvariantCulture);
                w = fragment;
                fullBytes = requirement.Tests[t].Verdict is not (Verdict.Pass or Verdict.Declared);
                shownBodies.Clear();
                TestEvidence(requirement.Tests[t], testId);
                w = page;
                chunk[testId] = fragment.ToString();
            }

            Raw("</div></td></tr>\n");
        }

        private void TestBlock(TestResult test, string testId)
        {
            Raw("<article class=\"test\" id=\"");
            Raw(testId);
            Raw("\" data-test-id=\"");
            Text(test.Id);
            Raw("\" data-verdict=\"");
            Raw(test.Verdict.ToWire());
            Raw("\">\n<header class=\"test-head\">");
            Chip(test.Verdict);
            Raw("<h4 class=\"test-name\">");
            Text(test.Name);
            Raw("</h4><code class=\"test-id\">");
            Text(test.Id);
            Raw("</code><span class=\"muted duration\">");
            Text(ReportFacts.FormatDuration(test.DurationMs));
            Raw("</span></header>\n");
            if (!string.IsNullOrWhiteSpace(test.Reason))
            {
                Raw("<p class=\"reason\">");
                Text(test.Reason);
                Raw("</p>\n");
            }

            Repetitions(test);
            if (test.Checks.Count > 0 || test.Exchanges.Count > 0 || (test.Reproducer is not null && ReportFacts.IsProblem(test.Verdict)))
            {
                Raw("<div class=\"evidence\" data-evidence=\"");
                Raw(testId);
                Raw("\"><p class=\"muted loading\">");
                Text(Invariant($"{test.Checks.Count} checks, {test.Exchanges.Count} exchanges: shown when opened."));
                Raw("</p></div>\n");
            }

            Raw("</article>\n");
        }

        /// <summary>Each repetition's outcome (run --repeat N), in order, for an unstable test: how its verdict came about (agreeing repetitions are in report.json only).</summary>
        private void Repetitions(TestResult test)
        {
            if (test.Verdict != Verdict.Unstable || test.Repetitions is not { Count: > 0 } repetitions)
                return;
            Raw("<ol class=\"repetitions\" aria-label=\"Repetitions\">\n");
            foreach (var repetition in repetitions)
            {
                Raw("<li class=\"repetition\" data-verdict=\"");
                Raw(repetition.Verdict.ToWire());
                Raw("\"><span class=\"muted\">");
                Text(Invariant($"repetition {repetition.N}"));
                Raw("</span> ");
                Chip(repetition.Verdict);
                Raw(" <span class=\"muted duration\">");
                Text(ReportFacts.FormatDuration(repetition.DurationMs));
                Raw("</span>");
                if (!string.IsNullOrWhiteSpace(repetition.Reason))
                {
                    Raw(" <span class=\"repetition-reason\">");
                    Text(repetition.Reason);
                    Raw("</span>");
                }

                Raw("</li>\n");
            }

            Raw("</ol>\n");
        }

        /// <summary>Checks (each linked to its exchange), byte diffs, exchanges and the reproducer: one compressed fragment.</summary>
        private void TestEvidence(TestResult test, string testId)
        {
            if (test.Checks.Count > 0)
            {
                Raw("<table class=\"checks\">\n<thead><tr><th class=\"col-tick\"><span class=\"sr-only\">Result</span></th><th>Check</th><th>Expected</th><th>Actual</th><th>On</th></tr></thead>\n<tbody>\n");
                foreach (var check in test.Checks)
                {
                    Raw(check.Passed
                        ? "<tr class=\"check check-pass\" data-passed=\"true\"><td class=\"col-tick\"><span class=\"tick\" title=\"held\">✓</span></td><td>"
                        : "<tr class=\"check check-fail\" data-passed=\"false\"><td class=\"col-tick\"><span class=\"tick\" title=\"did not hold\">✗</span></td><td>");
                    Text(check.Name);
                    Raw("</td><td><pre class=\"val expected\">");
                    Text(check.Expected);
                    Raw("</pre></td><td><pre class=\"val actual\">");
                    Text(check.Actual);
                    Raw("</pre></td><td class=\"check-on\">");
                    var index = check.Exchange is { } seq ? IndexOf(test.Exchanges, seq) : -1;
                    if (index >= 0)
                    {
                        Raw("<a class=\"check-exchange\" href=\"#");
                        Raw(testId + "-x" + index.ToString(CultureInfo.InvariantCulture));
                        Raw("\" title=\"The exchange this check was made on\">#");
                        Raw(check.Exchange!.Value.ToString(CultureInfo.InvariantCulture));
                        Raw("</a>");
                    }

                    Raw("</td></tr>\n");
                }

                Raw("</tbody>\n</table>\n");
            }

            var diffs = ExchangeEvidence.PayloadDiffs(test);
            foreach (var diff in diffs)
            {
                ByteDiff(diff, test, testId);
            }

            if (test.Exchanges.Count > 0)
            {
                Raw("<div class=\"exchanges\">\n<h5>");
                Text(test.Exchanges.Count == 1 ? "1 exchange" : Invariant($"{test.Exchanges.Count} exchanges"));
                Raw("</h5>\n");
                var shown = ShownExchanges(test, diffs);
                bodyCap = ReportFacts.IsProblem(test.Verdict) ? int.MaxValue : PassingBodyShown;
                foreach (var x in shown)
                {
                    ExchangeBlock(test.Exchanges[x], testId + "-x" + x.ToString(CultureInfo.InvariantCulture));
                }

                if (shown.Count < test.Exchanges.Count)
                {
                    Raw("<p class=\"muted\">");
                    Text(Invariant($"{test.Exchanges.Count - shown.Count} more exchanges of this passing test are in report.json (this test's exchanges); the page shows the first {PassingExchangesShown} and those its checks name."));
                    Raw("</p>\n");
                }

                Raw("</div>\n");
            }

            if (test.Reproducer is not null && ReportFacts.IsProblem(test.Verdict))
            {
                Raw("<div class=\"repro\"><div class=\"repro-head\"><h5>Reproducer</h5><button type=\"button\" class=\"copy\" data-copy=\"");
                Raw(testId);
                Raw("-repro\">Copy</button></div><pre class=\"reproducer\" id=\"");
                Raw(testId);
                Raw("-repro\">");
                Text(test.Reproducer);
                Raw("</pre></div>\n");
            }
        }

        private void ExchangeBlock(Exchange exchange, string id)
        {
            var inbound = ExchangeEvidence.IsInbound(exchange);
            var statusClass = exchange.Status switch
            {
                null when inbound => "status-inbound",
                null => "status-none",
                < 300 => "status-2xx",
                < 400 => "status-3xx",
                < 500 => "status-4xx",
                _ => "status-5xx",
            };
            Raw("<details class=\"exchange\" id=\"");
            Raw(id);
            Raw("\" data-seq=\"");
            Raw(exchange.Seq.ToString(CultureInfo.InvariantCulture));
            Raw("\" data-direction=\"");
            Raw(inbound ? "inbound" : "outbound");
            Raw("\" data-status=\"");
            Raw(exchange.Status?.ToString(CultureInfo.InvariantCulture) ?? string.Empty);
            Raw("\"><summary><span class=\"seq\">#");
            Raw(exchange.Seq.ToString(CultureInfo.InvariantCulture));
            Raw("</span>");
            Raw(inbound
                ? "<span class=\"direction direction-inbound\" title=\"A request the harness received (a fake peer it runs): it served the answer, so there is no DP response\">inbound</span>"
                : "<span class=\"direction direction-outbound\" title=\"A request the harness sent to the DP\">to DP</span>");
            Raw("<span class=\"method\">");
            Text(exchange.Method);
            Raw("</span><span class=\"url\">");
            Text(exchange.Url);
            Raw("</span><span class=\"status ");
            Raw(statusClass);
            Raw("\">");
            Text(exchange.Status?.ToString(CultureInfo.InvariantCulture) ?? (inbound ? "received" : "no response"));
            Raw("</span><span class=\"elapsed muted\">");
            Text(inbound ? string.Empty : ReportFacts.FormatDuration(exchange.ElapsedMs));
            Raw("</span></summary>\n<div class=\"exchange-body\">\n<div class=\"pane\"><h6>");
            Raw(inbound ? "Request the harness received" : "Request the harness sent");
            Raw("</h6>");
            Headers(exchange.RequestHeaders);
            Body(exchange.RequestBody, "request-body", truncated: false, id + "-req");
            Raw("</div>\n");
            if (!inbound || exchange.Status is not null)
            {
                Raw("<div class=\"pane\"><h6>Response from the DP</h6>");
                if (exchange.Status is null && exchange.ResponseHeaders.Count == 0 && exchange.ResponseBody is null)
                {
                    Raw("<p class=\"muted\">No response.</p>");
                }
                else
                {
                    Headers(exchange.ResponseHeaders);
                    Body(exchange.ResponseBody, "response-body", exchange.ResponseTruncated, id + "-res");
                }

                Raw("</div>\n");
            }

            if (!string.IsNullOrWhiteSpace(exchange.Error))
            {
                Raw("<p class=\"exchange-error\"><strong>Error:</strong> ");
                Text(exchange.Error);
                Raw("</p>\n");
            }

            var fields = ExchangeEvidence.Fields(exchange);
            for (var f = 0; f < fields.Count; f++)
            {
                var cborId = id + "-c" + f.ToString(CultureInfo.InvariantCulture);
                Raw("<div class=\"pane\"><div class=\"pane-head\"><h6>");
                Text(char.ToUpperInvariant(fields[f].Side[0]) + fields[f].Side[1..]);
                Raw(" · <code>");
                Text(fields[f].Path);
                Raw("</code> · CBOR diagnostic notation, annotated (PROFILE.md §4)</h6>");
                CopyButton(cborId);
                Raw("</div><pre class=\"cbor\" data-side=\"");
                Text(fields[f].Side);
                Raw("\" id=\"");
                Raw(cborId);
                Raw("\">");
                Text(CborAnnotator.Render(fields[f].Bytes, abbreviate: !fullBytes));
                Raw("</pre></div>\n");
            }

            if (fields.Count == 0 && exchange.CborDiagnostic.Count > 0)
            {
                Raw("<div class=\"pane\"><h6>CBOR, diagnostic notation</h6><pre class=\"cbor\">");
                Text(string.Join("\n", exchange.CborDiagnostic));
                Raw("</pre></div>\n");
            }

            Raw("</div>\n</details>\n");
        }

        private void ByteDiff(PayloadDiff diff, TestResult test, string testId)
        {
            const int Row = 16;
            Raw("<section class=\"byte-diff\" data-csi=\"");
            Text(diff.Csi);
            Raw("\"><h5>Payload bytes differ: published (expected) against served</h5><p class=\"muted\">");
            Text(Invariant($"CSI {diff.Csi}: published {diff.Published.Length} bytes in "));
            ExchangeLink(test, testId, diff.PublishedSeq);
            Text(Invariant($", served {diff.Served.Length} bytes in "));
            ExchangeLink(test, testId, diff.ServedSeq);
            Text(Invariant($"; first difference at byte {FirstDifference(diff.Published, diff.Served)}. PROFILE.md §4.1: the payload is kept byte for byte."));
            Raw("</p><table class=\"diff\"><thead><tr><th class=\"num\">offset</th><th>published (expected)</th><th>served</th></tr></thead><tbody>\n");
            var rows = (Math.Max(diff.Published.Length, diff.Served.Length) + Row - 1) / Row;
            for (var r = 0; r < Math.Min(rows, 256); r++)
            {
                var at = r * Row;
                Raw("<tr><td class=\"num\">");
                Raw(at.ToString("x4", CultureInfo.InvariantCulture));
                Raw("</td><td class=\"hex\">");
                HexRow(diff.Published, diff.Served, at, Row);
                Raw("</td><td class=\"hex\">");
                HexRow(diff.Served, diff.Published, at, Row);
                Raw("</td></tr>\n");
            }

            Raw("</tbody></table></section>\n");
        }

        private void HexRow(byte[] mine, byte[] theirs, int at, int count)
        {
            for (var i = at; i < at + count && i < mine.Length; i++)
            {
                var differs = i >= theirs.Length || theirs[i] != mine[i];
                Raw(differs ? "<mark>" : "<span>");
                Raw(mine[i].ToString("x2", CultureInfo.InvariantCulture));
                Raw(differs ? "</mark>" : "</span>");
            }
        }

        private static int FirstDifference(byte[] a, byte[] b)
        {
            var n = Math.Min(a.Length, b.Length);
            for (var i = 0; i < n; i++)
            {
                if (a[i] != b[i])
                {
                    return i;
                }
            }

            return n;
        }

        private void ExchangeLink(TestResult test, string testId, int seq)
        {
            var index = IndexOf(test.Exchanges, seq);
            Raw("<a class=\"check-exchange\" href=\"#");
            Raw(testId + "-x" + index.ToString(CultureInfo.InvariantCulture));
            Raw("\">#");
            Raw(seq.ToString(CultureInfo.InvariantCulture));
            Raw("</a>");
        }

        private static int IndexOf(IReadOnlyList<Exchange> exchanges, int seq)
        {
            for (var i = 0; i < exchanges.Count; i++)
            {
                if (exchanges[i].Seq == seq)
                {
                    return i;
                }
            }

            return -1;
        }

        private void CopyButton(string target)
        {
            Raw("<button type=\"button\" class=\"copy\" data-copy=\"");
            Raw(target);
            Raw("\">Copy</button>");
        }

        private void Headers(IReadOnlyDictionary<string, string> headers)
        {
            if (headers.Count == 0)
            {
                return;
            }

            Raw("<pre class=\"headers\">");
            var first = true;
            foreach (var (name, value) in headers)
            {
                if (!first)
                {
                    Raw("\n");
                }

                first = false;
                Raw("<span class=\"h-name\">");
                Text(name);
                Raw("</span>: ");
                Text(value);
            }

            Raw("</pre>");
        }

        /// <summary>How much of each body the test being rendered shows (passing tests: the start; the rest is in report.json).</summary>
        private int bodyCap = int.MaxValue;

        private void Body(string? body, string cssClass, bool truncated, string id)
        {
            if (body is null)
            {
                return;
            }

            if (body.Length > 200 && shownBodies.TryGetValue(body, out var first))
            {
                Raw("<p class=\"muted same-body\">The same body as <a href=\"#");
                Raw(first);
                Raw("\">the one shown above</a>.</p>");
                return;
            }

            if (body.Length > 200)
            {
                shownBodies[body] = id;
            }

            Raw("<div class=\"pane-head\"><span class=\"muted\">body</span>");
            CopyButton(id);
            Raw("</div><pre class=\"body ");
            Raw(cssClass);
            Raw("\" id=\"");
            Raw(id);
            Raw("\">");
            Text(body.Length > bodyCap ? body[..bodyCap] : body);
            Raw("</pre>");
            if (body.Length > bodyCap)
            {
                Raw("<p class=\"muted\">");
                Text(Invariant($"The first {bodyCap} of {body.Length} characters of a passing test's body; report.json has it whole."));
                Raw("</p>");
            }

            if (truncated)
            {
                Raw("<p class=\"muted truncated\">Body truncated by the harness's size cap.</p>");
            }
        }

        private void LegendSection()
        {
            Raw("<section id=\"legend\" class=\"card\">\n<h2>Verdict legend</h2>\n<dl class=\"legend\">\n");
            foreach (var verdict in ReportFacts.VerdictsWorstFirst)
            {
                Raw("<div><dt>");
                Chip(verdict);
                Raw("</dt><dd>");
                Text(Legend[verdict]);
                Raw("</dd></div>\n");
            }

            Raw("</dl>\n<p class=\"muted\">A requirement takes the worst verdict of its tests. Overall: <b>compliant</b> when every gating requirement holds (exit 0), <b>non-compliant</b> when one fails (exit 1), <b>error</b> on a configuration or harness error (exit 2), <b>incomplete</b> when a gating rule or requirement could not be observed (exit 3): never a certificate.</p>\n</section>\n");
        }

        private void RequirementListItem(string id)
        {
            var requirement = report.Requirements.FirstOrDefault(r => r.Id == id);
            Raw("<li data-id=\"");
            Text(id);
            Raw("\">");
            if (requirement is not null && rowIds.TryGetValue(id, out var rowId))
            {
                Raw("<a href=\"#");
                Raw(rowId);
                Raw("\"><code>");
                Text(id);
                Raw("</code></a> ");
                Chip(requirement.Verdict);
                Raw(" ");
                Text(requirement.Title);
                Raw(" <span class=\"muted\">");
                Text(requirement.Level + " · " + requirement.Class);
                Raw("</span>");
            }
            else
            {
                Raw("<code>");
                Text(id);
                Raw("</code>");
            }

            Raw("</li>\n");
        }

        private void Bar(IReadOnlyDictionary<Verdict, int> counts, int total)
        {
            if (total <= 0)
            {
                return;
            }

            Raw("<div class=\"bar\" role=\"img\" aria-label=\"");
            Text(string.Join(", ", ReportFacts.VerdictsWorstFirst.Where(v => counts[v] > 0).Select(v => Invariant($"{counts[v]} {v.ToWire()}"))));
            Raw("\">");
            foreach (var verdict in ReportFacts.VerdictsWorstFirst.Where(v => counts[v] > 0))
            {
                Raw("<span class=\"seg seg-");
                Raw(verdict.ToWire());
                Raw("\" style=\"width:");
                Raw((100.0 * counts[verdict] / total).ToString("0.###", CultureInfo.InvariantCulture));
                Raw("%\"></span>");
            }

            Raw("</div>");
        }

        private void Meta(string label, Action value)
        {
            Raw("<div><dt>");
            Text(label);
            Raw("</dt><dd>");
            value();
            Raw("</dd></div>\n");
        }

        private void List(IReadOnlyList<string> items, string empty)
        {
            if (items.Count == 0)
            {
                Raw("<span class=\"muted\">");
                Text(empty);
                Raw("</span>");
                return;
            }

            for (var i = 0; i < items.Count; i++)
            {
                if (i > 0)
                {
                    Raw(" ");
                }

                Code(items[i]);
            }
        }

        private void Time(DateTimeOffset at)
        {
            Raw("<time datetime=\"");
            Text(at.ToString("O", CultureInfo.InvariantCulture));
            Raw("\">");
            Text(ReportFacts.FormatTimestamp(at).Replace('T', ' '));
            Raw("</time>");
        }

        private void Option(string value, string label)
        {
            Raw("<option value=\"");
            Text(value);
            Raw("\">");
            Text(label);
            Raw("</option>");
        }

        private void Chip(Verdict verdict)
        {
            Raw("<span class=\"chip ");
            Raw(ChipClass(verdict));
            Raw("\">");
            Raw(verdict.ToWire());
            Raw("</span>");
        }

        private void Code(string text)
        {
            Raw("<code>");
            Text(text);
            Raw("</code>");
        }

        private void Raw(string html) => w.Write(html);

        private void Text(string? text) => Html.Encode(w, text);
    }

    private static string ChipClass(Verdict verdict) => "v-" + verdict.ToWire();

    private static string Invariant(FormattableString text) => FormattableString.Invariant(text);
}
