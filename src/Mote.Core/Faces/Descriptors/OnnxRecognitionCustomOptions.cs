using Mote.Core.Faces.Detection;

namespace Mote.Core.Faces.Descriptors;

/// <summary>
/// "Bring your own" models: a recognition model and an SCRFD detector that a user placed on disk, bound
/// from the configuration section <see cref="SectionName"/>, e.g.
/// <code>
/// "Mote": { "Faces": { "Custom": {
///   "Recognition": { "Path": "models/w600k_r50.onnx", "BackboneId": "arcface-r50", "ChannelOrder": "Rgb" },
///   "Detector": { "Path": "models/det_10g.onnx", "ScoreThreshold": 0.5 } } } }
/// </code>
/// An empty <c>Path</c> means "not configured". Relative paths are resolved against the base directory
/// given to <see cref="CustomModelFactory"/> (the portal's content root).
/// </summary>
public sealed class CustomModelOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "Mote:Faces:Custom";

    /// <summary>The user's recognition model (InsightFace conventions by default). Default: not configured.</summary>
    public OnnxRecognitionOptions Recognition { get; set; } = new();

    /// <summary>The user's SCRFD detector. Default: not configured.</summary>
    public ScrfdOptions Detector { get; set; } = new();

    /// <summary>
    /// The cosine decision threshold <c>mote faces compare</c> uses for the recognition model (measure it with
    /// <c>mote faces bench --backbone custom</c>: its "best threshold"). Default: none, and compare refuses to decide.
    /// </summary>
    public double? Threshold { get; set; }
}
