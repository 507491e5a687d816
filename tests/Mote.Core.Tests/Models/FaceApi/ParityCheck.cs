using Xunit.Abstractions;

namespace Mote.Core.Tests.Models.FaceApi;

/// <summary>The converter's proof: ONNX Runtime's outputs within 1e-4 of the largest TensorFlow.js magnitude.</summary>
internal static class ParityCheck
{
    /// <summary>
    /// Prints and asserts max |tfjs − onnx| ≤ 1e-4 × max |tfjs|; <paramref name="minScale"/> guards against a degenerate
    /// reference (all zeros would make any comparison pass), and every ONNX value must be finite.
    /// </summary>
    public static void AssertWithin(float[] expected, float[] actual, int crops, float minScale, string what, ITestOutputHelper output)
    {
        var maxAbs = expected.Max(MathF.Abs);
        var maxDiff = expected.Zip(actual, (e, a) => MathF.Abs(e - a)).Max();
        output.WriteLine($"{crops} crops: max |tfjs| = {maxAbs:G6}, max |tfjs - onnx| = {maxDiff:G6} ({maxDiff / maxAbs:G3} of max |tfjs|)");
        Assert.True(maxAbs > minScale, $"TensorFlow.js {what} look degenerate (max |value| {maxAbs}).");
        Assert.All(actual, v => Assert.True(float.IsFinite(v)));
        Assert.True(maxDiff <= 1e-4f * maxAbs, $"max |tfjs - onnx| = {maxDiff} exceeds 1e-4 x max |tfjs| = {1e-4f * maxAbs}.");
    }
}
