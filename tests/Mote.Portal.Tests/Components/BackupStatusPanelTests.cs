using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Mote.Gallery.Backup;
using Mote.Gallery.Hosting;
using Mote.Gallery.Security;
using Mote.Portal.Components;

namespace Mote.Portal.Tests.Components;

/// <summary>The Backup tab of the settings page: what <see cref="BackupStatus"/> records after a real <see cref="CreateBackup"/>, or that none was taken.</summary>
public sealed class BackupStatusPanelTests : GalleryBunitContext
{
    private readonly string _archives = Directory.CreateTempSubdirectory("mote-bunit-backups-").FullName;

    [Fact]
    public async Task BackupTab_NoBackupYet_SaysSoAndHowToTakeOne()
    {
        var cut = await OpenBackupTabAsync();

        cut.WaitForAssertion(() => Assert.Equal("No backup of this database has been recorded.", cut.Find("[data-testid=no-backup]").TextContent.Trim()));
        Assert.Contains("mote backup --out", cut.Find("[data-testid=backup-status]").TextContent, StringComparison.Ordinal);
        Assert.Empty(cut.FindAll("[data-testid=last-backup]"));
    }

    [Fact]
    public async Task BackupTab_AfterABackup_ShowsItsTimeFileAndSize()
    {
        await GalleryDatabase.MigrateAsync(Services);
        var archive = Path.Combine(_archives, "nightly.motebak");
        BackupResult result;
        var scope = Services.CreateAsyncScope();
        await using (scope)
        {
            result = await scope.ServiceProvider.GetRequiredService<CreateBackup>().ExecuteAsync(Actor.Terminal("ops"), archive, "correct horse battery staple");
        }

        var cut = await OpenBackupTabAsync();

        cut.WaitForElement("[data-testid=last-backup]", TimeSpan.FromSeconds(15));
        Assert.Equal(archive, cut.Find("[data-testid=last-backup-file]").TextContent.Trim());
        Assert.Equal(result.Manifest.TakenUtc.ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture) + " UTC", cut.Find("[data-testid=last-backup-time]").TextContent.Trim());
        Assert.Contains($"({result.Bytes:N0} bytes)", cut.Find("[data-testid=last-backup-size]").TextContent, StringComparison.Ordinal);
        Assert.Contains("just now", cut.Find("[data-testid=last-backup]").TextContent, StringComparison.Ordinal);
        Assert.Empty(cut.FindAll("[data-testid=no-backup]"));
    }

    private async Task<IRenderedComponent<Routes>> OpenBackupTabAsync()
    {
        await GalleryDatabase.MigrateAsync(Services);
        SignInAs(Roles.Admin);
        Services.GetRequiredService<NavigationManager>().NavigateTo("settings");
        var cut = Render<Routes>();
        cut.WaitForAssertion(() => Assert.Contains(cut.FindAll(".mud-tab"), t => t.TextContent.Trim() == "Backup"));
        cut.FindAll(".mud-tab").Single(t => t.TextContent.Trim() == "Backup").Click();
        return cut;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            Directory.Delete(_archives, recursive: true);
        }
    }
}
