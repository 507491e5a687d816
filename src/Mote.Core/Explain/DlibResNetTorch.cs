using Mote.Core.Imaging;
using Mote.Core.Models;
using Mote.Core.Models.FaceApi;
using Mote.Core.Models.Onnx;
using Mote.Core.Templates;
using TorchSharp;
using static TorchSharp.torch;

namespace Mote.Core.Explain;

/// <summary>
/// The dlib ResNet descriptor (face-api's <c>FaceRecognitionNet</c>) as a differentiable TorchSharp forward,
/// layer for layer as <see cref="FaceRecognitionNetOnnx"/> writes the ONNX graph, reading the very weights of
/// the pack's ONNX file (<see cref="OnnxInitializers"/>), so gradients are exact for the network ONNX Runtime
/// runs. Sealed and disposable (owns native tensors); callers serialise use through <see cref="Gate"/>.
/// </summary>
public sealed class DlibResNetTorch : IDisposable
{
    /// <summary>The last convolutional block: its output (256 maps of 2x2 for a 150x150 crop) is what the MOTE paper's Grad-CAM++ uses.</summary>
    public const string LastConvBlock = "conv256_down_out";

    /// <summary>
    /// One process-wide lock for this executor's TorchSharp work. Concurrent TorchSharp use in one process once
    /// failed inside AdamW (see the Gallery's training gate); explanations take this lock rather than add a
    /// second unexplored pattern of concurrency.
    /// </summary>
    public static Lock Gate { get; } = new();

    private readonly Dictionary<string, Tensor> _w = new(StringComparer.Ordinal);

    private static readonly (string Name, bool Down, int ChannelsOut)[] Blocks =
    [
        ("conv32_1", false, 32), ("conv32_2", false, 32), ("conv32_3", false, 32),
        ("conv64_down", true, 64), ("conv64_1", false, 64), ("conv64_2", false, 64), ("conv64_3", false, 64),
        ("conv128_down", true, 128), ("conv128_1", false, 128), ("conv128_2", false, 128),
        ("conv256_down", true, 256), ("conv256_1", false, 256), ("conv256_2", false, 256),
        (LastConvBlock, true, 256),
    ];

    /// <summary>Block names in forward order (the layers Grad-CAM++ can be computed at).</summary>
    public static IReadOnlyList<string> BlockNames { get; } = Blocks.Select(b => b.Name).ToArray();

    /// <summary>Reads the weights from the dlib ResNet model pack entry's ONNX file.</summary>
    /// <exception cref="ModelProvisioningException">A weight is missing or its shape differs from the architecture.</exception>
    /// <exception cref="TorchRuntimeUnavailableException">TorchSharp's native backend cannot be loaded.</exception>
    public DlibResNetTorch(ModelPackEntry model)
        : this(OnnxInitializers.ReadFloat((model ?? throw new ArgumentNullException(nameof(model))).OnnxPath))
    {
        BackboneHash = model.Manifest.OnnxSha256;
    }

    /// <summary>Builds the net from ONNX initializers named as <see cref="FaceRecognitionNetOnnx"/> names them.</summary>
    public DlibResNetTorch(IReadOnlyDictionary<string, OnnxFloatTensor> initializers)
    {
        ArgumentNullException.ThrowIfNull(initializers);
        TorchRuntime.EnsureLoaded();
        try
        {
            using var noGrad = torch.no_grad();
            Load(initializers, "rgb_mean", [1, 3, 1, 1]);
            Load(initializers, "fc", [256, FaceRecognitionNetOnnx.DescriptorLength]);
            var names = new List<string> { "conv32_down" };
            foreach (var (name, _, _) in Blocks)
            {
                names.Add($"{name}/conv1");
                names.Add($"{name}/conv2");
            }
            foreach (var prefix in names)
            {
                var filters = Load(initializers, $"{prefix}/conv/filters", null);
                var outChannels = filters.shape[0];
                Load(initializers, $"{prefix}/conv/bias", [outChannels]);
                Load(initializers, $"{prefix}/scale/weights", [1, outChannels, 1, 1]);
                Load(initializers, $"{prefix}/scale/biases", [1, outChannels, 1, 1]);
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>SHA-256 of the ONNX file the weights came from (empty when built from initializers directly).</summary>
    public string BackboneHash { get; } = "";

    /// <summary>
    /// Runs the net on NHWC RGB 0..255 crops <c>[b, 150, 150, 3]</c>; returns the raw (not L2-normalised) descriptor
    /// <c>[b, 128]</c> and each block's output (NCHW) by name. Call inside <see cref="Gate"/> and a dispose scope.
    /// </summary>
    public (Tensor Descriptor, Dictionary<string, Tensor> Blocks) Forward(Tensor nhwc)
    {
        ArgumentNullException.ThrowIfNull(nhwc);
        var x = nhwc.permute(0, 3, 1, 2);
        x = (x - _w["rgb_mean"]) / 255f;
        x = Conv(x, "conv32_down", stride: 2, relu: true, same: false);
        x = nn.functional.max_pool2d(x, [3, 3], [2, 2]);
        var features = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, down, channelsOut) in Blocks)
        {
            x = down ? ResidualDown(x, name, channelsOut) : Residual(x, name);
            features[name] = x;
        }
        var pooled = x.mean([2L, 3L]);
        return (pooled.matmul(_w["fc"]), features);
    }

    /// <summary>Packs aligned 150x150 crops as the NHWC 0..255 float tensor <see cref="Forward"/> takes.</summary>
    /// <exception cref="ArgumentException">A crop is not 150x150.</exception>
    public static Tensor ToInput(IReadOnlyList<RgbImage> crops)
    {
        ArgumentNullException.ThrowIfNull(crops);
        const int size = FaceRecognitionNetOnnx.InputSize;
        var data = new float[crops.Count * size * size * 3];
        for (var i = 0; i < crops.Count; i++)
        {
            if (crops[i].Width != size || crops[i].Height != size)
            {
                throw new ArgumentException($"The dlib ResNet needs {size}x{size} aligned crops; crop {i} is {crops[i].Width}x{crops[i].Height}.", nameof(crops));
            }
            var pixels = crops[i].Pixels;
            var offset = i * size * size * 3;
            for (var j = 0; j < pixels.Length; j++)
            {
                data[offset + j] = pixels[j];
            }
        }
        return torch.tensor(data, [crops.Count, size, size, 3]);
    }

    private Tensor Residual(Tensor x, string prefix)
    {
        var o = Conv(x, $"{prefix}/conv1", 1, relu: true, same: true);
        o = Conv(o, $"{prefix}/conv2", 1, relu: false, same: true);
        return nn.functional.relu(o + x);
    }

    private Tensor ResidualDown(Tensor x, string prefix, int channelsOut)
    {
        var o = Conv(x, $"{prefix}/conv1", 2, relu: true, same: false);
        o = Conv(o, $"{prefix}/conv2", 1, relu: false, same: true);
        var pooled = nn.functional.avg_pool2d(x, [2, 2], [2, 2]);
        var channels = x.shape[1];
        if (channelsOut != channels)
        {
            // face-api concatenates zeros on the channel axis (pad order: W, H, C).
            pooled = nn.functional.pad(pooled, [0, 0, 0, 0, 0, channelsOut - channels]);
        }
        if (pooled.shape[2] != o.shape[2])
        {
            // face-api appends one zero row and column to the conv branch (8→3 vs 4, 4→1 vs 2).
            o = nn.functional.pad(o, [0, 1, 0, 1]);
        }
        return nn.functional.relu(pooled + o);
    }

    private Tensor Conv(Tensor x, string prefix, long stride, bool relu, bool same)
    {
        var filters = _w[$"{prefix}/conv/filters"];
        var pad = same ? (filters.shape[2] - 1) / 2 : 0;
        var conv = nn.functional.conv2d(x, filters, _w[$"{prefix}/conv/bias"], strides: [stride, stride], padding: [pad, pad]);
        var shifted = (conv * _w[$"{prefix}/scale/weights"]) + _w[$"{prefix}/scale/biases"];
        return relu ? nn.functional.relu(shifted) : shifted;
    }

    private Tensor Load(IReadOnlyDictionary<string, OnnxFloatTensor> initializers, string name, long[]? shape)
    {
        if (!initializers.TryGetValue(name, out var t))
        {
            throw new ModelProvisioningException($"The dlib ResNet ONNX file lacks initializer '{name}'.");
        }
        if (shape is not null && !t.Dims.SequenceEqual(shape))
        {
            throw new ModelProvisioningException($"Initializer '{name}' has shape [{string.Join(',', t.Dims)}]; expected [{string.Join(',', shape)}].");
        }
        var tensor = torch.tensor(t.Values, t.Dims);
        tensor.DetachFromDisposeScope();
        _w[name] = tensor;
        return tensor;
    }

    /// <summary>The model-template's MLP as tensors: hidden layers ReLU, one logit out (eval mode, no dropout).</summary>
    internal static Tensor Mlp(ModelTemplate template, Tensor descriptors, List<Tensor> owned)
    {
        var x = descriptors;
        for (var l = 0; l < template.Layers.Count; l++)
        {
            var layer = template.Layers[l];
            var w = torch.tensor(layer.Weights.ToArray(), [layer.Outputs, layer.Inputs]);
            var b = torch.tensor(layer.Bias.ToArray(), [layer.Outputs]);
            owned.Add(w);
            owned.Add(b);
            x = x.matmul(w.t()) + b;
            if (l < template.Layers.Count - 1)
            {
                x = nn.functional.relu(x);
            }
        }
        return x;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var t in _w.Values)
        {
            t.Dispose();
        }
        _w.Clear();
    }
}
