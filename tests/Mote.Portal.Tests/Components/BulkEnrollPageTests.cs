using System.IO.Compression;
using System.Text;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Mote.Core.Tests;
using Mote.Gallery.Audit;
using Mote.Gallery.Data;
using Mote.Gallery.Hosting;
using Mote.Gallery.Security;
using Mote.Portal.Components;
using Mote.Portal.Components.Pages.Gallery;
using Mote.Portal.Tests.Infrastructure;

namespace Mote.Portal.Tests.Components;

/// <summary>
/// The Bulk enrollment page (issue 16) with the real Gallery and engine on real LFW photos: a ZIP read into a table of
/// waiting rows, the run filling in each row's result in words, nothing stored for a failed row, the same ZIP sent again
/// skipping who is enrolled; refusals of what is not a ZIP; Admins only, reachable from the Gallery.
/// </summary>
public sealed class BulkEnrollPageTests : GalleryBunitContext
{
    private static readonly TimeSpan Slow = TimeSpan.FromMinutes(4);

    [DatasetFact("lfw-dev")]
    public async Task Upload_ZipWithCsv_TableOfRows_RunShowsEachResult_ResendSkipsEnrolled()
    {
        await GalleryDatabase.MigrateAsync(Services);
        SignInAs(Roles.Admin);
        var zip = Zip(
            ("people.csv", Encoding.UTF8.GetBytes("name,photo,external_id\nPage Nelson,Bill_Nelson_0001.jpg,PN-1\nPage Wall,wall.png,\nPage Broken,broken.jpg,\n")),
            ("Bill_Nelson_0001.jpg", BulkPhotos.LfwBytes("Bill_Nelson")),
            ("wall.png", BulkPhotos.Wall()),
            ("broken.jpg", BulkPhotos.Truncated("Alex_Ferguson")));
        var cut = Render<BulkEnrollPage>();

        cut.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromBinary(zip, "staff.zip", contentType: "application/zip"));

        cut.WaitForAssertion(() => Assert.Equal(3, cut.FindAll("[data-testid=bulk-row]").Count));
        Assert.All(cut.FindAll("[data-testid=bulk-row]"), r => Assert.Equal("waiting", r.GetAttribute("data-state")));
        Assert.Equal("Enroll 3 people", cut.Find("[data-testid=bulk-start]").TextContent.Trim());
        Assert.Equal("read", cut.Find("[data-testid=bulk-file]").GetAttribute("data-state"));

        cut.Find("[data-testid=bulk-start]").Click();

        cut.WaitForElement("[data-testid=bulk-summary]", Slow);
        Assert.StartsWith("3 rows: 1 enrolled, 0 already enrolled, 2 failed.", cut.Find("[data-testid=bulk-summary]").TextContent.Trim(), StringComparison.Ordinal);
        var rows = cut.FindAll("[data-testid=bulk-row]");
        Assert.Equal(["enrolled", "failed", "failed"], rows.Select(r => r.GetAttribute("data-state")));
        Assert.Equal("No face was found in this photo.", rows[1].QuerySelector("[data-testid=bulk-message]")!.TextContent.Trim());
        Assert.StartsWith("The JPEG file is truncated", rows[2].QuerySelector("[data-testid=bulk-message]")!.TextContent.Trim(), StringComparison.Ordinal);
        var personLink = rows[0].QuerySelector("[data-testid=bulk-person]")!.GetAttribute("href")!;
        Assert.Empty(cut.FindAll("[data-testid=bulk-start]"));
        Assert.Equal((1, 1), await CountsAsync());

        // The same ZIP on a fresh page: the enrolled row is skipped, the failed rows fail again, nothing new is stored.
        var again = Render<BulkEnrollPage>();
        again.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromBinary(zip, "staff.zip", contentType: "application/zip"));
        again.WaitForAssertion(() => Assert.Equal("Enroll 3 people", again.Find("[data-testid=bulk-start]").TextContent.Trim()));
        again.Find("[data-testid=bulk-start]").Click();

        again.WaitForElement("[data-testid=bulk-summary]", Slow);
        Assert.StartsWith("3 rows: 0 enrolled, 1 already enrolled, 2 failed.", again.Find("[data-testid=bulk-summary]").TextContent.Trim(), StringComparison.Ordinal);
        var first = again.FindAll("[data-testid=bulk-row]")[0];
        Assert.Equal("already-enrolled", first.GetAttribute("data-state"));
        Assert.Equal(personLink, first.QuerySelector("[data-testid=bulk-person]")!.GetAttribute("href"));
        Assert.Equal((1, 1), await CountsAsync());
    }

    [Theory]
    [InlineData("notes.txt", "text/plain", "“notes.txt” is not a ZIP")]
    [InlineData("fake.zip", "application/zip", "“fake.zip” is not a ZIP archive")]
    public async Task Upload_NotAZip_RefusedInWords_NoTable(string name, string type, string expected)
    {
        await GalleryDatabase.MigrateAsync(Services);
        SignInAs(Roles.Admin);
        var cut = Render<BulkEnrollPage>();

        cut.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromBinary(Encoding.UTF8.GetBytes("name,photo\nA,a.jpg\n"), name, contentType: type));

        cut.WaitForAssertion(() => Assert.Contains(expected, cut.Find("[data-testid=bulk-error]").TextContent, StringComparison.Ordinal));
        Assert.Equal("refused", cut.Find("[data-testid=bulk-file]").GetAttribute("data-state"));
        Assert.Empty(cut.FindAll("[data-testid=bulk-rows]"));
    }

    [Fact]
    public async Task Gallery_AdminSeesBulkEnroll_OperatorIsRefusedThePage()
    {
        await GalleryDatabase.MigrateAsync(Services);
        SignInAs(Roles.Admin);
        var gallery = Render<GalleryPage>();
        Assert.Equal("gallery/bulk", gallery.Find("[data-testid=gallery-bulk-enroll]").GetAttribute("href"));

        SignInAs(Roles.Operator);
        Services.GetRequiredService<NavigationManager>().NavigateTo("gallery/bulk");
        var routed = Render<Routes>();

        routed.WaitForAssertion(() => Assert.Contains("Not authorized", routed.Find("[data-testid=not-authorized]").TextContent, StringComparison.Ordinal));
        Assert.Empty(routed.FindAll("[data-testid=bulk-upload]"));
    }

    private async Task<(int People, int Enrolled)> CountsAsync()
    {
        using var scope = Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<MoteDbContext>();
        return (await db.People.CountAsync(), await db.AuditEvents.CountAsync(e => e.Code == (int)AuditEventCode.PersonEnrolled));
    }

    private static byte[] Zip(params (string Name, byte[] Bytes)[] entries)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, bytes) in entries)
            {
                using var stream = zip.CreateEntry(name).Open();
                stream.Write(bytes);
            }
        }
        return buffer.ToArray();
    }
}
