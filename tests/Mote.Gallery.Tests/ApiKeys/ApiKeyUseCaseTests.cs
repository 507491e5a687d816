using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Mote.Gallery.ApiKeys;
using Mote.Gallery.Audit;
using Mote.Gallery.Security;
using Mote.Gallery.Tests.Builders;

namespace Mote.Gallery.Tests.ApiKeys;

public sealed class ApiKeyUseCaseTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task CreateApiKey_ThenAuthenticate_ActorHoldsExactlyTheScopesPermissions()
    {
        await using var db = await GalleryTestDatabase.CreateAsync(FixedClock);

        var created = await db.InScopeAsync<CreateApiKey, CreatedApiKey>(c => c.ExecuteAsync(Actors.Admin, "front door", ApiKeyScopes.Verify, null));
        var actor = await db.InScopeAsync<AuthenticateApiKey, Actor?>(a => a.ExecuteAsync(created.Key));

        Assert.NotNull(actor);
        Assert.Equal(ActorKind.ApiKey, actor.Kind);
        Assert.True(actor.Has(Permission.Verify));
        Assert.False(actor.Has(Permission.Identify));
        Assert.False(actor.Has(Permission.ManageGallery));
        Assert.Throws<PermissionDeniedException>(() => actor.Demand(Permission.ManageSettings));
        Assert.Equal(1, db.Scalar($"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.ApiKeyCreated}"));
    }

    [Fact]
    [Trait("Provider", "SqliteOnly")] // reads the SQLite file's bytes
    public async Task CreateApiKey_StoresOnlyAKeyedHash_NeverTheSecret()
    {
        await using var db = await GalleryTestDatabase.CreateAsync(FixedClock);

        var created = await db.InScopeAsync<CreateApiKey, CreatedApiKey>(c => c.ExecuteAsync(Actors.Admin, "kiosk", ApiKeyScopes.Identify | ApiKeyScopes.Verify, null));

        var secret = created.Key.Split('_', 3)[2];
        var bytes = await File.ReadAllBytesAsync(db.DatabasePath);
        var text = System.Text.Encoding.ASCII.GetString(bytes);
        Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        using var raw = db.OpenRaw();
        using var command = raw.CreateCommand();
        command.CommandText = "SELECT SecretHash FROM ApiKeys";
        var stored = (byte[])command.ExecuteScalar()!;
        Assert.NotEqual(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(secret)), stored);
        Assert.Equal(32, stored.Length);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not-a-key")]
    [InlineData("mote_abcdefghij_tooshort")]
    public async Task AuthenticateApiKey_Malformed_Null(string? presented)
    {
        await using var db = await GalleryTestDatabase.CreateAsync(FixedClock);
        Assert.Null(await db.InScopeAsync<AuthenticateApiKey, Actor?>(a => a.ExecuteAsync(presented)));
    }

    [Fact]
    public async Task AuthenticateApiKey_WrongSecretWithRealPrefix_Null()
    {
        await using var db = await GalleryTestDatabase.CreateAsync(FixedClock);
        var created = await db.InScopeAsync<CreateApiKey, CreatedApiKey>(c => c.ExecuteAsync(Actors.Admin, "door", ApiKeyScopes.Verify, null));
        var forged = created.Key[..^4] + (created.Key.EndsWith("AAAA", StringComparison.Ordinal) ? "BBBB" : "AAAA");

        Assert.Null(await db.InScopeAsync<AuthenticateApiKey, Actor?>(a => a.ExecuteAsync(forged)));
    }

    [Fact]
    public async Task RevokeApiKey_KeyStopsWorkingAtOnceAndIsAudited()
    {
        await using var db = await GalleryTestDatabase.CreateAsync(FixedClock);
        var created = await db.InScopeAsync<CreateApiKey, CreatedApiKey>(c => c.ExecuteAsync(Actors.Admin, "door", ApiKeyScopes.Verify, null));

        await db.InScopeAsync<RevokeApiKey, ApiKeySummary>(r => r.ExecuteAsync(Actors.Admin, created.Summary.Prefix));

        Assert.Null(await db.InScopeAsync<AuthenticateApiKey, Actor?>(a => a.ExecuteAsync(created.Key)));
        Assert.Equal(1, db.Scalar($"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.ApiKeyRevoked}"));
        await Assert.ThrowsAsync<GalleryException>(() => db.InScopeAsync<RevokeApiKey, ApiKeySummary>(r => r.ExecuteAsync(Actors.Admin, created.Summary.Prefix)));
    }

    [Fact]
    public async Task AuthenticateApiKey_AfterExpiry_Null()
    {
        var clock = new FakeTimeProvider(Now);
        await using var db = await GalleryTestDatabase.CreateAsync(s => s.AddSingleton<TimeProvider>(clock));
        var created = await db.InScopeAsync<CreateApiKey, CreatedApiKey>(c => c.ExecuteAsync(Actors.Admin, "door", ApiKeyScopes.Verify, Now.AddDays(1)));
        Assert.NotNull(await db.InScopeAsync<AuthenticateApiKey, Actor?>(a => a.ExecuteAsync(created.Key)));

        clock.Advance(TimeSpan.FromDays(1));

        Assert.Null(await db.InScopeAsync<AuthenticateApiKey, Actor?>(a => a.ExecuteAsync(created.Key)));
    }

    [Fact]
    public async Task AuthenticateApiKey_Success_RecordsLastUsedAtMostOncePerMinute_FailureNever()
    {
        var clock = new FakeTimeProvider(Now);
        await using var db = await GalleryTestDatabase.CreateAsync(s => s.AddSingleton<TimeProvider>(clock));
        var created = await db.InScopeAsync<CreateApiKey, CreatedApiKey>(c => c.ExecuteAsync(Actors.Admin, "door", ApiKeyScopes.Verify, null));
        Assert.Null(created.Summary.LastUsedUtc);
        async Task<DateTimeOffset?> LastUsedAsync() =>
            (await db.InScopeAsync<ListApiKeys, IReadOnlyList<ApiKeySummary>>(l => l.ExecuteAsync(Actors.Admin))).Single().LastUsedUtc;

        // A wrong secret is no use.
        Assert.Null(await db.InScopeAsync<AuthenticateApiKey, Actor?>(a => a.ExecuteAsync(created.Key[..^4] + (created.Key.EndsWith("AAAA", StringComparison.Ordinal) ? "BBBB" : "AAAA"))));
        Assert.Null(await LastUsedAsync());

        Assert.NotNull(await db.InScopeAsync<AuthenticateApiKey, Actor?>(a => a.ExecuteAsync(created.Key)));
        Assert.Equal(Now, await LastUsedAsync());

        // Within the minute: not written again.
        clock.Advance(TimeSpan.FromSeconds(59));
        Assert.NotNull(await db.InScopeAsync<AuthenticateApiKey, Actor?>(a => a.ExecuteAsync(created.Key)));
        Assert.Equal(Now, await LastUsedAsync());

        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.NotNull(await db.InScopeAsync<AuthenticateApiKey, Actor?>(a => a.ExecuteAsync(created.Key)));
        Assert.Equal(Now.AddMinutes(1), await LastUsedAsync());
        // Using a key changes nothing an auditor must see: no audit event.
        Assert.Equal(1, db.Scalar("SELECT COUNT(*) FROM AuditEvents"));
    }

    [Theory]
    [InlineData("", ApiKeyScopes.Verify, "name")]
    [InlineData("door", ApiKeyScopes.None, "at least one scope")]
    public async Task CreateApiKey_BadInput_RefusedAndNothingStored(string name, ApiKeyScopes scopes, string expected)
    {
        await using var db = await GalleryTestDatabase.CreateAsync(FixedClock);

        var e = await Assert.ThrowsAsync<GalleryException>(() => db.InScopeAsync<CreateApiKey, CreatedApiKey>(c => c.ExecuteAsync(Actors.Admin, name, scopes, null)));

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.Equal(0, db.Scalar("SELECT COUNT(*) FROM ApiKeys"));
        Assert.Equal(0, db.Scalar("SELECT COUNT(*) FROM AuditEvents"));
    }

    [Fact]
    public async Task CreateApiKey_ExpiryInThePast_Refused()
    {
        await using var db = await GalleryTestDatabase.CreateAsync(FixedClock);
        await Assert.ThrowsAsync<GalleryException>(() => db.InScopeAsync<CreateApiKey, CreatedApiKey>(c => c.ExecuteAsync(Actors.Admin, "door", ApiKeyScopes.Verify, Now.AddMinutes(-1))));
    }

    [Fact]
    public async Task CreateApiKey_AsAuditor_PermissionDenied()
    {
        await using var db = await GalleryTestDatabase.CreateAsync(FixedClock);
        await Assert.ThrowsAsync<PermissionDeniedException>(() => db.InScopeAsync<CreateApiKey, CreatedApiKey>(c => c.ExecuteAsync(Actors.Auditor, "door", ApiKeyScopes.Verify, null)));
    }

    [Fact]
    public void ScopeText_ParsesListsAndRefusesUnknownNames()
    {
        Assert.Equal(ApiKeyScopes.Verify | ApiKeyScopes.Manage, ScopeText.Parse(["verify,MANAGE"]));
        Assert.Equal("verify,identify", ScopeText.Format(ApiKeyScopes.Identify | ApiKeyScopes.Verify));
        Assert.Contains("'admin'", Assert.Throws<GalleryException>(() => ScopeText.Parse(["admin"])).Message, StringComparison.Ordinal);
    }

    private static void FixedClock(IServiceCollection services) => services.AddSingleton<TimeProvider>(new FakeTimeProvider(Now));
}
