using Microsoft.Data.Sqlite;
using Mote.Gallery.Audit;
using Mote.Portal.Tests.Infrastructure;

namespace Mote.Cli.Tests.Commands;

/// <summary><c>mote edit</c>: a person's name, external id and declared attributes after enrollment, audited once; clashes refused.</summary>
public sealed class EditCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mote-cli-edit-").FullName;

    private string Db => Path.Combine(_folder, "mote.db");

    [Fact]
    public async Task Edit_NameExternalIdAndAgeBand_OneAuditEvent_TakenExternalIdRefused()
    {
        // The left-hand woman of sample1 with a wide margin (as in EnrollCommandTests).
        var face = Path.Combine(_folder, "face.jpg");
        await File.WriteAllBytesAsync(face, await DemoPhotos.CropAsync("sample1.jpg", 263, 235, 480, 480));
        var (enrolled, _, enrollError) = await MoteCli.RunAsync("", "enroll", "--name", "Cli Before", face, "--seed", "7", "--db", Db);
        var (other, _, otherError) = await MoteCli.RunAsync("", "enroll", "--name", "Cli Other", "--external-id", "T-1", face, "--seed", "7", "--db", Db);
        Assert.True(enrolled == 0, enrollError);
        Assert.True(other == 0, otherError);

        var (code, output, error) = await MoteCli.RunAsync("", "edit", "--name", "Cli Before", "--new-name", "Cli After", "--external-id", "E-5", "--age-band", "60+", "--db", Db);
        var (same, sameOutput, _) = await MoteCli.RunAsync("", "edit", "--name", "e-5", "--age-band", "60+", "--db", Db);
        var (taken, _, takenError) = await MoteCli.RunAsync("", "edit", "--name", "Cli After", "--external-id", "t-1", "--db", Db);

        Assert.True(code == 0, error);
        Assert.Contains("Edited Cli After", output, StringComparison.Ordinal);
        Assert.Contains("name 'Cli Before' → 'Cli After'", output, StringComparison.Ordinal);
        Assert.Contains("age band declared 60+", output, StringComparison.Ordinal);
        Assert.Equal(0, same);
        Assert.Contains("Nothing changed for Cli After", sameOutput, StringComparison.Ordinal);
        Assert.NotEqual(0, taken);
        Assert.Contains("already belongs to Cli Other", takenError, StringComparison.Ordinal);
        Assert.Equal(1, MoteCli.Sql(Db, "SELECT COUNT(*) FROM People WHERE Name = 'Cli After' AND ExternalId = 'E-5' AND DeclaredAgeBand = '60+' AND DeclaredGender IS NULL"));
        Assert.Equal(1, MoteCli.Sql(Db, $"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.PersonEdited}"));
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}
