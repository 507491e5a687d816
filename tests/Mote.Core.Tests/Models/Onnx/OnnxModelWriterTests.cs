using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Mote.Core.Models.Onnx;

namespace Mote.Core.Tests.Models.Onnx;

public sealed class OnnxModelWriterTests
{
    [Fact]
    public void Write_ConvReluGemm_RunsInOnnxRuntimeWithExpectedValues()
    {
        // y = Relu(Conv(x, w) + b) flattened, then Gemm with a 2x4 matrix: small enough to check by hand.
        var g = new OnnxGraphBuilder("writer_test");
        var x = g.AddInput("x", OnnxElementType.Float, "batch", 1, 3, 3);
        var w = g.AddFloat("w", [1, 1, 2, 2], [1f, 0f, 0f, 1f]);
        var b = g.AddFloat("b", [1], [0.5f]);
        var conv = g.AddNode("Conv", [x, w, b], "conv", new Dictionary<string, object> { ["kernel_shape"] = new long[] { 2, 2 } });
        var relu = g.AddNode("Relu", [conv], "relu");
        var shape = g.AddInt64("shape", [2], [-1, 4]);
        var flat = g.AddNode("Reshape", [relu, shape], "flat");
        var m = g.AddFloat("m", [4, 2], [1f, 0f, 1f, 0f, 0f, 1f, 0f, 1f]);
        g.AddNode("Gemm", [flat, m], ["y"], new Dictionary<string, object> { ["alpha"] = 2f });
        g.AddOutput("y", OnnxElementType.Float, "batch", 2);

        var bytes = OnnxModelWriter.Write(g, new OnnxModelInfo("mote-test", "1", "doc", new Dictionary<string, string> { ["k"] = "v" }));
        using var session = new InferenceSession(bytes);
        Assert.Equal("v", session.ModelMetadata.CustomMetadataMap["k"]);

        float[] input = [1, 2, 3, 4, 5, 6, 7, 8, 9];
        var tensor = new DenseTensor<float>(input, [1, 1, 3, 3]);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("x", tensor)]);
        var y = results.First().AsEnumerable<float>().ToArray();
        // Conv windows x[i,j] + x[i+1,j+1] + 0.5 = 6.5, 8.5, 12.5, 14.5; Gemm sums pairs, times alpha 2.
        Assert.Equal(new[] { 30f, 54f }, y);
    }

    [Fact]
    public void Write_AddWithNegativeInput_ComputesElementwise()
    {
        var g = new OnnxGraphBuilder("add");
        var x = g.AddInput("x", OnnxElementType.Float, 3);
        var c = g.AddFloat("c", [3], [1f, -2f, 0.25f]);
        g.AddNode("Add", [x, c], ["y"]);
        g.AddOutput("y", OnnxElementType.Float, 3);
        using var session = new InferenceSession(OnnxModelWriter.Write(g, new OnnxModelInfo("t", "1", "", new Dictionary<string, string>())));
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("x", new DenseTensor<float>(new[] { 1f, 2f, 3f }, [3]))]);
        Assert.Equal(new[] { 2f, 0f, 3.25f }, results.First().AsEnumerable<float>().ToArray());
    }
}
