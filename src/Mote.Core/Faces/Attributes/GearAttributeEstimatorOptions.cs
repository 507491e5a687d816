using Mote.Core.Faces.Alignment;

namespace Mote.Core.Faces.Attributes;

/// <summary>How <see cref="GearAttributeEstimator"/> cuts and normalises the face it feeds to <c>gear</c>.</summary>
public sealed class GearAttributeEstimatorOptions
{
    /// <summary>
    /// Margin added on every side of the detector's box, as a fraction of the box's longer side, before
    /// the square crop is resized to 198x198. Default 0.25: UTKFace chips, the data gear was trained
    /// on, show the whole head with some background, roughly a tight face box plus a quarter on each
    /// side (see <c>docs/attributes.md</c>; the margin is not yet measured with a detector's boxes).
    /// </summary>
    public double Margin { get; set; } = 0.25;

    /// <summary>
    /// Pixel normalisation of the 198x198 RGB input. Default <see cref="PixelNormalization.UnitRange"/>
    /// (pixel / 255): Human feeds gear its 0..1 face tensor, and on UTKFace 0..1 input is what gives the
    /// accuracy recorded in <c>docs/attributes.md</c>.
    /// </summary>
    public PixelNormalization Normalization { get; set; } = PixelNormalization.UnitRange;
}
