using Microsoft.Data.Sqlite;
using Mote.Portal.Tests.Infrastructure;

namespace Mote.Cli.Tests.Commands;

/// <summary>
/// <c>mote identify</c> and <c>mote verify --face</c> on a real group photo (face-api's sample2.jpg, largest first:
/// #1 usable, #2 turned about 69° away, #3 usable), with the largest face enrolled.
/// </summary>
public sealed class DecisionCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mote-cli-decide-").FullName;

    private string Db => Path.Combine(_folder, "mote.db");

    [Fact]
    public async Task IdentifyAndVerify_GroupPhoto_EveryFaceReportedAndFacePicked()
    {
        var face = Path.Combine(_folder, "face.jpg");
        var group = Path.Combine(_folder, "group.jpg");
        await File.WriteAllBytesAsync(face, await DemoPhotos.CropAsync("sample2.jpg", 760, 140, 440, 440));
        await File.WriteAllBytesAsync(group, await DemoPhotos.ReadAsync("sample2.jpg"));
        var (enrolled, _, enrollError) = await MoteCli.RunAsync("", "enroll", "--name", "Cli Gus", face, "--seed", "7", "--db", Db);
        Assert.True(enrolled == 0, enrollError);

        var (identified, identifyOut, identifyError) = await MoteCli.RunAsync("", "identify", group, "--db", Db);
        var (picked, pickedOut, pickedError) = await MoteCli.RunAsync("", "verify", "--name", "Cli Gus", group, "--face", "2", "--db", Db);
        var (turned, _, turnedError) = await MoteCli.RunAsync("", "verify", "--name", "Cli Gus", group, "--face", "1", "--db", Db);

        Assert.True(identified == 0, identifyError);
        Assert.Contains("Face #1 of 3 at ", identifyOut, StringComparison.Ordinal);
        Assert.Contains("1. Cli Gus: score", identifyOut, StringComparison.Ordinal);
        Assert.Matches("Face #2 of 3 at .*: NOT USABLE: face turned too far sideways", identifyOut);
        Assert.Contains("Face #3 of 3 at ", identifyOut, StringComparison.Ordinal);
        Assert.Contains("NO MATCH among 1 people", identifyOut, StringComparison.Ordinal);
        Assert.Equal(2, MoteCli.Sql(Db, "SELECT COUNT(*) FROM Decisions WHERE Kind = 'identify'"));
        Assert.True(picked == 4, pickedError);
        Assert.Contains("REJECTED: Cli Gus", pickedOut, StringComparison.Ordinal);
        Assert.Contains("face #3 of 3", pickedOut, StringComparison.Ordinal);
        Assert.NotEqual(0, turned);
        Assert.Contains("Face #2 of the probe cannot be used", turnedError, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}
