namespace Mote.Core.Models.Tfjs;

/// <summary>
/// One input or output of a converted graph. <see cref="Shape"/> is NHWC for image tensors, as in the
/// TFJS graph; -1 marks a dimension that is symbolic in the ONNX model (the batch, where the graph allows).
/// </summary>
/// <param name="Name">The tensor's name in the ONNX model, equal to the TFJS node name (no <c>:0</c> suffix).</param>
/// <param name="Shape">Dimensions; -1 for symbolic ones.</param>
/// <param name="SignatureKey">The key of this tensor in the model.json <c>signature</c>, if it has one.</param>
public sealed record ConvertedTensorInfo(string Name, IReadOnlyList<long> Shape, string? SignatureKey);

/// <summary>The result of <see cref="TfjsGraphConverter.Convert"/>: a serialised ONNX model and its interface.</summary>
/// <param name="OnnxModel">ONNX <c>ModelProto</c> bytes (IR 8, opset 17), loadable by ONNX Runtime.</param>
/// <param name="Inputs">Graph inputs in declaration order.</param>
/// <param name="Outputs">Graph outputs in declaration order.</param>
/// <param name="OpCounts">How often each TF op occurred among the converted (reachable) nodes.</param>
public sealed record ConvertedGraph(
    byte[] OnnxModel,
    IReadOnlyList<ConvertedTensorInfo> Inputs,
    IReadOnlyList<ConvertedTensorInfo> Outputs,
    IReadOnlyDictionary<string, int> OpCounts);
