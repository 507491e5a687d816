using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Mote.Gallery.Audit;
using Mote.Gallery.Data;
using Mote.Gallery.Security;
using Mote.Gallery.Tests.Builders;
using Mote.Gallery.Users;

namespace Mote.Gallery.Tests.Users;

/// <summary>Issue 14 item 3: TOTP set-up, codes used once, recovery codes, storage at rest, and the Admin's reset.</summary>
public sealed class MfaTests
{
    private const string GoodPassword = "correct horse battery";
    private static readonly DateTimeOffset Now = new(2026, 12, 5, 12, 0, 10, TimeSpan.Zero);

    [Fact]
    public async Task ConfirmMfaSetup_CodeFromThePendingSecret_TurnsOnIssuesTenCodesAndChangesTheStamp()
    {
        var clock = new FakeTimeProvider(Now);
        await using var db = await GalleryTestDatabase.CreateAsync(s => s.AddSingleton<TimeProvider>(clock));
        var (ada, actor) = await CreateAsync(db, "ada@example.org", Roles.Admin);
        var stamp = await StampAsync(db, ada.Id);

        var setup = await db.InScopeAsync<BeginMfaSetup, MfaSetup>(u => u.ExecuteAsync(actor));
        var again = await db.InScopeAsync<BeginMfaSetup, MfaSetup>(u => u.ExecuteAsync(actor));
        Assert.Equal(setup.Secret, again.Secret); // a reload shows the same pending secret
        Assert.Equal(1, db.Scalar($"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.MfaSetupStarted}"));
        Assert.False((await StatusAsync(db, actor)).Enabled);

        var codes = await db.InScopeAsync<ConfirmMfaSetup, IReadOnlyList<string>>(u => u.ExecuteAsync(actor, CodeNow(setup, clock)));

        Assert.Equal(10, codes.Distinct().Count());
        Assert.All(codes, c => Assert.Matches("^[a-z2-9]{5}-[a-z2-9]{5}$", c));
        var status = await StatusAsync(db, actor);
        Assert.True(status.Enabled);
        Assert.True(status.Required);
        Assert.Equal(10, status.RecoveryCodesLeft);
        Assert.NotEqual(stamp, await StampAsync(db, ada.Id));
        Assert.Equal(1, db.Scalar($"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.MfaEnabled}"));
    }

    [Fact]
    public async Task ConfirmMfaSetup_WrongCode_RefusedAndStaysOff()
    {
        var clock = new FakeTimeProvider(Now);
        await using var db = await GalleryTestDatabase.CreateAsync(s => s.AddSingleton<TimeProvider>(clock));
        var (_, actor) = await CreateAsync(db, "ada@example.org", Roles.Operator);
        var setup = await db.InScopeAsync<BeginMfaSetup, MfaSetup>(u => u.ExecuteAsync(actor));
        var wrong = Totp.Code(Base32.Decode(setup.Secret), Totp.StepAt(clock.GetUtcNow()) + 5);

        await Assert.ThrowsAsync<GalleryException>(() => db.InScopeAsync<ConfirmMfaSetup, IReadOnlyList<string>>(u => u.ExecuteAsync(actor, wrong)));

        Assert.False((await StatusAsync(db, actor)).Enabled);
        Assert.Equal(0, db.Scalar($"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.MfaEnabled}"));
    }

    [Fact]
    public async Task VerifyCode_SameCodeTwice_SecondRefused_NextStepAccepted()
    {
        var clock = new FakeTimeProvider(Now);
        await using var db = await GalleryTestDatabase.CreateAsync(s => s.AddSingleton<TimeProvider>(clock));
        var (ada, actor) = await CreateAsync(db, "ada@example.org", Roles.Admin);
        var setup = await EnableAsync(db, actor, clock);
        clock.Advance(TimeSpan.FromSeconds(30)); // the set-up code's step is spent

        var code = CodeNow(setup, clock);
        Assert.True(await VerifyAsync(db, ada.Id, code));
        Assert.False(await VerifyAsync(db, ada.Id, code)); // replay within its own 30 s
        clock.Advance(TimeSpan.FromSeconds(20));
        Assert.False(await VerifyAsync(db, ada.Id, code)); // still inside the ±1-step window, still refused
        Assert.True(await VerifyAsync(db, ada.Id, CodeNow(setup, clock)));
    }

    [Fact]
    public async Task VerifyCode_ClockOneStepOffEitherWay_Accepted_TwoStepsOff_Refused()
    {
        var clock = new FakeTimeProvider(Now);
        await using var db = await GalleryTestDatabase.CreateAsync(s => s.AddSingleton<TimeProvider>(clock));
        var (ada, actor) = await CreateAsync(db, "ada@example.org", Roles.Admin);
        var setup = await EnableAsync(db, actor, clock);
        var key = Base32.Decode(setup.Secret);
        clock.Advance(TimeSpan.FromMinutes(10));
        var now = Totp.StepAt(clock.GetUtcNow());

        Assert.False(await VerifyAsync(db, ada.Id, Totp.Code(key, now - 2)));
        Assert.True(await VerifyAsync(db, ada.Id, Totp.Code(key, now - 1)));
        Assert.False(await VerifyAsync(db, ada.Id, Totp.Code(key, now + 2)));
        Assert.True(await VerifyAsync(db, ada.Id, Totp.Code(key, now + 1)));
        // After the phone ahead by a step was used, the current step's code is older than the last used one.
        Assert.False(await VerifyAsync(db, ada.Id, Totp.Code(key, now)));
    }

    [Fact]
    public async Task RecoveryCode_WorksOnce_AndIsStoredOnlyAsAKeyedHash()
    {
        var clock = new FakeTimeProvider(Now);
        await using var db = await GalleryTestDatabase.CreateAsync(s => s.AddSingleton<TimeProvider>(clock));
        var (ada, actor) = await CreateAsync(db, "ada@example.org", Roles.Operator);
        var setup = await db.InScopeAsync<BeginMfaSetup, MfaSetup>(u => u.ExecuteAsync(actor));
        var codes = await db.InScopeAsync<ConfirmMfaSetup, IReadOnlyList<string>>(u => u.ExecuteAsync(actor, CodeNow(setup, clock)));

        Assert.True(await RedeemAsync(db, ada.Id, codes[3].ToUpperInvariant().Replace("-", " ", StringComparison.Ordinal)));
        Assert.False(await RedeemAsync(db, ada.Id, codes[3]));
        Assert.False(await RedeemAsync(db, ada.Id, "aaaaa-aaaaa"));
        Assert.Equal(9, (await StatusAsync(db, actor)).RecoveryCodesLeft);

        // Neither a recovery code nor the secret is in the database in clear (base32 or raw bytes).
        foreach (var code in codes)
        {
            Assert.Equal(0, db.Scalar($"SELECT COUNT(*) FROM AspNetUserTokens WHERE Value LIKE '%{code}%' OR Value LIKE '%{code.Replace("-", "", StringComparison.Ordinal)}%'"));
        }
        Assert.Equal(0, db.Scalar($"SELECT COUNT(*) FROM AspNetUserTokens WHERE Value LIKE '%{setup.Secret}%' OR Value LIKE '%{Convert.ToBase64String(Base32.Decode(setup.Secret))}%'"));
        if (db.Provider == Mote.Gallery.Hosting.GalleryProvider.Sqlite)
        {
            // The raw bytes of the file as well (SQLite only: PostgreSQL's files are the server's; the queries above ran on both).
            var db64 = File.ReadAllBytes(db.DatabasePath);
            Assert.Equal(-1, db64.AsSpan().IndexOf(Base32.Decode(setup.Secret)));
        }
    }

    [Fact]
    public async Task AuthenticatorSecret_CopiedOntoAnotherAccount_DoesNotDecrypt()
    {
        var clock = new FakeTimeProvider(Now);
        await using var db = await GalleryTestDatabase.CreateAsync(s => s.AddSingleton<TimeProvider>(clock));
        var (ada, adaActor) = await CreateAsync(db, "ada@example.org", Roles.Admin);
        var (bob, bobActor) = await CreateAsync(db, "bob@example.org", Roles.Operator);
        await EnableAsync(db, adaActor, clock);
        await EnableAsync(db, bobActor, clock);
        Assert.Equal(1, db.Execute($"UPDATE AspNetUserTokens SET Value = (SELECT Value FROM AspNetUserTokens WHERE UserId = '{ada.Id}' AND Name = 'AuthenticatorKey') WHERE UserId = '{bob.Id}' AND Name = 'AuthenticatorKey'"));

        await Assert.ThrowsAsync<GalleryException>(() => VerifyAsync(db, bob.Id, "123456"));
    }

    [Fact]
    public async Task DisableMfa_NeedsACurrentCode_ThenRemovesEverything()
    {
        var clock = new FakeTimeProvider(Now);
        await using var db = await GalleryTestDatabase.CreateAsync(s => s.AddSingleton<TimeProvider>(clock));
        var (ada, actor) = await CreateAsync(db, "ada@example.org", Roles.Operator);
        var setup = await EnableAsync(db, actor, clock);

        await Assert.ThrowsAsync<GalleryException>(() => db.InScopeAsync<DisableMfa, bool>(async u => { await u.ExecuteAsync(actor, "000000"); return true; }));
        clock.Advance(TimeSpan.FromSeconds(30));
        var stamp = await StampAsync(db, ada.Id);
        await db.InScopeAsync<DisableMfa, bool>(async u => { await u.ExecuteAsync(actor, CodeNow(setup, clock)); return true; });

        Assert.False((await StatusAsync(db, actor)).Enabled);
        Assert.Equal(0, db.Scalar($"SELECT COUNT(*) FROM AspNetUserTokens WHERE UserId = '{ada.Id}' AND LoginProvider = 'Mote'"));
        Assert.NotEqual(stamp, await StampAsync(db, ada.Id));
        Assert.Equal(1, db.Scalar($"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.MfaDisabled}"));
    }

    [Fact]
    public async Task RegenerateRecoveryCodes_OldCodesStopWorking()
    {
        var clock = new FakeTimeProvider(Now);
        await using var db = await GalleryTestDatabase.CreateAsync(s => s.AddSingleton<TimeProvider>(clock));
        var (ada, actor) = await CreateAsync(db, "ada@example.org", Roles.Operator);
        var setup = await db.InScopeAsync<BeginMfaSetup, MfaSetup>(u => u.ExecuteAsync(actor));
        var old = await db.InScopeAsync<ConfirmMfaSetup, IReadOnlyList<string>>(u => u.ExecuteAsync(actor, CodeNow(setup, clock)));
        clock.Advance(TimeSpan.FromSeconds(30));

        var fresh = await db.InScopeAsync<RegenerateRecoveryCodes, IReadOnlyList<string>>(u => u.ExecuteAsync(actor, CodeNow(setup, clock)));

        Assert.False(await RedeemAsync(db, ada.Id, old[0]));
        Assert.True(await RedeemAsync(db, ada.Id, fresh[0]));
        Assert.Equal(1, db.Scalar($"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.RecoveryCodesRegenerated}"));
    }

    [Fact]
    public async Task ResetUserMfa_AdminResetsAnother_TurnsOffEndsSessionsAndIsAudited_OperatorRefused()
    {
        var clock = new FakeTimeProvider(Now);
        await using var db = await GalleryTestDatabase.CreateAsync(s => s.AddSingleton<TimeProvider>(clock));
        var (bob, bobActor) = await CreateAsync(db, "bob@example.org", Roles.Admin);
        await EnableAsync(db, bobActor, clock);
        var stamp = await StampAsync(db, bob.Id);

        await Assert.ThrowsAsync<PermissionDeniedException>(() => db.InScopeAsync<ResetUserMfa, bool>(async u => { await u.ExecuteAsync(Actors.Operator, bob.Id); return true; }));
        Assert.True((await StatusAsync(db, bobActor)).Enabled);

        await db.InScopeAsync<ResetUserMfa, bool>(async u => { await u.ExecuteAsync(Actors.Admin, bob.Id); return true; });

        Assert.False((await StatusAsync(db, bobActor)).Enabled);
        Assert.NotEqual(stamp, await StampAsync(db, bob.Id));
        Assert.Equal(0, db.Scalar($"SELECT COUNT(*) FROM AspNetUserTokens WHERE UserId = '{bob.Id}' AND LoginProvider = 'Mote'"));
        Assert.Equal(1, db.Scalar($"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.MfaReset} AND SubjectId = '{bob.Id}'"));
        Assert.False(Assert.Single(await db.InScopeAsync<ListUsers, IReadOnlyList<UserSummary>>(u => u.ExecuteAsync(Actors.Admin))).MfaEnabled);
    }

    [Fact]
    public async Task BeginMfaSetup_NotASignedInAccount_Refused()
    {
        await using var db = await GalleryTestDatabase.CreateAsync();

        await Assert.ThrowsAsync<GalleryException>(() => db.InScopeAsync<BeginMfaSetup, MfaSetup>(u => u.ExecuteAsync(Actor.Anonymous("10.0.0.1"))));
        await Assert.ThrowsAsync<GalleryException>(() => db.InScopeAsync<BeginMfaSetup, MfaSetup>(u => u.ExecuteAsync(Actor.Terminal("root"))));
    }

    private static string CodeNow(MfaSetup setup, TimeProvider clock) => Totp.Code(Base32.Decode(setup.Secret), Totp.StepAt(clock.GetUtcNow()));

    private static async Task<MfaSetup> EnableAsync(GalleryTestDatabase db, Actor actor, TimeProvider clock)
    {
        var setup = await db.InScopeAsync<BeginMfaSetup, MfaSetup>(u => u.ExecuteAsync(actor));
        await db.InScopeAsync<ConfirmMfaSetup, IReadOnlyList<string>>(u => u.ExecuteAsync(actor, CodeNow(setup, clock)));
        return setup;
    }

    private static Task<bool> VerifyAsync(GalleryTestDatabase db, string userId, string code) =>
        db.InScopeAsync<AuthenticatorStore, bool>(s => s.VerifyCodeAsync(userId, code, CancellationToken.None));

    private static Task<bool> RedeemAsync(GalleryTestDatabase db, string userId, string code) =>
        db.InScopeAsync<AuthenticatorStore, bool>(s => s.RedeemRecoveryCodeAsync(userId, code, CancellationToken.None));

    private static Task<MfaStatus> StatusAsync(GalleryTestDatabase db, Actor actor) =>
        db.InScopeAsync<ReadMfaStatus, MfaStatus>(u => u.ExecuteAsync(actor));

    private static async Task<(UserSummary User, Actor Actor)> CreateAsync(GalleryTestDatabase db, string email, string role)
    {
        var user = await db.InScopeAsync<CreateUser, UserSummary>(u => u.ExecuteAsync(Actor.Terminal("test"), email, GoodPassword, role));
        return (user, new Actor(ActorKind.User, user.Id, email, new HashSet<string> { role }));
    }

    private static Task<string> StampAsync(GalleryTestDatabase db, string userId) =>
        db.InScopeAsync<MoteDbContext, string>(async c => (await c.Users.FindAsync(userId))!.SecurityStamp!);
}
