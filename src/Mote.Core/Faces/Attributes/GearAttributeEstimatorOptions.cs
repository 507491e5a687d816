using Mote.Core.Faces.Alignment;

namespace Mote.Core.Faces.Attributes;

/// <summary>How <see cref="GearAttributeEstimator"/> cuts and normalises the face it feeds to <c>gear</c>.</summary>
public sealed class GearAttributeEstimatorOptions
{
    /// <summary>
    /// Margin added on every side of the detector's box, as a fraction of the box's longer side, before
    /// the square crop is resized to 198x198. Default 0.1: with BlazeFace boxes on 400 UTKFace chips,
    /// gender accuracy was 0.72 at 0.1, 0.69 at 0.2, 0.62 at 0.3 and 0.52 at 0.5 (0.71 at 0); a BlazeFace
    /// box covers about 86% of a UTKFace chip, so 0.1 comes closest to the chips' framing
    /// (<c>docs/attributes.md</c>).
    /// </summary>
    public double Margin { get; set; } = 0.1;

    /// <summary>
    /// Pixel normalisation of the 198x198 RGB input. Default <see cref="PixelNormalization.UnitRange"/>
    /// (pixel / 255): Human feeds gear its 0..1 face tensor, and on UTKFace 0..1 input is what gives the
    /// accuracy recorded in <c>docs/attributes.md</c>.
    /// </summary>
    public PixelNormalization Normalization { get; set; } = PixelNormalization.UnitRange;
}
