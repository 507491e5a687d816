using System.Text.Json.Nodes;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Mote.Core.Models.Tfjs;

namespace Mote.Core.Tests.Models.Tfjs;

/// <summary>Converter behaviour on small hand-built graphs whose results are computed by hand (no Node.js needed).</summary>
public sealed class TfjsGraphConverterTests : IDisposable
{
    // Input x[r, c] = 4r + c + 1 on a 5 (rows) x 4 (cols) image: 1..20 row-major.
    private static readonly float[] FiveByFour = [.. Enumerable.Range(1, 20).Select(v => (float)v)];

    // A 2x2 kernel with distinct weights per tap, so a flipped or transposed filter gives other numbers.
    private static readonly float[] Taps = [1, 10, 100, 1000];

    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("mote-tfjs-unit-");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public void Convert_UnknownOp_ThrowsUnsupportedTfjsOpExceptionNamingOpAndNode()
    {
        var model = new TfjsModelBuilder()
            .Placeholder("x", 1, 4)
            .Node("odd/erfinv", "Erfinv", ["x"])
            .Write(_dir.FullName);

        var e = Assert.Throws<UnsupportedTfjsOpException>(() => TfjsGraphConverter.Convert(model, TfjsConversionOptions.Default));

        Assert.Equal("Erfinv", e.Op);
        Assert.Equal("odd/erfinv", e.NodeName);
        Assert.Contains("'Erfinv'", e.Message, StringComparison.Ordinal);
        Assert.Contains("'odd/erfinv'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Convert_UnsupportedFusedActivation_ThrowsNamingFusedOpAndNode()
    {
        var attr = TfjsModelBuilder.Window("SAME", 1, 1);
        attr["fused_ops"] = TfjsModelBuilder.Strs("BiasAdd", "Swish");
        var model = new TfjsModelBuilder()
            .Placeholder("x", 1, 5, 4, 1)
            .Const("w", [2, 2, 1, 1], Taps)
            .Const("b", [1], 0.5f)
            .Node("block/conv", "_FusedConv2D", ["x", "w", "b"], attr)
            .Write(_dir.FullName);

        var e = Assert.Throws<UnsupportedTfjsOpException>(() => TfjsGraphConverter.Convert(model, TfjsConversionOptions.Default));

        Assert.Equal("block/conv", e.NodeName);
        Assert.Contains("Swish", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Convert_Conv2DSamePaddingOnOddHeight_PadsOnlyAtBottomLikeTensorFlow()
    {
        // H = 5, stride 2, kernel 2: TF SAME gives ceil(5/2) = 3 rows and 1 padding row, all of it at the bottom.
        // W = 4: 2 columns, no padding. out[i, j] = x[2i, 2j] + 10 x[2i, 2j+1] + 100 x[2i+1, 2j] + 1000 x[2i+1, 2j+1].
        var model = new TfjsModelBuilder()
            .Placeholder("x", 1, 5, 4, 1)
            .Const("w", [2, 2, 1, 1], Taps)
            .Node("conv", "Conv2D", ["x", "w"], TfjsModelBuilder.Window("SAME", 2, 2))
            .Write(_dir.FullName);

        var converted = TfjsGraphConverter.Convert(model, TfjsConversionOptions.Default);
        var (y, shape) = Run(converted, FiveByFour, [1, 5, 4, 1]);

        Assert.Equal([1, 3, 2, 1], shape);
        Assert.Equal([1, 3, 2, 1], converted.Outputs.Single().Shape);
        // Last row: the padding row below contributes zeros, so only the top taps (1, 10) count.
        Assert.Equal(new float[] { 6521, 8743, 15409, 17631, 197, 219 }, y);
    }

    [Fact]
    public void Convert_DepthwiseSamePaddingWithMultiplier_OrdersChannelsLikeTensorFlow()
    {
        // One input channel, multiplier 2: output channel 0 uses the distinct taps, channel 1 only the top-left tap.
        // TF filter layout [kh, kw, c, m], so taps of the two outputs interleave.
        var model = new TfjsModelBuilder()
            .Placeholder("x", 1, 5, 4, 1)
            .Const("w", [2, 2, 1, 2], 1, 1, 10, 0, 100, 0, 1000, 0)
            .Node("dw", "DepthwiseConv2dNative", ["x", "w"], TfjsModelBuilder.Window("SAME", 2, 2))
            .Write(_dir.FullName);

        var (y, shape) = Run(TfjsGraphConverter.Convert(model, TfjsConversionOptions.Default), FiveByFour, [1, 5, 4, 1]);

        Assert.Equal([1, 3, 2, 2], shape);
        Assert.Equal(new float[] { 6521, 1, 8743, 3, 15409, 9, 17631, 11, 197, 17, 219, 19 }, y);
    }

    [Fact]
    public void Convert_MaxPoolSamePaddingOnOddSize_IgnoresPaddingInsteadOfTreatingItAsZero()
    {
        // All inputs negative: if the padded row/column counted as 0, the border outputs would be 0.
        var negative = FiveByFour.Select(v => -v).ToArray();
        var model = new TfjsModelBuilder()
            .Placeholder("x", 1, 5, 4, 1)
            .Node("pool", "MaxPool", ["x"], WithKsize(TfjsModelBuilder.Window("SAME", 2, 2), 2, 2))
            .Write(_dir.FullName);

        var (y, shape) = Run(TfjsGraphConverter.Convert(model, TfjsConversionOptions.Default), negative, [1, 5, 4, 1]);

        Assert.Equal([1, 3, 2, 1], shape);
        Assert.Equal(new float[] { -1, -3, -9, -11, -17, -19 }, y);
    }

    [Fact]
    public void Convert_AvgPoolSamePaddingOnOddSize_AveragesOnlyRealPixels()
    {
        // TF averages over the pixels inside the image: the bottom windows hold 2 pixels, not 4.
        var model = new TfjsModelBuilder()
            .Placeholder("x", 1, 5, 4, 1)
            .Node("pool", "AvgPool", ["x"], WithKsize(TfjsModelBuilder.Window("SAME", 2, 2), 2, 2))
            .Write(_dir.FullName);

        var (y, _) = Run(TfjsGraphConverter.Convert(model, TfjsConversionOptions.Default), FiveByFour, [1, 5, 4, 1]);

        Assert.Equal(new float[] { 3.5f, 5.5f, 11.5f, 13.5f, 17.5f, 19.5f }, y);
    }

    [Fact]
    public void Convert_FusedConvWithBiasAndRelu6_AppliesBothAfterTheConvolution()
    {
        // 3x3 kernel, stride 1, SAME on 5x4: 1 pixel of padding on every side. Centre tap only = identity conv,
        // then bias -3 and Relu6 clip: y = min(max(x - 3, 0), 6).
        var attr = TfjsModelBuilder.Window("SAME", 1, 1);
        attr["fused_ops"] = TfjsModelBuilder.Strs("BiasAdd", "Relu6");
        var model = new TfjsModelBuilder()
            .Placeholder("x", 1, 5, 4, 1)
            .Const("w", [3, 3, 1, 1], 0, 0, 0, 0, 1, 0, 0, 0, 0)
            .Const("b", [1], -3f)
            .Node("conv", "_FusedConv2D", ["x", "w", "b"], attr)
            .Write(_dir.FullName);

        var (y, _) = Run(TfjsGraphConverter.Convert(model, TfjsConversionOptions.Default), FiveByFour, [1, 5, 4, 1]);

        Assert.Equal(FiveByFour.Select(v => Math.Clamp(v - 3, 0, 6)).ToArray(), y);
    }

    [Fact]
    public void Convert_Uint8QuantisedWeight_DequantisesWithScaleAndMin()
    {
        // q = [0, 1, 128, 255], scale 0.5, min -2: weights [-2, -1.5, 62, 125.5]; y = x * w with x = 1..4.
        var quantization = new JsonObject { ["dtype"] = "uint8", ["scale"] = 0.5, ["min"] = -2.0, ["original_dtype"] = "float32" };
        var model = new TfjsModelBuilder()
            .Placeholder("x", -1, 4)
            .QuantisedConst("w", [4], quantization, [0, 1, 128, 255])
            .Node("y", "Mul", ["x", "w"])
            .Write(_dir.FullName);

        var converted = TfjsGraphConverter.Convert(model, TfjsConversionOptions.Default);
        var (y, _) = Run(converted, [1, 2, 3, 4], [1, 4]);

        Assert.Equal(new float[] { -2, -3, 186, 502 }, y);
        Assert.Equal(-1, converted.Inputs.Single().Shape[0]);
    }

    [Fact]
    public void Convert_Float16QuantisedWeight_DequantisesHalfPrecisionBits()
    {
        // Half bits 0x3C00 = 1, 0xC000 = -2, 0x3555 = 0.333251953125, 0x7BFF = 65504 (largest half).
        var quantization = new JsonObject { ["dtype"] = "float16", ["original_dtype"] = "float32" };
        var model = new TfjsModelBuilder()
            .Placeholder("x", 1, 4)
            .QuantisedConst("w", [4], quantization, [0x00, 0x3C, 0x00, 0xC0, 0x55, 0x35, 0xFF, 0x7B])
            .Node("y", "AddV2", ["x", "w"])
            .Write(_dir.FullName);

        var (y, _) = Run(TfjsGraphConverter.Convert(model, TfjsConversionOptions.Default), [0, 0, 0, 0], [1, 4]);

        Assert.Equal(new float[] { 1, -2, 0.333251953125f, 65504 }, y);
    }

    [Fact]
    public void Convert_ControlInputAndOutputIndexForms_AreParsed()
    {
        // "^x" is a control dependency (ignored for data); "a:0" names output 0 of node a.
        var model = new TfjsModelBuilder()
            .Placeholder("x", 1, 3)
            .Node("a", "Relu", ["x"])
            .Node("b", "Neg", ["a:0", "^x"])
            .Write(_dir.FullName);

        var converted = TfjsGraphConverter.Convert(model, TfjsConversionOptions.Default);
        var (y, _) = Run(converted, [-1, 2, -3], [1, 3]);

        Assert.Equal("b", converted.Outputs.Single().Name);
        Assert.Equal(new float[] { 0, -2, 0 }, y);
    }

    [Fact]
    public void Convert_MissingWeightShard_ThrowsNamingTheShard()
    {
        var model = new TfjsModelBuilder().Placeholder("x", 1).Const("c", [1], 1f).Node("y", "Add", ["x", "c"]).Write(_dir.FullName);
        File.Delete(Path.Combine(_dir.FullName, "weights.bin"));

        var e = Assert.Throws<TfjsConversionException>(() => TfjsGraphConverter.Convert(model, TfjsConversionOptions.Default));

        Assert.Contains("weights.bin", e.Message, StringComparison.Ordinal);
    }

    private static JsonObject WithKsize(JsonObject attr, long kh, long kw)
    {
        attr["ksize"] = TfjsModelBuilder.Ints(1, kh, kw, 1);
        return attr;
    }

    private static (float[] Values, int[] Shape) Run(ConvertedGraph converted, float[] input, int[] shape)
    {
        using var session = new InferenceSession(converted.OnnxModel);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(converted.Inputs.Single().Name, new DenseTensor<float>(input, shape))]);
        var tensor = results.Single().AsTensor<float>();
        return (tensor.ToArray(), tensor.Dimensions.ToArray());
    }
}
