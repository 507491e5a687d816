using System.Net;
using System.Text.Json;
using Mote.Cli.Tests;
using Mote.Gallery.Audit;
using Mote.Portal.Tests.Infrastructure;

namespace Mote.Portal.Tests.Hosting;

/// <summary>
/// <c>/audit/export</c> over real HTTP against the real portal process (issue 16): the export honours the filter it is
/// given (the Audit page puts its applied filter in the link), says so, and refuses a filter it cannot read.
/// </summary>
public sealed class AuditExportFilterTests
{
    private const string Password = "correct horse battery";

    [Fact]
    public async Task AuditExport_FilterInTheQuery_OnlyMatchingEventsExported_FilterRecorded_BadFilterRefused()
    {
        // The portal shares this test assembly's secrets folder, so accounts made with the real `mote users add` sign in there.
        await using var portal = await PortalProcess.StartAsync($"--Mote:Secrets:Directory={Environment.GetEnvironmentVariable("MOTE_SECRETS_DIR")}");
        var (code, _, error) = await MoteCli.RunAsync(Password + "\n", "users", "add", "--role", "Auditor", "--email", "filter@example.org", "--db", portal.DatabasePath);
        Assert.True(code == 0, error);
        using var client = portal.CreateClient();
        using (var signIn = await PortalSession.SignInAsync(client, "filter@example.org", Password))
        {
            Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        }
        var all = portal.Scalar("SELECT COUNT(*) FROM AuditEvents");
        var signIns = portal.Scalar($"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.SignInSucceeded}");
        Assert.True(all > signIns, $"{all} events, {signIns} sign-ins: the filter would show nothing");

        using var csv = await client.GetAsync(new Uri($"audit/export?format=csv&code={(int)AuditEventCode.SignInSucceeded}&actor=FILTER@", UriKind.Relative));
        var lines = (await csv.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        using var json = await client.GetAsync(new Uri($"audit/export?format=json&code={(int)AuditEventCode.UserCreated}&from=2000-01-01T00:00:00Z", UriKind.Relative));
        using var document = JsonDocument.Parse(await json.Content.ReadAsStringAsync());
        using var bad = await client.GetAsync(new Uri("audit/export?format=csv&from=yesterday", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        // The header, then exactly the auditor's own successful sign-ins.
        Assert.Equal(1 + portal.Scalar($"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.SignInSucceeded} AND ActorName LIKE '%filter@%'"), lines.Length);
        Assert.All(lines.Skip(1), l => Assert.Contains($",{(int)AuditEventCode.SignInSucceeded},SignInSucceeded,", l, StringComparison.Ordinal));
        var events = document.RootElement.GetProperty("events").EnumerateArray().ToArray();
        Assert.NotEmpty(events);
        Assert.All(events, e => Assert.Equal((int)AuditEventCode.UserCreated, e.GetProperty("code").GetInt32()));
        Assert.Equal($"from 2000-01-01T00:00:00Z, code {(int)AuditEventCode.UserCreated}", document.RootElement.GetProperty("filter").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("'from' must be a UTC time", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        // Each export is recorded with its filter; the refused one is not.
        Assert.Equal(2, portal.Scalar($"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.AuditExported}"));
        Assert.Equal(1, portal.Scalar($"SELECT COUNT(*) FROM AuditPayloads p JOIN AuditEvents e ON e.Id = p.EventId WHERE e.Code = {(int)AuditEventCode.AuditExported} AND p.Detail LIKE 'csv; actor ''FILTER@'', code {(int)AuditEventCode.SignInSucceeded}; chain:%'"));
    }
}
