using Microsoft.Extensions.DependencyInjection;
using Mote.Gallery.Audit;
using Mote.Gallery.Security;
using Mote.Gallery.Tests.Builders;

namespace Mote.Gallery.Tests.Audit;

public sealed class AuditTrailTests
{
    [Fact]
    public async Task AppendAsync_RecordsActorTimeCodeSubjectAndDetailApart()
    {
        await using var db = await GalleryTestDatabase.CreateAsync();

        var row = await db.InScopeAsync<AuditTrail, AuditEvent>(a => a.AppendAsync(Actors.Auditor, AuditEventCode.SignInSucceeded, "subject-1", "from 10.0.0.1"));

        Assert.Equal(1, row.Id);
        Assert.Equal(TimeSpan.Zero, row.OccurredUtc.Offset);
        Assert.Equal(32, row.Hash.Length);
        Assert.Equal(1, db.Scalar($"SELECT COUNT(*) FROM AuditEvents WHERE Code = 100 AND ActorId = '{Actors.Auditor.Id}' AND SubjectId = 'subject-1' AND ActorKind = {(int)ActorKind.User}"));
        Assert.Equal(1, db.Scalar("SELECT COUNT(*) FROM AuditPayloads WHERE EventId = 1 AND Detail = 'from 10.0.0.1'"));
    }

    [Theory]
    [InlineData("UPDATE AuditEvents SET ActorName = 'forged'")]
    [InlineData("DELETE FROM AuditEvents")]
    public async Task RawSql_UpdateOrDelete_RefusedByTheDatabase(string sql)
    {
        await using var db = await GalleryTestDatabase.CreateAsync();
        await AppendAsync(db, 1);

        var e = Assert.ThrowsAny<System.Data.Common.DbException>(() => Execute(db, sql));

        Assert.Contains("append-only", e.Message, StringComparison.Ordinal);
        Assert.Equal(1, db.Scalar("SELECT COUNT(*) FROM AuditEvents WHERE ActorName = 'admin@example.org'"));
    }

    [Fact]
    public async Task Verify_UntouchedChain_VerifiedUpToLastRow()
    {
        await using var db = await GalleryTestDatabase.CreateAsync();
        await AppendAsync(db, 5);

        var status = await VerifyAsync(db);

        Assert.True(status.Verified, status.Summary);
        Assert.Equal(5, status.VerifiedUpTo);
        Assert.Equal("Verified up to #5.", status.Summary);
    }

    [Fact]
    public async Task Verify_EditedRow_NamesThatRow()
    {
        await using var db = await GalleryTestDatabase.CreateAsync();
        await AppendAsync(db, 5);

        Tamper(db, "UPDATE AuditEvents SET ActorName = 'someone else' WHERE Id = 3");
        var status = await VerifyAsync(db);

        Assert.False(status.Verified);
        Assert.Equal(3, status.FirstBadSequence);
        Assert.Equal(2, status.VerifiedUpTo);
        Assert.Contains("Row #3", status.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_DeletedRow_NamesTheGap()
    {
        await using var db = await GalleryTestDatabase.CreateAsync();
        await AppendAsync(db, 5);

        Tamper(db, "DELETE FROM AuditPayloads WHERE EventId = 3; DELETE FROM AuditEvents WHERE Id = 3");
        var status = await VerifyAsync(db);

        Assert.False(status.Verified);
        Assert.Equal(4, status.FirstBadSequence);
        Assert.Contains("Row #3 is missing", status.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_ReorderedRows_NamesTheFirstMovedRow()
    {
        await using var db = await GalleryTestDatabase.CreateAsync();
        await AppendAsync(db, 5);

        // Swap the contents of rows 2 and 4 (hashes included), keeping the sequence numbers contiguous.
        Tamper(db, """
            UPDATE AuditEvents SET Id = -2 WHERE Id = 2;
            UPDATE AuditEvents SET Id = 2 WHERE Id = 4;
            UPDATE AuditEvents SET Id = 4 WHERE Id = -2;
            """);
        var status = await VerifyAsync(db);

        Assert.False(status.Verified);
        Assert.Equal(2, status.FirstBadSequence);
    }

    [Fact]
    public async Task Verify_TruncatedEnd_DetectedThroughTheAnchorOutsideTheDatabase()
    {
        await using var db = await GalleryTestDatabase.CreateAsync();
        await AppendAsync(db, 5);

        Tamper(db, "DELETE FROM AuditPayloads WHERE EventId >= 4; DELETE FROM AuditEvents WHERE Id >= 4");
        var status = await VerifyAsync(db);

        Assert.False(status.Verified);
        Assert.Equal(3, status.VerifiedUpTo);
        Assert.Contains("ends at #3, but #5 was recorded outside the database", status.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_TailAppendedInUseCaseTransactionsDeleted_DetectedThroughTheAnchor()
    {
        await using var db = await GalleryTestDatabase.CreateAsync();
        await AppendAsync(db, 2);
        // Three events each written inside a transaction the use case owns (the key row and its event commit together).
        for (var i = 0; i < 3; i++)
        {
            await db.InScopeAsync<Mote.Gallery.ApiKeys.CreateApiKey, Mote.Gallery.ApiKeys.CreatedApiKey>(c => c.ExecuteAsync(Actors.Admin, $"door {i}", Mote.Gallery.ApiKeys.ApiKeyScopes.Verify, null));
        }

        Tamper(db, "DELETE FROM AuditPayloads WHERE EventId >= 3; DELETE FROM AuditEvents WHERE Id >= 3");
        var status = await VerifyAsync(db);

        Assert.False(status.Verified, status.Summary);
        Assert.Contains("ends at #2, but #5 was recorded outside the database", status.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AppendAsync_UseCaseTransactionRolledBack_AnchorStaysAtTheLastCommittedRow()
    {
        await using var db = await GalleryTestDatabase.CreateAsync();
        await AppendAsync(db, 2);

        var scope = db.Services.CreateAsyncScope();
        await using (scope)
        {
            var context = scope.ServiceProvider.GetRequiredService<Mote.Gallery.Data.MoteDbContext>();
            await using var transaction = await context.Database.BeginTransactionAsync();
            await scope.ServiceProvider.GetRequiredService<AuditTrail>().AppendAsync(Actors.Admin, AuditEventCode.UserCreated, "never", null);
            await transaction.RollbackAsync();
        }
        var status = await VerifyAsync(db);

        Assert.True(status.Verified, status.Summary);
        Assert.Equal(2, status.VerifiedUpTo);
    }

    [Fact]
    public async Task Verify_InstanceIdSwapped_BreaksAtRowOne()
    {
        await using var db = await GalleryTestDatabase.CreateAsync();
        await AppendAsync(db, 2);

        // Swapping the database identity (to dodge the anchor kept for it) breaks the genesis of row 1.
        Execute(db, "UPDATE GalleryInstance SET Id = 'another-database'");
        var status = await VerifyAsync(db);

        Assert.False(status.Verified);
        Assert.Equal(1, status.FirstBadSequence);
    }

    [Fact]
    public async Task Verify_ErasedPayload_ChainStillVerifiesAndEntryShowsErasure()
    {
        await using var db = await GalleryTestDatabase.CreateAsync();
        await AppendAsync(db, 3);

        Execute(db, "DELETE FROM AuditPayloads WHERE EventId = 2");
        var status = await VerifyAsync(db);
        var (rows, _) = await db.InScopeAsync<ListAuditEvents, (IReadOnlyList<AuditEntry>, int)>(l => l.ExecuteAsync(Actors.Auditor, 0, 10));

        Assert.True(status.Verified, status.Summary);
        var erased = rows.Single(r => r.Sequence == 2);
        Assert.True(erased.PayloadErased);
        Assert.Null(erased.Detail);
        Assert.False(rows.Single(r => r.Sequence == 1).PayloadErased);
    }

    [Fact]
    public async Task AppendAsync_ConcurrentWriters_OneContiguousChain()
    {
        await using var db = await GalleryTestDatabase.CreateAsync();

        await Task.WhenAll(Enumerable.Range(0, 4).Select(writer => Task.Run(async () =>
        {
            for (var i = 0; i < 25; i++)
            {
                await db.InScopeAsync<AuditTrail, AuditEvent>(a => a.AppendAsync(Actors.Admin, AuditEventCode.UserCreated, $"w{writer}-{i}", $"writer {writer} event {i}"));
            }
        })));
        var status = await VerifyAsync(db);

        Assert.True(status.Verified, status.Summary);
        Assert.Equal(100, status.VerifiedUpTo);
        Assert.Equal(100, db.Scalar("SELECT MAX(Id) FROM AuditEvents"));
    }

    [Fact]
    public async Task ListAuditEvents_Filters_ByCodeActorAndSubject()
    {
        await using var db = await GalleryTestDatabase.CreateAsync();
        await db.InScopeAsync<AuditTrail, AuditEvent>(a => a.AppendAsync(Actors.Admin, AuditEventCode.UserCreated, "u-1", null));
        await db.InScopeAsync<AuditTrail, AuditEvent>(a => a.AppendAsync(Actors.Auditor, AuditEventCode.SignInSucceeded, "u-2", null));
        await db.InScopeAsync<AuditTrail, AuditEvent>(a => a.AppendAsync(Actors.Auditor, AuditEventCode.SignInFailed, "u-2", null));

        var (byCode, _) = await db.InScopeAsync<ListAuditEvents, (IReadOnlyList<AuditEntry>, int)>(l => l.ExecuteAsync(Actors.Auditor, 0, 10, new AuditFilter(Code: (int)AuditEventCode.SignInFailed)));
        var (byActor, total) = await db.InScopeAsync<ListAuditEvents, (IReadOnlyList<AuditEntry>, int)>(l => l.ExecuteAsync(Actors.Auditor, 0, 10, new AuditFilter(Actor: "AUDITOR@")));
        var (bySubject, _) = await db.InScopeAsync<ListAuditEvents, (IReadOnlyList<AuditEntry>, int)>(l => l.ExecuteAsync(Actors.Auditor, 0, 10, new AuditFilter(Subject: "u-1")));

        Assert.Equal(3, Assert.Single(byCode).Sequence);
        Assert.Equal(2, total);
        Assert.Equal([3L, 2L], byActor.Select(r => r.Sequence));
        Assert.Equal(1, Assert.Single(bySubject).Sequence);
    }

    [Fact]
    public async Task ListAuditEvents_AsOperator_PermissionDenied()
    {
        await using var db = await GalleryTestDatabase.CreateAsync();

        await Assert.ThrowsAsync<PermissionDeniedException>(() =>
            db.InScopeAsync<ListAuditEvents, (IReadOnlyList<AuditEntry>, int)>(l => l.ExecuteAsync(Actors.Operator, 0, 10)));
    }

    [Theory]
    [InlineData("csv")]
    [InlineData("json")]
    public async Task Export_WritesEveryEventAndRecordsTheExport(string format)
    {
        await using var db = await GalleryTestDatabase.CreateAsync();
        await AppendAsync(db, 3);
        using var output = new MemoryStream();

        await db.InScopeAsync<ExportAuditTrail, bool>(async e => { await e.ExecuteAsync(Actors.Auditor, format, output); return true; });

        var text = System.Text.Encoding.UTF8.GetString(output.ToArray());
        Assert.Contains("detail 2", text, StringComparison.Ordinal);
        if (format == "json")
        {
            using var json = System.Text.Json.JsonDocument.Parse(text);
            Assert.True(json.RootElement.GetProperty("chain").GetProperty("verified").GetBoolean());
            Assert.Equal(3, json.RootElement.GetProperty("events").GetArrayLength());
        }
        else
        {
            Assert.Equal(4, text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        }
        Assert.Equal(1, db.Scalar($"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.AuditExported}"));
    }

    private static async Task AppendAsync(GalleryTestDatabase db, int count)
    {
        for (var i = 1; i <= count; i++)
        {
            await db.InScopeAsync<AuditTrail, AuditEvent>(a => a.AppendAsync(Actors.Admin, AuditEventCode.UserCreated, $"user-{i}", $"detail {i}"));
        }
    }

    private static Task<AuditChainStatus> VerifyAsync(GalleryTestDatabase db) =>
        db.InScopeAsync<AuditVerifier, AuditChainStatus>(v => v.VerifyAsync(Actor.System));

    /// <summary>What an attacker with raw write access does: drop the guard triggers, then change rows.</summary>
    private static void Tamper(GalleryTestDatabase db, string sql) =>
        db.Execute(db.Provider == Hosting.GalleryProvider.Sqlite
            ? "PRAGMA foreign_keys=OFF; DROP TRIGGER AuditEvents_NoUpdate; DROP TRIGGER AuditEvents_NoDelete; " + sql
            // PostgreSQL: a superuser's session that skips triggers, foreign keys included.
            : "SET session_replication_role = replica; " + sql);

    private static void Execute(GalleryTestDatabase db, string sql) => db.Execute(sql);
}
