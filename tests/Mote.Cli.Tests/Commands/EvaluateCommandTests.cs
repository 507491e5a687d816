namespace Mote.Cli.Tests.Commands;

/// <summary>`mote evaluate` and `mote evaluations` input handling through the real command tree (the full protocol
/// itself is tested in Mote.Core.Tests' EvaluationRunnerTests on real photos).</summary>
public sealed class EvaluateCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mote-cli-eval-").FullName;

    private string Db => Path.Combine(_folder, "mote.db");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Evaluate_MissingDataset_ExitsOneWithMessage_RecordsNothing()
    {
        var missing = Path.Combine(_folder, "no-such-dataset");

        var (code, _, error) = await MoteCli.RunAsync("", "evaluate", "--dataset", missing, "--out", Path.Combine(_folder, "out"), "--db", Db);

        Assert.Equal(1, code);
        Assert.Contains("does not exist", error, StringComparison.Ordinal);
        Assert.Equal(0, MoteCli.Sql(Db, "SELECT COUNT(*) FROM EvaluationRuns"));
    }

    [Fact]
    public async Task Evaluate_BadSweepShare_ExitsOneNamingIt()
    {
        Directory.CreateDirectory(Path.Combine(_folder, "ds", "images"));

        var (code, _, error) = await MoteCli.RunAsync("", "evaluate", "--dataset", Path.Combine(_folder, "ds"), "--sweep-shares", "0,1.5", "--db", Db);

        Assert.Equal(1, code);
        Assert.Contains("1.5", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Evaluations_ListOnEmptyDatabase_SaysSo_ShowUnknownIdFails()
    {
        var (code, output, _) = await MoteCli.RunAsync("", "evaluations", "list", "--db", Db);
        var (showCode, _, showError) = await MoteCli.RunAsync("", "evaluations", "show", "nope", "--db", Db);

        Assert.Equal(0, code);
        Assert.Contains("No evaluation runs recorded.", output, StringComparison.Ordinal);
        Assert.Equal(1, showCode);
        Assert.Contains("no evaluation run with id 'nope'", showError, StringComparison.Ordinal);
    }
}
