using System.Collections.Concurrent;
using FluentAssertions;
using Microsoft.Playwright;
using Mimi.Conformance.Reporting;
using Mimi.Conformance.Harness.Tests.Ci;
using Mimi.Conformance.Harness.Tests.Reporting;

namespace Mimi.Conformance.Harness.Tests.Browser;

/// <summary>
/// Opens report.html of a REAL run (reference DP with a fault) in chromium: filter to failures, expand one, read
/// its evidence and reproducer, take a screenshot, and prove the page made no request outside the file itself.
/// </summary>
public sealed class ReportHtmlBrowserTests(ChromiumFixture chromium) : IClassFixture<ChromiumFixture>
{
    private static string ScreenshotDir => Path.Combine(RepoPaths.Root, "reports", "test-results");

    private static string Asset(string name) =>
        File.ReadAllText(Path.Combine(RepoPaths.Root, "harness", "Mimi.Conformance.Reporting", "Assets", name)).ReplaceLineEndings("\n").Trim();

    [Fact]
    public async Task Failures_filter_drill_down_evidence_reproducer_and_no_external_requests()
    {
        var run = await RealRuns.Faulty;
        var browser = chromium.Browser;
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        var requests = new ConcurrentQueue<string>();
        var external = new ConcurrentQueue<string>();
        await context.RouteAsync("**/*", async route =>
        {
            var url = route.Request.Url;
            requests.Enqueue(url);
            if (url.StartsWith("file:", StringComparison.Ordinal) || url.StartsWith("data:", StringComparison.Ordinal) || url.StartsWith("about:", StringComparison.Ordinal))
            {
                await route.ContinueAsync();
            }
            else
            {
                external.Enqueue(url);
                await route.AbortAsync();
            }
        });
        var page = await context.NewPageAsync();
        page.Request += (_, r) =>
        {
            if (!r.Url.StartsWith("file:", StringComparison.Ordinal) && !r.Url.StartsWith("data:", StringComparison.Ordinal) && !r.Url.StartsWith("about:", StringComparison.Ordinal))
                external.Enqueue(r.Url);
        };
        var errors = new ConcurrentQueue<string>();
        page.PageError += (_, e) => errors.Enqueue(e);

        await page.GotoAsync(new Uri(Path.Combine(run.Directory, HtmlReportWriter.FileName)).AbsoluteUri);

        (await page.GetAttributeAsync("#overall-verdict", "data-verdict")).Should().Be("non-compliant");

        // The page runs the Reporting project's asset files (embedded resources), inlined as they are.
        (await page.EvaluateAsync<string>("() => document.querySelector('head style').textContent")).Trim().Should().Be(Asset("report.css"));
        (await page.EvaluateAsync<string>("() => document.querySelector('script:not([type])').textContent")).Trim().Should().Be(Asset("report.js"));
        (await page.EvaluateAsync<string>("() => getComputedStyle(document.body).getPropertyValue('--accent').trim()")).Should().NotBeEmpty("the stylesheet applies");
        var all = await page.Locator("tr.req-row").CountAsync();
        all.Should().Be(run.Report.Requirements.Count);

        // Filter to failures: only the faulty requirement stays visible.
        await page.SelectOptionAsync("#filter-verdict", "fail");
        var visible = page.Locator("tr.req-row:visible");
        (await visible.CountAsync()).Should().Be(1);
        (await visible.First.GetAttributeAsync("data-id")).Should().Be(RealRuns.FaultyRequirement);
        (await page.TextContentAsync("#visible-count"))!.Should().Contain("1");

        // Drill down.
        var row = visible.First;
        await row.ClickAsync();
        (await row.GetAttributeAsync("aria-expanded")).Should().Be("true");
        var detail = page.Locator("#" + await row.GetAttributeAsync("aria-controls"));
        await detail.WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Visible });
        var failing = detail.Locator("article.test[data-verdict=fail]");
        (await failing.CountAsync()).Should().BeGreaterThan(0);

        // Evidence: the failed check and an HTTP exchange with the DP.
        var test = failing.First;
        (await test.Locator("table.checks").InnerTextAsync()).Should().NotBeNullOrWhiteSpace();
        var exchange = test.Locator("details.exchange").First;
        await exchange.Locator("summary").ClickAsync();
        (await exchange.GetAttributeAsync("open")).Should().NotBeNull();
        (await exchange.InnerTextAsync()).Should().Contain("https://127.0.0.1:").And.MatchRegex("POST|GET");

        // Reproducer: curl lines and the one-requirement re-run.
        var reproducer = await test.Locator("pre.reproducer").InnerTextAsync();
        reproducer.Should().Contain("curl ").And.Contain($"--dp-fault {RealRuns.Fault} --seed ").And.Contain($"--only {RealRuns.FaultyRequirement}");

        Directory.CreateDirectory(ScreenshotDir);
        var shot = Path.Combine(ScreenshotDir, "report-html-failure.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = shot, FullPage = true });
        new FileInfo(shot).Length.Should().BeGreaterThan(1000);

        // Search narrows across all verdicts; clearing the filter shows everything again.
        await page.SelectOptionAsync("#filter-verdict", "");
        await page.FillAsync("#search", RealRuns.FaultyRequirement);
        (await page.Locator("tr.req-row:visible").CountAsync()).Should().Be(1);
        await page.FillAsync("#search", "");
        (await page.Locator("tr.req-row:visible").CountAsync()).Should().Be(all);

        requests.Should().NotBeEmpty("the route saw the page load itself");
        external.Should().BeEmpty("report.html is self-contained");
        errors.Should().BeEmpty();
    }
}
