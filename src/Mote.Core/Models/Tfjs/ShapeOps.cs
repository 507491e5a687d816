namespace Mote.Core.Models.Tfjs;

/// <summary>Ops that move data without arithmetic: Identity, Reshape, Squeeze, Pad, ConcatV2.</summary>
internal static class ShapeOps
{
    public static TfjsValue Identity(TfjsNode node, TfjsConversionContext ctx) => ctx.Input(node, 0);

    public static TfjsValue Reshape(TfjsNode node, TfjsConversionContext ctx)
    {
        var x = ctx.Input(node, 0);
        var target = ctx.ConstInput(node, 1).RequireInts(node.Name);
        var attributes = new Dictionary<string, object>();
        if (target.Contains(0))
        {
            // In TF a 0 means an empty dimension; in ONNX it means "copy the input's", unless allowzero is set.
            attributes["allowzero"] = 1L;
        }
        var output = ctx.AddNode(node, "Reshape", [ctx.Materialise(x), ctx.AddInt64s(node, "shape", target)], attributes);
        return TfjsValue.Tensor(output, TfjsShapes.Reshape(x.Shape, target));
    }

    public static TfjsValue Squeeze(TfjsNode node, TfjsConversionContext ctx)
    {
        var x = ctx.Input(node, 0);
        var rank = x.Rank(node);
        var dims = node.GetInts("squeeze_dims", []);
        int[] axes;
        if (dims.Length == 0)
        {
            // TF squeezes every size-1 dimension; decide statically so that a symbolic batch is never squeezed.
            if (x.Shape!.Any(d => d < 0))
            {
                throw new TfjsConversionException($"Node '{node.Name}' (Squeeze) has no squeeze_dims and an input with unknown sizes [{string.Join(',', x.Shape!)}].");
            }
            axes = [.. Enumerable.Range(0, rank).Where(i => x.Shape![i] == 1)];
        }
        else
        {
            axes = [.. dims.Select(d => TfjsShapes.NormaliseAxis(d, rank, node)).Distinct().Order()];
        }
        var output = ctx.AddNode(node, "Squeeze", [ctx.Materialise(x), ctx.AddInt64s(node, "axes", [.. axes.Select(a => (long)a)])]);
        var shape = x.Shape!.Where((_, i) => !axes.Contains(i)).ToArray();
        return TfjsValue.Tensor(output, shape);
    }

    /// <summary><c>Pad</c> (zeros) and <c>PadV2</c> (constant from input 2): paddings [rank, 2] become ONNX [begins..., ends...].</summary>
    public static TfjsValue Pad(TfjsNode node, TfjsConversionContext ctx)
    {
        var x = ctx.Input(node, 0);
        var paddings = ctx.ConstInput(node, 1).RequireInts(node.Name);
        var rank = paddings.Length / 2;
        var pads = new long[2 * rank];
        for (var i = 0; i < rank; i++)
        {
            pads[i] = paddings[2 * i];
            pads[rank + i] = paddings[(2 * i) + 1];
        }
        var value = node.Op == "PadV2" ? ctx.ConstInput(node, 2).RequireFloats(node.Name)[0] : 0f;
        var output = ctx.AddNode(node, "Pad", [ctx.Materialise(x), ctx.AddInt64s(node, "pads", pads), ctx.AddScalar(node, "value", value)],
            new Dictionary<string, object> { ["mode"] = "constant" });
        var shape = x.Shape?.Select((d, i) => d < 0 ? -1 : d + pads[i] + pads[rank + i]).ToArray();
        return TfjsValue.Tensor(output, shape);
    }

    /// <summary><c>ConcatV2</c>: N tensors then the axis as the last input.</summary>
    public static TfjsValue Concat(TfjsNode node, TfjsConversionContext ctx)
    {
        var count = node.Inputs.Count - 1;
        var parts = Enumerable.Range(0, count).Select(i => ctx.Input(node, i)).ToArray();
        var rank = parts[0].Rank(node);
        var axis = TfjsShapes.NormaliseAxis(ctx.ConstInput(node, count).RequireInts(node.Name)[0], rank, node);
        var output = ctx.AddNode(node, "Concat", [.. parts.Select(ctx.Materialise)], new Dictionary<string, object> { ["axis"] = (long)axis });
        var shape = (long[])parts[0].Shape!.Clone();
        shape[axis] = parts.Any(p => p.Shape![axis] < 0) ? -1 : parts.Sum(p => p.Shape![axis]);
        return TfjsValue.Tensor(output, shape);
    }
}
