using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Mote.Gallery.Data;
using Mote.Gallery.Hosting;
using Mote.Gallery.People;
using Mote.Gallery.Security;
using Mote.Portal.Components.Pages.Gallery;
using MudBlazor;

namespace Mote.Portal.Tests.Components;

/// <summary>
/// The person page's Details form (issue 16: edit a person after enrollment) with the real Gallery on a SQLite file: the
/// person's group does not change here, so no engine is needed (the threshold re-read is tested in the Gallery and API tests).
/// </summary>
public sealed class PersonPageDetailsTests : GalleryBunitContext
{
    [Fact]
    public async Task Details_AdminRenamesAndDeclaresOneAttribute_SavedAudited_TheOthersStayEstimated()
    {
        var dee = await AddAsync(TestPeople.Build("Dee Tails"));
        SignInAs(Roles.Admin);
        var cut = Render<PersonPage>(p => p.Add(x => x.Id, dee.Id));
        cut.WaitForElement("[data-testid=person-details]", TimeSpan.FromSeconds(15));
        Assert.Equal("Dee Tails", Input(cut, "person-edit-name").GetAttribute("value"));
        Assert.Contains("female (estimated)", cut.Find("[data-testid=person-edit-gender]").TextContent, StringComparison.Ordinal);

        Input(cut, "person-edit-name").Input("Dee Renamed");
        Input(cut, "person-edit-external-id").Input("D-1");
        cut.Find("[data-testid=person-edit-gender]").Change("female");
        cut.Find("[data-testid=person-save-details]").Click();

        cut.WaitForAssertion(() => Assert.Contains("Saved:", cut.Find("[data-testid=person-notice]").TextContent, StringComparison.Ordinal));
        Assert.Contains("gender declared female (was estimated female)", cut.Find("[data-testid=person-notice]").TextContent, StringComparison.Ordinal);
        Assert.Equal("Dee Renamed", cut.Find("[data-testid=person-name]").TextContent.Trim());
        Assert.Contains("D-1", cut.Find("[data-testid=person-external-id]").TextContent, StringComparison.Ordinal);
        Assert.Equal("false", cut.Find("[data-testid=attribute-gender]").GetAttribute("data-estimated"));
        Assert.Equal("true", cut.Find("[data-testid=attribute-ethnicity]").GetAttribute("data-estimated"));
        Assert.Equal("true", cut.Find("[data-testid=attribute-age-band]").GetAttribute("data-estimated"));
        var stored = await RowAsync(dee.Id);
        Assert.Equal(("Dee Renamed", "D-1", "female", null, null), (stored.Name, stored.ExternalId, stored.DeclaredGender, stored.DeclaredEthnicity, stored.DeclaredAgeBand));
        Assert.Equal(1, await CountAsync(c => c.AuditEvents.CountAsync(e => e.Code == (int)Gallery.Audit.AuditEventCode.PersonEdited && e.SubjectId == dee.Id)));
    }

    [Fact]
    public async Task Details_ExternalIdTaken_RefusedInWords_FormKeepsWhatWasTyped_NothingSaved()
    {
        var eli = await AddAsync(TestPeople.Build("Eli Edit"));
        await AddAsync(TestPeople.Build("Tara Taken", "T-9"));
        SignInAs(Roles.Admin);
        var cut = Render<PersonPage>(p => p.Add(x => x.Id, eli.Id));
        cut.WaitForElement("[data-testid=person-details]", TimeSpan.FromSeconds(15));

        Input(cut, "person-edit-external-id").Input("t-9");
        cut.Find("[data-testid=person-save-details]").Click();

        cut.WaitForAssertion(() => Assert.Contains("already belongs to Tara Taken", cut.Find("[data-testid=person-error]").TextContent, StringComparison.Ordinal));
        Assert.Equal("t-9", Input(cut, "person-edit-external-id").GetAttribute("value"));
        Assert.Null((await RowAsync(eli.Id)).ExternalId);
        Assert.Equal(0, await CountAsync(c => c.AuditEvents.CountAsync()));
    }

    [Fact]
    public async Task Details_TypingAClash_ShownWhileTypingBeforeSave_SaveDisabled_OwnNameNeverClashes()
    {
        var kai = await AddAsync(TestPeople.Build("Kai Check", "K-1"));
        await AddAsync(TestPeople.Build("Tara Taken", "T-9"));
        await AddAsync(TestPeople.Build("Noel Noid"));
        SignInAs(Roles.Admin);
        var cut = Render<PersonPage>(p => p.Add(x => x.Id, kai.Id));
        cut.WaitForElement("[data-testid=person-details]", TimeSpan.FromSeconds(15));

        // Issue 16: the Details form found a clash only after Save; enrollment checks while typing.
        Input(cut, "person-edit-external-id").Input("t-9");

        cut.WaitForAssertion(() => Assert.Contains("already belongs to Tara Taken", cut.Find("[data-testid=person-edit-conflict]").TextContent, StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        Assert.True(cut.Find("[data-testid=person-save-details]").HasAttribute("disabled"));
        Assert.Empty(cut.FindAll("[data-testid=person-error]")); // nothing was submitted

        // A name taken by someone without an external id clashes when this person's external id is removed too.
        Input(cut, "person-edit-external-id").Input("");
        Input(cut, "person-edit-name").Input("noel noid");
        cut.WaitForAssertion(() => Assert.Contains("without an external id", cut.Find("[data-testid=person-edit-conflict]").TextContent, StringComparison.Ordinal), TimeSpan.FromSeconds(10));

        // Back to the person's own name and id: no clash with themself, Save is offered again.
        Input(cut, "person-edit-name").Input("Kai Check");
        Input(cut, "person-edit-external-id").Input("K-1");
        cut.WaitForAssertion(() => Assert.False(cut.Find("[data-testid=person-save-details]").HasAttribute("disabled")), TimeSpan.FromSeconds(10));
        await Task.Delay(Mote.Portal.Components.Pages.Gallery.EnrollPage.IdentityCheckDelay * 3);
        Assert.Empty(cut.FindAll("[data-testid=person-edit-conflict]"));
        Assert.Equal(0, await CountAsync(c => c.AuditEvents.CountAsync()));
    }

    [Fact]
    public async Task Details_Auditor_NoForm()
    {
        var ann = await AddAsync(TestPeople.Build("Ann Auditor"));
        SignInAs(Roles.Auditor);

        var cut = Render<PersonPage>(p => p.Add(x => x.Id, ann.Id));

        cut.WaitForAssertion(() => Assert.Equal("Ann Auditor", cut.Find("[data-testid=person-name]").TextContent.Trim()));
        Assert.Empty(cut.FindAll("[data-testid=person-details]"));
        Assert.Empty(cut.FindAll("[data-testid=person-save-details]"));
    }

    private static AngleSharp.Dom.IElement Input(IRenderedComponent<PersonPage> cut, string testId)
    {
        var element = cut.Find($"[data-testid={testId}]");
        return element.TagName == "INPUT" ? element : element.QuerySelector("input")!;
    }

    private bool _ready;

    private async Task<Person> AddAsync(Person person)
    {
        if (!_ready)
        {
            await GalleryDatabase.MigrateAsync(Services);
            Render<MudPopoverProvider>();
            _ready = true;
        }
        person.EstimatedGender = "female";
        person.EstimatedEthnicity = "white";
        person.EstimatedAgeBand = "18-59";
        await TestPeople.AddAsync(Services, person);
        return person;
    }

    private async Task<Person> RowAsync(string id) => await CountAsync(c => c.People.AsNoTracking().SingleAsync(p => p.Id == id));

    private async Task<T> CountAsync<T>(Func<MoteDbContext, Task<T>> query)
    {
        var scope = Services.CreateAsyncScope();
        await using (scope)
        {
            return await query(scope.ServiceProvider.GetRequiredService<MoteDbContext>());
        }
    }
}
