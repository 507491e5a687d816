using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Mote.Gallery.Data;
using Mote.Gallery.Hosting;
using Mote.Gallery.People;
using Mote.Gallery.Security;
using Mote.Portal.Components.Pages.Gallery;
using MudBlazor;

namespace Mote.Portal.Tests.Components;

public sealed class GalleryPageTests : GalleryBunitContext
{
    [Fact]
    public async Task GalleryPage_ListsPeopleMarksEstimatesAndSearches()
    {
        await GalleryDatabase.MigrateAsync(Services);
        await SeedAsync(("Ada Lovelace", "female", null), ("Alan Turing", null, "male"), ("Grace Hopper", "female", null));
        SignInAs(Roles.Auditor);
        Render<MudPopoverProvider>();

        var cut = Render<GalleryPage>();

        cut.WaitForAssertion(() => Assert.Equal(3, cut.FindAll("[data-testid=people-table] tbody tr").Count));
        var alan = cut.FindAll("[data-testid=people-table] tbody tr").Single(r => r.TextContent.Contains("Alan Turing", StringComparison.Ordinal));
        Assert.Contains("estimated", alan.TextContent, StringComparison.Ordinal);
        var ada = cut.FindAll("[data-testid=people-table] tbody tr").Single(r => r.TextContent.Contains("Ada Lovelace", StringComparison.Ordinal));
        Assert.DoesNotContain("estimated", ada.TextContent, StringComparison.Ordinal);
        Assert.Matches("gallery/[0-9a-f-]{36}$", ada.QuerySelector("[data-testid=person-link]")!.GetAttribute("href"));
        Assert.Empty(cut.FindAll("[data-testid=gallery-enroll]")); // an Auditor reads only

        var search = cut.Find("[data-testid=people-search]");
        (search.TagName == "INPUT" ? search : search.QuerySelector("input")!).Input("hop");
        cut.WaitForAssertion(() => Assert.Equal("Grace Hopper", cut.Find("[data-testid=people-table] tbody tr td").TextContent.Trim()), TimeSpan.FromSeconds(5));
        Assert.Single(cut.FindAll("[data-testid=people-table] tbody tr"));
    }

    [Fact]
    public async Task GalleryPage_OneAttributeDeclared_MarksOnlyTheOtherTwoEstimated()
    {
        await GalleryDatabase.MigrateAsync(Services);
        await SeedAsync(("Ada Lovelace", "female", "male"));
        await using (var scope = Services.CreateAsyncScope())
        {
            // Declared gender; ethnicity and age band still the estimator's guesses.
            var db = scope.ServiceProvider.GetRequiredService<MoteDbContext>();
            var ada = db.People.Single();
            (ada.EstimatedEthnicity, ada.EstimatedAgeBand) = ("white", "18-59");
            await db.SaveChangesAsync();
        }
        SignInAs(Roles.Auditor);
        Render<MudPopoverProvider>();

        var cut = Render<GalleryPage>();

        cut.WaitForAssertion(() => Assert.Equal(3, cut.FindAll("[data-testid=person-attribute]").Count));
        Assert.Equal(["female:false", "white:true", "18-59:true"],
            cut.FindAll("[data-testid=person-attribute]").Select(a => $"{a.TextContent.TrimStart(',', ' ')}:{a.GetAttribute("data-estimated")}"));
        Assert.Equal(2, cut.FindAll(".mud-chip").Count(c => c.TextContent.Contains("estimated", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task GalleryPage_Admin_OffersEnroll()
    {
        await GalleryDatabase.MigrateAsync(Services);
        SignInAs(Roles.Admin);
        Render<MudPopoverProvider>();

        var cut = Render<GalleryPage>();

        cut.WaitForAssertion(() => Assert.EndsWith("gallery/enroll", cut.Find("[data-testid=gallery-enroll]").GetAttribute("href"), StringComparison.Ordinal));
    }

    [Fact]
    public async Task GalleryPage_Operator_IsNotToldToTuneRetrainOrErase()
    {
        await GalleryDatabase.MigrateAsync(Services);
        SignInAs(Roles.Operator);
        Render<MudPopoverProvider>();

        var cut = Render<GalleryPage>();

        // Issue 16: Operators were told to "tune their balance, retrain or erase", which they cannot.
        cut.WaitForAssertion(() => Assert.Contains("recent decisions", cut.Find("[data-testid=gallery-intro-action]").TextContent, StringComparison.Ordinal));
        var intro = cut.Find("[data-testid=gallery-intro-action]").ParentElement!.TextContent;
        Assert.DoesNotContain("retrain", intro, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("erase", intro, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("tune", intro, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(cut.FindAll("[data-testid=gallery-enroll]"));
    }

    [Fact]
    public async Task GalleryPage_Admin_IsToldWhatOpeningAPersonOffers()
    {
        await GalleryDatabase.MigrateAsync(Services);
        SignInAs(Roles.Admin);
        Render<MudPopoverProvider>();

        var cut = Render<GalleryPage>();

        cut.WaitForAssertion(() => Assert.Contains("retrain", cut.Find("[data-testid=gallery-intro-action]").TextContent, StringComparison.Ordinal));
    }

    private Task SeedAsync(params (string Name, string? Declared, string? Estimated)[] people) =>
        TestPeople.AddAsync(Services, people.Select(p =>
        {
            var person = TestPeople.Build(p.Name);
            (person.DeclaredGender, person.EstimatedGender) = (p.Declared, p.Estimated);
            return person;
        }).ToArray());
}
