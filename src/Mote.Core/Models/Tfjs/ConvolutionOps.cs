namespace Mote.Core.Models.Tfjs;

/// <summary>
/// Conv2D, DepthwiseConv2dNative (plain and fused), MaxPool and AvgPool. TF is NHWC and ONNX Conv/Pool are
/// NCHW, so each node is wrapped in Transpose pairs and the filter is transposed at conversion time; ONNX
/// Runtime's transpose optimiser cancels the pairs between consecutive layers, and elementwise ops stay
/// in NHWC where TF broadcasting rules hold unchanged.
/// </summary>
internal static class ConvolutionOps
{
    private static readonly long[] ToNchw = [0, 3, 1, 2];
    private static readonly long[] ToNhwc = [0, 2, 3, 1];

    /// <summary><c>Conv2D</c> and <c>_FusedConv2D</c>: filter [kh, kw, in, out] becomes ONNX [out, in, kh, kw].</summary>
    public static TfjsValue Conv2D(TfjsNode node, TfjsConversionContext ctx)
    {
        var filter = ctx.ConstInput(node, 1);
        RequireRank(node, filter, 4);
        var (kh, kw, cin, cout) = (filter.Shape[0], filter.Shape[1], filter.Shape[2], filter.Shape[3]);
        var f = filter.RequireFloats(node.Name);
        var w = new float[f.Length];
        for (var y = 0; y < kh; y++)
        {
            for (var x = 0; x < kw; x++)
            {
                for (var i = 0; i < cin; i++)
                {
                    for (var o = 0; o < cout; o++)
                    {
                        w[(((o * cin) + i) * kh * kw) + (y * kw) + x] = f[(((((y * kw) + x) * cin) + i) * cout) + o];
                    }
                }
            }
        }
        var input = ctx.Input(node, 0);
        var inChannels = input.Shape is { Length: 4 } s && s[3] > 0 ? s[3] : cin;
        if (inChannels % cin != 0)
        {
            throw new TfjsConversionException($"Node '{node.Name}' ({node.Op}) has {inChannels} input channels, not a multiple of its filter's {cin}.");
        }
        return EmitConv(node, ctx, ctx.Builder.AddFloat($"{node.Name}/filter_oihw", [cout, cin, kh, kw], w), kh, kw, cout, inChannels / cin);
    }

    /// <summary><c>DepthwiseConv2dNative</c> and its fused form: filter [kh, kw, c, m] becomes ONNX [c*m, 1, kh, kw] with group c.</summary>
    public static TfjsValue Depthwise(TfjsNode node, TfjsConversionContext ctx)
    {
        var filter = ctx.ConstInput(node, 1);
        RequireRank(node, filter, 4);
        var (kh, kw, c, m) = (filter.Shape[0], filter.Shape[1], filter.Shape[2], filter.Shape[3]);
        var f = filter.RequireFloats(node.Name);
        var w = new float[f.Length];
        for (var y = 0; y < kh; y++)
        {
            for (var x = 0; x < kw; x++)
            {
                for (var ci = 0; ci < c; ci++)
                {
                    for (var mi = 0; mi < m; mi++)
                    {
                        // TF orders depthwise outputs channel-major (c * m + mi), as ONNX grouped Conv does.
                        w[(((ci * m) + mi) * kh * kw) + (y * kw) + x] = f[(((((y * kw) + x) * c) + ci) * m) + mi];
                    }
                }
            }
        }
        return EmitConv(node, ctx, ctx.Builder.AddFloat($"{node.Name}/filter_oihw", [c * m, 1, kh, kw], w), kh, kw, c * m, c);
    }

    public static TfjsValue MaxPool(TfjsNode node, TfjsConversionContext ctx) => Pool(node, ctx, "MaxPool");

    // ONNX AveragePool's default count_include_pad = 0 matches TF, which averages only the real pixels under SAME padding.
    public static TfjsValue AvgPool(TfjsNode node, TfjsConversionContext ctx) => Pool(node, ctx, "AveragePool");

    private static TfjsValue Pool(TfjsNode node, TfjsConversionContext ctx, string onnxOp)
    {
        var input = ctx.Input(node, 0);
        var k = node.GetInts("ksize");
        if (k.Length != 4 || k[0] != 1 || k[3] != 1)
        {
            throw new UnsupportedTfjsOpException(node.Op, node.Name, $"ksize [{string.Join(',', k)}] (only spatial pooling)");
        }
        var window = TfjsWindow.From(node, k[1], k[2], input.Shape);
        var nchw = ctx.AddNode(node, "Transpose", [ctx.Materialise(input)], new Dictionary<string, object> { ["perm"] = ToNchw }, "nchw");
        var pooled = ctx.AddNode(node, onnxOp, [nchw], window.OnnxAttributes(withDilations: false), "pool");
        var nhwc = ctx.AddNode(node, "Transpose", [pooled], new Dictionary<string, object> { ["perm"] = ToNhwc });
        var channels = input.Shape is { Length: 4 } s ? s[3] : -1;
        return TfjsValue.Tensor(nhwc, window.OutputShape(input.Shape, channels));
    }

    private static TfjsValue EmitConv(TfjsNode node, TfjsConversionContext ctx, string weights, long kh, long kw, long outChannels, long group)
    {
        var input = ctx.Input(node, 0);
        if (input.Shape is { Length: not 4 })
        {
            throw new TfjsConversionException($"Node '{node.Name}' ({node.Op}) needs a rank-4 NHWC input; it has rank {input.Shape.Length}.");
        }
        var window = TfjsWindow.From(node, kh, kw, input.Shape);
        var fused = FusedOps.Parse(node);
        var convInputs = new List<string> { ctx.AddNode(node, "Transpose", [ctx.Materialise(input)], new Dictionary<string, object> { ["perm"] = ToNchw }, "nchw"), weights };
        if (fused.HasBias)
        {
            convInputs.Add(ctx.InputName(node, 2));
        }
        var attributes = window.OnnxAttributes(withDilations: true);
        if (group != 1)
        {
            attributes["group"] = group;
        }
        var conv = ctx.AddNode(node, "Conv", convInputs, attributes, "conv");
        var shape = window.OutputShape(input.Shape, outChannels);
        var nhwc = ctx.AddNode(node, "Transpose", [conv], new Dictionary<string, object> { ["perm"] = ToNhwc }, fused.Activation is null ? null : "nhwc");
        return fused.ApplyActivation(node, ctx, TfjsValue.Tensor(nhwc, shape));
    }

    private static void RequireRank(TfjsNode node, TfjsConstant filter, int rank)
    {
        if (filter.Shape.Length != rank)
        {
            throw new TfjsConversionException($"Node '{node.Name}' ({node.Op}) has filter '{filter.Name}' of rank {filter.Shape.Length}; {rank} expected.");
        }
    }
}
