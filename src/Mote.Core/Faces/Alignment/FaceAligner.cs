using Mote.Core.Imaging;

namespace Mote.Core.Faces.Alignment;

/// <summary>How a warp fills crop pixels whose source position lies outside the image.</summary>
public enum WarpBorder
{
    /// <summary>Black (0, 0, 0), blended bilinearly at the edge. Default.</summary>
    Black = 0,

    /// <summary>The nearest edge pixel of the source.</summary>
    Replicate = 1,
}

/// <summary>How a warp samples the source when the crop is much smaller than the face.</summary>
public enum ChipSampling
{
    /// <summary>
    /// Like dlib's <c>extract_image_chip</c>: halve the source with a 5-tap Gaussian pyramid until the
    /// remaining reduction is at most 2x, then sample bilinearly. Default.
    /// </summary>
    Pyramid = 0,

    /// <summary>Plain bilinear sampling at any scale, like <c>cv2.warpAffine</c> in InsightFace's <c>norm_crop</c>.</summary>
    Bilinear = 1,
}

/// <summary>An aligned face crop and the transform that produced it.</summary>
/// <param name="Crop">The aligned crop, the template's size.</param>
/// <param name="SourceToCrop">Maps source-image pixels to crop pixels (invert it to map heat maps back).</param>
/// <param name="ResidualPixels">RMS distance, in crop pixels, between mapped landmarks and the template: a fit check.</param>
public sealed record AlignedFace(RgbImage Crop, SimilarityTransform SourceToCrop, double ResidualPixels);

/// <summary>
/// Warps faces into canonical crops by bilinear inverse mapping. Stateless apart from its two modes;
/// thread-safe.
/// </summary>
/// <remarks>
/// Default border is black because both reference pipelines the backbones were trained with fill with
/// zeros: InsightFace's <c>norm_crop</c> calls <c>cv2.warpAffine(..., borderValue=0.0)</c>, and dlib's
/// <c>extract_image_chip</c> leaves pixels outside the image at 0.
/// Default sampling is <see cref="ChipSampling.Pyramid"/>: plain bilinear sampling of a face 8x larger
/// than the crop reads one source pixel in 64 and aliases (a 1-pixel stripe pattern comes out solid
/// black instead of mid-grey, see <c>FaceAlignerTests</c>); dlib's chip extractor, the reference for the
/// dlib ResNet descriptor, uses the same pyramid. The two modes give the same crop whenever the
/// face is at most twice the crop size. Which one suits InsightFace models better on real photos is
/// still to be measured.
/// </remarks>
public sealed class FaceAligner
{
    /// <summary>Creates an aligner (defaults: <see cref="WarpBorder.Black"/>, <see cref="ChipSampling.Pyramid"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">An unknown enum value.</exception>
    public FaceAligner(WarpBorder border = WarpBorder.Black, ChipSampling sampling = ChipSampling.Pyramid)
    {
        if (!Enum.IsDefined(border))
        {
            throw new ArgumentOutOfRangeException(nameof(border), border, "Unknown border mode.");
        }

        if (!Enum.IsDefined(sampling))
        {
            throw new ArgumentOutOfRangeException(nameof(sampling), sampling, "Unknown sampling mode.");
        }

        Border = border;
        Sampling = sampling;
    }

    /// <summary>How out-of-image pixels are filled.</summary>
    public WarpBorder Border { get; }

    /// <summary>How the source is sampled when the crop is much smaller than the face.</summary>
    public ChipSampling Sampling { get; }

    /// <summary>
    /// Fits a similarity transform from <paramref name="landmarks"/> to <paramref name="template"/> and
    /// warps <paramref name="source"/> (not modified) into a new crop of the template's size.
    /// </summary>
    /// <exception cref="ArgumentException">The landmarks are degenerate (all in one place).</exception>
    public AlignedFace Align(RgbImage source, FivePointLandmarks landmarks, FaceTemplate template)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(template);
        var from = landmarks.ToArray();
        var to = template.Landmarks.ToArray();
        var transform = SimilarityTransform.Estimate(from, to);
        var crop = Warp(source, transform, template.Width, template.Height);
        return new AlignedFace(crop, transform, transform.RootMeanSquareError(from, to));
    }

    /// <summary>
    /// A new <paramref name="width"/>x<paramref name="height"/> image whose pixel (u, v) is
    /// <paramref name="source"/> sampled at <c>sourceToCrop⁻¹(u, v)</c> (bilinear, after a pyramid
    /// reduction when <see cref="Sampling"/> asks for it and the scale is below 0.5).
    /// <paramref name="source"/> is not modified.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive.</exception>
    /// <exception cref="InvalidOperationException">The transform has zero scale.</exception>
    public RgbImage Warp(RgbImage source, SimilarityTransform sourceToCrop, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        if (Sampling == ChipSampling.Pyramid && sourceToCrop.Scale < 0.5)
        {
            (source, sourceToCrop) = Reduce(source, sourceToCrop, width, height);
        }

        return WarpBilinear(source, sourceToCrop, width, height);
    }

    /// <summary>
    /// Cuts out the part of <paramref name="source"/> the crop needs (plus a margin for the filter) and
    /// halves it until the remaining scale is at least 0.5; returns it with the adjusted transform.
    /// </summary>
    private static (RgbImage Source, SimilarityTransform SourceToCrop) Reduce(RgbImage source, SimilarityTransform sourceToCrop, int width, int height)
    {
        var levels = 0;
        for (var scale = sourceToCrop.Scale; scale < 0.5; scale *= 2)
        {
            levels++;
        }

        var inverse = sourceToCrop.Invert();
        Point2D[] corners = [inverse.Apply(new(0, 0)), inverse.Apply(new(width - 1, 0)), inverse.Apply(new(0, height - 1)), inverse.Apply(new(width - 1, height - 1))];
        // Each level's 5-tap filter reaches 2 level pixels = 2^(level+1) source pixels; sum over levels < 2^(levels+2).
        var margin = (1 << (levels + 2)) + 2;
        var left = Math.Max(0, (int)Math.Floor(corners.Min(p => p.X)) - margin);
        var top = Math.Max(0, (int)Math.Floor(corners.Min(p => p.Y)) - margin);
        var right = Math.Min(source.Width, (int)Math.Ceiling(corners.Max(p => p.X)) + margin + 1);
        var bottom = Math.Min(source.Height, (int)Math.Ceiling(corners.Max(p => p.Y)) + margin + 1);
        if (right - left < 2 || bottom - top < 2)
        {
            return (source, sourceToCrop); // the crop lies (almost) entirely outside the image
        }

        // Sub-image covering the source region only: a 112 crop from a 16 Mpx photo must not pyramid the whole photo. Only
        // sub-image edges that are real image edges matter, and there the border mode applies as before.
        var region = ImageRegion.Copy(source, left, top, right - left, bottom - top);
        var transform = new SimilarityTransform(1, 0, left, top).Then(sourceToCrop);
        for (var i = 0; i < levels && region.Width > 2 && region.Height > 2; i++)
        {
            region = ImageRegion.HalveGaussian(region);
            // A level pixel p sits at source pixel 2p, so the level-to-crop transform is "double, then the old one".
            transform = new SimilarityTransform(2, 0, 0, 0).Then(transform);
        }

        return (region, transform);
    }

    private RgbImage WarpBilinear(RgbImage source, SimilarityTransform sourceToCrop, int width, int height)
    {
        var inverse = sourceToCrop.Invert();
        var replicate = Border == WarpBorder.Replicate;
        return RgbImage.Create(width, height, output =>
        {
            var pixels = source.Pixels;
            var stride = source.Stride;
            for (var v = 0; v < height; v++)
            {
                // Source position of (0, v), then step by the inverse's column vector for each u.
                var sx = (-inverse.B * v) + inverse.Tx;
                var sy = (inverse.A * v) + inverse.Ty;
                var rowOut = output.Slice(v * width * 3, width * 3);
                for (var u = 0; u < width; u++)
                {
                    var x = sx + (inverse.A * u);
                    var y = sy + (inverse.B * u);
                    Sample(pixels, stride, source.Width, source.Height, x, y, replicate, rowOut.Slice(u * 3, 3));
                }
            }
        });
    }

    private static void Sample(ReadOnlySpan<byte> pixels, int stride, int w, int h, double x, double y, bool replicate, Span<byte> rgb)
    {
        if (replicate)
        {
            x = Math.Clamp(x, 0, w - 1);
            y = Math.Clamp(y, 0, h - 1);
        }
        else if (x <= -1 || y <= -1 || x >= w || y >= h)
        {
            rgb.Clear();
            return;
        }

        var x0 = (int)Math.Floor(x);
        var y0 = (int)Math.Floor(y);
        var fx = x - x0;
        var fy = y - y0;
        for (var c = 0; c < 3; c++)
        {
            var top = ((1 - fx) * Fetch(pixels, stride, w, h, x0, y0, c)) + (fx * Fetch(pixels, stride, w, h, x0 + 1, y0, c));
            var bottom = ((1 - fx) * Fetch(pixels, stride, w, h, x0, y0 + 1, c)) + (fx * Fetch(pixels, stride, w, h, x0 + 1, y0 + 1, c));
            var value = ((1 - fy) * top) + (fy * bottom);
            rgb[c] = (byte)Math.Clamp((int)Math.Round(value), 0, 255);
        }
    }

    private static double Fetch(ReadOnlySpan<byte> pixels, int stride, int w, int h, int x, int y, int c)
    {
        // Neighbours outside the image are black; with Replicate the position was clamped so only the
        // zero-weight neighbour past the last column/row can fall outside.
        if ((uint)x >= (uint)w || (uint)y >= (uint)h)
        {
            return 0;
        }

        return pixels[(y * stride) + (x * 3) + c];
    }
}
