using Mote.Core.Faces.Detection;
using Mote.Core.Models;

namespace Mote.Core.Faces.Descriptors;

/// <summary>A "bring your own" model is requested but not configured, or its file is missing.</summary>
public sealed class CustomModelConfigurationException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Creates the user-configured <see cref="IFaceDescriber"/> and <see cref="IFaceDetector"/> from
/// <see cref="CustomModelOptions"/>. The options are not modified: relative paths are resolved into copies.
/// Each call loads a new model whose session the caller owns (register the result as a singleton).
/// </summary>
/// <param name="options">The bound options.</param>
/// <param name="sessions">Creates the ONNX sessions (not owned).</param>
/// <param name="baseDirectory">Where relative paths start; default the current directory.</param>
public sealed class CustomModelFactory(CustomModelOptions options, OnnxSessionFactory sessions, string? baseDirectory = null)
{
    private readonly CustomModelOptions _options = options ?? throw new ArgumentNullException(nameof(options));
    private readonly OnnxSessionFactory _sessions = sessions ?? throw new ArgumentNullException(nameof(sessions));
    private readonly string _baseDirectory = baseDirectory ?? Directory.GetCurrentDirectory();

    /// <summary>True when a recognition model path is configured (the file may still be missing).</summary>
    public bool HasRecognition => !string.IsNullOrWhiteSpace(_options.Recognition.Path);

    /// <summary>True when a detector path is configured (the file may still be missing).</summary>
    public bool HasDetector => !string.IsNullOrWhiteSpace(_options.Detector.Path);

    /// <summary>Loads the configured recognition model.</summary>
    /// <exception cref="CustomModelConfigurationException">No path is configured, or no file is at the path (the message names the setting and the resolved path).</exception>
    /// <exception cref="CustomModelException">The file is not a model the options describe.</exception>
    public IFaceDescriber CreateDescriber()
    {
        var path = Resolve(_options.Recognition.Path, "Recognition");
        var o = _options.Recognition;
        var resolved = new OnnxRecognitionOptions
        {
            Path = path,
            BackboneId = o.BackboneId,
            InputWidth = o.InputWidth,
            InputHeight = o.InputHeight,
            Mean = o.Mean,
            Std = o.Std,
            ChannelOrder = o.ChannelOrder,
            Layout = o.Layout,
        };
        return OnnxRecognitionDescriber.Load(resolved, _sessions);
    }

    /// <summary>Loads the configured SCRFD detector.</summary>
    /// <exception cref="CustomModelConfigurationException">No path is configured, or no file is at the path.</exception>
    /// <exception cref="CustomModelException">The file does not look like an SCRFD export.</exception>
    public IFaceDetector CreateDetector()
    {
        var path = Resolve(_options.Detector.Path, "Detector");
        var o = _options.Detector;
        var resolved = new ScrfdOptions
        {
            Path = path,
            Id = o.Id,
            InputSize = o.InputSize,
            ScoreThreshold = o.ScoreThreshold,
            NmsThreshold = o.NmsThreshold,
        };
        return ScrfdDetector.Load(resolved, _sessions);
    }

    private string Resolve(string configured, string part)
    {
        var key = $"{CustomModelOptions.SectionName}:{part}:Path";
        if (string.IsNullOrWhiteSpace(configured))
        {
            throw new CustomModelConfigurationException($"No custom {part.ToLowerInvariant()} model is configured: set {key} to the ONNX file you placed on this machine.");
        }

        var path = Path.GetFullPath(configured, _baseDirectory);
        if (!File.Exists(path))
        {
            throw new CustomModelConfigurationException($"{key} is '{configured}', but there is no file at '{path}'. Place the ONNX file there or correct the setting.");
        }

        return path;
    }
}
