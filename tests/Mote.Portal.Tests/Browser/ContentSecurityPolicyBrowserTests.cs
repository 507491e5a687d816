using Microsoft.Playwright;
using Mote.Portal.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Mote.Portal.Tests.Browser;

/// <summary>
/// Issue 14 item 5: every page of the portal, served over HTTPS with its Content-Security-Policy, in a real headless
/// Chromium, with no CSP violation reported (neither a <c>securitypolicyviolation</c> event nor a console message).
/// The tour enrolls a person and verifies a photo through the pages, so the person, verify-result and explanation
/// pages are shown with data (photos and heatmaps as <c>data:</c> images, sliders, popovers, charts), and it opens
/// tabs, the person picker and the user menu and switches the theme (MudBlazor rewrites its inline theme).
/// </summary>
[Trait("Category", "Browser")]
public sealed class ContentSecurityPolicyBrowserTests(ITestOutputHelper output) : IDisposable
{
    private const string Password = "correct horse battery";
    private const string PersonName = "Ada Example";
    private static readonly float Slow = (float)TimeSpan.FromMinutes(4).TotalMilliseconds;
    private readonly string _folder = Directory.CreateTempSubdirectory("mote-csp-").FullName;

    [Fact]
    public async Task EveryPage_WithTheContentSecurityPolicy_ReportsNoViolation()
    {
        var reference = await PhotoAsync("reference.jpg", 200, 200, 700, 700);
        var second = await PhotoAsync("second.jpg", 330, 330, 380, 360);
        await using var portal = await PortalProcess.StartAsync(
            new PortalStart(Https: true), $"--Mote:Models:CacheDir={DemoPhotos.ModelCache}", "--Mote:Models:ProvisionOnStart=true");
        var (playwright, browser) = await HeadlessChromium.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await HeadlessChromium.NewPageAsync(browser, 1280, 900);
        var violations = await CspViolations.WatchAsync(page);

        var visited = await TourAsync(portal, page, violations, reference, second);

        output.WriteLine($"{visited.Count} pages and states visited: {string.Join(", ", visited)}");
        output.WriteLine($"CSP violations: {violations.Events.Count} events, {violations.ConsoleMessages.Count} console messages");
        Assert.True(visited.Count >= 25, $"the tour reached only {visited.Count} steps: {string.Join(", ", visited)}");
        Assert.True(violations.Events.Count == 0 && violations.ConsoleMessages.Count == 0, violations.Describe());
    }

    /// <summary>
    /// Why <c>style-src</c> allows inline styles: the same shell with <c>'unsafe-inline'</c> taken out of it (the
    /// response header rewritten in the browser) is refused MudBlazor's theme element and its style attributes. Should
    /// this start to pass with no violations, MudBlazor no longer needs inline styles and the policy can drop them.
    /// </summary>
    [Fact]
    public async Task Shell_WithoutInlineStyles_IsRefusedMudBlazorsStyles_SoTheyStayAllowed()
    {
        await using var portal = await PortalProcess.StartAsync(new PortalStart(Https: true));
        var (playwright, browser) = await HeadlessChromium.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await HeadlessChromium.NewPageAsync(browser, 1280, 900);
        await StrictStylesAsync(page);
        var violations = await CspViolations.WatchAsync(page);

        await HeadlessChromium.SignInAsFirstAdminAsync(page, portal, "ada@example.org", Password);
        // Full page loads: the browser checks inline styles where it parses them. After the sign-in form's enhanced
        // navigation it has parsed the new page in a detached document, without a policy, and reports nothing.
        foreach (var path in new[] { "", "gallery", "audit", "settings" })
        {
            await page.GotoAsync(new Uri(portal.BaseAddress, path).ToString());
            await page.WaitForSelectorAsync("[data-interactive=true]");
        }
        await page.Locator("[data-testid=user-chip]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=sign-out-form] button[type=submit]")).ToBeVisibleAsync();
        await page.WaitForTimeoutAsync(500);

        output.WriteLine(violations.Describe());
        Assert.Contains(violations.Events, v => v.StartsWith("style-src-elem", StringComparison.Ordinal));
        Assert.Contains(violations.Events, v => v.StartsWith("style-src-attr", StringComparison.Ordinal));
        Assert.DoesNotContain(violations.Events, v => v.StartsWith("script-src", StringComparison.Ordinal));
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }

    /// <summary>Every page: the anonymous ones, then each interactive page with its tabs and states. Returns the steps.</summary>
    private static async Task<List<string>> TourAsync(PortalProcess portal, IPage page, CspViolations violations, string reference, string second)
    {
        var visited = new List<string>();
        async Task Step(string name, Func<Task> show)
        {
            violations.Where = name;
            await show();
            // Violations are reported asynchronously; give the last render a moment to land.
            await page.WaitForTimeoutAsync(300);
            visited.Add(name);
        }
        async Task Open(string path)
        {
            await page.GotoAsync(new Uri(portal.BaseAddress, path).ToString());
            await page.WaitForSelectorAsync("[data-interactive=true]");
        }
        var nav = page.Locator("[data-testid=nav]");

        // Anonymous, statically rendered pages.
        var setup = await portal.WaitForSetupLinkAsync();
        await Step("setup", () => page.GotoAsync(setup.ToString()));
        await Step("sign-in", () => page.GotoAsync(new Uri(portal.BaseAddress, "account/login").ToString()));
        await Step("reset-password (bad link)", async () =>
        {
            await page.GotoAsync(new Uri(portal.BaseAddress, "account/reset-password?token=not-a-token").ToString());
            await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        });
        await Step("sign-in and shell", () => HeadlessChromium.SignInAsFirstAdminAsync(page, portal, "ada@example.org", Password));
        await Step("home", async () =>
        {
            await Assertions.Expect(nav).ToContainTextAsync("Settings");
        });

        // Enrollment through the page: upload, faces drawn over the photo, name, background training.
        await Step("enroll (form)", () => Open("gallery/enroll"));
        await Step("enroll (faces on the photo)", async () =>
        {
            await page.Locator("input[type=file]").First.SetInputFilesAsync(reference);
            await Assertions.Expect(page.Locator("[data-testid=face-overlay]")).ToBeVisibleAsync(new() { Timeout = Slow });
            var usable = await page.Locator("[data-testid=face-box][data-accepted=true]").First.GetAttributeAsync("data-face");
            var option = page.Locator($"[data-testid=face-option][data-face='{usable}']");
            if (await option.CountAsync() > 0)
            {
                await option.ClickAsync();
            }
            await page.Locator("input[data-testid=enroll-name], [data-testid=enroll-name] input").First.FillAsync(PersonName);
            await Assertions.Expect(page.Locator("[data-testid=enroll-submit]")).ToBeEnabledAsync();
        });
        await Step("enroll (training, done)", async () =>
        {
            await page.ClickAsync("[data-testid=enroll-submit]");
            await Assertions.Expect(page.Locator("[data-testid=enroll-done]")).ToBeVisibleAsync(new() { Timeout = Slow });
        });
        await Step("person", async () =>
        {
            await page.ClickAsync("[data-testid=enroll-open-person]");
            await Assertions.Expect(page.Locator("[data-testid=person-name]")).ToHaveTextAsync(PersonName, new() { Timeout = Slow });
            await Assertions.Expect(page.Locator("[data-testid=balance-editor]")).ToBeVisibleAsync();
        });
        await Step("person (balance preview)", async () =>
        {
            await page.ClickAsync("[data-testid=person-preview]");
            await Assertions.Expect(page.Locator("[data-testid=preview-table]")).ToBeVisibleAsync(new() { Timeout = Slow });
        });
        await Step("person (erase confirmation)", async () =>
        {
            await page.ClickAsync("[data-testid=person-erase]");
            await Assertions.Expect(page.Locator("[data-testid=erase-confirm]")).ToBeVisibleAsync();
            await page.ClickAsync("[data-testid=erase-cancel]");
        });
        await Step("gallery", async () =>
        {
            await Open("gallery");
            await Assertions.Expect(page.Locator("[data-testid=people-table]")).ToContainTextAsync(PersonName);
        });

        // 1:1 through the page (person picker popover, result card), then the decision's explanation.
        await Step("verify", () => Open("verify"));
        await Step("verify (person picker)", async () =>
        {
            await page.Locator("[data-testid=person-picker] input").FillAsync("Ada");
            await page.Locator(".mud-popover-open .mud-list-item").GetByText(PersonName).ClickAsync();
        });
        await Step("verify (result)", async () =>
        {
            await page.Locator("[data-testid=verify-panel] input[type=file]").First.SetInputFilesAsync(second);
            await Assertions.Expect(page.Locator("[data-testid=probe-verify-chosen]")).ToContainTextAsync("second.jpg");
            await page.Locator("[data-testid=run-verify]").ClickAsync();
            await Assertions.Expect(page.Locator("[data-testid=verification-result]")).ToBeVisibleAsync(new() { Timeout = Slow });
        });
        var decisionId = (await page.Locator("[data-testid=verification-result] [data-testid=decision-id]").InnerTextAsync()).Trim();
        await Step("verify (1:N tab)", async () =>
        {
            await page.Locator(".mud-tab").GetByText("1:N identify").ClickAsync();
            await Assertions.Expect(page.Locator("[data-testid=identify-panel]")).ToBeVisibleAsync();
        });
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (portal.Scalar($"SELECT COUNT(*) FROM DecisionExplanations WHERE DecisionId = '{decisionId}'") == 0 && waited.Elapsed < TimeSpan.FromMinutes(2))
        {
            await Task.Delay(250);
        }
        await Step("explanation (occlusion heatmap)", async () =>
        {
            await Open($"explanations/{decisionId}");
            await Assertions.Expect(page.Locator("[data-testid=heatmap]")).ToBeVisibleAsync(new() { Timeout = Slow });
        });
        await Step("explanation (Grad-CAM++)", async () =>
        {
            await page.Locator("[data-testid='method-gradcam++']").ClickAsync();
            await Assertions.Expect(page.Locator("[data-testid=heatmap]")).ToHaveAttributeAsync("data-method", "gradcam++");
        });
        await Step("explanations", () => Open("explanations"));

        await Step("fairness (evaluation runs)", async () =>
        {
            await Open("fairness");
            await Assertions.Expect(page.Locator("[data-testid=evaluation-runs], [data-testid=evaluation-none]").First).ToBeVisibleAsync();
        });
        await Step("fairness (gallery risk)", async () =>
        {
            await page.GetByText("Gallery risk", new PageGetByTextOptions { Exact = true }).ClickAsync();
            await page.Locator("[data-testid=risk-run]").ClickAsync();
            await Assertions.Expect(page.Locator("[data-testid=risk-summary]")).ToContainTextAsync("of 1 people", new() { Timeout = Slow });
        });
        await Step("audit", async () =>
        {
            await Open("audit");
            await Assertions.Expect(page.Locator("[data-testid=audit-table]")).ToContainTextAsync("Sign in succeeded");
        });
        await Step("reports", () => Open("reports"));
        await Step("settings (users)", async () =>
        {
            await Open("settings");
            await Assertions.Expect(page.Locator("[data-testid=users-table]")).ToContainTextAsync("ada@example.org");
        });
        foreach (var tab in new[] { "API keys", "Retention", "Thresholds", "Model pack" })
        {
            await Step($"settings ({tab})", () => page.Locator(".mud-tab").GetByText(tab, new LocatorGetByTextOptions { Exact = true }).ClickAsync());
        }
        await Step("user menu", async () =>
        {
            await page.Locator("[data-testid=user-chip]").ClickAsync();
            await Assertions.Expect(page.Locator("[data-testid=sign-out-form] button[type=submit]")).ToBeVisibleAsync();
            await page.Keyboard.PressAsync("Escape");
        });
        await Step("dark theme", async () =>
        {
            await page.Locator("[data-testid=theme-toggle]").ClickAsync();
            await Assertions.Expect(page.Locator("[data-testid=theme-toggle]")).ToHaveAttributeAsync("data-mode", "dark");
        });
        await Step("dark theme (client-side navigation)", async () =>
        {
            await nav.GetByText("Gallery", new LocatorGetByTextOptions { Exact = true }).ClickAsync();
            await Assertions.Expect(page.Locator("[data-testid=people-table]")).ToContainTextAsync(PersonName);
        });
        await Step("not found", async () =>
        {
            await page.GotoAsync(new Uri(portal.BaseAddress, "not-found").ToString());
            await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        });
        await Step("error", async () =>
        {
            await page.GotoAsync(new Uri(portal.BaseAddress, "error").ToString());
            await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        });
        await Step("access denied", async () =>
        {
            await page.GotoAsync(new Uri(portal.BaseAddress, "account/access-denied").ToString());
            await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        });
        return visited;
    }

    /// <summary>Rewrites the policy of every response the page loads to forbid inline styles (a measurement, not the product's policy).</summary>
    private static Task StrictStylesAsync(IPage page) =>
        page.RouteAsync("**/*", async route =>
        {
            // Redirects go back to the browser as they came (followed here, the page would keep the old address).
            var response = await route.FetchAsync(new RouteFetchOptions { MaxRedirects = 0 });
            var headers = new Dictionary<string, string>(response.Headers, StringComparer.OrdinalIgnoreCase);
            if (headers.TryGetValue("content-security-policy", out var policy))
            {
                headers["content-security-policy"] = policy.Replace("style-src 'self' 'unsafe-inline'", "style-src 'self'", StringComparison.Ordinal);
            }
            await route.FulfillAsync(new RouteFulfillOptions { Response = response, Headers = headers });
        });

    private async Task<string> PhotoAsync(string name, int left, int top, int width, int height)
    {
        var path = Path.Combine(_folder, name);
        await File.WriteAllBytesAsync(path, await DemoPhotos.CropAsync("sample1.jpg", left, top, width, height));
        return path;
    }

    /// <summary>
    /// What the browser refused: each <c>securitypolicyviolation</c> event (directive, blocked resource, sample; from a
    /// listener added before any page script) and each console message about the Content Security Policy.
    /// </summary>
    private sealed class CspViolations
    {
        private const string Marker = "[csp-violation] ";
        private readonly Lock _gate = new();

        public List<string> Events { get; } = [];

        public List<string> ConsoleMessages { get; } = [];

        public string Where { get; set; } = "start";

        public static async Task<CspViolations> WatchAsync(IPage page)
        {
            var violations = new CspViolations();
            await page.AddInitScriptAsync(
                "document.addEventListener('securitypolicyviolation', e => console.info('" + Marker + "' + e.effectiveDirective + ' ' + (e.blockedURI || '-') + ' ' + (e.sample || '')));");
            page.Console += (_, message) => violations.Record(message.Text);
            return violations;
        }

        public string Describe()
        {
            lock (_gate)
            {
                return $"{Events.Count} CSP violation events, {Events.Distinct().Count()} distinct:\n  " + string.Join("\n  ", Events.GroupBy(e => e).Select(g => $"{g.Count()}x {g.Key}"))
                    + $"\n{ConsoleMessages.Count} console messages:\n  " + string.Join("\n  ", ConsoleMessages.Distinct().Take(20));
            }
        }

        private void Record(string text)
        {
            lock (_gate)
            {
                if (text.StartsWith(Marker, StringComparison.Ordinal))
                {
                    Events.Add($"{text[Marker.Length..]} [{Where}]");
                }
                else if (text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
                {
                    ConsoleMessages.Add($"{text} [{Where}]");
                }
            }
        }
    }
}
