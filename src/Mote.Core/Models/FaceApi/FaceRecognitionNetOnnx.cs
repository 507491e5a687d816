using Mote.Core.Models.Onnx;

namespace Mote.Core.Models.FaceApi;

/// <summary>
/// Writes face-api's <c>FaceRecognitionNet</c> (dlib's ResNet-29 face descriptor) as an ONNX graph, layer
/// for layer as in face-api's <c>src/faceRecognitionNet/</c>: the same preprocessing, conv + bias + per-channel
/// scale (multiply, add) + ReLU, residual blocks whose down-sampling variant adds a 2x2 average-pooled,
/// zero-channel-padded shortcut, global average pooling and a 256→128 fully connected layer.
/// </summary>
/// <remarks>
/// Input <see cref="InputName"/>: float32 NHWC <c>[batch, 150, 150, 3]</c>, RGB 0..255. The graph subtracts
/// face-api's RGB mean (122.782, 117.001, 104.298) and divides by 255, as <c>FaceRecognitionNet.forwardInput</c>
/// does. Output <see cref="OutputName"/>: <c>[batch, 128]</c>, not L2-normalised (face-api returns it raw).
/// Operations are kept one-to-one with TensorFlow.js rather than folded (e.g. the scale into the conv weights)
/// so float32 rounding stays close to the reference; ONNX Runtime fuses them itself at load time.
/// </remarks>
public static class FaceRecognitionNetOnnx
{
    /// <summary>Name of the graph's image input.</summary>
    public const string InputName = "image";
    /// <summary>Name of the graph's descriptor output.</summary>
    public const string OutputName = "descriptor";
    /// <summary>Side of the square input crop in pixels (150).</summary>
    public const int InputSize = 150;
    /// <summary>Length of the descriptor the net returns (128 floats).</summary>
    public const int DescriptorLength = 128;

    /// <summary>face-api's per-channel RGB mean, subtracted before dividing by 255.</summary>
    public static IReadOnlyList<float> MeanRgb { get; } = [122.782f, 117.001f, 104.298f];

    /// <summary>Builds the graph from face-api's <c>face_recognition_model</c> weights (see <see cref="FaceApiWeights"/>).</summary>
    /// <exception cref="ModelProvisioningException">A weight is missing or has an unexpected shape.</exception>
    public static byte[] Build(IReadOnlyDictionary<string, FaceApiWeight> weights, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(weights);
        var net = new NetWriter(weights);
        var graph = net.Write();
        var info = new OnnxModelInfo(
            "Mote.Core",
            "1",
            "face-api FaceRecognitionNet (dlib ResNet face descriptor), NHWC RGB 0..255 in, 128-d out (not L2-normalised).",
            metadata ?? new Dictionary<string, string>());
        return OnnxModelWriter.Write(graph, info);
    }

    private sealed class NetWriter(IReadOnlyDictionary<string, FaceApiWeight> weights)
    {
        private readonly OnnxGraphBuilder _g = new("face_recognition_net");

        public OnnxGraphBuilder Write()
        {
            var image = _g.AddInput(InputName, OnnxElementType.Float, "batch", InputSize, InputSize, 3);
            var nchw = _g.AddNode("Transpose", [image], "nchw", Attr("perm", new long[] { 0, 3, 1, 2 }));
            var mean = _g.AddFloat("rgb_mean", [1, 3, 1, 1], MeanRgb.ToArray());
            var centred = _g.AddNode("Sub", [nchw, mean], "centred");
            var x = _g.AddNode("Div", [centred, _g.AddFloat("div_255", [], [255f])], "normalized");

            // Spatial sizes for a 150x150 input: 7x7/2 valid conv → 72, 3x3/2 valid max-pool → 35.
            x = ConvLayer(x, "conv32_down", stride: 2, relu: true, same: false, channelsIn: 3);
            x = _g.AddNode("MaxPool", [x], "maxpool", new Dictionary<string, object>
            {
                ["kernel_shape"] = new long[] { 3, 3 },
                ["strides"] = new long[] { 2, 2 },
            });
            var size = 35;
            var channels = 32;

            x = Residual(x, "conv32_1", channels);
            x = Residual(x, "conv32_2", channels);
            x = Residual(x, "conv32_3", channels);
            x = ResidualDown(x, "conv64_down", ref channels, 64, ref size);
            x = Residual(x, "conv64_1", channels);
            x = Residual(x, "conv64_2", channels);
            x = Residual(x, "conv64_3", channels);
            x = ResidualDown(x, "conv128_down", ref channels, 128, ref size);
            x = Residual(x, "conv128_1", channels);
            x = Residual(x, "conv128_2", channels);
            x = ResidualDown(x, "conv256_down", ref channels, 256, ref size);
            x = Residual(x, "conv256_1", channels);
            x = Residual(x, "conv256_2", channels);
            x = ResidualDown(x, "conv256_down_out", ref channels, 256, ref size);

            var pooled = _g.AddNode("ReduceMean", [x], "global_avg", new Dictionary<string, object>
            {
                ["axes"] = new long[] { 2, 3 },
                ["keepdims"] = 0L,
            });
            var fc = Weight("fc", 256, DescriptorLength);
            var fcName = _g.AddFloat("fc", [256, DescriptorLength], fc.Values);
            _g.AddNode("MatMul", [pooled, fcName], [OutputName]);
            _g.AddOutput(OutputName, OnnxElementType.Float, "batch", DescriptorLength);
            return _g;
        }

        private string Residual(string x, string prefix, int channels)
        {
            var o = ConvLayer(x, $"{prefix}/conv1", stride: 1, relu: true, same: true, channels);
            o = ConvLayer(o, $"{prefix}/conv2", stride: 1, relu: false, same: true, channels);
            var sum = _g.AddNode("Add", [o, x], $"{prefix}/add");
            return _g.AddNode("Relu", [sum], $"{prefix}/relu");
        }

        private string ResidualDown(string x, string prefix, ref int channels, int channelsOut, ref int size)
        {
            var o = ConvLayer(x, $"{prefix}/conv1", stride: 2, relu: true, same: false, channels);
            o = ConvLayer(o, $"{prefix}/conv2", stride: 1, relu: false, same: true, channelsOut);
            var convSize = ((size - 3) / 2) + 1;
            var poolSize = ((size - 2) / 2) + 1;

            var pooled = _g.AddNode("AveragePool", [x], $"{prefix}/avgpool", new Dictionary<string, object>
            {
                ["kernel_shape"] = new long[] { 2, 2 },
                ["strides"] = new long[] { 2, 2 },
            });
            if (channelsOut != channels)
            {
                // face-api concatenates zeros of the pooled shape on the channel axis, doubling it.
                if (channelsOut != 2 * channels)
                {
                    throw new ModelProvisioningException($"Block '{prefix}' goes from {channels} to {channelsOut} channels; face-api only doubles them.");
                }
                pooled = Pad(pooled, $"{prefix}/pad_channels", [0, 0, 0, 0, 0, channels, 0, 0]);
            }
            if (poolSize != convSize)
            {
                // face-api appends one zero row and one zero column to the conv branch (8→3 vs 4, 4→1 vs 2).
                if (poolSize != convSize + 1)
                {
                    throw new ModelProvisioningException($"Block '{prefix}' has conv size {convSize} and pool size {poolSize}; face-api pads by one only.");
                }
                o = Pad(o, $"{prefix}/pad_spatial", [0, 0, 0, 0, 0, 0, 1, 1]);
            }
            var sum = _g.AddNode("Add", [pooled, o], $"{prefix}/add");
            channels = channelsOut;
            size = poolSize;
            return _g.AddNode("Relu", [sum], $"{prefix}/relu");
        }

        private string Pad(string x, string name, long[] pads) =>
            _g.AddNode("Pad", [x, _g.AddInt64($"{name}/pads", [8], pads)], name);

        private string ConvLayer(string x, string prefix, int stride, bool relu, bool same, int channelsIn)
        {
            var filters = weights.TryGetValue($"{prefix}/conv/filters", out var f)
                ? f
                : throw new ModelProvisioningException($"face_recognition_model weights lack tensor '{prefix}/conv/filters'.");
            if (filters.Shape.Length != 4 || filters.Shape[0] != filters.Shape[1] || filters.Shape[2] != channelsIn)
            {
                throw new ModelProvisioningException(
                    $"Tensor '{prefix}/conv/filters' has shape [{string.Join(',', filters.Shape)}]; expected [k,k,{channelsIn},c].");
            }
            var k = filters.Shape[0];
            var channelsOut = filters.Shape[3];
            var bias = Weight($"{prefix}/conv/bias", channelsOut);
            var scale = Weight($"{prefix}/scale/weights", channelsOut);
            var shift = Weight($"{prefix}/scale/biases", channelsOut);

            var w = _g.AddFloat($"{prefix}/conv/filters", [channelsOut, channelsIn, k, k], TfLayout.HwioToOihw(filters.Values, k, channelsIn, channelsOut));
            var b = _g.AddFloat($"{prefix}/conv/bias", [channelsOut], bias.Values);
            // TensorFlow "same" for a 3x3 stride-1 conv pads one pixel on every side; "valid" pads nothing.
            var pad = same ? (k - 1) / 2 : 0;
            var conv = _g.AddNode("Conv", [x, w, b], $"{prefix}/conv", new Dictionary<string, object>
            {
                ["kernel_shape"] = new long[] { k, k },
                ["strides"] = new long[] { stride, stride },
                ["pads"] = new long[] { pad, pad, pad, pad },
            });
            var scaled = _g.AddNode("Mul", [conv, _g.AddFloat($"{prefix}/scale/weights", [1, channelsOut, 1, 1], scale.Values)], $"{prefix}/scale_mul");
            var shifted = _g.AddNode("Add", [scaled, _g.AddFloat($"{prefix}/scale/biases", [1, channelsOut, 1, 1], shift.Values)], $"{prefix}/scale_add");
            return relu ? _g.AddNode("Relu", [shifted], $"{prefix}/relu") : shifted;
        }

        private FaceApiWeight Weight(string name, params int[] shape)
        {
            if (!weights.TryGetValue(name, out var weight))
            {
                throw new ModelProvisioningException($"face_recognition_model weights lack tensor '{name}'.");
            }
            if (!weight.Shape.SequenceEqual(shape))
            {
                throw new ModelProvisioningException(
                    $"Tensor '{name}' has shape [{string.Join(',', weight.Shape)}]; expected [{string.Join(',', shape)}].");
            }
            return weight;
        }

        private static Dictionary<string, object> Attr(string name, object value) => new() { [name] = value };
    }
}
