using System.Text.Json;
using Mote.Core.Models;
using Mote.Core.Models.FaceApi;

namespace Mote.Core.Tests.Models.FaceApi;

[Collection(ModelPackCollection.Name)]
public sealed class FaceApiWeightsTests(ModelPackFixture fixture)
{
    [Fact]
    public void Load_QuantisedTensors_DequantiseAsCodeTimesScalePlusMin()
    {
        using var temp = new TempDirectory();
        var bin = new List<byte>();
        bin.AddRange(new byte[] { 0, 1, 255 });                                   // uint8 codes
        bin.AddRange(BitConverter.GetBytes((ushort)1000));                         // uint16 codes (little-endian host)
        bin.AddRange(BitConverter.GetBytes((ushort)65535));
        bin.AddRange(BitConverter.GetBytes(BitConverter.HalfToUInt16Bits((Half)0.333f)));
        bin.AddRange(BitConverter.GetBytes(-2.5f));                                // plain float32
        File.WriteAllBytes(temp.Combine("w.bin"), bin.ToArray());
        WriteManifest(temp.Combine("m.json"), ["w.bin"],
        [
            new { name = "u8", shape = new[] { 3 }, dtype = "float32", quantization = new { dtype = "uint8", scale = 0.5, min = -1.0 } },
            new { name = "u16", shape = new[] { 2 }, dtype = "float32", quantization = new { dtype = "uint16", scale = 0.001, min = 2.0 } },
            new { name = "f16", shape = new[] { 1, 1 }, dtype = "float32", quantization = new { dtype = "float16" } },
            new { name = "f32", shape = new[] { 1 }, dtype = "float32" },
        ]);

        var weights = FaceApiWeights.Load(temp.Combine("m.json"));

        Assert.Equal(new[] { -1f, -0.5f, 126.5f }, weights["u8"].Values);
        Assert.Equal(new[] { (float)((1000 * 0.001) + 2.0), (float)((65535 * 0.001) + 2.0) }, weights["u16"].Values);
        Assert.Equal((float)(Half)0.333f, weights["f16"].Values.Single());
        Assert.Equal(new[] { 1, 1 }, weights["f16"].Shape);
        Assert.Equal(-2.5f, weights["f32"].Values.Single());
    }

    [Fact]
    public void Load_ShardsShorterThanManifest_ThrowsNamingTensor()
    {
        using var temp = new TempDirectory();
        File.WriteAllBytes(temp.Combine("w.bin"), [1, 2]);
        WriteManifest(temp.Combine("m.json"), ["w.bin"],
            [new { name = "big", shape = new[] { 3 }, dtype = "float32", quantization = new { dtype = "uint8", scale = 1.0, min = 0.0 } }]);

        var e = Assert.Throws<ModelProvisioningException>(() => FaceApiWeights.Load(temp.Combine("m.json")));

        Assert.Contains("'big'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ShardPathWithDotDot_Refused()
    {
        using var temp = new TempDirectory();
        WriteManifest(temp.Combine("m.json"), ["../w.bin"], []);

        var e = Assert.Throws<ModelProvisioningException>(() => FaceApiWeights.Load(temp.Combine("m.json")));

        Assert.Contains("../w.bin", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Load_FaceRecognitionModel_FirstTensorMatchesBinBytesAndAllTensorsPresent()
    {
        var package = await fixture.GetFaceApiPackageDirAsync();
        var manifestPath = Path.Combine(package, FaceRecognitionRecipe.ManifestPath);

        var weights = FaceApiWeights.Load(manifestPath);

        // 15 blocks: conv32_down (1 conv layer) + 14 residual blocks (2 conv layers each) = 29 conv layers,
        // 4 tensors each, plus fc.
        Assert.Equal((29 * 4) + 1, weights.Count);
        Assert.Equal(new[] { 256, 128 }, weights["fc"].Shape);
        var first = weights["conv32_down/conv/filters"];
        Assert.Equal(new[] { 7, 7, 3, 32 }, first.Shape);
        // Independent check of the dequantisation against the raw bytes: the first tensor starts the .bin.
        using var manifest = JsonDocument.Parse(File.ReadAllText(manifestPath));
        var q = manifest.RootElement[0].GetProperty("weights")[0].GetProperty("quantization");
        var bytes = File.ReadAllBytes(Path.Combine(package, "model", "face_recognition_model.bin"));
        for (var i = 0; i < first.Values.Length; i++)
        {
            Assert.Equal((float)((bytes[i] * q.GetProperty("scale").GetDouble()) + q.GetProperty("min").GetDouble()), first.Values[i]);
        }
        Assert.Equal(bytes.Length, weights.Values.Sum(w => ByteSize(manifest, w.Name)));
    }

    private static int ByteSize(JsonDocument manifest, string name)
    {
        var spec = manifest.RootElement[0].GetProperty("weights").EnumerateArray().Single(w => w.GetProperty("name").GetString() == name);
        var count = spec.GetProperty("shape").EnumerateArray().Aggregate(1, (a, d) => a * d.GetInt32());
        return spec.TryGetProperty("quantization", out _) ? count : count * 4;
    }

    private static void WriteManifest(string path, string[] paths, object[] weights) =>
        File.WriteAllText(path, JsonSerializer.Serialize(new[] { new { paths, weights } }));
}
