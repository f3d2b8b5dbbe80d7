using Microsoft.Playwright;

namespace Mimi.Conformance.Harness.Tests.Browser;

/// <summary>
/// Playwright on Debian's chromium (Microsoft.Playwright.Xunit is not available): one headless browser per test
/// class. It never downloads a browser; when /usr/bin/chromium is missing or cannot start, every browser test fails
/// with the message below: a browser test that cannot run is a failure, never a silent pass.
/// </summary>
public sealed class ChromiumFixture : IAsyncLifetime
{
    public const string ExecutablePath = "/usr/bin/chromium";

    private static readonly string[] Args =
        ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"];

    private IPlaywright? _playwright;
    private IBrowser? _browser;
    private string? _launchError;

    public IBrowser Browser => _browser ?? throw new InvalidOperationException(
        $"chromium could not be launched from {ExecutablePath}: {_launchError}. Install it with `apt-get install -y chromium` (./run.sh test does this).");

    public async ValueTask InitializeAsync()
    {
        if (!File.Exists(ExecutablePath))
        {
            _launchError = "the file does not exist";
            return;
        }

        try
        {
            _playwright = await Playwright.CreateAsync();
            _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = ExecutablePath,
                Headless = true,
                Args = Args,
                Timeout = 60_000,
            });
        }
        catch (PlaywrightException e)
        {
            _launchError = e.Message.Split('\n')[0];
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null)
            await _browser.DisposeAsync();
        _playwright?.Dispose();
    }
}
