using System.Runtime.Versioning;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Mote.Core.Models;
using Mote.Core.Models.FaceApi;
using Mote.Gallery.Models;
using Mote.Portal.Components.Layout;

namespace Mote.Portal.Tests.Components;

/// <summary>The "preparing models" banner follows the real <see cref="ModelPackService"/> while it provisions.</summary>
[UnsupportedOSPlatform("windows")] // the stand-in npm clients are shell scripts
public sealed class ModelPackBannerTests : PortalBunitContext
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mote-banner-").FullName;

    [Fact]
    public async Task Banner_WhileNpmIsFetching_ShowsPreparingWithStage()
    {
        var models = UseModelPackService(npmScript: "sleep 30");
        var cut = Render<ModelPackBanner>();
        Assert.Empty(cut.FindAll("[data-testid=models-preparing]"));
        using var cancel = new CancellationTokenSource();

        var provisioning = models.GetAsync(cancel.Token);

        cut.WaitForAssertion(() => Assert.Contains("fetching @vladmandic/face-api@1.7.15", cut.Find("[data-testid=models-preparing]").TextContent, StringComparison.Ordinal));
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<Exception>(() => provisioning);
    }

    [Fact]
    public async Task Banner_WhenNpmFails_ShowsTheReason()
    {
        var models = UseModelPackService(npmScript: "echo 'npm error code E404 (simulated)' >&2; exit 1");
        var cut = Render<ModelPackBanner>();

        await Assert.ThrowsAsync<ModelProvisioningException>(() => models.GetAsync());

        cut.WaitForAssertion(() => Assert.Contains("simulated", cut.Find("[data-testid=models-failed]").TextContent, StringComparison.Ordinal));
        Assert.Equal(ModelPackStatus.Failed, models.State.Status);
    }

    private ModelPackService UseModelPackService(string npmScript)
    {
        var npm = Path.Combine(_folder, "npm");
        File.WriteAllText(npm, $"#!/bin/sh\n{npmScript}\n");
        File.SetUnixFileMode(npm, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var service = new ModelPackService(new ModelPackOptions { CacheDir = Path.Combine(_folder, "cache"), NpmExecutable = npm }, [new FaceRecognitionRecipe()]);
        Services.AddSingleton(service);
        return service;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}
