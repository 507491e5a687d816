using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using Mote.Gallery.Audit;
using Mote.Gallery.Security;
using Mote.Gallery.Users;
using Mote.Portal.Tests.Infrastructure;

namespace Mote.Portal.Tests.Hosting;

/// <summary>Issue 14 item 6: no account enumeration by timing, and no lock-out of Admins by strangers (real portal process).</summary>
public sealed partial class SignInThrottlingTests
{
    [Fact]
    public async Task SignIn_RealAndUnknownEmail_AreRefusedInAboutTheSameTime()
    {
        // Limits out of the way: this test is about the cost of a refusal, not about throttling.
        await using var portal = await PortalProcess.StartAsync("--Mote:SignIn:FailuresPerAddress=1000", "--Mote:SignIn:AdminFreeFailures=1000");
        await PortalSession.CreateFirstAdminAsync(portal, "ada@example.org");
        // One real account per try, so no account reaches a lock-out (the old code locked after five).
        await using (var store = new PortalStore(portal))
        {
            for (var i = 0; i < 10; i++)
            {
                await store.RunAsync<CreateUser, UserSummary>(u => u.ExecuteAsync(Actor.Terminal("test"), $"op{i}@example.org", PortalSession.Password, Roles.Operator));
            }
        }
        using var client = portal.CreateClient();
        var form = await LoginFormAsync(client);

        var real = new List<double>();
        var unknown = new List<double>();
        // Warm-up pair (first hash of each kind, JIT), then interleaved pairs so load spikes hit both alike.
        await TimeAsync(client, form, "op9@example.org");
        await TimeAsync(client, form, "nobody@example.org");
        for (var i = 0; i < 9; i++)
        {
            real.Add(await TimeAsync(client, form, $"op{i}@example.org"));
            unknown.Add(await TimeAsync(client, form, $"nobody{i}@example.org"));
        }

        var ratio = Median(real) / Median(unknown);
        // Before: 3-5x (the unknown e-mail skipped the password hash); then 1.2-1.7x (a real account's failure count is written,
        // 118 vs 69 ms once on CI). Both refusals now last at least SignInUser.RefusalFloor (300 ms), so the medians meet there.
        Assert.True(ratio is > 0.6 and < 1.6, $"real/unknown median time ratio {ratio:F2} (real {Median(real):F0} ms, unknown {Median(unknown):F0} ms)");
        Assert.True(Median(unknown) >= SignInUser.RefusalFloor.TotalMilliseconds * 0.95, $"unknown e-mail refused in {Median(unknown):F0} ms, under the floor");
    }

    [Fact]
    public async Task SignIn_FiveWrongTriesFromOneAddress_StopThatAddressButNeverLockTheAdmin()
    {
        await using var portal = await PortalProcess.StartAsync();
        await PortalSession.CreateFirstAdminAsync(portal, "ada@example.org");
        using var stranger = portal.CreateClient();

        for (var i = 0; i < 5; i++)
        {
            using var wrong = await PortalSession.SignInAsync(stranger, "ada@example.org", $"guess number {i} wrong");
            Assert.Contains("E-mail or password is wrong.", await wrong.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        // The address is stopped, even with the right password.
        using (var sixth = await PortalSession.SignInAsync(stranger, "ada@example.org"))
        {
            Assert.Equal(HttpStatusCode.OK, sixth.StatusCode);
            Assert.Contains("Too many failed attempts", await sixth.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        Assert.Equal(1, portal.Scalar($"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.SignInThrottled}"));
        // The Admin is not locked out (before: locked for 15 minutes from anywhere) …
        Assert.Equal(0, portal.Scalar("SELECT COUNT(*) FROM AspNetUsers WHERE LockoutEnd IS NOT NULL"));
        // … only slowed down: after five failures the next check waits 2 s. From another address she signs in.
        await Task.Delay(2500);
        using var ada = PortalSession.ClientFrom(portal, IPAddress.Parse("127.0.0.2"));
        using var right = await PortalSession.SignInAsync(ada, "ada@example.org");
        Assert.Equal(HttpStatusCode.Redirect, right.StatusCode);
    }

    [Fact]
    public async Task SignIn_AdminGuessedFromManyAddresses_WaitsProgressivelyButIsNotLocked()
    {
        await using var portal = await PortalProcess.StartAsync("--Mote:SignIn:FailuresPerAddress=1000");
        await PortalSession.CreateFirstAdminAsync(portal, "ada@example.org");
        using var stranger = portal.CreateClient();
        for (var i = 0; i < 6; i++)
        {
            (await PortalSession.SignInAsync(stranger, "ada@example.org", $"guess number {i} wrong")).Dispose();
        }

        // Right after the failures the Admin waits too (refused unchecked) …
        using (var early = await PortalSession.SignInAsync(portal.CreateClient(), "ada@example.org"))
        {
            Assert.Contains("Too many failed attempts", await early.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        Assert.Equal(0, portal.Scalar("SELECT COUNT(*) FROM AspNetUsers WHERE LockoutEnd IS NOT NULL OR AccessFailedCount > 0"));
        // … for seconds, not for 15 minutes.
        await Task.Delay(5000);
        using var late = await PortalSession.SignInAsync(portal.CreateClient(), "ada@example.org");
        Assert.Equal(HttpStatusCode.Redirect, late.StatusCode);
    }

    private static async Task<Dictionary<string, string>> LoginFormAsync(HttpClient client)
    {
        var html = await client.GetStringAsync("account/login");
        return HiddenInput().Matches(html).ToDictionary(m => WebUtility.HtmlDecode(m.Groups["name"].Value), m => WebUtility.HtmlDecode(m.Groups["value"].Value));
    }

    private static async Task<double> TimeAsync(HttpClient client, Dictionary<string, string> hidden, string email)
    {
        var form = new Dictionary<string, string>(hidden) { ["Input.Email"] = email, ["Input.Password"] = "definitely not it" };
        var watch = Stopwatch.StartNew();
        using var response = await client.PostAsync("account/login", new FormUrlEncodedContent(form));
        var body = await response.Content.ReadAsStringAsync();
        watch.Stop();
        Assert.Contains("E-mail or password is wrong.", body, StringComparison.Ordinal);
        return watch.Elapsed.TotalMilliseconds;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }

    [GeneratedRegex("<input type=\"hidden\" name=\"(?<name>[^\"]+)\" value=\"(?<value>[^\"]*)\"")]
    private static partial Regex HiddenInput();
}
