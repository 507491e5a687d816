using Microsoft.EntityFrameworkCore;
using Mote.Gallery.Audit;
using Mote.Gallery.Data;
using Mote.Gallery.Security;
using Mote.Gallery.Tests.Builders;
using Mote.Gallery.Users;

namespace Mote.Gallery.Tests.Users;

public sealed class UserUseCaseTests
{
    private const string GoodPassword = "correct horse battery";

    [Fact]
    public async Task CreateUser_AsAdmin_CreatesAccountWithRoleAndOneAuditEvent()
    {
        await using var db = await GalleryTestDatabase.CreateAsync();

        var created = await db.InScopeAsync<CreateUser, UserSummary>(u => u.ExecuteAsync(Actors.Admin, "ada@example.org", GoodPassword, "auditor"));

        Assert.Equal([Roles.Auditor], created.Roles);
        var listed = await db.InScopeAsync<ListUsers, IReadOnlyList<UserSummary>>(u => u.ExecuteAsync(Actors.Admin));
        Assert.Equal("ada@example.org", Assert.Single(listed).Email);
        var audit = await db.InScopeAsync<MoteDbContext, List<AuditEvent>>(c => c.AuditEvents.ToListAsync());
        var row = Assert.Single(audit);
        Assert.Equal((int)AuditEventCode.UserCreated, row.Code);
        Assert.Equal(created.Id, row.SubjectId);
        Assert.Equal(Actors.Admin.Id, row.ActorId);
    }

    [Theory]
    [InlineData("short", "ada@example.org", "Admin", "12 characters")]
    [InlineData(GoodPassword, "not-an-email", "Admin", "not an e-mail")]
    [InlineData(GoodPassword, "ada@example.org", "Boss", "Unknown role")]
    public async Task CreateUser_BadInput_RefusedAndNothingStored(string password, string email, string role, string expected)
    {
        await using var db = await GalleryTestDatabase.CreateAsync();

        var e = await Assert.ThrowsAsync<GalleryException>(() =>
            db.InScopeAsync<CreateUser, UserSummary>(u => u.ExecuteAsync(Actors.Admin, email, password, role)));

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.Equal(0, db.Scalar("SELECT COUNT(*) FROM AspNetUsers"));
        Assert.Equal(0, db.Scalar("SELECT COUNT(*) FROM AspNetUserRoles"));
        Assert.Equal(0, db.Scalar("SELECT COUNT(*) FROM AuditEvents"));
    }

    [Fact]
    public async Task CreateUser_DuplicateEmail_RefusedAndFirstKept()
    {
        await using var db = await GalleryTestDatabase.CreateAsync();
        await db.InScopeAsync<CreateUser, UserSummary>(u => u.ExecuteAsync(Actors.Admin, "ada@example.org", GoodPassword, Roles.Admin));

        var e = await Assert.ThrowsAsync<GalleryException>(() =>
            db.InScopeAsync<CreateUser, UserSummary>(u => u.ExecuteAsync(Actors.Admin, "ADA@example.org", GoodPassword, Roles.Operator)));

        // Said once (Identity reports the user name and the e-mail, which are the same here).
        Assert.Equal("Could not create the account: Email 'ADA@example.org' is already taken.", e.Message);
        Assert.Equal(1, db.Scalar("SELECT COUNT(*) FROM AspNetUsers"));
        Assert.Equal(1, db.Scalar("SELECT COUNT(*) FROM AuditEvents"));
    }

    [Theory]
    [InlineData(Roles.Auditor)]
    [InlineData(Roles.Operator)]
    public async Task CreateUser_WithoutManageSettings_PermissionDeniedAndNothingStored(string role)
    {
        await using var db = await GalleryTestDatabase.CreateAsync();

        await Assert.ThrowsAsync<PermissionDeniedException>(() =>
            db.InScopeAsync<CreateUser, UserSummary>(u => u.ExecuteAsync(Actors.WithRole(role), "eve@example.org", GoodPassword, Roles.Admin)));
        await Assert.ThrowsAsync<PermissionDeniedException>(() =>
            db.InScopeAsync<ListUsers, IReadOnlyList<UserSummary>>(u => u.ExecuteAsync(Actors.WithRole(role))));

        Assert.Equal(0, db.Scalar("SELECT COUNT(*) FROM AspNetUsers"));
    }

    [Fact]
    public async Task ChangeUserRole_AdminToAuditorWithAnotherAdmin_ChangesRoleAndAudits()
    {
        await using var db = await GalleryTestDatabase.CreateAsync();
        var first = await db.InScopeAsync<CreateUser, UserSummary>(u => u.ExecuteAsync(Actors.Admin, "ada@example.org", GoodPassword, Roles.Admin));
        await db.InScopeAsync<CreateUser, UserSummary>(u => u.ExecuteAsync(Actors.Admin, "bo@example.org", GoodPassword, Roles.Admin));

        var changed = await db.InScopeAsync<ChangeUserRole, UserSummary>(u => u.ExecuteAsync(Actors.Admin, first.Id, Roles.Auditor));

        Assert.Equal([Roles.Auditor], changed.Roles);
        var listed = await db.InScopeAsync<ListUsers, IReadOnlyList<UserSummary>>(u => u.ExecuteAsync(Actors.Admin));
        Assert.Equal([Roles.Auditor], listed.Single(u => u.Id == first.Id).Roles);
        Assert.Equal(1, db.Scalar($"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.UserRoleChanged}"));
    }

    [Fact]
    public async Task ChangeUserRole_LastAdmin_RefusedAndUnchanged()
    {
        await using var db = await GalleryTestDatabase.CreateAsync();
        var only = await db.InScopeAsync<CreateUser, UserSummary>(u => u.ExecuteAsync(Actors.Admin, "ada@example.org", GoodPassword, Roles.Admin));

        var e = await Assert.ThrowsAsync<GalleryException>(() =>
            db.InScopeAsync<ChangeUserRole, UserSummary>(u => u.ExecuteAsync(Actors.Admin, only.Id, Roles.Operator)));

        Assert.Contains("last Admin", e.Message, StringComparison.Ordinal);
        var listed = await db.InScopeAsync<ListUsers, IReadOnlyList<UserSummary>>(u => u.ExecuteAsync(Actors.Admin));
        Assert.Equal([Roles.Admin], Assert.Single(listed).Roles);
        Assert.Equal(0, db.Scalar($"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.UserRoleChanged}"));
    }
}
