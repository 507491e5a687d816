using Microsoft.Data.Sqlite;
using Mote.Portal.Tests.Infrastructure;

namespace Mote.Cli.Tests.Commands;

/// <summary>
/// <c>mote gallery backbone</c>, <c>mote gallery migrate</c> and the refusal of probes described by other weights, through the
/// real command tree on a temporary SQLite file with a real face (face-api's sample2.jpg, its largest face cropped).
/// </summary>
public sealed class GalleryBackboneCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mote-cli-backbone-").FullName;

    private string Db => Path.Combine(_folder, "mote.db");

    [Fact]
    public async Task GalleryMigrate_EmptyGallery_RefusedWithoutAPackThenSwitchedAndShown()
    {
        var (noPack, _, noPackError) = await MoteCli.RunAsync("", "gallery", "migrate", "--backbone", "mobileface", "--db", Db);
        var (switched, switchedOut, switchedError) = await MoteCli.RunAsync("", "gallery", "migrate", "--backbone", "dlib-resnet", "--db", Db);
        var (shown, shownOut, shownError) = await MoteCli.RunAsync("", "gallery", "backbone", "--db", Db);

        Assert.Equal(1, noPack);
        Assert.Contains("No population pack for backbone mobileface", noPackError, StringComparison.Ordinal);
        Assert.Contains("mote population build --backbone mobileface", noPackError, StringComparison.Ordinal);
        Assert.True(switched == 0, switchedError);
        Assert.Contains("The gallery is now on backbone dlib-resnet", switchedOut, StringComparison.Ordinal);
        Assert.True(shown == 0, shownError);
        Assert.Matches(@"(?m)^\* dlib-resnet\s+population pack", shownOut);
        Assert.Matches(@"(?m)^  faceplugin-fr\s+population pack \(calibrated\); training data not documented", shownOut);
        Assert.Matches(@"(?m)^  fused\s+population pack \(calibrated\); training data not documented", shownOut);
        Assert.Matches(@"(?m)^  mobileface\s+no population pack", shownOut);
    }

    [Fact]
    public async Task Verify_GalleryEnrolledWithOtherWeights_ExitOneNamingBothAndTheMigration()
    {
        var face = Path.Combine(_folder, "face.jpg");
        await File.WriteAllBytesAsync(face, await DemoPhotos.CropAsync("sample2.jpg", 760, 140, 440, 440));
        var (enrolled, _, enrollError) = await MoteCli.RunAsync("", "enroll", "--name", "Cli Bea", face, "--seed", "7", "--db", Db);
        Assert.True(enrolled == 0, enrollError);
        using (var raw = new SqliteConnection($"Data Source={Db};Pooling=False"))
        {
            raw.Open();
            using var update = raw.CreateCommand();
            update.CommandText = $"UPDATE People SET BackboneHash = '{new string('b', 64)}'";
            update.ExecuteNonQuery();
        }

        var (code, _, error) = await MoteCli.RunAsync("", "verify", "--name", "Cli Bea", face, "--db", Db);

        Assert.Equal(1, code);
        Assert.Contains("This gallery's templates were made with backbone dlib-resnet (bbbbbbbbbbbb…)", error, StringComparison.Ordinal);
        Assert.Contains("mote gallery migrate --backbone dlib-resnet", error, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}
