using Mote.Core.Faces.Descriptors;
using Mote.Core.Faces.Detection;
using Mote.Core.Faces.Quality;

namespace Mote.Core.Faces.Pipeline;

/// <summary>Where the five alignment landmarks come from.</summary>
public enum LandmarkSource
{
    /// <summary>face-api's 68-point net on the detector box (eye centres, nose tip, mouth corners). Default.</summary>
    Landmark68 = 0,

    /// <summary>BlazeFace's own keypoints (eyes, nose, mouth centre; mouth corners estimated). Cheaper.</summary>
    BlazeFace = 1,
}

/// <summary>
/// Settings of a <see cref="FacePipeline"/>, bound from <c>Mote:Faces</c> (e.g. <c>Mote:Faces:Backbone</c>).
/// </summary>
public sealed record FacePipelineOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Mote:Faces";

    /// <summary>
    /// Backbone id: <c>faceplugin-fr</c> (default, <see cref="FaceDescribers.Default"/>), <c>dlib-resnet</c>,
    /// <c>mobileface</c>, <c>fused</c> (dlib-resnet and faceplugin-fr, <see cref="FusedFaceDescriber"/>) or <c>custom</c>
    /// (the user's ONNX model under <c>Mote:Faces:Custom</c>); see <see cref="FaceDescribers.Known"/>.
    /// </summary>
    public string Backbone { get; init; } = FaceDescribers.Default;

    /// <summary>Where alignment landmarks come from. Default <see cref="LandmarkSource.Landmark68"/>.</summary>
    public LandmarkSource Landmarks { get; init; } = LandmarkSource.Landmark68;

    /// <summary>Crop side for the 68-point net as a multiple of the detector box. Default 1.0.</summary>
    public double LandmarkCropScale { get; init; } = 1.0;

    /// <summary>Detector thresholds.</summary>
    public BlazeFaceOptions Detector { get; init; } = new();

    /// <summary>Quality thresholds.</summary>
    public FaceQualityOptions Quality { get; init; } = new();

    /// <summary>Whether results keep the aligned crop (costs its memory). Default false.</summary>
    public bool KeepAlignedCrops { get; init; }

    /// <summary>Checks the values; throws <see cref="ArgumentException"/> naming the bad option.</summary>
    public void Validate()
    {
        if (!FaceDescribers.Known.Contains(Backbone, StringComparer.Ordinal))
        {
            throw new ArgumentException($"Unknown backbone '{Backbone}' in {Section}:{nameof(Backbone)}; known backbones: {string.Join(", ", FaceDescribers.Known)}.", nameof(Backbone));
        }

        if (!Enum.IsDefined(Landmarks))
        {
            throw new ArgumentException($"Unknown landmark source '{Landmarks}'.", nameof(Landmarks));
        }

        ArgumentNullException.ThrowIfNull(Detector);
        ArgumentNullException.ThrowIfNull(Quality);
        Detector.Validate();
    }
}
