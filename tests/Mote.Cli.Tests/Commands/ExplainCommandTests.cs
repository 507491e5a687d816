using System.Text.Json;
using Microsoft.Data.Sqlite;
using Mote.Core.Imaging;
using Mote.Core.Tests;
using Mote.Gallery.Engine;
using Mote.Gallery.People;
using Mote.Portal.Tests.Infrastructure;

namespace Mote.Cli.Tests.Commands;

/// <summary><c>mote explain</c> through the real command tree: a person enrolled from a demo face, the same face explained.</summary>
public sealed class ExplainCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mote-cli-explain-").FullName;

    private string Db => Path.Combine(_folder, "mote.db");

    [Fact]
    public async Task Explain_EnrolledFace_WritesOverlayPngsAndJsonWithScoreContextAndFaithfulness()
    {
        // The left-hand woman of sample1 with a wide margin (the face-api SSD box was 383,355 240x240).
        var face = Path.Combine(_folder, "face.jpg");
        await File.WriteAllBytesAsync(face, await DemoPhotos.CropAsync("sample1.jpg", 263, 235, 480, 480));
        var (enrolled, _, enrollError) = await MoteCli.RunAsync("", "enroll", "--name", "Cli Explained", face, "--seed", "7", "--db", Db);
        Assert.True(enrolled == 0, enrollError);
        var outDir = Path.Combine(_folder, "out");

        var (code, output, error) = await MoteCli.RunAsync("", "explain", "--name", "Cli Explained", face, "--out", outDir, "--db", Db);

        Assert.True(code == 0, error);
        Assert.Contains("accepted", output, StringComparison.Ordinal);
        using var decoder = new ImageDecoder();
        foreach (var png in new[] { "heatmap-occlusion.png", "heatmap-gradcampp.png" })
        {
            var image = decoder.Decode(await File.ReadAllBytesAsync(Path.Combine(outDir, png)));
            Assert.Equal((150, 150), (image.Width, image.Height));
        }
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(outDir, "explanation.json")));
        var root = json.RootElement;
        Assert.Equal("Cli Explained", root.GetProperty("person").GetString());
        Assert.InRange(root.GetProperty("score").GetDouble(), root.GetProperty("threshold").GetDouble(), 1);
        Assert.Equal(2, root.GetProperty("faithfulness").GetArrayLength());
        Assert.Contains("accepted", root.GetProperty("context").GetProperty("sentence").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, MoteCli.Sql(Db, $"SELECT COUNT(*) FROM DecisionExplanations WHERE DecisionId = '{root.GetProperty("decisionId").GetString()}'"));
        // Decided where no explanation queue runs, explained at once: the decision reads ready (1), not "being computed".
        Assert.Equal(1, MoteCli.Sql(Db, $"SELECT ExplanationState FROM Decisions WHERE Id = '{root.GetProperty("decisionId").GetString()}'"));
    }

    [DatasetFact("lfw-dev")]
    public async Task ExplainSurvey_TwoLfwIdentities_JsonCountsEveryMapOverGenuineAndImpostorDecisions_StoresNoPerson()
    {
        var lfw = Mote.Core.Tests.TestDatasets.Find("lfw-dev")!;

        var (code, output, error) = await MoteCli.RunAsync("", "explain", "survey", "--dataset", lfw, "--identities", "2", "--seed", "3", "--json", "--db", Db);

        Assert.True(code == 0, error);
        Assert.Contains("2/2 identities explained", error, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.Equal(TestEnvironment.Backbone, root.GetProperty("Backbone").GetString());
        var decisions = root.GetProperty("Decisions");
        Assert.Equal(2 * (2 - root.GetProperty("Skipped").GetInt32()), decisions.GetArrayLength());
        Assert.True(decisions.GetArrayLength() >= 2);
        var all = root.GetProperty("All").EnumerateArray().ToList();
        Assert.Equal(["occlusion", "gradcam++"], all.Select(m => m.GetProperty("Method").GetString()));
        Assert.All(all, m => Assert.Equal(decisions.GetArrayLength(), m.GetProperty("Decisions").GetInt32()));
        Assert.All(decisions.EnumerateArray(), d => Assert.Equal("logit", d.GetProperty("Faithfulness")[0].GetProperty("Evidence").GetString()));
        Assert.Equal(0, MoteCli.Sql(Db, "SELECT COUNT(*) FROM People"));
        Assert.Equal(0, MoteCli.Sql(Db, "SELECT COUNT(*) FROM Decisions"));
    }

    [Fact]
    public async Task Explain_FileOverThePhotoPolicy_RefusedInThePolicysWordsBeforeAnyDecision()
    {
        var huge = Path.Combine(_folder, "huge.jpg");
        var bytes = new byte[PhotoPolicy.MaxBytes + 1];
        bytes[0] = 0xFF;
        bytes[1] = 0xD8;
        bytes[2] = 0xFF;
        await File.WriteAllBytesAsync(huge, bytes);

        var (code, output, error) = await MoteCli.RunAsync("", "explain", "--name", "Nobody", huge, "--out", Path.Combine(_folder, "out"), "--db", Db);

        Assert.Equal(1, code);
        Assert.Equal("", output);
        // The same limit and words as the portal's pages and the API (issue 18, item 1).
        Assert.Equal(PhotoPolicy.TooLargeMessage($"“{huge}”", PhotoPolicy.MaxBytes + 1), error.Trim());
        Assert.Contains("the limit is 10 MB (10,000,000 bytes)", error, StringComparison.Ordinal);
        Assert.Equal(0, MoteCli.Sql(Db, "SELECT COUNT(*) FROM Decisions"));
        Assert.False(Directory.Exists(Path.Combine(_folder, "out")));
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}
