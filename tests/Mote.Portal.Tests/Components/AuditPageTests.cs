using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Mote.Core.Templates;
using Mote.Gallery.Data;
using Mote.Gallery.Engine;
using Mote.Gallery.Hosting;
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
}
