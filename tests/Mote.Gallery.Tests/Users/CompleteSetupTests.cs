using Microsoft.Extensions.DependencyInjection;
using Mote.Gallery.Audit;
using Mote.Gallery.Security;
using Mote.Gallery.Tests.Builders;
using Mote.Gallery.Users;

namespace Mote.Gallery.Tests.Users;

public sealed class CompleteSetupTests
{
    private const string GoodPassword = "correct horse battery";

    [Fact]
    public async Task ExecuteAsync_ValidToken_CreatesOneAdminThenTokenRefused()
    {
        await using var db = await GalleryTestDatabase.CreateAsync();
        var token = db.Services.GetRequiredService<SetupToken>().Issue();

        var admin = await db.InScopeAsync<CompleteSetup, UserSummary>(s => s.ExecuteAsync(token, "ada@example.org", GoodPassword, "127.0.0.1"));
        var second = await Assert.ThrowsAsync<GalleryException>(() =>
            db.InScopeAsync<CompleteSetup, UserSummary>(s => s.ExecuteAsync(token, "eve@example.org", GoodPassword, "127.0.0.1")));

        Assert.Equal([Roles.Admin], admin.Roles);
        Assert.Contains("already been used", second.Message, StringComparison.Ordinal);
        Assert.Equal(1, db.Scalar("SELECT COUNT(*) FROM AspNetUsers"));
        Assert.Equal(1, db.Scalar($"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.FirstAdminCreatedThroughSetup}"));
    }

    [Fact]
    public async Task ExecuteAsync_WrongToken_Refused()
    {
        await using var db = await GalleryTestDatabase.CreateAsync();
        db.Services.GetRequiredService<SetupToken>().Issue();

        await Assert.ThrowsAsync<GalleryException>(() =>
            db.InScopeAsync<CompleteSetup, UserSummary>(s => s.ExecuteAsync("not-the-token", "ada@example.org", GoodPassword, null)));

        Assert.Equal(0, db.Scalar("SELECT COUNT(*) FROM AspNetUsers"));
    }

    [Fact]
    public async Task ExecuteAsync_WeakPassword_TokenStillWorksForRetry()
    {
        await using var db = await GalleryTestDatabase.CreateAsync();
        var token = db.Services.GetRequiredService<SetupToken>().Issue();

        await Assert.ThrowsAsync<GalleryException>(() =>
            db.InScopeAsync<CompleteSetup, UserSummary>(s => s.ExecuteAsync(token, "ada@example.org", "short", null)));
        var admin = await db.InScopeAsync<CompleteSetup, UserSummary>(s => s.ExecuteAsync(token, "ada@example.org", GoodPassword, null));

        Assert.Equal("ada@example.org", admin.Email);
    }

    [Fact]
    public async Task ExecuteAsync_AccountCreatedMeanwhileFromTerminal_RefusedAndTokenRevoked()
    {
        await using var db = await GalleryTestDatabase.CreateAsync();
        var setupToken = db.Services.GetRequiredService<SetupToken>();
        var token = setupToken.Issue();
        await db.InScopeAsync<CreateUser, UserSummary>(u => u.ExecuteAsync(Actor.Terminal("root"), "root@example.org", GoodPassword, Roles.Admin));

        await Assert.ThrowsAsync<GalleryException>(() =>
            db.InScopeAsync<CompleteSetup, UserSummary>(s => s.ExecuteAsync(token, "eve@example.org", GoodPassword, null)));

        Assert.False(setupToken.IsActive);
        Assert.Equal(1, db.Scalar("SELECT COUNT(*) FROM AspNetUsers"));
    }

    [Fact]
    public async Task ExecuteAsync_TwoConcurrentAttempts_ExactlyOneAdmin()
    {
        await using var db = await GalleryTestDatabase.CreateAsync();
        var token = db.Services.GetRequiredService<SetupToken>().Issue();

        var attempts = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => Task.Run(async () =>
        {
            try
            {
                await db.InScopeAsync<CompleteSetup, UserSummary>(s => s.ExecuteAsync(token, $"admin{i}@example.org", GoodPassword, null));
                return true;
            }
            catch (GalleryException)
            {
                return false;
            }
        })));

        Assert.Equal(1, attempts.Count(ok => ok));
        Assert.Equal(1, db.Scalar("SELECT COUNT(*) FROM AspNetUsers"));
    }
}
