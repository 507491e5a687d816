using Microsoft.Playwright;

namespace Mote.Portal.Tests.Browser;

/// <summary>
/// Debian's Chromium (`apt-get install chromium`, done by .ci/run) driven by Playwright; no browser
/// download. Flags keep it off the network: this machine reaches nothing but the package registries.
/// </summary>
public static class HeadlessChromium
{
    public const string ExecutablePath = "/usr/bin/chromium";

    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync()
    {
        if (!File.Exists(ExecutablePath))
        {
            throw new InvalidOperationException($"{ExecutablePath} is missing: install Debian's chromium package (`apt-get install chromium`), as .ci/run does.");
        }
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
            ],
        });
        return (playwright, browser);
    }

    /// <summary>Where screenshots go: <c>MOTE_SCREENSHOT_DIR</c> (e.g. <c>docs/screenshots</c> to refresh the docs), else the test output.</summary>
    public static string ScreenshotPath(string name)
    {
        var dir = Environment.GetEnvironmentVariable("MOTE_SCREENSHOT_DIR");
        dir = string.IsNullOrWhiteSpace(dir) ? Path.Combine(AppContext.BaseDirectory, "screenshots") : Path.GetFullPath(dir);
        Directory.CreateDirectory(dir);
        return Path.Combine(dir, name);
    }
}
