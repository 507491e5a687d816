using System.Text.Json;
using Mote.Core.Faces.Benchmark;
using Mote.Core.Models.Onnx;
using Mote.Core.Population.Packs;
using Mote.Portal.Tests.Infrastructure;

namespace Mote.Cli.Tests.Commands;

/// <summary>
/// <c>--backbone custom</c> in <c>mote faces compare</c> and <c>mote population build</c>, with a generated InsightFace-style
/// recognition model (input <c>input.1</c>, float[batch, 3, 112, 112], one float[batch, 48] output: 28x28 average pools
/// of the normalised crop, so it tells faces apart by their layout) configured through <c>Mote:Faces:Custom</c>
/// (environment variables, as a deployment would set them). The variables only matter to the custom backbone, so tests
/// running beside these are not affected.
/// </summary>
[Collection(CustomModelEnvironment.Name)]
public sealed class CustomBackboneCommandTests : IDisposable
{
    private const string PathVariable = "Mote__Faces__Custom__Recognition__Path";
    private const string IdVariable = "Mote__Faces__Custom__Recognition__BackboneId";
    private const string ThresholdVariable = "Mote__Faces__Custom__Threshold";
    private readonly string _folder = Directory.CreateTempSubdirectory("mote-cli-custom-").FullName;

    public CustomBackboneCommandTests()
    {
        var model = Path.Combine(_folder, "w600k_generated.onnx");
        File.WriteAllBytes(model, PooledRecognitionModel());
        Environment.SetEnvironmentVariable(PathVariable, model);
        Environment.SetEnvironmentVariable(IdVariable, "generated-insightface");
    }

    private string Db => Path.Combine(_folder, "mote.db");

    [Fact]
    public async Task FacesCompare_CustomBackboneWithThreshold_UsesTheUsersModelAndThreshold()
    {
        Environment.SetEnvironmentVariable(ThresholdVariable, "0.5");
        var photo = Path.Combine(await DemoPhotos.DirAsync(), "sample1.jpg");

        var (code, output, error) = await MoteCli.RunAsync("", "faces", "compare", photo, photo, "--backbone", "custom", "--json", "--db", Db);

        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        Assert.Equal("generated-insightface", json.RootElement.GetProperty("backbone").GetString());
        Assert.Equal(0.5, json.RootElement.GetProperty("threshold").GetDouble());
        Assert.Equal(1.0, json.RootElement.GetProperty("similarity").GetDouble(), 5);
        Assert.True(json.RootElement.GetProperty("samePerson").GetBoolean());
    }

    [Fact]
    public async Task FacesCompare_CustomBackboneWithoutThreshold_ExitsOneSayingHowToMeasureIt()
    {
        Environment.SetEnvironmentVariable(ThresholdVariable, null);
        var photo = Path.Combine(await DemoPhotos.DirAsync(), "sample1.jpg");

        var (code, _, error) = await MoteCli.RunAsync("", "faces", "compare", photo, photo, "--backbone", "custom", "--db", Db);

        Assert.Equal(1, code);
        Assert.Contains("mote faces bench --backbone custom", error, StringComparison.Ordinal);
        Assert.Contains("Mote:Faces:Custom:Threshold", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FacesDetect_CustomBackboneModelFileMissing_ExitsOneNamingSettingAndPath()
    {
        Environment.SetEnvironmentVariable(PathVariable, Path.Combine(_folder, "absent.onnx"));
        var photo = Path.Combine(await DemoPhotos.DirAsync(), "sample1.jpg");

        var (code, _, error) = await MoteCli.RunAsync("", "faces", "detect", photo, "--backbone", "custom", "--db", Db);

        Assert.Equal(1, code);
        Assert.Contains("Mote:Faces:Custom:Recognition:Path", error, StringComparison.Ordinal);
        Assert.Contains("absent.onnx", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PopulationBuild_CustomBackbone_WritesAPackForTheUsersModel()
    {
        if (BenchDataset.LocateDatasets() is not { } root || !Directory.Exists(Path.Combine(root, "lfw-dev", "images")) || !Directory.Exists(Path.Combine(root, "utkface-part1", "images")))
        {
            return; // lfw-dev or utkface-part1 absent (set MOTE_DATASETS): nothing to build from; the tests above still cover the wiring.
        }

        var pack = Path.Combine(_folder, "custom.motepop");

        // 400 images of each: enough for some groups to reach the 50 descriptors a density needs.
        var (code, output, error) = await MoteCli.RunAsync("", "population", "build", "--backbone", "custom", "--identities", Path.Combine(root, "lfw-dev"),
            "--negatives", Path.Combine(root, "utkface-part1"), "--kind", "kde", "--limit", "400", "--out", pack, "--db", Db);

        Assert.True(code == 0, error + output);
        var written = PopulationPackFile.Load(pack);
        Assert.Equal("generated-insightface", written.BackboneId);
        Assert.Contains("backbone generated-insightface", error, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        Environment.SetEnvironmentVariable(PathVariable, null);
        Environment.SetEnvironmentVariable(IdVariable, null);
        Environment.SetEnvironmentVariable(ThresholdVariable, null);
        Directory.Delete(_folder, recursive: true);
    }

    private static byte[] PooledRecognitionModel()
    {
        var g = new OnnxGraphBuilder("generated-insightface");
        var input = g.AddInput("input.1", OnnxElementType.Float, "batch", 3, 112, 112);
        var pooled = g.AddNode("AveragePool", [input], "pooled", new Dictionary<string, object> { ["kernel_shape"] = new long[] { 28, 28 }, ["strides"] = new long[] { 28, 28 } });
        var embedding = g.AddNode("Flatten", [pooled], "683", new Dictionary<string, object> { ["axis"] = 1L });
        g.AddOutput(embedding, OnnxElementType.Float, "batch", 48);
        return OnnxModelWriter.Write(g, new OnnxModelInfo("mote-tests", "1", "generated InsightFace-style recognition model", new Dictionary<string, string>()));
    }
}

/// <summary>Tests that set the <c>Mote:Faces:Custom</c> environment variables run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class CustomModelEnvironment
{
    public const string Name = "CustomModelEnvironment";
}
