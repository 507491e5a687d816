using System.Diagnostics;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Mote.Core.Models.Tfjs;
using Xunit.Abstractions;

namespace Mote.Core.Tests.Models.Tfjs;

/// <summary>Interface, batching and layout of the converted human-models graphs, checked in ONNX Runtime alone.</summary>
[Collection(HumanModelsCollection.Name)]
public sealed class TfjsGraphConverterModelTests
{
    private readonly HumanModelsFixture _models;
    private readonly ITestOutputHelper _output;

    public TfjsGraphConverterModelTests(HumanModelsFixture models, ITestOutputHelper output)
    {
        _models = models;
        _output = output;
    }

    // Expected interfaces (NHWC input; -1 = symbolic batch), from the graphs' placeholders and ARCHITECTURE §4.
    // blazeface has no signature, so its outputs are its sink nodes in file order: scores 512, regressors 512,
    // regressors 384, scores 384.
    public static TheoryData<string, string, string> Interfaces => new()
    {
        { "blazeface", "input 1x256x256x3", "Identity 1x512x1; Identity_2 1x512x16; Identity_3 1x384x16; Identity_1 1x384x1" },
        { "gear", "input_1 -1x198x198x3", "Identity_2 -1x5; Identity_1 -1x2; Identity -1x7" },
        { "mobileface", "data -1x112x112x3", "batchnorm0/add_1 -1x256" },
        { "mobilefacenet", "img_inputs -1x112x112x3", "embeddings -1x192" },
        { "faceres", "input_1 -1x224x224x3", "gender_pred/Sigmoid -1x1; global_pooling/Mean -1x1024; age_pred/Softmax -1x100" },
        { "facemesh", "input_1 -1x192x192x3", "Identity_2 -1x1404; Identity_1 -1x1; Identity -1x266" },
    };

    [Theory]
    [MemberData(nameof(Interfaces))]
    public void Convert_TargetModel_ExposesNamedNhwcInputAndOutputs(string model, string input, string outputs)
    {
        var converted = TfjsGraphConverter.Convert(_models.ModelJson(model), TfjsConversionOptions.Default);
        _output.WriteLine($"{model}: {string.Join(", ", converted.OpCounts.Select(kv => $"{kv.Key}×{kv.Value}"))}");

        Assert.Equal(input, Describe(converted.Inputs));
        Assert.Equal(outputs, Describe(converted.Outputs));
        using var session = new InferenceSession(converted.OnnxModel);
        Assert.Equal(converted.Outputs.Select(o => o.Name), session.OutputMetadata.Keys);
    }

    [Fact]
    public void Convert_GearWithSymbolicBatch_BatchOfThreeEqualsSingleRuns()
    {
        var converted = TfjsGraphConverter.Convert(_models.ModelJson("gear"), TfjsConversionOptions.Default);
        var crops = FacePhotos.Crops.Take(3).Select(c => FacePhotos.CropTensor(_models.PhotosDir, c, 198, PixelScaling.ZeroToOne)).ToArray();
        using var session = new InferenceSession(converted.OnnxModel);
        var name = converted.Inputs.Single().Name;

        using var batch = session.Run([NamedOnnxValue.CreateFromTensor(name, new DenseTensor<float>(crops.SelectMany(c => c).ToArray(), [3, 198, 198, 3]))]);
        for (var i = 0; i < crops.Length; i++)
        {
            using var single = session.Run([NamedOnnxValue.CreateFromTensor(name, new DenseTensor<float>(crops[i], [1, 198, 198, 3]))]);
            foreach (var output in single)
            {
                var one = output.AsTensor<float>().ToArray();
                var many = batch.Single(b => b.Name == output.Name).AsTensor<float>();
                Assert.Equal(3, many.Dimensions[0]);
                var row = many.ToArray().Skip(i * one.Length).Take(one.Length).ToArray();
                // Batched kernels may sum in another order; softmax outputs agree far below 1e-5.
                Assert.All(one.Zip(row), p => Assert.True(Math.Abs(p.First - p.Second) <= 1e-5, $"{output.Name}[{i}]: {p.First} vs {p.Second}"));
            }
        }
    }

    // Parity alone would pass if both runtimes were fed nonsense; this checks that the converted detector
    // finds the hand-picked faces. ARCHITECTURE §4: a face filling the frame scores about 0.89 on the 384-anchor head;
    // measured here 0.80-0.94 on the six crops and 0.26 on a background crop.
    [Fact]
    public void Convert_Blazeface_ScoresFaceCropsAboveBackground()
    {
        var converted = TfjsGraphConverter.Convert(_models.ModelJson("blazeface"), TfjsConversionOptions.Default);
        using var session = new InferenceSession(converted.OnnxModel);
        float BestScore(float[] tensor)
        {
            using var results = session.Run([NamedOnnxValue.CreateFromTensor("input", new DenseTensor<float>(tensor, [1, 256, 256, 3]))]);
            // Identity_1 holds the logits of the 384-anchor head (8x8 cells x 6 anchors, the larger faces).
            var logits = results.Single(r => r.Name == "Identity_1").AsTensor<float>().ToArray();
            return 1f / (1f + MathF.Exp(-logits.Max()));
        }

        var background = BestScore(FacePhotos.CropTensor(_models.PhotosDir, new FaceCrop("sample1.jpg", 0, 0, 260), 256, PixelScaling.MinusOneToOne));
        _output.WriteLine($"background sample1.jpg@0,0+260: best face score {background:F3}");
        foreach (var crop in FacePhotos.Crops)
        {
            var score = BestScore(FacePhotos.CropTensor(_models.PhotosDir, crop, 256, PixelScaling.MinusOneToOne));
            _output.WriteLine($"{crop}: best face score {score:F3}");
            Assert.True(score > 0.5f, $"{crop} scores {score:F3}");
        }
        Assert.True(background < 0.5f, $"background scores {background:F3}");
    }

    [Fact]
    public void Convert_FixedBatchSizeOption_ReplacesSymbolicBatch()
    {
        var converted = TfjsGraphConverter.Convert(_models.ModelJson("mobileface"), new TfjsConversionOptions { FixedBatchSize = 2 });

        Assert.Equal([2L, 112, 112, 3], converted.Inputs.Single().Shape);
        Assert.Equal([2L, 256], converted.Outputs.Single().Shape);
    }

    // The converter wraps every convolution and pooling in NHWC↔NCHW Transposes. ONNX Runtime's transpose
    // optimiser must cancel the pairs between layers, leaving only the one at the graph's input (mobileface keeps a
    // second before its flatten, whose dense weights expect NHWC order); otherwise converting the layout up front
    // would pay. Times are printed for the record, not asserted.
    [Theory]
    [InlineData("blazeface", 256, 1)]
    [InlineData("gear", 198, 1)]
    [InlineData("mobileface", 112, 2)]
    [InlineData("mobilefacenet", 112, 1)]
    [InlineData("faceres", 224, 1)]
    [InlineData("facemesh", 192, 1)]
    public void Convert_TargetModel_OnnxRuntimeCancelsTransposePairs(string model, int size, int maxTransposes)
    {
        var converted = TfjsGraphConverter.Convert(_models.ModelJson(model), TfjsConversionOptions.Default);
        var dir = Directory.CreateTempSubdirectory("mote-ort-profile-");
        try
        {
            using var options = new SessionOptions { EnableProfiling = true, ProfileOutputPathPrefix = Path.Combine(dir.FullName, "run"), IntraOpNumThreads = 1 };
            using var session = new InferenceSession(converted.OnnxModel, options);
            var data = FacePhotos.CropTensor(_models.PhotosDir, FacePhotos.Crops[0], size, PixelScaling.ZeroToOne);
            var feed = new[] { NamedOnnxValue.CreateFromTensor(converted.Inputs.Single().Name, new DenseTensor<float>(data, [1, size, size, 3])) };
            var times = new List<double>();
            for (var i = 0; i < 20; i++)
            {
                var watch = Stopwatch.StartNew();
                session.Run(feed).Dispose();
                times.Add(watch.Elapsed.TotalMilliseconds);
            }
            var kernels = KernelsByOp(session.EndProfiling());
            times.Sort();
            _output.WriteLine($"{model}: best {times[0]:F2} ms, median {times[10]:F2} ms per inference (1 thread); kernels after optimisation: "
                + string.Join(", ", kernels.OrderByDescending(kv => kv.Value).Select(kv => $"{kv.Key}×{kv.Value}")));
            Assert.InRange(kernels.GetValueOrDefault("Transpose"), 0, maxTransposes);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static Dictionary<string, int> KernelsByOp(string profileFile)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(profileFile));
        var nodes = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var e in doc.RootElement.EnumerateArray())
        {
            if (e.GetProperty("cat").GetString() == "Node" && e.TryGetProperty("args", out var args) && args.TryGetProperty("op_name", out var op))
            {
                var opName = op.GetString()!;
                if (!nodes.TryGetValue(opName, out var set))
                {
                    nodes[opName] = set = new HashSet<string>(StringComparer.Ordinal);
                }
                set.Add(e.GetProperty("name").GetString()!.Replace("_kernel_time", "", StringComparison.Ordinal).Replace("_fence_before", "", StringComparison.Ordinal).Replace("_fence_after", "", StringComparison.Ordinal));
            }
        }
        return nodes.ToDictionary(kv => kv.Key, kv => kv.Value.Count, StringComparer.Ordinal);
    }

    private static string Describe(IReadOnlyList<ConvertedTensorInfo> tensors) =>
        string.Join("; ", tensors.Select(t => $"{t.Name} {string.Join('x', t.Shape)}"));
}
