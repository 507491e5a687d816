namespace Mote.Core.Models.Tfjs;

/// <summary><c>MatMul</c> and <c>_FusedMatMul</c> (2-D, with transpose_a/transpose_b, fused BiasAdd and activation).</summary>
internal static class MatMulOps
{
    public static TfjsValue MatMul(TfjsNode node, TfjsConversionContext ctx)
    {
        var a = ctx.Input(node, 0);
        var b = ctx.Input(node, 1);
        if (a.Shape is { Length: not 2 } || b.Shape is { Length: not 2 })
        {
            throw new UnsupportedTfjsOpException(node.Op, node.Name, "operands of rank other than 2");
        }
        var aName = ctx.Materialise(a);
        var aShape = a.Shape;
        if (node.GetBool("transpose_a", false))
        {
            aName = ctx.AddNode(node, "Transpose", [aName], new Dictionary<string, object> { ["perm"] = new long[] { 1, 0 } }, "a_t");
            aShape = aShape is null ? null : [aShape[1], aShape[0]];
        }
        var bName = ctx.Materialise(b);
        var bShape = b.Shape;
        if (node.GetBool("transpose_b", false))
        {
            bName = ctx.AddNode(node, "Transpose", [bName], new Dictionary<string, object> { ["perm"] = new long[] { 1, 0 } }, "b_t");
            bShape = bShape is null ? null : [bShape[1], bShape[0]];
        }
        var fused = FusedOps.Parse(node);
        var product = ctx.AddNode(node, "MatMul", [aName, bName], suffix: fused.HasBias ? "matmul" : null);
        var shape = new[] { aShape?[0] ?? -1, bShape?[1] ?? -1 };
        if (fused.HasBias)
        {
            product = ctx.AddNode(node, "Add", [product, ctx.InputName(node, 2)], suffix: fused.Activation is null ? null : "bias");
        }
        return fused.ApplyActivation(node, ctx, TfjsValue.Tensor(product, shape));
    }
}
