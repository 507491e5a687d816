using Microsoft.ML.OnnxRuntime;
using Mote.Core.Faces.Alignment;
using Mote.Core.Imaging;
using Mote.Core.Models;

namespace Mote.Core.Faces.Descriptors;

/// <summary>
/// Shared body of the pack's descriptor backbones: packs aligned crops into one NHWC batch, runs the
/// ONNX session once, L2-normalises each row. Owns one session; thread-safe.
/// </summary>
public abstract class OnnxFaceDescriber : IFaceDescriber
{
    private readonly InferenceSession _session;
    private readonly string _inputName;
    private readonly string _outputName;
    private readonly PixelNormalization _normalization;

    /// <summary>Opens <paramref name="model"/>; its manifest's ONNX SHA-256 becomes <see cref="BackboneHash"/>.</summary>
    /// <exception cref="InvalidOperationException">The model's output is not <c>[b, dimension]</c>.</exception>
    protected OnnxFaceDescriber(string backboneId, ModelPackEntry model, OnnxSessionFactory sessions, FaceTemplate template, PixelNormalization normalization, string? outputName = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(sessions);
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(normalization);
        BackboneId = backboneId;
        BackboneHash = model.Manifest.OnnxSha256;
        Template = template;
        _normalization = normalization;
        _session = sessions.Create(model);
        try
        {
            _inputName = _session.InputMetadata.Keys.Single();
            _outputName = outputName ?? _session.OutputMetadata.Keys.Single();
            var dims = _session.OutputMetadata[_outputName].Dimensions;
            if (dims.Length != 2 || dims[1] <= 0)
            {
                throw new InvalidOperationException($"Backbone '{backboneId}' ({model.OnnxPath}) output '{_outputName}' has shape [{string.Join(",", dims)}]; a [batch, dimension] descriptor is needed.");
            }

            Dimension = dims[1];
        }
        catch
        {
            _session.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public string BackboneId { get; }

    /// <inheritdoc />
    public string BackboneHash { get; }

    /// <inheritdoc />
    public int Dimension { get; }

    /// <inheritdoc />
    public FaceTemplate Template { get; }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">A crop is not the template's size.</exception>
    public float[][] Describe(IReadOnlyList<RgbImage> alignedCrops)
    {
        ArgumentNullException.ThrowIfNull(alignedCrops);
        if (alignedCrops.Count == 0)
        {
            return [];
        }

        var (w, h) = (Template.Width, Template.Height);
        var per = w * h * 3;
        var batch = new float[per * alignedCrops.Count];
        for (var i = 0; i < alignedCrops.Count; i++)
        {
            var crop = alignedCrops[i];
            if (crop.Width != w || crop.Height != h)
            {
                throw new ArgumentException($"Backbone '{BackboneId}' needs {w}x{h} crops aligned to '{Template.Name}'; crop {i} is {crop.Width}x{crop.Height}.", nameof(alignedCrops));
            }

            TensorPacker.Pack(crop, TensorLayout.Nhwc, _normalization, batch.AsSpan(i * per, per));
        }

        using var input = OrtValue.CreateTensorValueFromMemory(batch, [alignedCrops.Count, h, w, 3]);
        using var runOptions = new RunOptions();
        using var outputs = Run(runOptions, [_inputName], [input], [_outputName]);
        var values = outputs[0].GetTensorDataAsSpan<float>();
        var result = new float[alignedCrops.Count][];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = DescriptorMath.Normalize(values.Slice(i * Dimension, Dimension));
        }

        return result;
    }

    private IDisposableReadOnlyCollection<OrtValue> Run(RunOptions runOptions, string[] inputNames, OrtValue[] inputs, string[] outputNames)
    {
        using (InferenceClock.Measure())
        {
            return _session.Run(runOptions, inputNames, inputs, outputNames);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _session.Dispose();
        GC.SuppressFinalize(this);
    }
}
