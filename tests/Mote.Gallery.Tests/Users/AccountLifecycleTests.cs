using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Mote.Gallery.Audit;
using Mote.Gallery.Data;
using Mote.Gallery.Security;
using Mote.Gallery.Tests.Builders;
using Mote.Gallery.Users;

namespace Mote.Gallery.Tests.Users;

/// <summary>Issue 14 items 1 and 4: the actor comes from the store, and Admins disable, enable, reset and sign out accounts.</summary>
public sealed class AccountLifecycleTests
{
    private const string GoodPassword = "correct horse battery";

    [Fact]
    public async Task ResolveUserActor_RoleChangedAfterSignIn_ReadsTheCurrentRoleNotTheOldOne()
    {
        await using var db = await GalleryTestDatabase.CreateAsync();
        var ada = await CreateAsync(db, "ada@example.org", Roles.Admin);
        await CreateAsync(db, "bob@example.org", Roles.Admin);
        var stamp = await StampAsync(db, ada.Id);

        await db.InScopeAsync<ChangeUserRole, UserSummary>(u => u.ExecuteAsync(Actors.Admin, ada.Id, Roles.Operator));

        // The stamp ada signed in with is stale now: her old session holds nothing.
        var stale = await db.InScopeAsync<ResolveUserActor, Actor>(r => r.ExecuteAsync(ada.Id, stamp));
        Assert.Equal(ActorKind.Anonymous, stale.Kind);
        Assert.False(stale.Has(Permission.ManageSettings));
        // A fresh session gets the role the store holds now.
        var fresh = await db.InScopeAsync<ResolveUserActor, Actor>(r => r.ExecuteAsync(ada.Id, null));
        Assert.Equal([Roles.Operator], fresh.Roles);
        Assert.False(fresh.Has(Permission.ManageSettings));
    }

    [Fact]
    public async Task DisableUser_ActiveAccount_ResolvesAnonymousCannotSignInAndWritesOneEvent()
    {
        await using var db = await GalleryTestDatabase.CreateAsync();
        var bob = await CreateAsync(db, "bob@example.org", Roles.Operator);
        var events = db.Scalar("SELECT COUNT(*) FROM AuditEvents");

        await db.InScopeAsync<DisableUser, bool>(async u => { await u.ExecuteAsync(Actors.Admin, bob.Id); return true; });

        Assert.Equal(ActorKind.Anonymous, (await db.InScopeAsync<ResolveUserActor, Actor>(r => r.ExecuteAsync(bob.Id, null))).Kind);
        var listed = Assert.Single(await db.InScopeAsync<ListUsers, IReadOnlyList<UserSummary>>(u => u.ExecuteAsync(Actors.Admin)));
        Assert.Equal("disabled", listed.Status);
        Assert.Equal(events + 1, db.Scalar("SELECT COUNT(*) FROM AuditEvents"));
        Assert.Equal(1, db.Scalar($"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.UserDisabled}"));

        await db.InScopeAsync<EnableUser, bool>(async u => { await u.ExecuteAsync(Actors.Admin, bob.Id); return true; });

        Assert.Equal(ActorKind.User, (await db.InScopeAsync<ResolveUserActor, Actor>(r => r.ExecuteAsync(bob.Id, null))).Kind);
        Assert.Equal(1, db.Scalar($"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.UserEnabled}"));
    }

    [Fact]
    public async Task DisableUser_LastAdminOrOperator_RefusedAndNothingWritten()
    {
        await using var db = await GalleryTestDatabase.CreateAsync();
        var ada = await CreateAsync(db, "ada@example.org", Roles.Admin);
        var events = db.Scalar("SELECT COUNT(*) FROM AuditEvents");

        var last = await Assert.ThrowsAsync<GalleryException>(() => db.InScopeAsync<DisableUser, bool>(async u => { await u.ExecuteAsync(Actors.Admin, ada.Id); return true; }));
        Assert.Contains("last Admin", last.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<PermissionDeniedException>(() => db.InScopeAsync<DisableUser, bool>(async u => { await u.ExecuteAsync(Actors.Operator, ada.Id); return true; }));
        Assert.Equal(events, db.Scalar("SELECT COUNT(*) FROM AuditEvents"));
    }

    [Fact]
    public async Task EndUserSessions_ChangesTheStamp_OldSessionResolvesAnonymous()
    {
        await using var db = await GalleryTestDatabase.CreateAsync();
        var bob = await CreateAsync(db, "bob@example.org", Roles.Auditor);
        var stamp = await StampAsync(db, bob.Id);

        await db.InScopeAsync<EndUserSessions, bool>(async u => { await u.ExecuteAsync(Actors.Admin, bob.Id); return true; });

        Assert.NotEqual(stamp, await StampAsync(db, bob.Id));
        Assert.Equal(ActorKind.Anonymous, (await db.InScopeAsync<ResolveUserActor, Actor>(r => r.ExecuteAsync(bob.Id, stamp))).Kind);
        Assert.Equal(1, db.Scalar($"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.UserSessionsEnded}"));
    }

    [Fact]
    public async Task PasswordReset_LinkUsedOnce_SetsPasswordEndsSessionsAndIsRefusedAgain()
    {
        await using var db = await GalleryTestDatabase.CreateAsync();
        var bob = await CreateAsync(db, "bob@example.org", Roles.Operator);
        var stamp = await StampAsync(db, bob.Id);
        var link = await db.InScopeAsync<IssuePasswordReset, PasswordResetLink>(u => u.ExecuteAsync(Actors.Admin, bob.Id));
        Assert.StartsWith("account/reset-password?token=", link.Path, StringComparison.Ordinal);
        // Only the hash is stored.
        Assert.Equal(0, db.Scalar($"SELECT COUNT(*) FROM AspNetUserTokens WHERE Value LIKE '%{link.Token}%'"));

        // A common password is refused and leaves the link working.
        var common = await Assert.ThrowsAsync<GalleryException>(() => db.InScopeAsync<CompletePasswordReset, string>(u => u.ExecuteAsync(link.Token, "password1234", "10.0.0.9")));
        Assert.Contains("too common", common.Message, StringComparison.Ordinal);

        var email = await db.InScopeAsync<CompletePasswordReset, string>(u => u.ExecuteAsync(link.Token, "new bright morning walk", "10.0.0.9"));

        Assert.Equal("bob@example.org", email);
        Assert.True(await db.InScopeAsync<UserManager<PortalUser>, bool>(async m => await m.CheckPasswordAsync((await m.FindByIdAsync(bob.Id))!, "new bright morning walk")));
        Assert.False(await db.InScopeAsync<UserManager<PortalUser>, bool>(async m => await m.CheckPasswordAsync((await m.FindByIdAsync(bob.Id))!, GoodPassword)));
        Assert.Equal(ActorKind.Anonymous, (await db.InScopeAsync<ResolveUserActor, Actor>(r => r.ExecuteAsync(bob.Id, stamp))).Kind);
        await Assert.ThrowsAsync<GalleryException>(() => db.InScopeAsync<CompletePasswordReset, string>(u => u.ExecuteAsync(link.Token, "another fine long phrase", null)));
        Assert.Equal(1, db.Scalar($"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.PasswordResetIssued}"));
        Assert.Equal(1, db.Scalar($"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.PasswordResetCompleted}"));
    }

    [Theory]
    [InlineData("password1234")]
    [InlineData("Password1234!")]
    [InlineData("p@ssw0rd2026")]
    [InlineData("qwertyuiop12")]
    [InlineData("123456789012")]
    [InlineData("abcabcabcabc")]
    [InlineData("iloveyou2025")]
    public async Task CreateUser_CommonPassword_RefusedAndNothingStored(string password)
    {
        await using var db = await GalleryTestDatabase.CreateAsync();

        var e = await Assert.ThrowsAsync<GalleryException>(() =>
            db.InScopeAsync<CreateUser, UserSummary>(u => u.ExecuteAsync(Actors.Admin, "ada@example.org", password, Roles.Admin)));

        Assert.Contains("too common", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, db.Scalar("SELECT COUNT(*) FROM AspNetUsers"));
    }

    [Theory]
    [InlineData("correct horse battery")]
    [InlineData("new bright morning walk")]
    [InlineData("Tr4vel-Lantern-Oak")]
    public void PasswordBlocklist_UncommonPhrase_Allowed(string password) => Assert.False(PasswordBlocklist.IsBlocked(password, "ada@example.org"));

    [Fact]
    public void PasswordBlocklist_ContainsOwnEmailName_Refused() => Assert.True(PasswordBlocklist.IsBlocked("margaret.hopper-2026", "margaret.hopper@example.org"));

    private static Task<UserSummary> CreateAsync(GalleryTestDatabase db, string email, string role) =>
        db.InScopeAsync<CreateUser, UserSummary>(u => u.ExecuteAsync(Actor.Terminal("test"), email, GoodPassword, role));

    private static Task<string> StampAsync(GalleryTestDatabase db, string userId) =>
        db.InScopeAsync<MoteDbContext, string>(async c => (await c.Users.FindAsync(userId))!.SecurityStamp!);
}
