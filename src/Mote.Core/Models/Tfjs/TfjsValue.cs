namespace Mote.Core.Models.Tfjs;

/// <summary>
/// A TF tensor during conversion: either an ONNX tensor (<see cref="OnnxName"/>) or a constant still held in
/// memory (<see cref="Constant"/>), so ops can read shapes, axes and paddings at conversion time. Layout is
/// always TF's (NHWC); <see cref="Shape"/> uses -1 for unknown sizes and is null when the rank is unknown.
/// </summary>
internal sealed record TfjsValue(string? OnnxName, long[]? Shape, TfjsConstant? Constant)
{
    public static TfjsValue Tensor(string onnxName, long[]? shape) => new(onnxName, shape, null);

    public static TfjsValue Const(TfjsConstant constant) => new(null, constant.Shape, constant);

    public int Rank(TfjsNode node) =>
        Shape?.Length ?? throw new TfjsConversionException($"Node '{node.Name}' ({node.Op}) needs an input of known rank.");
}
