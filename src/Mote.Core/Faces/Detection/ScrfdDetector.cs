using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Mote.Core.Faces.Alignment;
using Mote.Core.Imaging;
using Mote.Core.Models;

namespace Mote.Core.Faces.Detection;

/// <summary>
/// Face detection with a user-supplied SCRFD ONNX file (InsightFace conventions): the photo is scaled to
/// fit <see cref="ScrfdOptions.InputSize"/>² keeping its aspect ratio and padded with black at the right
/// and bottom, normalised as (x − 127.5) / 128 in RGB NCHW, decoded by <see cref="ScrfdDecoder"/>, filtered
/// by <see cref="NonMaximumSuppression"/> and mapped back to source pixels. Owns its ONNX session;
/// thread-safe; a singleton.
/// </summary>
public sealed class ScrfdDetector : IFaceDetector
{
    private readonly InferenceSession _session;
    private readonly string _inputName;
    private readonly string[] _outputNames;
    private readonly ScrfdOptions _options;
    private bool _disposed;

    /// <summary>Wraps <paramref name="session"/> (taking ownership) after checking its input.</summary>
    /// <exception cref="CustomModelException">The input is not <c>float[1, 3, H, W]</c> with H and W symbolic or equal to the input size, or there are not 6 or 9 outputs.</exception>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public ScrfdDetector(InferenceSession session, ScrfdOptions options)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(options);
        if (options.InputSize < 32 || options.InputSize % 32 != 0)
        {
            throw new ArgumentException($"ScrfdOptions.InputSize must be a positive multiple of 32 (the largest stride); it is {options.InputSize}.", nameof(options));
        }

        if (string.IsNullOrWhiteSpace(options.Id))
        {
            throw new ArgumentException("ScrfdOptions.Id must not be empty.", nameof(options));
        }

        if (session.InputMetadata.Count != 1)
        {
            throw new CustomModelException($"SCRFD model '{options.Path}' must have one input; it has {session.InputMetadata.Count}.");
        }

        var (name, input) = session.InputMetadata.First();
        var dims = input.Dimensions;
        if (input.ElementType != typeof(float) || dims.Length != 4 || dims[1] != 3
            || (dims[2] > 0 && dims[2] != options.InputSize) || (dims[3] > 0 && dims[3] != options.InputSize))
        {
            throw new CustomModelException(
                $"SCRFD model '{options.Path}' input '{name}' is {input.ElementType.Name}[{string.Join(", ", dims)}]; it must be float[1, 3, {options.InputSize}, {options.InputSize}] (or have symbolic height and width).");
        }

        if (session.OutputMetadata.Count is not (6 or 9))
        {
            throw new CustomModelException(
                $"SCRFD model '{options.Path}' has {session.OutputMetadata.Count} outputs; the 3-stride SCRFD exports have 6 (scores, boxes) or 9 (with keypoints).");
        }

        _session = session;
        _options = options;
        _inputName = name;
        _outputNames = [.. session.OutputMetadata.Keys];
    }

    /// <inheritdoc />
    public string Id => _options.Id;

    /// <summary>Loads the SCRFD file at <see cref="ScrfdOptions.Path"/> with a session from <paramref name="factory"/>.</summary>
    /// <exception cref="FileNotFoundException">No file at the path.</exception>
    /// <exception cref="CustomModelException">The model does not look like an SCRFD export.</exception>
    public static ScrfdDetector Load(ScrfdOptions options, OnnxSessionFactory factory)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(factory);
        if (string.IsNullOrWhiteSpace(options.Path))
        {
            throw new ArgumentException("ScrfdOptions.Path must name the SCRFD model's ONNX file.", nameof(options));
        }

        if (!File.Exists(options.Path))
        {
            throw new FileNotFoundException($"SCRFD model '{options.Path}' does not exist.", options.Path);
        }

        var session = factory.Create(options.Path);
        try
        {
            return new ScrfdDetector(session, options);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Faces in <paramref name="image"/> (not modified), best score first, in source pixels, with the five
    /// SCRFD keypoints as both <see cref="DetectedFace.Keypoints"/> and <see cref="DetectedFace.Landmarks"/>
    /// (null landmarks for a model without keypoints).
    /// </summary>
    public IReadOnlyList<DetectedFace> Detect(RgbImage image)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(image);
        var size = _options.InputSize;
        // Top-left placement as in InsightFace's SCRFD.detect, so network and source coordinates share an origin.
        var letterbox = ImageResizer.Letterbox(image, size, size, centre: false);
        var input = TensorPacker.Pack(letterbox.Image, TensorLayout.Nchw, PixelNormalization.Scrfd);
        using var results = _session.Run([NamedOnnxValue.CreateFromTensor(_inputName, new DenseTensor<float>(input, [1, 3, size, size]))], _outputNames);
        var outputs = results.Select(r =>
        {
            var tensor = r.AsTensor<float>();
            return new ScrfdOutput(r.Name, tensor.Dimensions.ToArray(), tensor.ToArray());
        }).ToArray();

        var candidates = ScrfdDecoder.Decode(outputs, size, size, _options.ScoreThreshold);
        var kept = NonMaximumSuppression.Apply(candidates, _options.NmsThreshold);
        return kept.Select(c => ToSource(c, letterbox)).ToArray();
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

    private static DetectedFace ToSource(ScrfdCandidate candidate, ResizedImage letterbox)
    {
        // Corners and keypoints map like pixel positions (ResizedImage's half-pixel convention); InsightFace divides by the
        // scale instead, which differs by half a source pixel minus half a network pixel.
        var topLeft = letterbox.ToSource(new Point2D(candidate.Box.X, candidate.Box.Y));
        var bottomRight = letterbox.ToSource(new Point2D(candidate.Box.Right, candidate.Box.Bottom));
        var keypoints = candidate.Keypoints.Select(letterbox.ToSource).ToArray();
        return new DetectedFace(
            new FaceBox(topLeft.X, topLeft.Y, bottomRight.X - topLeft.X, bottomRight.Y - topLeft.Y),
            candidate.Score,
            keypoints,
            keypoints.Length == 5 ? FivePointLandmarks.FromPoints(keypoints) : null);
    }
}
