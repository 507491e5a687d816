namespace Mote.Core.Models.Tfjs;

/// <summary>
/// The <c>fused_ops</c> attribute of TFJS fused nodes (<c>_FusedConv2D</c>, <c>FusedDepthwiseConv2dNative</c>,
/// <c>_FusedMatMul</c>): an optional BiasAdd (extra input 2) followed by an optional activation; Prelu reads
/// its slope from extra input 3, LeakyRelu its alpha from <c>leakyrelu_alpha</c> (TFJS default 0.2).
/// </summary>
internal sealed record FusedOps(bool HasBias, string? Activation)
{
    public static FusedOps Parse(TfjsNode node)
    {
        var ops = node.GetStrings("fused_ops");
        if (ops.Count == 0)
        {
            return new FusedOps(false, null);
        }
        if (ops[0] != "BiasAdd")
        {
            throw new UnsupportedTfjsOpException($"{node.Op}+{string.Join('+', ops)}", node.Name, $"fused op '{ops[0]}' (only BiasAdd then an activation)");
        }
        if (ops.Count > 2)
        {
            throw new UnsupportedTfjsOpException($"{node.Op}+{string.Join('+', ops)}", node.Name, "more than one fused activation");
        }
        var activation = ops.Count == 2 ? ops[1] : null;
        if (activation is not (null or "Relu" or "Relu6" or "Prelu" or "LeakyRelu" or "Elu" or "Sigmoid" or "Tanh"))
        {
            throw new UnsupportedTfjsOpException($"{node.Op}+{activation}", node.Name, $"fused activation '{activation}'");
        }
        return new FusedOps(true, activation);
    }

    public TfjsValue ApplyActivation(TfjsNode node, TfjsConversionContext ctx, TfjsValue value)
    {
        if (Activation is null)
        {
            return value;
        }
        var x = ctx.Materialise(value);
        var output = Activation switch
        {
            "Relu" or "Elu" or "Sigmoid" or "Tanh" => ctx.AddNode(node, Activation, [x]),
            "Relu6" => ctx.AddNode(node, "Clip", [x, ctx.AddScalar(node, "min", 0f), ctx.AddScalar(node, "max", 6f)]),
            "LeakyRelu" => ctx.AddNode(node, "LeakyRelu", [x], new Dictionary<string, object> { ["alpha"] = node.GetFloat("leakyrelu_alpha", 0.2f) }),
            "Prelu" => ElementwiseOps.EmitPrelu(node, ctx, x, ctx.InputName(node, 3)),
            _ => throw new UnsupportedTfjsOpException(Activation, node.Name),
        };
        return TfjsValue.Tensor(output, value.Shape);
    }
}
