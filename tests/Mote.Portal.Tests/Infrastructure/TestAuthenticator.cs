using System.Collections.Concurrent;
using System.Net;
using System.Text.RegularExpressions;
using Mote.Gallery.Security;

namespace Mote.Portal.Tests.Infrastructure;

/// <summary>
/// The phone's authenticator app, for tests: remembers each account's secret (read off /account/mfa, as a person
/// would type it) and recovery codes per portal, and computes the codes. The portal accepts each 30-s step once and
/// one step either side of now, so at most two sign-ins of one account fit in a step; a third waits for the next.
/// </summary>
public static partial class TestAuthenticator
{
    private static readonly ConcurrentDictionary<string, Account> Accounts = new(StringComparer.Ordinal);

    /// <summary>Remembers the base32 <paramref name="secret"/> of <paramref name="email"/> on the portal at <paramref name="portal"/>.</summary>
    public static void Remember(Uri portal, string email, string secret) =>
        Accounts[Key(portal, email)] = new Account(Base32.Decode(secret.Replace(" ", "", StringComparison.Ordinal)));

    public static bool Knows(Uri portal, string email) => Accounts.ContainsKey(Key(portal, email));

    /// <summary>The raw secret of <paramref name="email"/> (for a test that computes codes itself).</summary>
    public static byte[] Secret(Uri portal, string email) => Accounts[Key(portal, email)].Secret;

    /// <summary>Keeps the recovery codes shown once after set-up.</summary>
    public static void RememberRecoveryCodes(Uri portal, string email, IEnumerable<string> codes) =>
        Accounts[Key(portal, email)].RecoveryCodes = [.. codes];

    public static IReadOnlyList<string> RecoveryCodes(Uri portal, string email) => Accounts[Key(portal, email)].RecoveryCodes;

    /// <summary>A code the portal has not seen yet: the current step's, or the next step's, else it waits for time to move on.</summary>
    public static async Task<string> NextCodeAsync(Uri portal, string email)
    {
        var account = Accounts[Key(portal, email)];
        long step;
        lock (account)
        {
            step = Math.Max(account.LastStep + 1, Totp.StepAt(DateTimeOffset.UtcNow));
            account.LastStep = step;
        }
        // Accepted while the portal's clock is at most one step behind the code's: wait until step - 1 has begun.
        var earliest = DateTimeOffset.FromUnixTimeSeconds((step - 1) * Totp.StepSeconds);
        var wait = earliest - DateTimeOffset.UtcNow;
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait + TimeSpan.FromMilliseconds(200));
        }
        return Totp.Code(account.Secret, step);
    }

    /// <summary>
    /// On a signed-in client sent to /account/mfa: reads the secret off the page, confirms a code, keeps the recovery
    /// codes. Asserts each step, so a broken set-up fails the test that needed it.
    /// </summary>
    public static async Task SetUpAsync(HttpClient client, string email)
    {
        ArgumentNullException.ThrowIfNull(client);
        var html = await client.GetStringAsync("account/mfa");
        var secret = SecretOnPage().Match(html);
        Assert.True(secret.Success, $"No authenticator secret on /account/mfa: {html[..Math.Min(600, html.Length)]}");
        Remember(client.BaseAddress!, email, WebUtility.HtmlDecode(secret.Groups["secret"].Value));
        using var confirmed = await FormPost.SubmitAsync(client, "account/mfa", new Dictionary<string, string> { ["Input.Code"] = await NextCodeAsync(client.BaseAddress!, email) });
        var page = await confirmed.Content.ReadAsStringAsync();
        Assert.True(confirmed.StatusCode == HttpStatusCode.OK && page.Contains("data-testid=\"recovery-codes\"", StringComparison.Ordinal),
            $"Confirming the authenticator failed ({confirmed.StatusCode}): {page[..Math.Min(1500, page.Length)]}");
        RememberRecoveryCodes(client.BaseAddress!, email, RecoveryCodeOnPage().Matches(page).Select(m => m.Groups["code"].Value));
    }

    /// <summary>The secret shown on an /account/mfa page, spaces removed.</summary>
    public static string? SecretFrom(string html)
    {
        var match = SecretOnPage().Match(html);
        return match.Success ? WebUtility.HtmlDecode(match.Groups["secret"].Value).Replace(" ", "", StringComparison.Ordinal) : null;
    }

    private static string Key(Uri portal, string email) => $"{portal.GetLeftPart(UriPartial.Authority)}|{email.Trim().ToLowerInvariant()}";

    [GeneratedRegex("data-testid=\"mfa-secret\">(?<secret>[A-Z2-7 ]+)</code>")]
    private static partial Regex SecretOnPage();

    [GeneratedRegex("<li><code>(?<code>[a-z2-9]{5}-[a-z2-9]{5})</code></li>")]
    private static partial Regex RecoveryCodeOnPage();

    private sealed class Account(byte[] secret)
    {
        public byte[] Secret { get; } = secret;

        public long LastStep { get; set; } = long.MinValue / 2;

        public IReadOnlyList<string> RecoveryCodes { get; set; } = [];
    }
}
