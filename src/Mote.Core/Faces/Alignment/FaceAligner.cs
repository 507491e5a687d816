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

/// <summary>An aligned face crop and the transform that produced it.</summary>
/// <param name="Crop">The aligned crop, the template's size.</param>
/// <param name="SourceToCrop">Maps source-image pixels to crop pixels (invert it to map heat maps back).</param>
/// <param name="ResidualPixels">RMS distance, in crop pixels, between mapped landmarks and the template: a fit check.</param>
public sealed record AlignedFace(RgbImage Crop, SimilarityTransform SourceToCrop, double ResidualPixels);

/// <summary>
/// Warps faces into canonical crops by bilinear inverse mapping. Stateless apart from the border mode;
/// thread-safe.
/// </summary>
/// <remarks>
/// Default border is black because both reference pipelines the backbones were trained with fill with
/// zeros: InsightFace's <c>norm_crop</c> calls <c>cv2.warpAffine(..., borderValue=0.0)</c>, and dlib's
/// <c>extract_image_chip</c> leaves pixels outside the image at 0. Bilinear sampling without a
/// low-pass prefilter, as <c>cv2.warpAffine</c> does; a face much larger than the crop (scale below
/// about 0.5) will alias somewhat, as it does in InsightFace.
/// </remarks>
public sealed class FaceAligner
{
    /// <summary>Creates an aligner with the given border mode (default <see cref="WarpBorder.Black"/>).</summary>
    public FaceAligner(WarpBorder border = WarpBorder.Black)
    {
        if (!Enum.IsDefined(border))
        {
            throw new ArgumentOutOfRangeException(nameof(border), border, "Unknown border mode.");
        }

        Border = border;
    }

    /// <summary>How out-of-image pixels are filled.</summary>
    public WarpBorder Border { get; }

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
    /// <paramref name="source"/> sampled bilinearly at <c>sourceToCrop⁻¹(u, v)</c>.
    /// <paramref name="source"/> is not modified.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive.</exception>
    /// <exception cref="InvalidOperationException">The transform has zero scale.</exception>
    public RgbImage Warp(RgbImage source, SimilarityTransform sourceToCrop, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
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
