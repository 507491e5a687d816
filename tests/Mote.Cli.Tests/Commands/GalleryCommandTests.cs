using Microsoft.Data.Sqlite;
using Mote.Cli.Commands;
using Mote.Core.Models;

namespace Mote.Cli.Tests.Commands;

/// <summary>How every Gallery command of <c>mote</c> answers a known failure: one line on standard error and exit code 1.</summary>
public sealed class GalleryCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mote-cli-gallery-").FullName;

    private string Db => Path.Combine(_folder, "mote.db");

    [Fact]
    public async Task ModelsNotProvisioned_OneLineNamingTheWayOut_ExitCode1()
    {
        using var error = new StringWriter();

        var code = await GalleryCommand.RunAsync(Db, error, _ => throw new ModelProvisioningException("npm failed:\nnpm ERR! code E404\nnpm ERR! 404 Not Found."), CancellationToken.None);

        Assert.Equal(1, code);
        Assert.Equal(
            "The face models are not available: npm failed: npm ERR! code E404 npm ERR! 404 Not Found. Run `mote models pull` (or `mote models import`) and try again.",
            error.ToString().TrimEnd());
        Assert.DoesNotContain("\n", error.ToString().TrimEnd(), StringComparison.Ordinal);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}
