using Microsoft.Data.Sqlite;
using Mote.Core.Tests;
using Mote.Gallery.Audit;
using Mote.Portal.Tests.Infrastructure;

namespace Mote.Cli.Tests.Commands;

/// <summary>
/// <c>mote enroll --from</c> on real LFW photos (issue 16, bulk enrollment): one line per row and a summary, failures per
/// row in words, exit code 5 when a row failed, nothing half-enrolled, and a second run that skips whoever is enrolled.
/// </summary>
public sealed class BulkEnrollCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mote-cli-bulk-").FullName;

    private string Db => Path.Combine(_folder, "mote.db");

    [DatasetFact("lfw-dev")]
    public async Task EnrollFromCsv_FailedRowsInWords_RerunSkipsEnrolledAndResumesTheFixedRow()
    {
        var photos = Directory.CreateDirectory(Path.Combine(_folder, "photos")).FullName;
        File.Copy(BulkPhotos.Lfw("Alex_Ferguson"), Path.Combine(photos, "alex.jpg"));
        File.Copy(BulkPhotos.Lfw("Bill_Nelson"), Path.Combine(photos, "bill.jpg"));
        await File.WriteAllBytesAsync(Path.Combine(photos, "wall.png"), BulkPhotos.Wall());
        await File.WriteAllBytesAsync(Path.Combine(photos, "nesta.jpg"), BulkPhotos.Truncated("Alessandro_Nesta"));
        var csv = Path.Combine(_folder, "people.csv");
        await File.WriteAllTextAsync(csv, """
            name,photo,external_id,gender,ethnicity,age_band
            Alex Ferguson,photos/alex.jpg,,male,,60+
            Bill Nelson,photos/bill.jpg,E-2,,,
            A Wall,photos/wall.png,,,,
            Alessandro Nesta,photos/nesta.jpg,,,,
            """);

        var (code, output, error) = await MoteCli.RunAsync("", "enroll", "--from", csv, "--db", Db);

        Assert.True(code == 5, $"exit {code}\n{output}\n{error}");
        var lines = Lines(output);
        Assert.Equal(5, lines.Length);
        Assert.StartsWith("row 1: Alex Ferguson, photos/alex.jpg: enrolled (id ", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("row 2: Bill Nelson (E-2), photos/bill.jpg: enrolled (id ", lines[1], StringComparison.Ordinal);
        Assert.Equal("row 3: A Wall, photos/wall.png: FAILED: No face was found in this photo.", lines[2]);
        Assert.StartsWith("row 4: Alessandro Nesta, photos/nesta.jpg: FAILED: The JPEG file is truncated", lines[3], StringComparison.Ordinal);
        Assert.StartsWith("4 rows: 2 enrolled, 0 already enrolled, 2 failed.", lines[4], StringComparison.Ordinal);
        // Nothing of a failed row is stored: two people, two enrollment events, and no image kept for anyone else.
        Assert.Equal(2, MoteCli.Sql(Db, "SELECT COUNT(*) FROM People"));
        Assert.Equal(2, MoteCli.Sql(Db, $"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.PersonEnrolled}"));
        Assert.Equal(0, MoteCli.Sql(Db, "SELECT COUNT(*) FROM People WHERE NormalizedName IN ('A WALL', 'ALESSANDRO NESTA')"));
        Assert.Equal(0, MoteCli.Sql(Db, "SELECT COUNT(*) FROM PersonImages WHERE PersonId NOT IN (SELECT Id FROM People)"));
        Assert.Equal(1, MoteCli.Sql(Db, "SELECT COUNT(*) FROM People WHERE NormalizedName = 'ALEX FERGUSON' AND DeclaredGender = 'male' AND DeclaredAgeBand = '60+'"));

        // The cut-off photo is replaced by the whole one; the same CSV is run again.
        File.Copy(BulkPhotos.Lfw("Alessandro_Nesta"), Path.Combine(photos, "nesta.jpg"), overwrite: true);
        var (again, againOutput, againError) = await MoteCli.RunAsync("", "enroll", "--from", csv, "--db", Db);

        Assert.True(again == 5, $"exit {again}\n{againOutput}\n{againError}");
        var rerun = Lines(againOutput);
        Assert.StartsWith("row 1: Alex Ferguson, photos/alex.jpg: already enrolled, skipped (id ", rerun[0], StringComparison.Ordinal);
        Assert.StartsWith("row 2: Bill Nelson (E-2), photos/bill.jpg: already enrolled, skipped (id ", rerun[1], StringComparison.Ordinal);
        Assert.Equal("row 3: A Wall, photos/wall.png: FAILED: No face was found in this photo.", rerun[2]);
        Assert.StartsWith("row 4: Alessandro Nesta, photos/nesta.jpg: enrolled (id ", rerun[3], StringComparison.Ordinal);
        Assert.StartsWith("4 rows: 1 enrolled, 2 already enrolled, 1 failed.", rerun[4], StringComparison.Ordinal);
        Assert.Equal(3, MoteCli.Sql(Db, "SELECT COUNT(*) FROM People"));
        Assert.Equal(3, MoteCli.Sql(Db, $"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.PersonEnrolled}"));

        // Another photo under a name already enrolled without an external id is someone else: refused in words, not skipped.
        var namesake = Path.Combine(_folder, "namesake.csv");
        await File.WriteAllTextAsync(namesake, "name,photo\nAlex Ferguson,photos/bill.jpg\n");
        var (clash, clashOutput, _) = await MoteCli.RunAsync("", "enroll", "--from", namesake, "--db", Db);

        Assert.Equal(5, clash);
        Assert.Contains("row 1: Alex Ferguson, photos/bill.jpg: FAILED: Someone called 'Alex Ferguson' is already enrolled without an external id", clashOutput, StringComparison.Ordinal);
        Assert.Equal(3, MoteCli.Sql(Db, "SELECT COUNT(*) FROM People"));
    }

    [DatasetFact("lfw-dev")]
    public async Task EnrollFromFolder_OnePersonPerFileOrSubFolder_NamedFromThem_RerunSkipsAll()
    {
        var batch = Directory.CreateDirectory(Path.Combine(_folder, "staff")).FullName;
        var ferguson = Directory.CreateDirectory(Path.Combine(batch, "Alex_Ferguson")).FullName;
        File.Copy(BulkPhotos.Lfw("Alex_Ferguson"), Path.Combine(ferguson, "Alex_Ferguson_0001.jpg"));
        File.Copy(BulkPhotos.Lfw("Bill_Nelson"), Path.Combine(batch, "Bill_Nelson_0001.jpg"));

        var (code, output, error) = await MoteCli.RunAsync("", "enroll", "--from", batch, "--db", Db);

        Assert.True(code == 0, $"exit {code}\n{output}\n{error}");
        var lines = Lines(output);
        Assert.StartsWith("row 1: Alex Ferguson, Alex_Ferguson/Alex_Ferguson_0001.jpg: enrolled", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("row 2: Bill Nelson, Bill_Nelson_0001.jpg: enrolled", lines[1], StringComparison.Ordinal);
        Assert.StartsWith("2 rows: 2 enrolled, 0 already enrolled, 0 failed.", lines[2], StringComparison.Ordinal);

        var (again, againOutput, _) = await MoteCli.RunAsync("", "enroll", "--from", batch, "--db", Db);

        Assert.Equal(0, again);
        Assert.StartsWith("2 rows: 0 enrolled, 2 already enrolled, 0 failed.", Lines(againOutput)[2], StringComparison.Ordinal);
        Assert.Equal(2, MoteCli.Sql(Db, $"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.PersonEnrolled}"));
    }

    [Fact]
    public async Task Enroll_FromWithAPhotoOrName_RefusedInWords_NeitherFromNorName_SaysWhatToGive()
    {
        var (mixed, _, mixedError) = await MoteCli.RunAsync("", "enroll", "--from", _folder, "--name", "X", "--db", Db);
        var (neither, _, neitherError) = await MoteCli.RunAsync("", "enroll", "--db", Db);
        var (missing, _, missingError) = await MoteCli.RunAsync("", "enroll", "--from", Path.Combine(_folder, "absent.csv"), "--db", Db);

        Assert.Equal(1, mixed);
        Assert.Equal("--from takes names, photos and attributes from the batch: leave out --name.", mixedError.Trim());
        Assert.Equal(1, neither);
        Assert.Contains("Give --name and the photo", neitherError, StringComparison.Ordinal);
        Assert.Equal(1, missing);
        Assert.Contains("There is no file or folder", missingError, StringComparison.Ordinal);
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}
