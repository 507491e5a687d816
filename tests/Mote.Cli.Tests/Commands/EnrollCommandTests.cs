using Microsoft.Data.Sqlite;
using Mote.Gallery.Engine;
using Mote.Gallery.People;
using Mote.Portal.Tests.Infrastructure;

namespace Mote.Cli.Tests.Commands;

/// <summary><c>mote enroll --external-id</c>: equal names with different external ids are both enrolled; a taken external id is refused.</summary>
public sealed class EnrollCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mote-cli-enroll-").FullName;

    private string Db => Path.Combine(_folder, "mote.db");

    [Fact]
    public async Task Enroll_ExternalIds_EqualNamesAllowed_TakenExternalIdRefused()
    {
        // The left-hand woman of sample1 with a wide margin (as in ExplainCommandTests).
        var face = Path.Combine(_folder, "face.jpg");
        await File.WriteAllBytesAsync(face, await DemoPhotos.CropAsync("sample1.jpg", 263, 235, 480, 480));

        var (first, firstOut, firstError) = await MoteCli.RunAsync("", "enroll", "--name", "Cli Twin", "--external-id", "C-1", face, "--seed", "7", "--db", Db);
        var (second, secondOut, secondError) = await MoteCli.RunAsync("", "enroll", "--name", "Cli Twin", "--external-id", "C-2", face, "--seed", "7", "--db", Db);
        var (taken, _, takenError) = await MoteCli.RunAsync("", "enroll", "--name", "Cli Other", "--external-id", "c-1", face, "--seed", "7", "--db", Db);

        Assert.True(first == 0, firstError);
        Assert.True(second == 0, secondError);
        Assert.Contains("Enrolled Cli Twin (external id C-1)", firstOut, StringComparison.Ordinal);
        Assert.Contains("Enrolled Cli Twin (external id C-2)", secondOut, StringComparison.Ordinal);
        Assert.NotEqual(0, taken);
        Assert.Contains("already belongs to Cli Twin", takenError, StringComparison.Ordinal);
        Assert.Equal(2, MoteCli.Sql(Db, "SELECT COUNT(*) FROM People WHERE NormalizedName = 'CLI TWIN'"));
        Assert.Equal(1, MoteCli.Sql(Db, "SELECT COUNT(*) FROM AuditPayloads WHERE Detail LIKE '%(external id C-2)%'"));
    }

    [Fact]
    public async Task Enroll_FileOverThePhotoPolicy_RefusedInThePolicysWords_NothingStored()
    {
        var huge = Path.Combine(_folder, "huge.png");
        await File.WriteAllBytesAsync(huge, new byte[PhotoPolicy.MaxBytes + 1]);

        var (code, _, error) = await MoteCli.RunAsync("", "enroll", "--name", "Cli Too Big", huge, "--db", Db);

        Assert.Equal(1, code);
        // Once 10 * 1024 * 1024 bytes here, 10,000,000 everywhere else (issue 18, item 1).
        Assert.Equal($"“{huge}” is too large: 10.0 MB (10,000,001 bytes); the limit is 10 MB (10,000,000 bytes).", error.Trim());
        Assert.Equal(0, MoteCli.Sql(Db, "SELECT COUNT(*) FROM People"));
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}
