using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Mote.Core.Models;
using Mote.Core.Models.FaceApi;
using Xunit.Abstractions;

namespace Mote.Core.Tests.Models.FaceApi;

/// <summary>The 68-point landmark net written in C# must reproduce face-api's own net on TensorFlow.js.</summary>
[Collection(ModelPackCollection.Name)]
public sealed class FaceLandmark68ParityTests(ModelPackFixture fixture, ITestOutputHelper output)
{
    private const int Size = FaceLandmark68NetOnnx.InputSize;
    private const int Values = 2 * FaceLandmark68NetOnnx.PointCount;

    [Fact]
    public async Task Landmarks_DemoFaceCrops_MatchTensorFlowJs()
    {
        var package = await fixture.GetFaceApiPackageDirAsync();
        var faces = FaceCrops.DemoFaces;
        var pixels = FaceCrops.Load(package, faces, Size);
        var expected = NodeReference.RunOnCrops("faceapi-landmarks.mjs", package, pixels, faces.Count, Values, output);

        var actual = RunOnnx(pixels, faces.Count);

        ParityCheck.AssertWithin(expected, actual, faces.Count, 0.5f, "landmarks", output);
    }

    [Fact]
    public async Task Landmarks_DemoFaceCrops_EyesSitAboveTheMouthInsideTheCrop()
    {
        // The demo faces are roughly upright and centred in their crops, so on every one the image-left eye
        // (points 36-41) lies left of the image-right eye (42-47), both eyes lie above the mouth (48-67), and
        // all 68 points fall within a tenth of the crop's size from it (the crops are tight: a jaw point of
        // face 1 measured 1.016, just past the right edge).
        var package = await fixture.GetFaceApiPackageDirAsync();
        var faces = FaceCrops.DemoFaces;
        var landmarks = RunOnnx(FaceCrops.Load(package, faces, Size), faces.Count);

        for (var f = 0; f < faces.Count; f++)
        {
            var points = landmarks.AsSpan(f * Values, Values).ToArray();
            var (leftX, leftY) = Centre(points, 36, 42);
            var (rightX, rightY) = Centre(points, 42, 48);
            var (_, mouthY) = Centre(points, 48, 68);
            output.WriteLine($"face {f}: eyes ({leftX:F2}, {leftY:F2}) ({rightX:F2}, {rightY:F2}), mouth y {mouthY:F2}");
            Assert.True(leftX < rightX, $"face {f} ({faces[f]}): left eye x {leftX} is not left of right eye x {rightX}.");
            Assert.True(Math.Max(leftY, rightY) < mouthY, $"face {f} ({faces[f]}): eyes ({leftY}, {rightY}) are not above the mouth ({mouthY}).");
            Assert.All(points, v => Assert.InRange(v, -0.1f, 1.1f));
        }
    }

    private float[] RunOnnx(float[] pixels, int count)
    {
        using var factory = new OnnxSessionFactory();
        using var session = factory.Create(fixture.Pack[FaceLandmark68Recipe.ModelId]);
        var tensor = new DenseTensor<float>(pixels, [count, Size, Size, 3]);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(FaceLandmark68NetOnnx.InputName, tensor)]);
        var values = results.Single(r => r.Name == FaceLandmark68NetOnnx.OutputName).AsEnumerable<float>().ToArray();
        Assert.Equal(count * Values, values.Length);
        return values;
    }

    private static (float X, float Y) Centre(float[] points, int from, int to)
    {
        float x = 0, y = 0;
        for (var i = from; i < to; i++)
        {
            x += points[2 * i];
            y += points[(2 * i) + 1];
        }
        return (x / (to - from), y / (to - from));
    }
}
