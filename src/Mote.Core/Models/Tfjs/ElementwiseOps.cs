namespace Mote.Core.Models.Tfjs;

/// <summary>Elementwise TF ops. They run in TF's NHWC layout, so TF and ONNX broadcasting agree without rewriting constants.</summary>
internal static class ElementwiseOps
{
    public static Func<TfjsNode, TfjsConversionContext, TfjsValue> Binary(string onnxOp) => (node, ctx) =>
    {
        var a = ctx.Input(node, 0);
        var b = ctx.Input(node, 1);
        var output = ctx.AddNode(node, onnxOp, [ctx.Materialise(a), ctx.Materialise(b)]);
        return TfjsValue.Tensor(output, TfjsShapes.Broadcast(a.Shape, b.Shape));
    };

    public static Func<TfjsNode, TfjsConversionContext, TfjsValue> Unary(string onnxOp) => (node, ctx) =>
    {
        var x = ctx.Input(node, 0);
        return TfjsValue.Tensor(ctx.AddNode(node, onnxOp, [ctx.Materialise(x)]), x.Shape);
    };

    public static TfjsValue Square(TfjsNode node, TfjsConversionContext ctx)
    {
        var x = ctx.Input(node, 0);
        var name = ctx.Materialise(x);
        return TfjsValue.Tensor(ctx.AddNode(node, "Mul", [name, name]), x.Shape);
    }

    // ONNX has no Rsqrt; 1/sqrt(x) in two float32 steps differs from TFJS's single 1/Math.sqrt by at most 1 ulp.
    public static TfjsValue Rsqrt(TfjsNode node, TfjsConversionContext ctx)
    {
        var x = ctx.Input(node, 0);
        var sqrt = ctx.AddNode(node, "Sqrt", [ctx.Materialise(x)], suffix: "sqrt");
        return TfjsValue.Tensor(ctx.AddNode(node, "Reciprocal", [sqrt]), x.Shape);
    }

    public static TfjsValue SquaredDifference(TfjsNode node, TfjsConversionContext ctx)
    {
        var a = ctx.Input(node, 0);
        var b = ctx.Input(node, 1);
        var diff = ctx.AddNode(node, "Sub", [ctx.Materialise(a), ctx.Materialise(b)], suffix: "diff");
        return TfjsValue.Tensor(ctx.AddNode(node, "Mul", [diff, diff]), TfjsShapes.Broadcast(a.Shape, b.Shape));
    }

    public static TfjsValue Relu6(TfjsNode node, TfjsConversionContext ctx)
    {
        var x = ctx.Input(node, 0);
        var output = ctx.AddNode(node, "Clip", [ctx.Materialise(x), ctx.AddScalar(node, "min", 0f), ctx.AddScalar(node, "max", 6f)]);
        return TfjsValue.Tensor(output, x.Shape);
    }

    public static TfjsValue LeakyRelu(TfjsNode node, TfjsConversionContext ctx)
    {
        var x = ctx.Input(node, 0);
        var output = ctx.AddNode(node, "LeakyRelu", [ctx.Materialise(x)], new Dictionary<string, object> { ["alpha"] = node.GetFloat("alpha", 0.2f) });
        return TfjsValue.Tensor(output, x.Shape);
    }

    public static TfjsValue Prelu(TfjsNode node, TfjsConversionContext ctx)
    {
        var x = ctx.Input(node, 0);
        return TfjsValue.Tensor(EmitPrelu(node, ctx, ctx.Materialise(x), ctx.InputName(node, 1)), x.Shape);
    }

    /// <summary>
    /// PReLU as max(x, 0) + slope * min(x, 0), which equals ONNX PRelu bit for bit (one term is always an exact
    /// zero). ONNX Runtime 1.31's PRelu kernel is slow with a per-channel slope: on facemesh (28 PReLUs, one
    /// thread, best of 60 runs) a whole inference took 4.6 ms with PRelu, of which PRelu 3.4 ms, and 3.2 ms with
    /// these four plain elementwise ops.
    /// </summary>
    public static string EmitPrelu(TfjsNode node, TfjsConversionContext ctx, string x, string slope)
    {
        var zero = ctx.AddScalar(node, "zero", 0f);
        var positive = ctx.AddNode(node, "Max", [x, zero], suffix: "positive");
        var negative = ctx.AddNode(node, "Min", [x, zero], suffix: "negative");
        var scaled = ctx.AddNode(node, "Mul", [negative, slope], suffix: "scaled");
        return ctx.AddNode(node, "Add", [positive, scaled]);
    }

    // TF Softmax always normalises over the last axis.
    public static TfjsValue Softmax(TfjsNode node, TfjsConversionContext ctx)
    {
        var x = ctx.Input(node, 0);
        return TfjsValue.Tensor(ctx.AddNode(node, "Softmax", [ctx.Materialise(x)], new Dictionary<string, object> { ["axis"] = -1L }), x.Shape);
    }
}
