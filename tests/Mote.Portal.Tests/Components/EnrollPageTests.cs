using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Mote.Core.Faces.Attributes;
using Mote.Core.Imaging;
using Mote.Core.Tests;
using Mote.Gallery.Hosting;
using Mote.Gallery.People;
using Mote.Gallery.Security;
using Mote.Portal.Components;
using Mote.Portal.Components.Pages.Gallery;
using Mote.Portal.Services;
using Mote.Portal.Tests.Infrastructure;
using MudBlazor;

namespace Mote.Portal.Tests.Components;

/// <summary>
/// The enrollment page with the real Gallery and the real engine (model pack from the shared cache) on the
/// face-api demo photos: upload checks, the face picker on a group photo, the background job's progress and
/// result, and who may open it.
/// </summary>
public sealed class EnrollPageTests : GalleryBunitContext
{
    private static readonly TimeSpan Slow = TimeSpan.FromMinutes(3);

    [Theory]
    [InlineData("notes.txt", "text/plain", 100, "not an image we accept")]
    [InlineData("huge.jpg", "image/jpeg", 10_000_001, "“huge.jpg” is too large: 10.0 MB (10,000,001 bytes); the limit is 10 MB (10,000,000 bytes).")]
    [InlineData("empty.png", "image/png", 0, "is empty")]
    public async Task Upload_RefusedFile_SaysWhyAndShowsNoFaces(string name, string type, int size, string expected)
    {
        await GalleryDatabase.MigrateAsync(Services);
        SignInAs(Roles.Admin);
        var cut = Render<EnrollPage>();

        cut.FindComponent<Microsoft.AspNetCore.Components.Forms.InputFile>().UploadFiles(InputFileContent.CreateFromBinary(new byte[size], name, contentType: type));

        cut.WaitForAssertion(() => Assert.Contains(expected, cut.Find("[data-testid=enroll-error]").TextContent, StringComparison.Ordinal));
        Assert.Empty(cut.FindAll("[data-testid=face-overlay]"));
        Assert.Empty(cut.FindAll("[data-testid=enroll-submit]"));
        // The file's chip says it was refused (it was green, like an accepted file).
        var chip = cut.Find("[data-testid=enroll-file]");
        Assert.Equal("refused", chip.GetAttribute("data-state"));
        Assert.Contains("mud-chip-color-error", chip.ClassName, StringComparison.Ordinal);
        Assert.Contains(name, chip.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Upload_DisguisedNonImage_RefusedByTheServerInWords()
    {
        await GalleryDatabase.MigrateAsync(Services);
        SignInAs(Roles.Admin);
        var cut = Render<EnrollPage>();

        // Named and typed as a JPEG: only the server's decoder can tell.
        cut.FindComponent<Microsoft.AspNetCore.Components.Forms.InputFile>().UploadFiles(InputFileContent.CreateFromText("this is not a photo", "photo.jpg", contentType: "image/jpeg"));

        cut.WaitForAssertion(() => Assert.Contains("not an image", cut.Find("[data-testid=enroll-error]").TextContent, StringComparison.Ordinal), Slow);
        Assert.Empty(cut.FindAll("[data-testid=face-overlay]"));
    }

    [Fact]
    public async Task Upload_PhotoWithoutFace_SaysNoFaceFound()
    {
        await GalleryDatabase.MigrateAsync(Services);
        SignInAs(Roles.Admin);
        var cut = Render<EnrollPage>();

        Upload(cut, ImageEncoding.ToPng(RgbImage.Create(320, 240, px => px.Fill(140))), "wall.png");

        cut.WaitForAssertion(() => Assert.Equal("No face was found in this photo.", cut.Find("[data-testid=enroll-error]").TextContent.Trim()), Slow);
    }

    [DatasetFact("lfw-dev")]
    public async Task Upload_OneFace_SaysOneFaceFoundInPlainWords()
    {
        await GalleryDatabase.MigrateAsync(Services);
        SignInAs(Roles.Admin);
        Render<MudPopoverProvider>();
        var cut = Render<EnrollPage>();

        Upload(cut, BulkPhotos.LfwBytes(BulkPhotos.People[0]), "one.jpg");

        // Issue 16: it said "1 face(s) found".
        cut.WaitForAssertion(() => Assert.StartsWith("1 face found.", cut.Find("[data-testid=enroll-face-count]").TextContent.Trim(), StringComparison.Ordinal), Slow);
        Assert.Equal("The photo with 1 detected face boxed", cut.Find("[data-testid=face-overlay]").GetAttribute("aria-label"));
        Assert.DoesNotContain("(s)", cut.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GroupPhoto_EveryFaceBoxedPickerShowsEstimates_SubmitRunsJobToPersonLink()
    {
        await GalleryDatabase.MigrateAsync(Services);
        await StartJobsAsync();
        SignInAs(Roles.Admin);
        Render<MudPopoverProvider>();
        var cut = Render<EnrollPage>();

        Upload(cut, await DemoPhotos.ReadAsync("sample1.jpg"), "sample1.jpg");

        cut.WaitForElement("[data-testid=face-overlay]", Slow);
        var boxes = cut.FindAll("[data-testid=face-box]");
        Assert.True(boxes.Count > 1, $"{boxes.Count} faces boxed");
        Assert.StartsWith($"{boxes.Count} faces found.", cut.Find("[data-testid=enroll-face-count]").TextContent.Trim(), StringComparison.Ordinal);
        Assert.Equal(boxes.Count, cut.FindAll("[data-testid=face-option]").Count);
        Assert.All(boxes, b => Assert.NotEmpty(b.QuerySelectorAll("circle"))); // landmarks drawn
        Assert.Contains(boxes, b => b.GetAttribute("data-accepted") == "false"); // sample1: two tilted heads fail the roll check
        var usable = boxes.First(b => b.GetAttribute("data-accepted") == "true").GetAttribute("data-face")!;

        cut.Find($"[data-testid=face-option][data-face='{usable}']").Click();

        cut.WaitForElement("[data-testid=enroll-details]", TimeSpan.FromSeconds(15));
        // Each attribute shows its estimate with its confidence: pre-filled (estimated chip) or, below its measured cutoff, an unsure hint.
        Assert.Equal(3, cut.FindAll("[data-testid=estimated-chip]").Count + cut.FindAll("[data-testid=unsure-hint]").Count);
        Assert.Equal("Give the person a name.", cut.Find("[data-testid=enroll-not-ready]").TextContent.Trim());
        Assert.True(cut.Find("[data-testid=enroll-submit]").HasAttribute("disabled"));
        var name = cut.Find("[data-testid=enroll-name]");
        (name.TagName == "INPUT" ? name : name.QuerySelector("input")!).Input("Picker Person");
        cut.WaitForAssertion(() => Assert.False(cut.Find("[data-testid=enroll-submit]").HasAttribute("disabled")));

        cut.Find("[data-testid=enroll-submit]").Click();

        var uri = new Uri(Services.GetRequiredService<NavigationManager>().Uri);
        var job = System.Web.HttpUtility.ParseQueryString(uri.Query)["job"];
        Assert.Matches("^[0-9a-f]{32}$", job);
        // A reload renders the page afresh from its address: it re-attaches to the job.
        var reloaded = RenderFollowing(job!);
        reloaded.WaitForAssertion(() => Assert.Equal("Picker Person is enrolled.", reloaded.Find("[data-testid=enroll-done]").TextContent.Trim()), Slow);
        var link = reloaded.Find("[data-testid=enroll-open-person]").GetAttribute("href")!;
        var status = (await Services.GetRequiredService<EnrollmentQueue>().GetAsync(Actors.Admin, job!))!;
        Assert.Equal(EnrollmentJobState.Done, status.State);
        Assert.EndsWith($"gallery/{status.PersonId}", link, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PickedFace_EstimateBelowItsCutoffShownUnsureNotPrefilled_OneAboveIsPrefilledWithItsConfidence()
    {
        // Issue 16: cutoffs chosen so the outcome does not depend on the photo — gender can never clear its cutoff, the others always do.
        Services.AddSingleton(new AttributeConfidence(Gender: 1.01, Ethnicity: 0, AgeBand: 0));
        await GalleryDatabase.MigrateAsync(Services);
        SignInAs(Roles.Admin);
        Render<MudPopoverProvider>();
        var cut = Render<EnrollPage>();

        Upload(cut, await DemoPhotos.ReadAsync("sample1.jpg"), "sample1.jpg");
        cut.WaitForElement("[data-testid=face-overlay]", Slow);
        var usable = cut.FindAll("[data-testid=face-box]").First(b => b.GetAttribute("data-accepted") == "true").GetAttribute("data-face")!;
        cut.Find($"[data-testid=face-option][data-face='{usable}']").Click();
        cut.WaitForElement("[data-testid=enroll-details]", TimeSpan.FromSeconds(15));

        // Gender: shown with its confidence as an unsure hint, not taken as the value.
        var hint = Assert.Single(cut.FindAll("[data-testid=unsure-hint]"));
        Assert.Matches(@"^unsure: (female|male) · \d{1,3} % — not pre-filled$", hint.TextContent.Trim());
        // Ethnicity and age band: pre-filled, marked estimated, with their confidence.
        var chips = cut.FindAll("[data-testid=estimated-chip]");
        Assert.Equal(2, chips.Count);
        Assert.All(chips, c => Assert.Matches(@"^[a-z0-9+-]+ · \d{1,3} % · estimated$", c.TextContent.Trim()));
        Assert.DoesNotContain(chips, c => c.TextContent.Contains("male", StringComparison.Ordinal));
    }

    [Fact]
    public void AttributeChoice_GuessBelowCutoff_NoEffectiveValueUntilDeclared_GuessAbove_EffectiveEstimate()
    {
        var choice = new AttributeChoice("Gender", ["female", "male"]) { Guess = new AttributeGuess("male", 0.617, Confident: false) };

        Assert.Null(choice.Estimate);
        Assert.Equal((null, false), choice.Effective);
        Assert.Equal("unsure: male · 61 %", choice.Hint);

        choice.Declared = "female";
        Assert.Equal(("female", false), choice.Effective);

        choice.Declared = "";
        choice.Guess = new AttributeGuess("male", 0.996, Confident: true);
        Assert.Equal("male", choice.Estimate);
        Assert.Equal(("male", true), choice.Effective);
        Assert.Equal("male · 99 %", choice.Hint); // rounded down: never a certain-looking 100 %
    }

    [Fact]
    public async Task Job_Failed_ShowsWhyAndThatNothingWasStored()
    {
        await GalleryDatabase.MigrateAsync(Services);
        var queue = Services.GetRequiredService<EnrollmentQueue>();
        await StartJobsAsync();
        SignInAs(Roles.Admin);
        var job = await queue.SubmitAsync(Actors.Admin, new EnrollmentRequest("Nobody", ImageEncoding.ToPng(RgbImage.Create(200, 200, px => px.Fill(30)))));

        var cut = RenderFollowing(job.Id);

        cut.WaitForAssertion(() => Assert.Equal("No face was found in this photo.", cut.Find("[data-testid=enroll-error]").TextContent.Trim()), Slow);
        Assert.Contains("Nothing was stored.", cut.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Job_Unknown_SaysSo()
    {
        // Jobs are rows in the gallery's database now: the page looks the id up there.
        await GalleryDatabase.MigrateAsync(Services);
        SignInAs(Roles.Admin);

        var cut = RenderFollowing("0123456789abcdef0123456789abcdef");

        Assert.Contains("This enrollment is not known", cut.Find("[data-testid=enroll-job-unknown]").TextContent, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Roles.Operator)]
    [InlineData(Roles.Auditor)]
    public void EnrollPage_NotAdmin_RendersNotAuthorized(string role)
    {
        SignInAs(role);
        Services.GetRequiredService<NavigationManager>().NavigateTo("gallery/enroll");

        var cut = Render<Routes>();

        cut.WaitForAssertion(() => Assert.Contains("Not authorized", cut.Find("[data-testid=not-authorized]").TextContent, StringComparison.Ordinal));
        Assert.Empty(cut.FindAll("[data-testid=enroll-upload]"));
    }

    /// <summary>Opens the page at <c>gallery/enroll?job=…</c>, as a reload of the address does.</summary>
    private IRenderedComponent<EnrollPage> RenderFollowing(string job)
    {
        var navigation = Services.GetRequiredService<NavigationManager>();
        navigation.NavigateTo(navigation.GetUriWithQueryParameter("job", job));
        return Render<EnrollPage>();
    }

    private static void Upload(IRenderedComponent<EnrollPage> cut, byte[] bytes, string name) =>
        cut.FindComponent<Microsoft.AspNetCore.Components.Forms.InputFile>().UploadFiles(
            InputFileContent.CreateFromBinary(bytes, name, contentType: name.EndsWith(".png", StringComparison.Ordinal) ? "image/png" : "image/jpeg"));
}

/// <summary>Test actors (the page tests call use cases directly for set-up).</summary>
internal static class Actors
{
    public static Actor Admin { get; } = new(ActorKind.User, "id-Admin", "admin@example.org", new HashSet<string> { Roles.Admin });
}
