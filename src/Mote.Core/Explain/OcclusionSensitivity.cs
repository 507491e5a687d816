using System.Diagnostics;
using Mote.Core.Faces;
using Mote.Core.Imaging;
using Mote.Core.Templates;

namespace Mote.Core.Explain;

/// <summary>Options of <see cref="OcclusionSensitivity"/>.</summary>
public sealed record OcclusionOptions
{
    /// <summary>Cells per side; default 7 (a 7x7 map: 49 occluded crops plus the original, one batch).</summary>
    public int Grid { get; init; } = 7;

    /// <summary>The grey the patch is filled with (0..255); default 128, the middle of the range.</summary>
    public byte Fill { get; init; } = 128;
}

/// <summary>An occlusion map with the evidence it was computed from.</summary>
/// <param name="Map">Normalised evidence drop per cell.</param>
/// <param name="BaseEvidence">The unoccluded crop's evidence (<see cref="TemplateEvidence"/>).</param>
/// <param name="Drops">Raw evidence drop per cell (base minus occluded; negative = occluding raised it).</param>
/// <param name="ElapsedMs">Wall time of the batch.</param>
public sealed record OcclusionResult(ExplanationMap Map, float BaseEvidence, float[] Drops, double ElapsedMs);

/// <summary>
/// Occlusion sensitivity: a grey patch slid over a grid of the aligned face crop (the crop the backbone sees);
/// each occluded crop goes through the backbone (one batch) and the person's template; a cell's importance is
/// how much hiding it lowers the template's evidence. Needs nothing but <see cref="IFaceDescriber"/> and
/// <see cref="ITemplate"/>, so it works for any backbone, a user's own ONNX file included. Thread-safe.
/// </summary>
public static class OcclusionSensitivity
{
    /// <summary>The method name stored with the map.</summary>
    public const string Method = "occlusion";

    /// <summary>Computes the map for <paramref name="alignedCrop"/> (the backbone template's size). Mutates nothing.</summary>
    /// <exception cref="ArgumentException">The template's dimension differs from the backbone's, or the grid is out of 1…30.</exception>
    public static OcclusionResult Compute(IFaceDescriber describer, ITemplate template, RgbImage alignedCrop, OcclusionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(describer);
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(alignedCrop);
        options ??= new OcclusionOptions();
        if (options.Grid is < 1 or > 30)
        {
            throw new ArgumentException($"The occlusion grid must be 1…30 cells a side; got {options.Grid}.", nameof(options));
        }
        if (template.Dimension != describer.Dimension)
        {
            throw new ArgumentException($"The template scores {template.Dimension}-d descriptors but backbone '{describer.BackboneId}' gives {describer.Dimension}-d.", nameof(template));
        }
        var watch = Stopwatch.StartNew();
        var n = options.Grid;
        var crops = new List<RgbImage>(1 + (n * n)) { alignedCrop };
        for (var cy = 0; cy < n; cy++)
        {
            for (var cx = 0; cx < n; cx++)
            {
                var cell = CropGrid.Cell(alignedCrop.Width, alignedCrop.Height, n, n, cx, cy);
                crops.Add(CropGrid.Fill(alignedCrop, [cell], options.Fill));
            }
        }
        var descriptors = describer.Describe(crops);
        var baseEvidence = TemplateEvidence.Of(template, descriptors[0]);
        var drops = new float[n * n];
        for (var i = 0; i < drops.Length; i++)
        {
            drops[i] = baseEvidence - TemplateEvidence.Of(template, descriptors[i + 1]);
        }
        return new OcclusionResult(ExplanationMap.Normalized(Method, n, n, drops), baseEvidence, drops, watch.Elapsed.TotalMilliseconds);
    }
}

/// <summary>Cells of a grid over a crop and copies of the crop with cells filled grey.</summary>
public static class CropGrid
{
    /// <summary>Pixel rectangle (x, y, width, height) of cell (<paramref name="cx"/>, <paramref name="cy"/>) of a <paramref name="columns"/> x <paramref name="rows"/> grid; cells tile the crop exactly.</summary>
    public static (int X, int Y, int Width, int Height) Cell(int width, int height, int columns, int rows, int cx, int cy)
    {
        var x0 = cx * width / columns;
        var x1 = (cx + 1) * width / columns;
        var y0 = cy * height / rows;
        var y1 = (cy + 1) * height / rows;
        return (x0, y0, x1 - x0, y1 - y0);
    }

    /// <summary>A copy of <paramref name="image"/> with <paramref name="cells"/> filled with grey <paramref name="fill"/>.</summary>
    public static RgbImage Fill(RgbImage image, IEnumerable<(int X, int Y, int Width, int Height)> cells, byte fill)
    {
        ArgumentNullException.ThrowIfNull(image);
        var pixels = image.Pixels.ToArray();
        var stride = image.Stride;
        foreach (var (x, y, w, h) in cells)
        {
            for (var row = y; row < y + h; row++)
            {
                pixels.AsSpan((row * stride) + (x * RgbImage.Channels), w * RgbImage.Channels).Fill(fill);
            }
        }
        return RgbImage.FromPixels(image.Width, image.Height, pixels);
    }
}
