using System.Text.Json;
using Microsoft.Data.Sqlite;
using Mote.Cli;
using Mote.Core.Faces.Detection;
using Mote.Core.Imaging;
using Mote.Core.Models;
using Mote.Core.Models.Catalog;
using Mote.Portal.Tests.Infrastructure;

namespace Mote.Cli.Tests.Commands;

/// <summary>
/// <c>mote faces …</c> and <c>mote models list</c> in-process through the real command tree, on the
/// face-api demo photos, with the model pack from the configured cache (provisioned on first use).
/// </summary>
public sealed class FacesCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mote-cli-faces-").FullName;

    private string Db => Path.Combine(_folder, "mote.db");

    [Fact]
    public async Task FacesDetect_GroupPhotoJson_ListsEachFaceWithBoxLandmarksScoreAndVerdict()
    {
        var photo = Path.Combine(await DemoPhotos.DirAsync(), "sample1.jpg");

        var (code, output, error) = await RunAsync("faces", "detect", photo, "--json", "--db", Db);

        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        var faces = json.RootElement.GetProperty("faces").EnumerateArray().ToArray();
        Assert.Equal(3, faces.Length);
        Assert.All(faces, f =>
        {
            Assert.InRange(f.GetProperty("box").GetProperty("width").GetDouble(), 140, 200);
            Assert.InRange(f.GetProperty("score").GetDouble(), 0.5, 1);
            Assert.Equal(5, f.GetProperty("landmarks").GetArrayLength());
            Assert.Contains(f.GetProperty("quality").GetProperty("accepted").ValueKind, new[] { JsonValueKind.True, JsonValueKind.False });
        });
    }

    [Fact]
    public async Task FacesCompare_SamePersonTwoCropsVsOtherPerson_DecidesSameThenDifferent()
    {
        var (sameA, sameB, other) = await CropsAsync();

        var (code, output, error) = await RunAsync("faces", "compare", sameA, sameB, "--json", "--db", Db);
        var (code2, output2, _) = await RunAsync("faces", "compare", sameA, other, "--json", "--db", Db);

        Assert.True(code == 0, error);
        Assert.Equal(0, code2);
        using var same = JsonDocument.Parse(output);
        using var different = JsonDocument.Parse(output2);
        Assert.True(same.RootElement.GetProperty("samePerson").GetBoolean());
        Assert.False(different.RootElement.GetProperty("samePerson").GetBoolean());
        Assert.True(same.RootElement.GetProperty("similarity").GetDouble() > different.RootElement.GetProperty("similarity").GetDouble());
    }

    [Fact]
    public async Task FacesDetect_NotAnImage_ExitsOneWithThePhotoPolicysReason()
    {
        var bogus = Path.Combine(_folder, "notes.jpg");
        await File.WriteAllTextAsync(bogus, "this is text, not a JPEG");

        var (code, _, error) = await RunAsync("faces", "detect", bogus, "--db", Db);

        Assert.Equal(1, code);
        Assert.Contains($"“{bogus}” is not an image", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FacesCompare_PhotoWithoutFace_ExitsOneNamingThePhoto()
    {
        var blank = Path.Combine(_folder, "blank.png");
        await File.WriteAllBytesAsync(blank, ImageEncoding.ToPng(RgbImage.Create(300, 200, p => p.Fill(90))));

        var (code, _, error) = await RunAsync("faces", "compare", blank, blank, "--db", Db);

        Assert.Equal(1, code);
        Assert.Contains("blank.png", error, StringComparison.Ordinal);
        Assert.Contains("No face", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FacesBench_TinyDataset_PrintsAccuracyTarFailuresAndLatency()
    {
        var dataset = await TinyDatasetAsync();

        var (code, output, error) = await RunAsync("faces", "bench", "--dataset", dataset, "--pairs", "10", "--seed", "2", "--db", Db);

        Assert.True(code == 0, error);
        Assert.Matches(@"accuracy \(10-fold\): (0\.9\d+|1\.0000)", output);
        Assert.Contains("TAR at FAR 1e-3:", output, StringComparison.Ordinal);
        Assert.Contains("failure to detect: 0 of", output, StringComparison.Ordinal);
        Assert.Matches(@"median per photo: [\d.]+ ms total, [\d.]+ ms ONNX inference", output);
        Assert.Contains("process RSS", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FacesQualityAudit_TinyDataset_PrintsTheRefusalRateAndEachRefusedPhotoWithItsReasons()
    {
        var dataset = await TinyDatasetAsync();
        // One blank photo: refused as having no face, listed by its path.
        var blank = Directory.CreateDirectory(Path.Combine(dataset, "images", "zz-blank")).FullName;
        await File.WriteAllBytesAsync(Path.Combine(blank, "0.jpg"), ImageEncoding.ToJpeg(RgbImage.Create(250, 250, p => p.Fill(90))));

        var (code, output, error) = await RunAsync("faces", "quality-audit", "--dataset", dataset, "--db", Db);
        var (limitedCode, limited, _) = await RunAsync("faces", "quality-audit", "--dataset", dataset, "--limit", "2", "--json", "--db", Db);

        Assert.True(code == 0, error);
        Assert.Contains("|yaw| ≤ 45°", output, StringComparison.Ordinal);
        var rate = Assert.Single(System.Text.RegularExpressions.Regex.Matches(output, @"refused: (\d+) of (\d+) first photos \([\d.]+ ?%\); no face 1"));
        Assert.InRange(int.Parse(rate.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), 1, int.Parse(rate.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Contains($"{Path.Combine(blank, "0.jpg")}: no face was found", output, StringComparison.Ordinal);
        Assert.Equal(0, limitedCode);
        using var json = JsonDocument.Parse(limited);
        Assert.Equal(2, json.RootElement.GetProperty("photos").GetInt32());
    }

    [Fact]
    public async Task FacesCompare_FacepluginBackbone_DecidesSameThenDifferentAtItsThreshold()
    {
        var (sameA, sameB, other) = await CropsAsync();

        var (code, output, error) = await RunAsync("faces", "compare", sameA, sameB, "--backbone", "faceplugin-fr", "--json", "--db", Db);
        var (code2, output2, _) = await RunAsync("faces", "compare", sameA, other, "--backbone", "faceplugin-fr", "--json", "--db", Db);

        Assert.True(code == 0, error);
        Assert.Equal(0, code2);
        using var same = JsonDocument.Parse(output);
        using var different = JsonDocument.Parse(output2);
        Assert.Equal("faceplugin-fr", same.RootElement.GetProperty("backbone").GetString());
        Assert.Equal(0.269, same.RootElement.GetProperty("threshold").GetDouble());
        Assert.True(same.RootElement.GetProperty("samePerson").GetBoolean());
        Assert.False(different.RootElement.GetProperty("samePerson").GetBoolean());
    }

    [Fact]
    public async Task FacesBench_MissingDataset_ExitsOneSayingTheLayout()
    {
        var (code, _, error) = await RunAsync("faces", "bench", "--dataset", Path.Combine(_folder, "nowhere"), "--db", Db);

        Assert.Equal(1, code);
        Assert.Contains("images/<identity>/*.jpg", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ModelsList_Json_ListsEveryModelWithHashAndInput()
    {
        var (code, output, error) = await RunAsync("models", "list", "--json", "--db", Db);

        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        var rows = json.RootElement.EnumerateArray().ToDictionary(r => r.GetProperty("id").GetString()!);
        Assert.Contains("blazeface", rows.Keys);
        Assert.Contains("face_recognition_model", rows.Keys);
        var dlib = rows["face_recognition_model"];
        Assert.Matches("^[0-9a-f]{64}$", dlib.GetProperty("sha256").GetString());
        Assert.Contains("150,150,3", dlib.GetProperty("input").GetString(), StringComparison.Ordinal);
        Assert.Contains("@vladmandic/face-api@1.7.15", dlib.GetProperty("source").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ModelsPull_Redirected_PrintsOneLinePerStageAndReady()
    {
        var (code, output, error) = await RunAsync("models", "pull", "--db", Db);

        Assert.True(code == 0, error);
        Assert.DoesNotContain('\r', output);
        Assert.Contains("Model pack ready", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ModelsImport_MissingTarball_ExitsOneNamingThePath()
    {
        var missing = Path.Combine(_folder, "face-api.tgz");

        var (code, _, error) = await RunAsync("models", "import", missing, "--db", Db);

        Assert.Equal(1, code);
        Assert.Contains(missing, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ModelsImport_TarballOfWrongPackage_ExitsOneWithoutTouchingThePack()
    {
        var bogus = Path.Combine(_folder, "bogus.tgz");
        await File.WriteAllBytesAsync(bogus, [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0]);

        var (code, _, error) = await RunAsync("models", "import", bogus, "--db", Db);

        Assert.Equal(1, code);
        Assert.Contains("none of the pinned packages", error, StringComparison.Ordinal);
    }

    private async Task<(string SameA, string SameB, string Other)> CropsAsync()
    {
        using var decoder = new ImageDecoder();
        var photo = decoder.Decode(await File.ReadAllBytesAsync(Path.Combine(await DemoPhotos.DirAsync(), "sample1.jpg")));
        var other = decoder.Decode(await File.ReadAllBytesAsync(Path.Combine(await DemoPhotos.DirAsync(), "sample5.jpg")));
        // The left-hand woman of sample1 (box about 423,412 188x187) in two framings; a frontal woman of sample5
        // (box about 1116,263 180x180; the other two in sample1 tilt their heads beyond the 30° roll limit).
        return (
            await SaveAsync("a1.jpg", ImageRegion.Copy(photo, 200, 200, 700, 700)),
            await SaveAsync("a2.jpg", ImageRegion.Copy(photo, 330, 330, 380, 360)),
            await SaveAsync("b.jpg", ImageRegion.Copy(other, 950, 100, 520, 520)));
    }

    private async Task<string> TinyDatasetAsync()
    {
        var root = Path.Combine(_folder, "dataset");
        using var decoder = new ImageDecoder();
        using var sessions = new OnnxSessionFactory();
        var pack = await ModelCatalog.CreateProvisioner(new ModelPackOptions()).EnsureAsync();
        using var detector = new BlazeFaceDetector(pack["blazeface"], sessions);
        var identity = 0;
        foreach (var file in new[] { "sample1.jpg", "sample5.jpg", "sample6.jpg" })
        {
            var photo = decoder.Decode(await File.ReadAllBytesAsync(Path.Combine(await DemoPhotos.DirAsync(), file)));
            foreach (var face in detector.Detect(photo))
            {
                var folder = Directory.CreateDirectory(Path.Combine(root, "images", $"p{identity++:D2}")).FullName;
                for (var k = 0; k < 2; k++)
                {
                    var side = (int)(face.Box.Width * (2 + k));
                    var left = Math.Clamp((int)(face.Box.Center.X - (side / 2.0)), 0, photo.Width - side);
                    var top = Math.Clamp((int)(face.Box.Center.Y - (side / 2.0)), 0, photo.Height - side);
                    await File.WriteAllBytesAsync(Path.Combine(folder, $"{k}.jpg"), ImageEncoding.ToJpeg(ImageResizer.Resize(ImageRegion.Copy(photo, left, top, side, side), 250, 250).Image));
                }
            }
        }

        return root;
    }

    private async Task<string> SaveAsync(string name, RgbImage image)
    {
        var path = Path.Combine(_folder, name);
        await File.WriteAllBytesAsync(path, ImageEncoding.ToJpeg(image));
        return path;
    }

    private static async Task<(int Code, string Output, string Error)> RunAsync(params string[] args)
    {
        using var input = new StringReader("");
        using var output = new StringWriter();
        using var error = new StringWriter();
        var parse = MoteCommand.Build(input, output, error).Parse(args);
        var code = await parse.InvokeAsync(new System.CommandLine.InvocationConfiguration { Output = output, Error = error });
        return (code, output.ToString(), error.ToString());
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}
