namespace Mote.Core.Models.Tfjs;

/// <summary>
/// Mean, Sum, Max, Min, Prod over constant axes. In opset 17 ReduceSum takes its axes as an input, while
/// ReduceMean/Max/Min/Prod still take them as an attribute (that changed only in opset 18).
/// </summary>
internal static class ReductionOps
{
    public static Func<TfjsNode, TfjsConversionContext, TfjsValue> Reduce(string onnxOp) => (node, ctx) =>
    {
        var x = ctx.Input(node, 0);
        var rank = x.Rank(node);
        var axes = ctx.ConstInput(node, 1).RequireInts(node.Name).Select(a => (long)TfjsShapes.NormaliseAxis(a, rank, node)).Distinct().Order().ToArray();
        var keep = node.GetBool("keep_dims", false);
        var attributes = new Dictionary<string, object> { ["keepdims"] = keep ? 1L : 0L };
        List<string> inputs = [ctx.Materialise(x)];
        if (onnxOp == "ReduceSum")
        {
            inputs.Add(ctx.AddInt64s(node, "axes", axes));
        }
        else
        {
            attributes["axes"] = axes;
        }
        var output = ctx.AddNode(node, onnxOp, inputs, attributes);
        var shape = keep
            ? x.Shape!.Select((d, i) => axes.Contains(i) ? 1 : d).ToArray()
            : x.Shape!.Where((_, i) => !axes.Contains(i)).ToArray();
        return TfjsValue.Tensor(output, shape);
    };
}
