using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Mote.Core.Models.Tfjs;
using Xunit.Abstractions;

namespace Mote.Core.Tests.Models.Tfjs;

/// <summary>
/// The proof of the converter: each target graph of human-models 3.0.4, converted to ONNX and run in ONNX
/// Runtime, matches TensorFlow.js 4.22.0 on real face crops within 1e-4 of each output's largest magnitude.
/// </summary>
[Collection(HumanModelsCollection.Name)]
public sealed class TfjsGraphConverterParityTests
{
    // Relative tolerance from the brief: max |tfjs − onnx| ≤ 1e-4 × max |tfjs|, per output.
    private const double RelativeTolerance = 1e-4;

    private readonly HumanModelsFixture _models;
    private readonly ITestOutputHelper _output;

    public TfjsGraphConverterParityTests(HumanModelsFixture models, ITestOutputHelper output)
    {
        _models = models;
        _output = output;
    }

    // Input scalings: blazeface [−1, 1] (ARCHITECTURE §4); gear gets Human's [0, 1] face tensor; mobileface
    // normalises inside its graph (sub 127.5, mul), so it takes raw [0, 255]; faceres takes [0, 255] (Human
    // multiplies its [0, 1] crop by 255); mobilefacenet, facemesh, iris and antispoof take [0, 1] here. Parity does not depend
    // on the scaling, but realistic ranges keep activations realistic.
    public static TheoryData<string, int, PixelScaling, string> Targets => new()
    {
        { "blazeface", 256, PixelScaling.MinusOneToOne, "cpu" },
        { "blazeface", 256, PixelScaling.MinusOneToOne, "wasm" },
        { "blazeface-back", 256, PixelScaling.MinusOneToOne, "cpu" },
        { "gear", 198, PixelScaling.ZeroToOne, "cpu" },
        { "gear", 198, PixelScaling.ZeroToOne, "wasm" },
        { "mobileface", 112, PixelScaling.Raw255, "cpu" },
        { "mobileface", 112, PixelScaling.Raw255, "wasm" },
        { "mobilefacenet", 112, PixelScaling.ZeroToOne, "cpu" },
        { "mobilefacenet", 112, PixelScaling.ZeroToOne, "wasm" },
        { "faceres", 224, PixelScaling.Raw255, "cpu" },
        { "faceres", 224, PixelScaling.Raw255, "wasm" },
        { "facemesh", 192, PixelScaling.ZeroToOne, "cpu" },

        // Beyond the targets: the 128-px front-camera detector, iris (ConcatV2) and antispoof (float16 weights).
        { "blazeface-front", 128, PixelScaling.MinusOneToOne, "cpu" },
        { "iris", 64, PixelScaling.ZeroToOne, "cpu" },
        { "antispoof", 128, PixelScaling.ZeroToOne, "cpu" },
    };

    [Theory]
    [MemberData(nameof(Targets))]
    public void Convert_HumanModel_MatchesTensorFlowJsOnFaceCrops(string model, int size, PixelScaling scaling, string backend)
    {
        var modelJson = _models.ModelJson(model);
        var watch = Stopwatch.StartNew();
        var converted = TfjsGraphConverter.Convert(modelJson, TfjsConversionOptions.Default);
        _output.WriteLine($"{model}: converted in {watch.ElapsedMilliseconds} ms, {converted.OnnxModel.Length} bytes; ops {string.Join(", ", converted.OpCounts.Select(kv => $"{kv.Key}×{kv.Value}"))}");
        var input = Assert.Single(converted.Inputs);
        Assert.Equal([size, size, 3], input.Shape.Skip(1).Select(d => (int)d).ToArray());

        var samples = FacePhotos.Crops.Select(c => (Label: c.ToString(), Data: FacePhotos.CropTensor(_models.PhotosDir, c, size, scaling))).ToList();
        if (model.StartsWith("blazeface", StringComparison.Ordinal))
        {
            samples.Add(("sample1.jpg squeezed", FacePhotos.SqueezedTensor(_models.PhotosDir, "sample1.jpg", size, scaling)));
            samples.Add(("sample2.jpg squeezed", FacePhotos.SqueezedTensor(_models.PhotosDir, "sample2.jpg", size, scaling)));
        }
        int[] inputShape = [1, size, size, 3];
        var outputNames = converted.Outputs.Select(o => o.Name).ToList();
        var expected = TfjsReference.Run(_models.ReferenceDir, modelJson, backend, outputNames,
            [.. samples.Select(s => (IReadOnlyList<NamedTensor>)[new NamedTensor(input.Name, inputShape, s.Data)])]);

        using var session = new InferenceSession(converted.OnnxModel);
        var worst = 0.0;
        for (var i = 0; i < samples.Count; i++)
        {
            using var results = session.Run([NamedOnnxValue.CreateFromTensor(input.Name, new DenseTensor<float>(samples[i].Data, inputShape))], outputNames);
            foreach (var tfjs in expected[i])
            {
                var onnx = results.Single(r => r.Name == tfjs.Name).AsTensor<float>();
                Assert.Equal(tfjs.Shape, onnx.Dimensions.ToArray());
                var actual = onnx.ToArray();
                double maxDiff = 0, maxRef = 0;
                for (var k = 0; k < actual.Length; k++)
                {
                    maxDiff = Math.Max(maxDiff, Math.Abs(actual[k] - tfjs.Data[k]));
                    maxRef = Math.Max(maxRef, Math.Abs(tfjs.Data[k]));
                }
                var relative = maxDiff / maxRef;
                worst = Math.Max(worst, relative);
                _output.WriteLine($"  {samples[i].Label,-28} {tfjs.Name,-28} [{string.Join('x', tfjs.Shape)}] max|tfjs|={maxRef:G4} max|diff|={maxDiff:G3} rel={relative:G3}");
                Assert.True(maxRef > 0, $"{model} output {tfjs.Name} is all zeros for {samples[i].Label}; the comparison would prove nothing.");
                Assert.True(relative <= RelativeTolerance,
                    $"{model} ({backend}) output {tfjs.Name} on {samples[i].Label}: max|diff| {maxDiff:G3} exceeds {RelativeTolerance} × max|tfjs| {maxRef:G4}.");
            }
        }
        _output.WriteLine($"{model} vs tfjs-{backend}: worst relative difference {worst:G3} over {samples.Count} inputs");
    }
}
