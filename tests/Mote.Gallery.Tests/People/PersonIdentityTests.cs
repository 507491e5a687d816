using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Mote.Gallery.Data;
using Mote.Gallery.People;
using Mote.Gallery.Security;
using Mote.Gallery.Tests.Builders;

namespace Mote.Gallery.Tests.People;

/// <summary>
/// Names and external ids (issue 16, item 7): two real people may share a name when their external ids differ; the
/// pair is unique, and so is a non-empty external id, case-insensitively. The unique indexes hold under concurrent
/// saves, not only the check; lookups by name say when a name is ambiguous.
/// </summary>
public sealed class PersonIdentityTests
{
    [Fact]
    public async Task Check_EqualNamesDifferentExternalIds_AllowedButDuplicatePairOrExternalIdRefused()
    {
        await using var db = await GalleryTestDatabase.CreateAsync();
        await db.AddPeopleAsync(PersonRows.Build("Kim Lee", externalId: "E-100"), PersonRows.Build("Sam Park"));

        Assert.Null(await CheckAsync(db, "Kim Lee", "E-200"));
        Assert.Null(await CheckAsync(db, "kim lee", null)); // the other Kim Lee has an id; "no id" is a value of its own
        Assert.Null(await CheckAsync(db, "", "E-100")); // no name yet: the form says so itself
        Assert.Contains("with the external id 'e-100' is already enrolled", await CheckAsync(db, "KIM LEE", " e-100 "), StringComparison.Ordinal);
        Assert.Contains("already belongs to Kim Lee", await CheckAsync(db, "Someone Else", "e-100"), StringComparison.Ordinal);
        Assert.Contains("already enrolled without an external id", await CheckAsync(db, "sam park", ""), StringComparison.Ordinal);
        Assert.Null(await CheckAsync(db, "Sam Park", "S-1"));
        Assert.Contains("at most 64 characters", await Assert.ThrowsAsync<GalleryException>(() => CheckAsync(db, "Sam Park", new string('x', 65))).ContinueWith(t => t.Result.Message), StringComparison.Ordinal);
        await Assert.ThrowsAsync<PermissionDeniedException>(() => db.InScopeAsync<CheckPersonIdentity, string?>(c => c.ExecuteAsync(Actors.Operator, "Kim Lee", null)));
    }

    [Fact]
    public async Task UniqueIndexes_TwoSavesThatBothPassedTheCheck_SecondRefusedAsUniqueViolation()
    {
        await using var db = await GalleryTestDatabase.CreateAsync();
        // Two requests check at the same moment (both free), then both save: the database must refuse the second.
        await using var first = db.Services.CreateAsyncScope();
        await using var second = db.Services.CreateAsyncScope();
        var a = first.ServiceProvider.GetRequiredService<MoteDbContext>();
        var b = second.ServiceProvider.GetRequiredService<MoteDbContext>();
        var key = PersonIdentity.Normalize("Kim Lee", "E-100");
        Assert.Null(await PersonIdentity.ConflictAsync(a, key));
        Assert.Null(await PersonIdentity.ConflictAsync(b, key));

        a.People.Add(PersonRows.Build("Kim Lee", externalId: "E-100"));
        await a.SaveChangesAsync();
        b.People.Add(PersonRows.Build("Kim Lee", externalId: "e-100"));
        var pair = await Assert.ThrowsAsync<DbUpdateException>(() => b.SaveChangesAsync());

        Assert.True(PersonIdentity.IsUniqueViolation(pair));
        Assert.Equal(1, db.Scalar("SELECT COUNT(*) FROM People WHERE NormalizedExternalId = 'E-100'"));
        // The same external id under another name, and the same name twice without ids: both refused by the indexes.
        await AssertUniqueViolationAsync(db, PersonRows.Build("Other Name", externalId: "E-100"));
        await db.AddPeopleAsync(PersonRows.Build("Sam Park"));
        await AssertUniqueViolationAsync(db, PersonRows.Build("SAM PARK"));
        await db.AddPeopleAsync(PersonRows.Build("Sam Park", externalId: "S-2")); // equal name, own id: fine
        Assert.Equal(2, db.Scalar("SELECT COUNT(*) FROM People WHERE NormalizedName = 'SAM PARK'"));
    }

    [Fact]
    public async Task GetPerson_SharedName_AmbiguousInWords_ByExternalIdOrIdFound()
    {
        await using var db = await GalleryTestDatabase.CreateAsync();
        var first = PersonRows.Build("Kim Lee", externalId: "E-100");
        var second = PersonRows.Build("Kim Lee", externalId: "E-200");
        await db.AddPeopleAsync(first, second);

        var ambiguous = await Assert.ThrowsAsync<GalleryException>(() => db.InScopeAsync<GetPerson, PersonDetails>(g => g.ExecuteAsync(Actors.Auditor, "kim lee")));
        var byExternalId = await db.InScopeAsync<GetPerson, PersonDetails>(g => g.ExecuteAsync(Actors.Auditor, "e-200"));
        var byId = await db.InScopeAsync<GetPerson, PersonDetails>(g => g.ExecuteAsync(Actors.Auditor, first.Id));
        var (found, total) = await db.InScopeAsync<ListPeople, (IReadOnlyList<PersonSummary>, int)>(l => l.ExecuteAsync(Actors.Auditor, "e-2", PeopleSort.Name, 0, 10));

        Assert.Equal(GalleryErrorKind.Conflict, ambiguous.Kind);
        Assert.Contains("2 people are called 'kim lee'", ambiguous.Message, StringComparison.Ordinal);
        Assert.Contains("E-100", ambiguous.Message, StringComparison.Ordinal);
        Assert.Equal(second.Id, byExternalId.Summary.Id);
        Assert.Equal("E-200", byExternalId.Summary.ExternalId);
        Assert.Equal(first.Id, byId.Summary.Id);
        Assert.Equal(1, total);
        Assert.Equal("E-200", Assert.Single(found).ExternalId);
    }

    private static Task<string?> CheckAsync(GalleryTestDatabase db, string name, string? externalId) =>
        db.InScopeAsync<CheckPersonIdentity, string?>(c => c.ExecuteAsync(Actors.Admin, name, externalId));

    private static async Task AssertUniqueViolationAsync(GalleryTestDatabase db, Person person)
    {
        var e = await Assert.ThrowsAsync<DbUpdateException>(() => db.AddPeopleAsync(person));
        Assert.True(PersonIdentity.IsUniqueViolation(e));
    }
}
