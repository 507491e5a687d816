using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Mote.Gallery.Audit;
using Mote.Gallery.Data;
using Mote.Gallery.Engine;
using Mote.Gallery.People;
using Mote.Gallery.Security;
using Mote.Gallery.Tests.Builders;

namespace Mote.Gallery.Tests.People;

/// <summary>Editing a person after enrollment on a real SQLite file: identity rule, per-attribute "estimated", one audit event, stamps.</summary>
public sealed class EditPersonTests
{
    [Fact]
    public async Task Execute_NameAndExternalId_SavedWithOneAuditEventAndANewStamp()
    {
        await using var db = await GalleryTestDatabase.CreateAsync();
        var ada = PersonRows.Build("Ada Old", externalId: "E-1");
        await db.AddPeopleAsync(ada);

        var result = await EditAsync(db, new PersonEdit(ada.Id, ada.ConcurrencyStamp, Name: "  Ada New ", ExternalId: "E-2"));

        Assert.Equal(("Ada New", "E-2"), (result.Person.Name, result.Person.ExternalId));
        Assert.NotEqual(ada.ConcurrencyStamp, result.Person.ConcurrencyStamp);
        Assert.Null(result.PreviousThreshold);
        var stored = await RowAsync(db, ada.Id);
        Assert.Equal(("ADA NEW", "E-2"), (stored.NormalizedName, stored.NormalizedExternalId));
        Assert.Equal(1, db.Scalar($"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.PersonEdited} AND SubjectId = '{ada.Id}'"));
        Assert.Equal(1, db.Scalar("SELECT COUNT(*) FROM AuditEvents"));
        var detail = await db.InScopeAsync<MoteDbContext, string>(c => c.AuditPayloads.Select(p => p.Detail ?? "").SingleAsync());
        Assert.Contains("name 'Ada Old' → 'Ada New'", detail, StringComparison.Ordinal);
        Assert.Contains("external id 'E-1' → 'E-2'", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Execute_ClashesAsEnrollmentDoes_RefusedAndNothingChanged_ButNeverWithThemself()
    {
        await using var db = await GalleryTestDatabase.CreateAsync();
        var taken = PersonRows.Build("Same Name");
        var holder = PersonRows.Build("Holder", externalId: "X-9");
        var ben = PersonRows.Build("Ben", externalId: "B-1");
        await db.AddPeopleAsync(taken, holder, ben);

        var sameNameNoId = await Assert.ThrowsAsync<GalleryException>(() => EditAsync(db, new PersonEdit(ben.Id, Name: "same name", ExternalId: "")));
        var takenId = await Assert.ThrowsAsync<GalleryException>(() => EditAsync(db, new PersonEdit(ben.Id, ExternalId: "x-9")));
        // Equal names are fine with different external ids; changing only the case of one's own name clashes with no one.
        var namesake = await EditAsync(db, new PersonEdit(ben.Id, Name: "Same Name"));
        var ownCase = await EditAsync(db, new PersonEdit(ben.Id, ExternalId: "b-1"));

        Assert.Equal(GalleryErrorKind.Conflict, sameNameNoId.Kind);
        Assert.Contains("without an external id", sameNameNoId.Message, StringComparison.Ordinal);
        Assert.Contains("already belongs to Holder", takenId.Message, StringComparison.Ordinal);
        Assert.Equal(("Same Name", "B-1"), (namesake.Person.Name, namesake.Person.ExternalId));
        Assert.Equal("b-1", ownCase.Person.ExternalId);
        Assert.Equal(2, db.Scalar($"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.PersonEdited}"));
    }

    [Fact]
    public async Task Execute_CorrectOneAttribute_ItBecomesDeclared_TheOthersStayEstimates_WithdrawShowsTheEstimateAgain()
    {
        await using var db = await GalleryTestDatabase.CreateAsync();
        // The estimate is already 'female': declaring it keeps the person's group, so the threshold is not touched.
        var eve = PersonRows.Build("Eve Estimated", estimatedGender: "female", estimatedEthnicity: "white", estimatedAgeBand: "18-59");
        await db.AddPeopleAsync(eve);

        var declared = await EditAsync(db, new PersonEdit(eve.Id, Gender: "Female"));
        var withdrawn = await EditAsync(db, new PersonEdit(eve.Id, Gender: ""));

        Assert.Equal(("female", false, true, true), (declared.Person.Gender, declared.Person.GenderEstimated, declared.Person.EthnicityEstimated, declared.Person.AgeBandEstimated));
        Assert.Equal(["gender declared female (was estimated female)"], declared.Changes);
        Assert.Equal(eve.Threshold, declared.Person.Threshold);
        Assert.Null(declared.PreviousThreshold);
        Assert.True(withdrawn.Person.GenderEstimated);
        Assert.Null((await RowAsync(db, eve.Id)).DeclaredGender);
    }

    [Fact]
    public async Task Execute_NothingChanges_NothingWritten_UnknownAttributeRefused_StaleStampRefused_AuditorDenied()
    {
        await using var db = await GalleryTestDatabase.CreateAsync();
        var pat = PersonRows.Build("Pat", declaredGender: "male");
        await db.AddPeopleAsync(pat);

        var same = await EditAsync(db, new PersonEdit(pat.Id, pat.ConcurrencyStamp, Name: "Pat", Gender: "male"));
        var unknown = await Assert.ThrowsAsync<GalleryException>(() => EditAsync(db, new PersonEdit(pat.Id, Ethnicity: "martian")));
        var stale = await Assert.ThrowsAsync<GalleryConcurrencyException>(() => EditAsync(db, new PersonEdit(pat.Id, "old-stamp", Name: "Patricia")));
        await Assert.ThrowsAsync<PermissionDeniedException>(() => db.InScopeAsync<EditPerson, EditPersonResult>(e => e.ExecuteAsync(Actors.Auditor, new PersonEdit(pat.Id, Name: "Nope"))));

        Assert.Empty(same.Changes);
        Assert.Equal(pat.ConcurrencyStamp, same.Person.ConcurrencyStamp);
        Assert.Contains("Unknown ethnicity 'martian'", unknown.Message, StringComparison.Ordinal);
        Assert.Contains("changed by someone else", stale.Message, StringComparison.Ordinal);
        Assert.Equal("Pat", (await RowAsync(db, pat.Id)).Name);
        Assert.Equal(0, db.Scalar("SELECT COUNT(*) FROM AuditEvents"));
    }

    internal static Task<EditPersonResult> EditAsync(GalleryTestDatabase db, PersonEdit edit) =>
        db.InScopeAsync<EditPerson, EditPersonResult>(e => e.ExecuteAsync(Actors.Admin, edit));

    internal static Task<Person> RowAsync(GalleryTestDatabase db, string id) =>
        db.InScopeAsync<MoteDbContext, Person>(c => c.People.AsNoTracking().SingleAsync(p => p.Id == id));
}

/// <summary>A group change reads the threshold again, on a person enrolled by the real engine.</summary>
public sealed class EditPersonThresholdTests(EngineGallery gallery) : IClassFixture<EngineGallery>
{
    [Fact]
    public async Task Execute_GenderCorrected_ThresholdReadAgainForTheNewGroupAsEnrollmentReadsIt()
    {
        var db = gallery.Db;
        var face = gallery.EnrollableFace("sample2.jpg");
        var enrolled = await db.InScopeAsync<EnrollPerson, EnrollmentResult>(e => e.ExecuteAsync(Actors.Admin,
            new EnrollmentRequest("Gro Up", gallery.Photo("sample2.jpg"), face, new DeclaredAttributes("female", "white", "18-59"), Seed: 83)));
        var before = await EditPersonTests.RowAsync(db, enrolled.Person.Id);

        var result = await EditPersonTests.EditAsync(db, new PersonEdit(enrolled.Person.Id, enrolled.Person.ConcurrencyStamp, Gender: "male"));

        var after = await EditPersonTests.RowAsync(db, enrolled.Person.Id);
        var engine = db.Services.GetRequiredService<GalleryEngine>();
        var population = engine.GetPopulation(gallery.Analyzer.Backbone);
        var template = PersonRowMapper.OpenTemplate(after, db.Services.GetRequiredService<TemplateProtector>(), gallery.Analyzer.Backbone);
        var expected = PersonTemplateBuilder.Calibrate(engine, template, population, after.Seed, after.TargetFmr, PersonGroup.From("male", "white", "18-59"));
        Assert.Equal(expected, after.Threshold);
        Assert.NotEqual(before.Threshold, after.Threshold);
        Assert.Equal(before.Threshold, result.PreviousThreshold);
        Assert.Equal(before.TemplateBlob, after.TemplateBlob);
        Assert.Equal(("male", false), (result.Person.Gender, result.Person.GenderEstimated));
        Assert.Contains(result.Changes, c => c.StartsWith("threshold ", StringComparison.Ordinal) && c.EndsWith("male|white|18-59", StringComparison.Ordinal));
    }
}
