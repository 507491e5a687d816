using System.Net;
using Mote.Cli.Tests;
using Mote.Gallery.Audit;
using Mote.Portal.Tests.Infrastructure;

namespace Mote.Portal.Tests.Hosting;

/// <summary>
/// <c>/reports/export</c> over real HTTP against the real portal process: the endpoint's own permission check
/// (<c>ExportReports</c>: Auditor and Admin), not only the Reports page's.
/// </summary>
public sealed class ReportExportPermissionTests
{
    private const string Password = "correct horse battery";

    [Fact]
    public async Task ReportsExport_OperatorRedirectedToAccessDeniedWithNoFile_AuditorGetsThePdf()
    {
        // The portal shares this test assembly's secrets folder, so accounts made with the real `mote users add` sign in there.
        await using var portal = await PortalProcess.StartAsync($"--Mote:Secrets:Directory={Environment.GetEnvironmentVariable("MOTE_SECRETS_DIR")}");
        using var operatorClient = await SignedInAsync(portal, "Operator", "op@example.org");
        using var auditorClient = await SignedInAsync(portal, "Auditor", "aud@example.org");

        // Operator: the cookie scheme's forbidden answer is a redirect to the access-denied page; no file, no export recorded.
        using var refused = await operatorClient.GetAsync(new Uri("reports/export?format=pdf", UriKind.Relative));
        var refusedBody = await refused.Content.ReadAsByteArrayAsync();
        Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
        Assert.Contains("/account/access-denied", refused.Headers.Location!.OriginalString, StringComparison.Ordinal);
        Assert.Null(refused.Content.Headers.ContentDisposition);
        Assert.NotEqual("application/pdf", refused.Content.Headers.ContentType?.MediaType);
        Assert.False(refusedBody.AsSpan().StartsWith("%PDF"u8), "The operator received PDF bytes.");
        Assert.False(refused.Headers.Contains("X-Content-SHA256"));
        // Following the redirect lands on the page that says so, still without a file.
        using var deniedPage = await operatorClient.GetAsync(refused.Headers.Location);
        Assert.Equal(HttpStatusCode.OK, deniedPage.StatusCode);
        Assert.Equal("text/html", deniedPage.Content.Headers.ContentType?.MediaType);
        Assert.Equal(0, portal.Scalar($"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.ReportExported}"));

        // Auditor: the PDF itself, its digest in a header, one export audited in the auditor's name.
        using var pdf = await auditorClient.GetAsync(new Uri("reports/export?format=pdf", UriKind.Relative));
        var bytes = await pdf.Content.ReadAsByteArrayAsync();
        Assert.Equal(HttpStatusCode.OK, pdf.StatusCode);
        Assert.Equal("application/pdf", pdf.Content.Headers.ContentType?.MediaType);
        Assert.EndsWith(".pdf", pdf.Content.Headers.ContentDisposition?.FileNameStar ?? pdf.Content.Headers.ContentDisposition?.FileName?.Trim('"'), StringComparison.Ordinal);
        Assert.True(bytes.AsSpan().StartsWith("%PDF-"u8), "The body is not a PDF.");
        Assert.True(bytes.Length > 1000, $"{bytes.Length} bytes");
        // The header carries the digest of the report's content (printed in the PDF), which the export's audit detail names.
        var contentSha = pdf.Headers.GetValues("X-Content-SHA256").Single();
        Assert.Matches("^[0-9a-f]{64}$", contentSha);
        Assert.Equal(1, portal.Scalar($"SELECT COUNT(*) FROM AuditEvents e JOIN AuditPayloads p ON p.EventId = e.Id WHERE e.Code = {(int)AuditEventCode.ReportExported} AND e.ActorName = 'aud@example.org' AND p.Detail LIKE '%{contentSha}%'"));
        Assert.Equal(1, portal.Scalar($"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.ReportExported}"));
    }

    private static async Task<HttpClient> SignedInAsync(PortalProcess portal, string role, string email)
    {
        var (code, _, error) = await MoteCli.RunAsync(Password + "\n", "users", "add", "--role", role, "--email", email, "--db", portal.DatabasePath);
        Assert.True(code == 0, error);
        var client = portal.CreateClient();
        using var signIn = await PortalSession.SignInAsync(client, email, Password);
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.DoesNotContain("/account/login", signIn.Headers.Location!.OriginalString, StringComparison.Ordinal);
        return client;
    }
}
