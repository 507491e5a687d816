using Mote.Core.Faces;
using Mote.Core.Faces.Quality;

namespace Mote.Gallery.Engine;

/// <summary>One face found in a photo, with everything the use cases need to decide about it.</summary>
/// <param name="Box">Where the face is, in source-image pixels.</param>
/// <param name="DetectorScore">The detector's confidence, 0..1.</param>
/// <param name="Landmarks">Points to draw on the face (detector keypoints or alignment landmarks).</param>
/// <param name="Quality">Whether the face is good enough for the purpose it was analysed for (enrollment is stricter).</param>
/// <param name="Descriptor">The backbone's L2-normalised descriptor.</param>
/// <param name="Attributes">Estimated attributes, when an estimator is configured; always estimates.</param>
/// <param name="AlignedCrop">The aligned face the descriptor was computed on, when the analyzer keeps it (what a decision's
/// explanation is computed on later, so it never needs the upload again); null otherwise.</param>
public sealed record AnalyzedFace(
    FaceBox Box,
    double DetectorScore,
    IReadOnlyList<Mote.Core.Imaging.Point2D> Landmarks,
    FaceQualityVerdict Quality,
    float[] Descriptor,
    AttributeEstimate? Attributes,
    Mote.Core.Imaging.RgbImage? AlignedCrop = null);

/// <summary>The faces found in one photo, largest first.</summary>
public sealed record FaceAnalysis(int ImageWidth, int ImageHeight, IReadOnlyList<AnalyzedFace> Faces);

/// <summary>
/// The Gallery's view of the face pipeline: photo bytes in, analysed faces out. Implemented over the
/// engine's <c>FacePipeline</c>; thread-safe.
/// </summary>
public interface IFaceAnalyzer
{
    /// <summary>The backbone whose descriptors this analyzer produces.</summary>
    Mote.Core.Templates.BackboneIdentity Backbone { get; }

    /// <exception cref="Mote.Core.Imaging.ImageRejectedException">The bytes are not an acceptable PNG or JPEG.</exception>
    FaceAnalysis Analyze(ReadOnlyMemory<byte> image, QualityPurpose purpose, CancellationToken ct = default);
}
