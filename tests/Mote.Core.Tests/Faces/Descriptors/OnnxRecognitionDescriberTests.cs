using System.Security.Cryptography;
using Mote.Core.Faces;
using Mote.Core.Faces.Alignment;
using Mote.Core.Faces.Descriptors;
using Mote.Core.Imaging;
using Mote.Core.Models;
using Mote.Core.Models.Onnx;

namespace Mote.Core.Tests.Faces.Descriptors;

/// <summary>
/// A tiny recognition model written with <see cref="OnnxGraphBuilder"/>: 1x1 conv (3→16) + global average
/// pool + flatten + Gemm (16→16). Every step is linear, so the expected embedding is computable by hand
/// from the channel means of the packed input.
/// </summary>
internal sealed class TinyRecognitionModel
{
    public const int Features = 16;

    public TinyRecognitionModel()
    {
        // Fixed, asymmetric weights so that swapping channels or changing the normalisation changes the output.
        for (var j = 0; j < Features; j++)
        {
            for (var k = 0; k < 3; k++)
            {
                ConvWeights[(j * 3) + k] = (float)Math.Sin((j * 3) + k + 1);
            }

            ConvBias[j] = 0.01f * j;
            for (var i = 0; i < Features; i++)
            {
                GemmWeights[(j * Features) + i] = (float)Math.Cos((j * 7) + (i * 3) + 0.5);
            }

            GemmBias[j] = -0.02f * j;
        }
    }

    public float[] ConvWeights { get; } = new float[Features * 3];

    public float[] ConvBias { get; } = new float[Features];

    public float[] GemmWeights { get; } = new float[Features * Features];

    public float[] GemmBias { get; } = new float[Features];

    /// <summary>ONNX bytes with input [batch, 3, size, size] (batch fixed to 1 when <paramref name="batchOne"/>).</summary>
    public byte[] Write(int height, int width, bool batchOne = false, bool extraOutput = false)
    {
        var g = new OnnxGraphBuilder("tiny-recognition");
        OnnxDim batch = batchOne ? 1 : "batch";
        var input = g.AddInput("input.1", OnnxElementType.Float, batch, 3, height, width);
        var conv = g.AddNode("Conv", [input, g.AddFloat("w1", [Features, 3, 1, 1], ConvWeights), g.AddFloat("b1", [Features], ConvBias)], "conv");
        var pooled = g.AddNode("GlobalAveragePool", [conv], "pooled");
        var flat = g.AddNode("Flatten", [pooled], "flat", new Dictionary<string, object> { ["axis"] = 1L });
        var embedding = g.AddNode("Gemm", [flat, g.AddFloat("w2", [Features, Features], GemmWeights), g.AddFloat("b2", [Features], GemmBias)], "683");
        g.AddOutput(embedding, OnnxElementType.Float, batch, Features);
        if (extraOutput)
        {
            g.AddOutput(pooled, OnnxElementType.Float, batch, Features, 1, 1);
        }

        return OnnxModelWriter.Write(g, new OnnxModelInfo("mote-tests", "1", "tiny recognition model", new Dictionary<string, string>()));
    }

    /// <summary>The L2-normalised embedding computed by hand for one crop.</summary>
    public float[] Expected(RgbImage crop, ChannelOrder order, double mean, double std)
    {
        // Channel means of the normalised input, in the model's channel order.
        var channelMeans = new double[3];
        for (var y = 0; y < crop.Height; y++)
        {
            for (var x = 0; x < crop.Width; x++)
            {
                var p = crop.GetPixel(x, y);
                double[] rgb = [p.R, p.G, p.B];
                for (var k = 0; k < 3; k++)
                {
                    var source = order == ChannelOrder.Rgb ? k : 2 - k;
                    channelMeans[k] += (rgb[source] - mean) / std;
                }
            }
        }

        for (var k = 0; k < 3; k++)
        {
            channelMeans[k] /= crop.Width * crop.Height;
        }

        var features = new double[Features];
        for (var j = 0; j < Features; j++)
        {
            features[j] = ConvBias[j] + Enumerable.Range(0, 3).Sum(k => ConvWeights[(j * 3) + k] * channelMeans[k]);
        }

        var embedding = new double[Features];
        for (var i = 0; i < Features; i++)
        {
            embedding[i] = GemmBias[i] + Enumerable.Range(0, Features).Sum(j => features[j] * GemmWeights[(j * Features) + i]);
        }

        var norm = Math.Sqrt(embedding.Sum(v => v * v));
        return embedding.Select(v => (float)(v / norm)).ToArray();
    }
}

public sealed class OnnxRecognitionDescriberTests : IDisposable
{
    private const int Size = 8;
    private readonly OnnxSessionFactory _factory = new(new OnnxSessionOptions { IntraOpThreads = 1 });
    private readonly TinyRecognitionModel _model = new();
    private readonly string _dir = Directory.CreateTempSubdirectory("mote-recognition-").FullName;

    [Fact]
    public void Describe_DefaultInsightFaceNormalisation_MatchesHandComputedEmbedding()
    {
        using var describer = Load(_model.Write(Size, Size), o => { });
        var crop = Crop(0);

        var descriptor = describer.Describe([crop])[0];

        AssertClose(_model.Expected(crop, ChannelOrder.Rgb, 127.5, 127.5), descriptor);
        Assert.Equal(1.0, Math.Sqrt(descriptor.Sum(v => (double)v * v)), 5);
    }

    [Fact]
    public void Describe_BgrOrder_FeedsBlueChannelFirst()
    {
        using var rgb = Load(_model.Write(Size, Size), o => { });
        using var bgr = Load(_model.Write(Size, Size), o => o.ChannelOrder = ChannelOrder.Bgr);
        var crop = Crop(1);

        var fromBgr = bgr.Describe([crop])[0];
        var fromRgb = rgb.Describe([crop])[0];

        AssertClose(_model.Expected(crop, ChannelOrder.Bgr, 127.5, 127.5), fromBgr);
        Assert.True(fromBgr.Zip(fromRgb).Max(p => Math.Abs(p.First - p.Second)) > 0.05, "BGR and RGB inputs gave the same embedding");
    }

    [Fact]
    public void Describe_CustomMeanAndStd_AppliedBeforeTheModel()
    {
        using var describer = Load(_model.Write(Size, Size), o =>
        {
            o.Mean = 0;
            o.Std = 255;
        });
        var crop = Crop(2);

        var descriptor = describer.Describe([crop])[0];

        AssertClose(_model.Expected(crop, ChannelOrder.Rgb, 0, 255), descriptor);
        var insightFace = _model.Expected(crop, ChannelOrder.Rgb, 127.5, 127.5);
        Assert.True(descriptor.Zip(insightFace).Max(p => Math.Abs(p.First - p.Second)) > 0.05, "mean/std had no effect");
    }

    [Fact]
    public void Describe_BatchAndBatchOneModel_EqualOneByOne()
    {
        using var batched = Load(_model.Write(Size, Size), o => { });
        using var single = Load(_model.Write(Size, Size, batchOne: true), o => { });
        RgbImage[] crops = [Crop(0), Crop(1), Crop(2)];

        var fromBatch = batched.Describe(crops);
        var fromSingle = single.Describe(crops);

        for (var i = 0; i < crops.Length; i++)
        {
            AssertClose(_model.Expected(crops[i], ChannelOrder.Rgb, 127.5, 127.5), fromBatch[i]);
            AssertClose(fromBatch[i], fromSingle[i]);
        }
    }

    [Fact]
    public void Load_ValidModel_ReportsIdHashDimensionAndScaledTemplate()
    {
        var bytes = _model.Write(Size, Size);

        using var describer = Load(bytes, o => o.BackboneId = "my-arcface");

        Assert.Equal("my-arcface", describer.BackboneId);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), describer.BackboneHash);
        Assert.Equal(TinyRecognitionModel.Features, describer.Dimension);
        Assert.Equal(Size, describer.Template.Width);
        Assert.Equal(38.2946 * Size / 112, describer.Template.Landmarks.LeftEye.X, 9);
        Assert.Equal(92.2041 * Size / 112, describer.Template.Landmarks.RightMouth.Y, 9);
    }

    [Fact]
    public void Load_InputSizeDiffersFromOptions_ThrowsNamingFileAndShapes()
    {
        var error = Assert.Throws<CustomModelException>(() => Load(_model.Write(16, 16), o => { }));

        Assert.Contains("model.onnx", error.Message, StringComparison.Ordinal);
        Assert.Contains("16, 16", error.Message, StringComparison.Ordinal);
        Assert.Contains("8x8", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_NhwcOptionsForNchwModel_Throws()
    {
        Assert.Throws<CustomModelException>(() => Load(_model.Write(Size, Size), o => o.Layout = TensorLayout.Nhwc));
    }

    [Fact]
    public void Load_TwoOutputs_ThrowsNamingCount()
    {
        var error = Assert.Throws<CustomModelException>(() => Load(_model.Write(Size, Size, extraOutput: true), o => { }));

        Assert.Contains("one output", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MissingFile_ThrowsFileNotFound()
    {
        var options = new OnnxRecognitionOptions { Path = Path.Combine(_dir, "absent.onnx") };

        var error = Assert.Throws<FileNotFoundException>(() => OnnxRecognitionDescriber.Load(options, _factory));

        Assert.Contains("absent.onnx", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Describe_WrongCropSize_ThrowsNamingSizes()
    {
        using var describer = Load(_model.Write(Size, Size), o => { });

        var error = Assert.Throws<ArgumentException>(() => describer.Describe([RgbImage.Create(9, 8, _ => { })]));

        Assert.Contains("9x8", error.Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _factory.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private OnnxRecognitionDescriber Load(byte[] onnx, Action<OnnxRecognitionOptions> configure)
    {
        var path = Path.Combine(_dir, "model.onnx");
        File.WriteAllBytes(path, onnx);
        var options = new OnnxRecognitionOptions { Path = path, InputWidth = Size, InputHeight = Size };
        configure(options);
        return OnnxRecognitionDescriber.Load(options, _factory);
    }

    private static RgbImage Crop(int variant) => RgbImage.Create(Size, Size, pixels =>
    {
        // Channels with clearly different means (red bright, green mid, blue dark) so channel order matters.
        for (var y = 0; y < Size; y++)
        {
            for (var x = 0; x < Size; x++)
            {
                var i = ((y * Size) + x) * 3;
                pixels[i] = (byte)(200 + (x * 5) - (variant * 20));
                pixels[i + 1] = (byte)(100 + (y * 7) + (variant * 10));
                pixels[i + 2] = (byte)(20 + ((x * y) % 11) + (variant * 5));
            }
        }
    });

    private static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            // float32 inference against a double hand computation over 64 pixels: 1e-5 is ~100 ulp at unit scale.
            Assert.True(Math.Abs(expected[i] - actual[i]) < 1e-5, $"element {i}: expected {expected[i]}, got {actual[i]}");
        }
    }
}
