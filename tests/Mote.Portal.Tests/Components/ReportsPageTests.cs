using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Mote.Gallery.Hosting;
using Mote.Gallery.Reports;
using Mote.Gallery.Security;
using Mote.Portal.Components.Pages.Reports;
using MudBlazor;

namespace Mote.Portal.Tests.Components;

/// <summary>The Reports page with the real Gallery: export links, and past exports read from the audit trail.</summary>
public sealed class ReportsPageTests : GalleryBunitContext
{
    [Fact]
    public async Task ReportsPage_Auditor_ExportLinksAndPastExportsWithWhoAndHash()
    {
        await GalleryDatabase.MigrateAsync(Services);
        Render<MudPopoverProvider>();
        SignInAs(Roles.Auditor);
        var cut = Render<ReportsPage>();
        cut.WaitForAssertion(() => Assert.Equal("No report has been exported yet.", cut.Find("[data-testid=report-exports-empty]").TextContent.Trim()));
        Assert.Equal("reports/export?format=pdf", cut.Find("[data-testid=report-export-pdf]").GetAttribute("href"));
        Assert.Equal("reports/export?format=json", cut.Find("[data-testid=report-export-json]").GetAttribute("href"));

        ReportExportResult result;
        var scope = Services.CreateAsyncScope();
        await using (scope)
        {
            using var sink = new MemoryStream();
            result = await scope.ServiceProvider.GetRequiredService<ExportComplianceReport>()
                .ExecuteAsync(new Actor(ActorKind.User, "u-1", "carol@example.org", new HashSet<string> { Roles.Auditor }), "json", sink);
        }
        cut.Find("[data-testid=report-refresh]").Click();

        cut.WaitForAssertion(() => Assert.Equal("carol@example.org", cut.Find("[data-testid=report-export-actor]").TextContent.Trim()));
        Assert.Equal($"json; sha256 {result.ContentSha256}", cut.Find("[data-testid=report-export-detail]").TextContent.Trim());
    }
}
