using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Mote.Core.Models.FaceApi;
using Mote.Gallery.Hosting;
using Mote.Gallery.Models;
using Mote.Gallery.Security;
using Mote.Portal.Components.Pages.Settings;
using MudBlazor;

namespace Mote.Portal.Tests.Components;

/// <summary>Settings → Model pack over the real, provisioned pack (the shared test model cache).</summary>
public sealed class ModelPackStatusPanelTests : GalleryBunitContext
{
    [Fact]
    public async Task ModelPackPanel_DlibDescriptor_StatesItsLicenceFromItsSourceNotFromABrief()
    {
        await GalleryDatabase.MigrateAsync(Services);
        // A pack converted before the wording changed keeps its ONNX file: the recipe's stated record replaces the cached one.
        await Services.GetRequiredService<ModelPackService>().GetAsync();
        SignInAs(Roles.Admin);
        Render<MudPopoverProvider>();

        var cut = Render<ModelPackStatusPanel>();

        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll("[data-testid=models-table] tbody tr")), TimeSpan.FromMinutes(3));
        var row = cut.FindAll("[data-testid=models-table] tbody tr").Single(r => r.TextContent.Contains(FaceRecognitionRecipe.ModelId, StringComparison.Ordinal));
        // Issue 16: it said "recorded from the project brief, not from this package".
        Assert.DoesNotContain("brief", cut.Markup, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("github.com/davisking/dlib-models", row.TextContent, StringComparison.Ordinal);
        Assert.Contains("public domain", row.TextContent, StringComparison.Ordinal);
        Assert.Contains("FaceScrub", row.TextContent, StringComparison.Ordinal);
        // An empty gallery starts on the configured backbone, and the pack shown is that backbone's.
        Assert.Contains("dlib-resnet", cut.Find("[data-testid=population-backbone]").TextContent, StringComparison.Ordinal);
        Assert.Contains("dlib-resnet", cut.Find("[data-testid=population-pack]").TextContent, StringComparison.Ordinal);
    }
}
