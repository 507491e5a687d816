using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Mote.Core.Templates;
using Mote.Gallery.Data;
using Mote.Gallery.Engine;
using Mote.Gallery.Hosting;
using Mote.Gallery.People;
using Mote.Gallery.Security;
using Mote.Gallery.Tests.Builders;
using Mote.Portal.Components.Pages.Audit;
using MudBlazor;

namespace Mote.Portal.Tests.Components;

public sealed class AuditPageTests : GalleryBunitContext
{
    [Fact]
    public async Task AuditPage_TemplateFoundDamagedBy1ToN_ListedAsTemplateIntegrityViolation()
    {
        await GalleryDatabase.MigrateAsync(Services);
        var backbone = new BackboneIdentity("dlib-resnet", new string('a', 64));
        var eve = PersonRows.Build("Eve Damaged"); // its one-byte template blob does not decrypt
        eve.BackboneHash = backbone.Sha256Hex;
        await using (var scope = Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<MoteDbContext>();
            db.People.Add(eve);
            await db.SaveChangesAsync();
        }
        await Services.GetRequiredService<GalleryIndex>().GetAsync(backbone, default);
        SignInAs(Roles.Auditor);
        Render<MudPopoverProvider>();

        var cut = Render<AuditPage>();

        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("[data-testid=audit-table] tbody tr")));
        Assert.Equal("Template integrity violation", cut.Find("[data-testid=audit-event]").TextContent.Trim());
        Assert.Equal("303", cut.Find("[data-testid=audit-code]").TextContent.Trim());
        var row = cut.Find("[data-testid=audit-table] tbody tr").TextContent;
        Assert.Contains(eve.Id, row, StringComparison.Ordinal);
        Assert.Contains("left out of 1:N identification", row, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AuditPage_ExportButtons_ExportTheAppliedFilter_NotWhatIsMerelyTyped()
    {
        await GalleryDatabase.MigrateAsync(Services);
        var ada = new Actor(ActorKind.User, "id-ada", "ada@example.org", new HashSet<string> { Roles.Admin });
        var bob = new Actor(ActorKind.User, "id-bob", "bob@example.org", new HashSet<string> { Roles.Admin });
        await using (var scope = Services.CreateAsyncScope())
        {
            var trail = scope.ServiceProvider.GetRequiredService<Mote.Gallery.Audit.AuditTrail>();
            await trail.AppendAsync(ada, Mote.Gallery.Audit.AuditEventCode.SettingsChanged, null, "ada's change");
            await trail.AppendAsync(bob, Mote.Gallery.Audit.AuditEventCode.SettingsChanged, null, "bob's change");
            await trail.AppendAsync(bob, Mote.Gallery.Audit.AuditEventCode.SettingsChanged, null, "bob's second change");
        }
        SignInAs(Roles.Auditor);
        Render<MudPopoverProvider>();
        var cut = Render<AuditPage>();
        cut.WaitForAssertion(() => Assert.Equal(3, cut.FindAll("[data-testid=audit-table] tbody tr").Count));
        Assert.Equal("audit/export?format=csv", cut.Find("[data-testid=export-csv]").GetAttribute("href"));
        Assert.Contains("the whole trail", cut.Find("[data-testid=export-scope]").TextContent, StringComparison.Ordinal);

        var actor = cut.FindAll("input").First(i => i.ParentElement?.ParentElement?.TextContent.Contains("Actor", StringComparison.Ordinal) == true);
        actor.Change("bob@");
        // Typed, not applied: the table and the export still cover everything.
        Assert.Equal("audit/export?format=json", cut.Find("[data-testid=export-json]").GetAttribute("href"));
        cut.Find("[data-testid=apply-filter]").Click();

        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("[data-testid=audit-table] tbody tr").Count));
        Assert.Equal("audit/export?format=csv&actor=bob@", cut.Find("[data-testid=export-csv]").GetAttribute("href"));
        Assert.Equal("audit/export?format=json&actor=bob@", cut.Find("[data-testid=export-json]").GetAttribute("href"));
        Assert.Contains("the filtered events (actor 'bob@')", cut.Find("[data-testid=export-scope]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void AuditExportQuery_FilterRoundTripsThroughTheLink()
    {
        var filter = new Mote.Gallery.Audit.AuditFilter(
            new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero).AddDays(1).AddTicks(-1), "ada", 400, "abc-1");

        var href = Mote.Portal.Services.AuditExportQuery.Href("csv", filter);
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(new Uri("https://x/" + href).Query);
        var (parsed, problem) = Mote.Portal.Services.AuditExportQuery.Parse(query["from"], query["to"], query["actor"], query["code"], query["subject"]);

        Assert.Null(problem);
        Assert.Equal(filter, parsed);
        Assert.Contains("not 'x4'", Mote.Portal.Services.AuditExportQuery.Parse(null, null, null, "x4", null).Problem, StringComparison.Ordinal);
    }
}
