using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Mote.Gallery.Audit;
using Mote.Gallery.Security;
using Mote.Gallery.Tests.Builders;
using Xunit.Abstractions;

namespace Mote.Gallery.Tests.Audit;

/// <summary>Prints how long verifying a 100,000-row chain takes (target ≤ 5 s); asserts correctness, not time.</summary>
[Trait("Category", "Benchmark")]
public sealed class AuditVerifierBenchmarkTests(ITestOutputHelper output)
{
    private const int Rows = 100_000;

    [Fact]
    public async Task Verify_100kRows_PrintsDuration()
    {
        await using var db = await GalleryTestDatabase.CreateAsync();
        Seed(db);

        var times = new List<double>();
        AuditChainStatus? status = null;
        for (var run = 0; run < 3; run++)
        {
            var watch = Stopwatch.StartNew();
            status = await db.InScopeAsync<AuditVerifier, AuditChainStatus>(v => v.VerifyAsync(Actor.System));
            times.Add(watch.Elapsed.TotalSeconds);
        }

        Assert.True(status!.Verified, status.Summary);
        Assert.Equal(Rows, status.VerifiedUpTo);
        times.Sort();
        output.WriteLine($"verify {Rows:N0} rows: median {times[1]:F2} s (runs: {string.Join(", ", times.Select(t => t.ToString("F2", System.Globalization.CultureInfo.InvariantCulture)))} s); target <= 5 s");
    }

    /// <summary>Writes a valid chain directly (one transaction) with the same hash function the trail uses.</summary>
    private static void Seed(GalleryTestDatabase db)
    {
        var key = db.Services.GetRequiredService<SecretKeyStore>().GetOrCreate(AuditChain.KeyName);
        using var connection = db.OpenRaw();
        using var transaction = connection.BeginTransaction();
        using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO AuditEvents (Id, OccurredUtc, Code, ActorKind, ActorId, ActorName, SubjectId, PayloadDigest, Hash) VALUES ($id, $t, $c, 1, 'user-1', 'ada@example.org', $s, $d, $h)";
        var id = command.Parameters.Add("$id", Microsoft.Data.Sqlite.SqliteType.Integer);
        var t = command.Parameters.Add("$t", Microsoft.Data.Sqlite.SqliteType.Integer);
        var c = command.Parameters.Add("$c", Microsoft.Data.Sqlite.SqliteType.Integer);
        var s = command.Parameters.Add("$s", Microsoft.Data.Sqlite.SqliteType.Text);
        var d = command.Parameters.Add("$d", Microsoft.Data.Sqlite.SqliteType.Blob);
        var h = command.Parameters.Add("$h", Microsoft.Data.Sqlite.SqliteType.Blob);
        using var instance = connection.CreateCommand();
        instance.CommandText = "SELECT Id FROM GalleryInstance";
        var previous = AuditChain.Genesis(key, (string)instance.ExecuteScalar()!);
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).UtcTicks;
        for (long i = 1; i <= Rows; i++)
        {
            var digest = AuditChain.PayloadDigestOf($"detail {i}");
            var hash = AuditChain.ComputeHash(key, previous, i, start + i, (int)AuditEventCode.SignInSucceeded, 1, "user-1", "ada@example.org", $"subject-{i % 97}", digest, true);
            (id.Value, t.Value, c.Value, s.Value, d.Value, h.Value) = (i, start + i, (int)AuditEventCode.SignInSucceeded, $"subject-{i % 97}", digest, hash);
            command.ExecuteNonQuery();
            previous = hash;
        }
        transaction.Commit();
    }
}
