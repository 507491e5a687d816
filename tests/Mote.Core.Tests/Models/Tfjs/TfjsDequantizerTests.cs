using System.Text.Json.Nodes;
using Mote.Core.Models.Tfjs;

namespace Mote.Core.Tests.Models.Tfjs;

public sealed class TfjsDequantizerTests
{
    [Fact]
    public void Float16_KnownBitPatterns_GiveHandComputedValues()
    {
        // Little-endian halves: 1.0, -2.0, 1/3 rounded (0x3555 = 0.333251953125), 65504 (max), 2^-24 (smallest
        // subnormal), -0, +infinity.
        byte[] bytes = [0x00, 0x3C, 0x00, 0xC0, 0x55, 0x35, 0xFF, 0x7B, 0x01, 0x00, 0x00, 0x80, 0x00, 0x7C];

        var values = TfjsDequantizer.Float16(bytes);

        Assert.Equal(new[] { 1f, -2f, 0.333251953125f, 65504f, 5.9604645e-8f, -0f, float.PositiveInfinity }, values);
        Assert.True(float.IsNegative(values[5]));
    }

    [Fact]
    public void Affine_Uint8_GivesQTimesScalePlusMin()
    {
        // scale 0.01, min -1: 0 → -1, 1 → -0.99, 128 → 0.28, 255 → 1.55 (each rounded once to float32).
        var values = TfjsDequantizer.Affine([0, 1, 128, 255], 1, 0.01, -1.0);

        Assert.Equal(new[] { -1f, (float)-0.99, (float)0.28, (float)1.55 }, values);
    }

    [Fact]
    public void Affine_Uint16_ReadsLittleEndianValues()
    {
        // 0x0102 = 258 and 0xFFFF = 65535 with scale 0.001, min 10: 10.258 and 75.535.
        var values = TfjsDequantizer.Affine([0x02, 0x01, 0xFF, 0xFF], 2, 0.001, 10.0);

        Assert.Equal(new[] { (float)10.258, (float)75.535 }, values);
    }

    [Fact]
    public void Load_Uint8QuantisedInt32Weight_RoundsHalvesUpLikeJavaScript()
    {
        // q = [1, 3, 5, 0], scale 0.5, min 0: 0.5, 1.5, 2.5, 0 → JavaScript Math.round 1, 2, 3, 0 (banker's rounding
        // would give 0, 2, 2, 0).
        var dir = Directory.CreateTempSubdirectory("mote-tfjs-int-");
        try
        {
            var quantization = new JsonObject { ["dtype"] = "uint8", ["scale"] = 0.5, ["min"] = 0.0, ["original_dtype"] = "int32" };
            var path = new TfjsModelBuilder().QuantisedConst("ints", [4], quantization, [1, 3, 5, 0]).Write(dir.FullName);
            var json = JsonNode.Parse(File.ReadAllText(path))!;
            json["weightsManifest"]![0]!["weights"]![0]!["dtype"] = "int32";
            File.WriteAllText(path, json.ToJsonString());

            var weights = TfjsWeightLoader.Load(TfjsModelFile.Load(path));

            Assert.Equal(new long[] { 1, 2, 3, 0 }, weights["ints"].Ints);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
