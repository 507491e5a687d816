using Mote.Core.Models.Onnx;

namespace Mote.Core.Models.FaceApi;

/// <summary>
/// Writes face-api's <c>FaceLandmark68Net</c> as an ONNX graph, layer for layer as in face-api's
/// <c>src/faceFeatureExtractor/</c> and <c>src/faceLandmarkNet/</c>: four dense blocks of depthwise-separable
/// convolutions (the first block starts with a plain 3x3 conv), each block halving the size
/// (112 → 56 → 28 → 14 → 7), a 7x7 stride-2 average pool and a 256→136 fully connected layer.
/// </summary>
/// <remarks>
/// Input <see cref="InputName"/>: float32 NHWC <c>[batch, 112, 112, 3]</c>, RGB 0..255 (a square face crop;
/// face-api itself pads to square and resizes to 112 before the net). The graph subtracts the RGB mean
/// (122.782, 117.001, 104.298) and divides by 255. Output <see cref="OutputName"/>: <c>[batch, 136]</c> =
/// x0, y0, …, x67, y67 relative to the crop (0..1; multiply by the crop's width and height). face-api's
/// post-processing for a square input (× 112, ÷ 112) is kept so the values round as face-api's do.
/// </remarks>
public static class FaceLandmark68NetOnnx
{
    /// <summary>Name of the graph's image input.</summary>
    public const string InputName = "image";
    /// <summary>Name of the graph's landmark output.</summary>
    public const string OutputName = "landmarks";
    /// <summary>Side of the square input crop in pixels (112).</summary>
    public const int InputSize = 112;
    /// <summary>Number of landmarks the net returns (68).</summary>
    public const int PointCount = 68;

    /// <summary>Builds the graph from face-api's <c>face_landmark_68_model</c> weights (see <see cref="FaceApiWeights"/>).</summary>
    /// <exception cref="ModelProvisioningException">A weight is missing or has an unexpected shape.</exception>
    public static byte[] Build(IReadOnlyDictionary<string, FaceApiWeight> weights, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(weights);
        var graph = new NetWriter(weights).Write();
        var info = new OnnxModelInfo(
            "Mote.Core",
            "1",
            "face-api FaceLandmark68Net, NHWC RGB 0..255 112x112 in, 68 (x, y) points relative to the crop out.",
            metadata ?? new Dictionary<string, string>());
        return OnnxModelWriter.Write(graph, info);
    }

    private sealed class NetWriter(IReadOnlyDictionary<string, FaceApiWeight> weights)
    {
        private readonly OnnxGraphBuilder _g = new("face_landmark_68_net");

        public OnnxGraphBuilder Write()
        {
            var image = _g.AddInput(InputName, OnnxElementType.Float, "batch", InputSize, InputSize, 3);
            var nchw = _g.AddNode("Transpose", [image], "nchw", new Dictionary<string, object> { ["perm"] = new long[] { 0, 3, 1, 2 } });
            var centred = _g.AddNode("Sub", [nchw, _g.AddFloat("rgb_mean", [1, 3, 1, 1], FaceRecognitionNetOnnx.MeanRgb.ToArray())], "centred");
            var x = _g.AddNode("Div", [centred, _g.AddFloat("div_255", [], [255f])], "normalized");

            var size = InputSize;
            x = DenseBlock(x, "dense0", first: true, channelsIn: 3, ref size);
            x = DenseBlock(x, "dense1", first: false, channelsIn: 32, ref size);
            x = DenseBlock(x, "dense2", first: false, channelsIn: 64, ref size);
            x = DenseBlock(x, "dense3", first: false, channelsIn: 128, ref size);
            if (size != 7)
            {
                throw new ModelProvisioningException($"face_landmark_68_model feature map is {size} px before pooling; expected 7.");
            }
            var pooled = _g.AddNode("AveragePool", [x], "avgpool", new Dictionary<string, object>
            {
                ["kernel_shape"] = new long[] { 7, 7 },
                ["strides"] = new long[] { 2, 2 },
            });
            var flat = _g.AddNode("Flatten", [pooled], "flat", new Dictionary<string, object> { ["axis"] = 1L });
            var fcWeights = Weight("fc/weights", 256, 2 * PointCount);
            var fcBias = Weight("fc/bias", 2 * PointCount);
            var fc = _g.AddNode("MatMul", [flat, _g.AddFloat("fc/weights", [256, 2 * PointCount], fcWeights.Values)], "fc_matmul");
            fc = _g.AddNode("Add", [fc, _g.AddFloat("fc/bias", [2 * PointCount], fcBias.Values)], "fc");
            // FaceLandmark68NetBase.postProcess for a square 112 px input: × 112, − 0 padding, ÷ 112.
            var scaled = _g.AddNode("Mul", [fc, _g.AddFloat("input_size", [], [InputSize])], "scaled");
            _g.AddNode("Div", [scaled, _g.AddFloat("input_size_div", [], [InputSize])], [OutputName]);
            _g.AddOutput(OutputName, OnnxElementType.Float, "batch", 2 * PointCount);
            return _g;
        }

        private string DenseBlock(string x, string prefix, bool first, int channelsIn, ref int size)
        {
            string out1;
            int channels;
            if (first)
            {
                var filters = Weight($"{prefix}/conv0/filters", 3, 3, channelsIn, -1);
                channels = filters.Shape[3];
                var (begin, end) = TfLayout.SamePadding(size, 3, 2);
                var w = _g.AddFloat($"{prefix}/conv0/filters", [channels, channelsIn, 3, 3], TfLayout.HwioToOihw(filters.Values, 3, channelsIn, channels));
                var b = _g.AddFloat($"{prefix}/conv0/bias", [channels], Weight($"{prefix}/conv0/bias", channels).Values);
                var conv = _g.AddNode("Conv", [x, w, b], $"{prefix}/conv0", new Dictionary<string, object>
                {
                    ["kernel_shape"] = new long[] { 3, 3 },
                    ["strides"] = new long[] { 2, 2 },
                    ["pads"] = new long[] { begin, begin, end, end },
                });
                out1 = _g.AddNode("Relu", [conv], $"{prefix}/out1");
            }
            else
            {
                channels = Weight($"{prefix}/conv0/pointwise_filter", 1, 1, channelsIn, -1).Shape[3];
                out1 = _g.AddNode("Relu", [SeparableConv(x, $"{prefix}/conv0", channelsIn, size, 2)], $"{prefix}/out1");
            }
            size = (size + 1) / 2;

            // denseBlock4: each later conv sees the ReLU of the sum of all earlier outputs, summed right to left.
            var out2 = SeparableConv(out1, $"{prefix}/conv1", channels, size, 1);
            var in3 = _g.AddNode("Relu", [_g.AddNode("Add", [out1, out2], $"{prefix}/sum3")], $"{prefix}/in3");
            var out3 = SeparableConv(in3, $"{prefix}/conv2", channels, size, 1);
            var sum23 = _g.AddNode("Add", [out2, out3], $"{prefix}/sum23");
            var in4 = _g.AddNode("Relu", [_g.AddNode("Add", [out1, sum23], $"{prefix}/sum4")], $"{prefix}/in4");
            var out4 = SeparableConv(in4, $"{prefix}/conv3", channels, size, 1);
            var sum34 = _g.AddNode("Add", [out3, out4], $"{prefix}/sum34");
            var sum234 = _g.AddNode("Add", [out2, sum34], $"{prefix}/sum234");
            return _g.AddNode("Relu", [_g.AddNode("Add", [out1, sum234], $"{prefix}/sum")], $"{prefix}/out");
        }

        /// <summary>tf.separableConv2d(x, depthwise, pointwise, stride, 'same') + bias.</summary>
        private string SeparableConv(string x, string prefix, int channelsIn, int size, int stride)
        {
            var depthwise = Weight($"{prefix}/depthwise_filter", 3, 3, channelsIn, 1);
            var pointwise = Weight($"{prefix}/pointwise_filter", 1, 1, channelsIn, -1);
            var channelsOut = pointwise.Shape[3];
            var bias = Weight($"{prefix}/bias", channelsOut);
            var (begin, end) = TfLayout.SamePadding(size, 3, stride);

            // [3, 3, C, 1] → [C, 1, 3, 3]: HWIO with in = C, out = 1 gives OIHW [1, C, 3, 3], the same memory order.
            var dw = _g.AddFloat($"{prefix}/depthwise_filter", [channelsIn, 1, 3, 3], TfLayout.HwioToOihw(depthwise.Values, 3, channelsIn, 1));
            var depth = _g.AddNode("Conv", [x, dw], $"{prefix}/depthwise", new Dictionary<string, object>
            {
                ["kernel_shape"] = new long[] { 3, 3 },
                ["strides"] = new long[] { stride, stride },
                ["pads"] = new long[] { begin, begin, end, end },
                ["group"] = (long)channelsIn,
            });
            var pw = _g.AddFloat($"{prefix}/pointwise_filter", [channelsOut, channelsIn, 1, 1], TfLayout.HwioToOihw(pointwise.Values, 1, channelsIn, channelsOut));
            var b = _g.AddFloat($"{prefix}/bias", [channelsOut], bias.Values);
            return _g.AddNode("Conv", [depth, pw, b], $"{prefix}/pointwise", new Dictionary<string, object>
            {
                ["kernel_shape"] = new long[] { 1, 1 },
            });
        }

        /// <summary>Returns the named weight, checking its shape; -1 in <paramref name="shape"/> accepts any size.</summary>
        private FaceApiWeight Weight(string name, params int[] shape)
        {
            if (!weights.TryGetValue(name, out var weight))
            {
                throw new ModelProvisioningException($"face_landmark_68_model weights lack tensor '{name}'.");
            }
            if (weight.Shape.Length != shape.Length || weight.Shape.Zip(shape).Any(p => p.Second != -1 && p.First != p.Second))
            {
                throw new ModelProvisioningException(
                    $"Tensor '{name}' has shape [{string.Join(',', weight.Shape)}]; expected [{string.Join(',', shape)}].");
            }
            return weight;
        }
    }
}
