using System.Security.Cryptography;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Mote.Core.Faces.Alignment;
using Mote.Core.Imaging;
using Mote.Core.Models;

namespace Mote.Core.Faces.Descriptors;

/// <summary>
/// A backbone from a user-supplied ONNX recognition model with InsightFace conventions: aligned crops
/// (InsightFace's 5-point template scaled to the input size) are packed per <see cref="OnnxRecognitionOptions"/>,
/// run, and the output is L2-normalised. Checks the model's input and output shapes when loaded.
/// Owns its ONNX session; thread-safe; a singleton.
/// </summary>
public sealed class OnnxRecognitionDescriber : IFaceDescriber
{
    private readonly InferenceSession _session;
    private readonly string _inputName;
    private readonly string _outputName;
    private readonly bool _batched;
    private readonly OnnxRecognitionOptions _options;
    private bool _disposed;

    private OnnxRecognitionDescriber(InferenceSession session, OnnxRecognitionOptions options, string hash)
    {
        _session = session;
        _options = options;
        BackboneHash = hash;
        Template = FaceTemplates.InsightFace112.ScaledTo(options.InputWidth, options.InputHeight, $"insightface-{options.InputWidth}x{options.InputHeight}");
        (_inputName, _batched) = CheckInput(session, options);
        (_outputName, var dimension) = CheckOutput(session, options);
        Dimension = dimension;
    }

    /// <inheritdoc />
    public string BackboneId => _options.BackboneId;

    /// <summary>SHA-256 (lower-case hex) of the ONNX file as loaded.</summary>
    public string BackboneHash { get; }

    /// <inheritdoc />
    public int Dimension { get; }

    /// <inheritdoc />
    public FaceTemplate Template { get; }

    /// <summary>
    /// Loads the model at <see cref="OnnxRecognitionOptions.Path"/> with a session from <paramref name="factory"/>
    /// and checks it. <paramref name="options"/> is kept; do not change it afterwards.
    /// </summary>
    /// <exception cref="FileNotFoundException">No file at the path.</exception>
    /// <exception cref="ArgumentException">An option is invalid (empty path or id, non-positive size, zero std).</exception>
    /// <exception cref="CustomModelException">The model's input or output does not fit the options; the message names the file and both shapes.</exception>
    public static OnnxRecognitionDescriber Load(OnnxRecognitionOptions options, OnnxSessionFactory factory)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(factory);
        if (string.IsNullOrWhiteSpace(options.Path))
        {
            throw new ArgumentException("OnnxRecognitionOptions.Path must name the recognition model's ONNX file.", nameof(options));
        }

        if (string.IsNullOrWhiteSpace(options.BackboneId))
        {
            throw new ArgumentException("OnnxRecognitionOptions.BackboneId must not be empty.", nameof(options));
        }

        if (options.InputWidth < 1 || options.InputHeight < 1 || options.Std == 0 || !float.IsFinite(options.Std) || !float.IsFinite(options.Mean))
        {
            throw new ArgumentException($"Recognition model options for '{options.Path}' are invalid: input {options.InputWidth}x{options.InputHeight}, mean {options.Mean}, std {options.Std}.", nameof(options));
        }

        if (!File.Exists(options.Path))
        {
            throw new FileNotFoundException($"Recognition model '{options.Path}' does not exist.", options.Path);
        }

        var bytes = File.ReadAllBytes(options.Path);
        var hash = Convert.ToHexStringLower(SHA256.HashData(bytes));
        var session = factory.Create(bytes);
        try
        {
            return new OnnxRecognitionDescriber(session, options, hash);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>
    /// One L2-normalised descriptor per crop, in order. Each crop must be exactly the template's size
    /// (<see cref="FaceAligner"/> with <see cref="Template"/> makes one). The crops are not modified.
    /// </summary>
    /// <exception cref="ArgumentException">A crop has the wrong size.</exception>
    public float[][] Describe(IReadOnlyList<RgbImage> alignedCrops)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(alignedCrops);
        foreach (var crop in alignedCrops)
        {
            ArgumentNullException.ThrowIfNull(crop, nameof(alignedCrops));
            if (crop.Width != _options.InputWidth || crop.Height != _options.InputHeight)
            {
                throw new ArgumentException($"Backbone '{BackboneId}' needs {_options.InputWidth}x{_options.InputHeight} aligned crops; one is {crop.Width}x{crop.Height}.", nameof(alignedCrops));
            }
        }

        if (_batched)
        {
            return Run(alignedCrops);
        }

        // A model exported with batch size 1 runs one crop at a time.
        return alignedCrops.Select(c => Run([c])[0]).ToArray();
    }

    /// <summary>Releases the ONNX session. Safe to call more than once.</summary>
    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _session.Dispose();
        }
    }

    private float[][] Run(IReadOnlyList<RgbImage> crops)
    {
        if (crops.Count == 0)
        {
            return [];
        }

        var w = _options.InputWidth;
        var h = _options.InputHeight;
        var plane = w * h * 3;
        var buffer = new float[crops.Count * plane];
        for (var i = 0; i < crops.Count; i++)
        {
            TensorPacker.Pack(crops[i], _options.Layout, _options.Normalization, buffer.AsSpan(i * plane, plane));
        }

        int[] shape = _options.Layout == TensorLayout.Nchw ? [crops.Count, 3, h, w] : [crops.Count, h, w, 3];
        float[] values;
        // Timed like the other sessions so that the bench's inference share includes this backbone.
        using (InferenceClock.Measure())
        {
            using var results = _session.Run([NamedOnnxValue.CreateFromTensor(_inputName, new DenseTensor<float>(buffer, shape))], [_outputName]);
            values = results[0].AsTensor<float>().ToArray();
        }

        var descriptors = new float[crops.Count][];
        for (var i = 0; i < crops.Count; i++)
        {
            descriptors[i] = Normalise(values.AsSpan(i * Dimension, Dimension));
        }

        return descriptors;
    }

    private float[] Normalise(ReadOnlySpan<float> raw)
    {
        var sum = 0.0;
        foreach (var v in raw)
        {
            sum += (double)v * v;
        }

        var norm = Math.Sqrt(sum);
        if (!(norm > 0) || !double.IsFinite(norm))
        {
            throw new InvalidOperationException($"Backbone '{BackboneId}' ('{_options.Path}') produced a descriptor of norm {norm}; it cannot be L2-normalised.");
        }

        var result = new float[raw.Length];
        for (var i = 0; i < raw.Length; i++)
        {
            result[i] = (float)(raw[i] / norm);
        }

        return result;
    }

    private static (string Name, bool Batched) CheckInput(InferenceSession session, OnnxRecognitionOptions options)
    {
        if (session.InputMetadata.Count != 1)
        {
            throw new CustomModelException($"Recognition model '{options.Path}' must have one input; it has {session.InputMetadata.Count} ({string.Join(", ", session.InputMetadata.Keys)}).");
        }

        var (name, meta) = session.InputMetadata.First();
        var dims = meta.Dimensions;
        int[] expected = options.Layout == TensorLayout.Nchw ? [-1, 3, options.InputHeight, options.InputWidth] : [-1, options.InputHeight, options.InputWidth, 3];
        var fits = meta.ElementType == typeof(float) && dims.Length == 4 && dims[0] is -1 or 1 or 0;
        for (var i = 1; fits && i < 4; i++)
        {
            // A symbolic dimension (-1) accepts the configured size.
            fits = dims[i] == expected[i] || dims[i] <= 0;
        }

        if (!fits)
        {
            throw new CustomModelException(
                $"Recognition model '{options.Path}' input '{name}' is {meta.ElementType.Name}[{string.Join(", ", dims)}]; the options ({options.Layout}, {options.InputWidth}x{options.InputHeight}) need float[batch, {string.Join(", ", expected.Skip(1))}].");
        }

        return (name, dims[0] != 1);
    }

    private static (string Name, int Dimension) CheckOutput(InferenceSession session, OnnxRecognitionOptions options)
    {
        // InsightFace recognition exports have one output, [batch, 512]; a model with several outputs is refused rather than guessed at.
        if (session.OutputMetadata.Count != 1)
        {
            throw new CustomModelException($"Recognition model '{options.Path}' must have one output (the embedding); it has {session.OutputMetadata.Count} ({string.Join(", ", session.OutputMetadata.Keys)}).");
        }

        var (name, meta) = session.OutputMetadata.First();
        var dims = meta.Dimensions;
        if (meta.ElementType != typeof(float) || dims.Length != 2 || dims[1] < 1)
        {
            throw new CustomModelException($"Recognition model '{options.Path}' output '{name}' is {meta.ElementType.Name}[{string.Join(", ", dims)}]; an embedding must be float[batch, dimension] with a fixed dimension.");
        }

        return (name, dims[1]);
    }
}
