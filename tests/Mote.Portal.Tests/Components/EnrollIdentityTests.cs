using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Mote.Gallery.Data;
using Mote.Gallery.Hosting;
using Mote.Gallery.People;
using Mote.Gallery.Security;
using Mote.Portal.Components.Pages.Gallery;
using Mote.Portal.Tests.Infrastructure;
using MudBlazor;

namespace Mote.Portal.Tests.Components;

/// <summary>
/// Names and external ids on the enrollment form (issue 16, item 7), with the real Gallery and engine on a demo photo:
/// a clash is shown while typing (checked a moment after typing stops), an external id resolves it, and a refusal at
/// Enroll keeps the form. Before, a taken name was refused only by the background job, after the form was gone.
/// </summary>
public sealed class EnrollIdentityTests : GalleryBunitContext
{
    private static readonly TimeSpan Slow = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task Typing_TakenName_ConflictShownBeforeSubmit_ExternalIdResolvesIt_TakenExternalIdShown()
    {
        var cut = await FormWithPhotoAsync(("Kim Lee", null), ("Ola Other", "E-7"));

        Type(cut, "enroll-name", "kim lee");

        cut.WaitForAssertion(() => Assert.Contains("already enrolled without an external id", cut.Find("[data-testid=enroll-conflict]").TextContent, StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        Assert.True(cut.Find("[data-testid=enroll-submit]").HasAttribute("disabled"));

        Type(cut, "enroll-external-id", "E-8");
        cut.WaitForAssertion(() => Assert.False(cut.Find("[data-testid=enroll-submit]").HasAttribute("disabled")), TimeSpan.FromSeconds(10));
        Assert.Empty(cut.FindAll("[data-testid=enroll-conflict]"));

        Type(cut, "enroll-external-id", "e-7");
        cut.WaitForAssertion(() => Assert.Contains("already belongs to Ola Other", cut.Find("[data-testid=enroll-conflict]").TextContent, StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        Assert.True(cut.Find("[data-testid=enroll-submit]").HasAttribute("disabled"));
    }

    [Fact]
    public async Task Submit_TakenNameBeforeTheCheckRan_RefusedAndTheFormIsKept()
    {
        var cut = await FormWithPhotoAsync(("Kim Lee", null));
        var navigation = Services.GetRequiredService<NavigationManager>();
        var before = navigation.Uri;

        // Enroll pressed at once, before the debounced check: the submit checks itself.
        Type(cut, "enroll-name", "Kim Lee");
        cut.Find("[data-testid=enroll-submit]").Click();

        cut.WaitForAssertion(() => Assert.Contains("Kim Lee", cut.Find("[data-testid=enroll-conflict]").TextContent, StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        Assert.Equal(before, navigation.Uri); // no job started
        Assert.Empty(cut.FindAll("[data-testid=enroll-job]"));
        Assert.Single(cut.FindAll("[data-testid=face-overlay] [data-testid=face-box][data-selected=true]")); // the photo, its faces and the pick are still there
        Assert.Equal("Kim Lee", Input(cut, "enroll-name").GetAttribute("value"));
        Assert.Equal(1, CountPeople("KIM LEE"));

        // Adding an external id lets the same form go through, nothing retyped.
        Type(cut, "enroll-external-id", "E-9");
        cut.WaitForAssertion(() => Assert.False(cut.Find("[data-testid=enroll-submit]").HasAttribute("disabled")), TimeSpan.FromSeconds(10));
        cut.Find("[data-testid=enroll-submit]").Click();
        cut.WaitForAssertion(() => Assert.Contains("job=", navigation.Uri, StringComparison.Ordinal), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Job_RefusedAfterSubmit_BackToTheFormKeepsPhotoNameAndExternalId()
    {
        var cut = await FormWithPhotoAsync();
        var queue = Services.GetRequiredService<EnrollmentQueue>();
        var navigation = Services.GetRequiredService<NavigationManager>();
        Type(cut, "enroll-name", "Kim Lee");
        Type(cut, "enroll-external-id", "E-1");
        cut.WaitForAssertion(() => Assert.False(cut.Find("[data-testid=enroll-submit]").HasAttribute("disabled")), TimeSpan.FromSeconds(10));
        cut.Find("[data-testid=enroll-submit]").Click();
        cut.WaitForAssertion(() => Assert.Contains("job=", navigation.Uri, StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        // Someone else takes the pair between the check and the job: the job is refused.
        await AddPeopleAsync(("Kim Lee", "E-1"));
        await StartJobsAsync();
        try
        {
            cut.WaitForAssertion(() => Assert.Contains("external id 'E-1'", cut.Find("[data-testid=enroll-error]").TextContent, StringComparison.Ordinal), Slow);
            Assert.Equal("gallery/enroll", cut.Find("[data-testid=enroll-back-to-form]").GetAttribute("href"));

            navigation.NavigateTo("gallery/enroll");

            cut.WaitForElement("[data-testid=enroll-details]", TimeSpan.FromSeconds(10));
            Assert.Single(cut.FindAll("[data-testid=face-overlay] [data-testid=face-box][data-selected=true]"));
            Assert.Equal("Kim Lee", Input(cut, "enroll-name").GetAttribute("value"));
            Assert.Equal("E-1", Input(cut, "enroll-external-id").GetAttribute("value"));
            Type(cut, "enroll-external-id", "E-2");
            cut.WaitForAssertion(() => Assert.False(cut.Find("[data-testid=enroll-submit]").HasAttribute("disabled")), TimeSpan.FromSeconds(10));
        }
        finally
        {
            }
    }

    private async Task<IRenderedComponent<EnrollPage>> FormWithPhotoAsync(params (string Name, string? ExternalId)[] enrolled)
    {
        await GalleryDatabase.MigrateAsync(Services);
        await AddPeopleAsync(enrolled);
        SignInAs(Roles.Admin);
        Render<MudPopoverProvider>();
        var cut = Render<EnrollPage>();
        // sample1.jpg: several faces; the usable one is pre-picked, or picked here.
        cut.FindComponent<Microsoft.AspNetCore.Components.Forms.InputFile>().UploadFiles(
            InputFileContent.CreateFromBinary(await DemoPhotos.ReadAsync("sample1.jpg"), "sample1.jpg", contentType: "image/jpeg"));
        cut.WaitForElement("[data-testid=face-overlay]", Slow);
        if (cut.FindAll("[data-testid=enroll-details]").Count == 0)
        {
            var usable = cut.FindAll("[data-testid=face-box]").First(b => b.GetAttribute("data-accepted") == "true").GetAttribute("data-face")!;
            cut.Find($"[data-testid=face-option][data-face='{usable}']").Click();
        }
        cut.WaitForElement("[data-testid=enroll-details]", TimeSpan.FromSeconds(15));
        return cut;
    }

    private Task AddPeopleAsync(params (string Name, string? ExternalId)[] people) =>
        TestPeople.AddAsync(Services, people.Select(p => TestPeople.Build(p.Name, p.ExternalId)).ToArray());

    private long CountPeople(string normalizedName)
    {
        using var scope = Services.CreateScope();
        return scope.ServiceProvider.GetRequiredService<MoteDbContext>().People.LongCount(p => p.NormalizedName == normalizedName);
    }

    private static AngleSharp.Dom.IElement Input(IRenderedComponent<EnrollPage> cut, string testId)
    {
        var field = cut.Find($"[data-testid={testId}]");
        return field.TagName == "INPUT" ? field : field.QuerySelector("input")!;
    }

    private static void Type(IRenderedComponent<EnrollPage> cut, string testId, string text) => Input(cut, testId).Input(text);
}
