using Microsoft.Data.Sqlite;
using Mote.Gallery.Audit;
using Mote.Gallery.Security;
using Mote.Gallery.Tests.Builders;

namespace Mote.Gallery.Tests.Audit;

public sealed class AuditTrailTests
{
    [Fact]
    public async Task AppendAsync_RecordsActorTimeCodeAndSubject()
    {
        await using var db = await GalleryTestDatabase.CreateAsync();

        var row = await db.InScopeAsync<AuditTrail, AuditEvent>(a => a.AppendAsync(Actors.Auditor, AuditEventCode.SignInSucceeded, "subject-1", "from 10.0.0.1"));

        Assert.True(row.Id > 0);
        Assert.Equal(TimeSpan.Zero, row.OccurredUtc.Offset);
        Assert.Equal(1, db.Scalar($"SELECT COUNT(*) FROM AuditEvents WHERE Code = 100 AND ActorId = '{Actors.Auditor.Id}' AND SubjectId = 'subject-1' AND ActorKind = {(int)ActorKind.User}"));
    }

    [Theory]
    [InlineData("UPDATE AuditEvents SET Detail = 'forged'")]
    [InlineData("DELETE FROM AuditEvents")]
    public async Task RawSql_UpdateOrDelete_RefusedByTheDatabase(string sql)
    {
        await using var db = await GalleryTestDatabase.CreateAsync();
        await db.InScopeAsync<AuditTrail, AuditEvent>(a => a.AppendAsync(Actor.System, AuditEventCode.UserCreated, "x", "original"));

        using var connection = db.OpenRaw();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        var e = Assert.Throws<SqliteException>(() => command.ExecuteNonQuery());

        Assert.Contains("append-only", e.Message, StringComparison.Ordinal);
        Assert.Equal(1, db.Scalar("SELECT COUNT(*) FROM AuditEvents WHERE Detail = 'original'"));
    }

    [Fact]
    public async Task ListAuditEvents_AsOperator_PermissionDenied()
    {
        await using var db = await GalleryTestDatabase.CreateAsync();

        await Assert.ThrowsAsync<PermissionDeniedException>(() =>
            db.InScopeAsync<ListAuditEvents, (IReadOnlyList<AuditEvent>, int)>(l => l.ExecuteAsync(Actors.Operator, 0, 10)));
    }
}
