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

    /// <summary>
    /// How a cell's importance is measured: <see cref="OcclusionSensitivity.HiddenAlone"/> (default; the drop when the cell
    /// alone is hidden, 49 + 1 crops) or <see cref="OcclusionSensitivity.BothEnds"/> (that drop plus the gain when the cell
    /// alone is shown on an all-grey crop, 2 × 49 + 2 crops).
    /// </summary>
    public string Variant { get; init; } = OcclusionSensitivity.HiddenAlone;
}

/// <summary>An occlusion map with the evidence it was computed from.</summary>
/// <param name="Map">Normalised evidence drop per cell.</param>
/// <param name="BaseEvidence">The unoccluded crop's evidence (<see cref="TemplateEvidence"/>).</param>
/// <param name="Drops">Raw evidence drop per cell (base minus occluded; negative = occluding raised it).</param>
/// <param name="ElapsedMs">Wall time of the batch.</param>
/// <param name="Variant">The variant computed (<see cref="OcclusionOptions.Variant"/>).</param>
/// <param name="Gains">For <see cref="OcclusionSensitivity.BothEnds"/>: raw evidence gain per cell when it alone is shown on an
/// all-grey crop (shown minus all grey); null for <see cref="OcclusionSensitivity.HiddenAlone"/>.</param>
public sealed record OcclusionResult(ExplanationMap Map, float BaseEvidence, float[] Drops, double ElapsedMs,
    string Variant = OcclusionSensitivity.HiddenAlone, float[]? Gains = null);

/// <summary>
/// Occlusion sensitivity: a grey patch slid over a grid of the aligned face crop (the crop the backbone sees);
/// each occluded crop goes through the backbone (one batch) and the person's template; a cell's importance is
/// how much hiding it lowers the template's evidence (<see cref="HiddenAlone"/>), or that plus how much showing it alone on an
/// all-grey crop raises the evidence (<see cref="BothEnds"/>: the first and last terms of the cell's Shapley value over the
/// grid; the explainer uses it for rejected decisions, docs/explanations.md). Needs nothing but <see cref="IFaceDescriber"/> and
/// <see cref="ITemplate"/>, so it works for any backbone, a user's own ONNX file included. Thread-safe.
/// </summary>
public static class OcclusionSensitivity
{
    /// <summary>The method name stored with the map.</summary>
    public const string Method = "occlusion";

    /// <summary>The variant that ranks cells by how much hiding each alone lowers the evidence (49 + 1 crops).</summary>
    public const string HiddenAlone = "hidden-alone";

    /// <summary>The variant that adds to that drop how much showing each cell alone on an all-grey crop raises the evidence (2 × 49 + 2 crops).</summary>
    public const string BothEnds = "both-ends";

    /// <summary>
    /// The variant the product computes for a decision: <see cref="HiddenAlone"/> for an accepted one, <see cref="BothEnds"/>
    /// for a rejected one (measured on lfw-dev, docs/explanations.md: showing cells alone helps the insertion curve of
    /// rejections and dilutes the drops of accepted faces).
    /// </summary>
    public static string VariantFor(bool accepted) => accepted ? HiddenAlone : BothEnds;

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
        var bothEnds = options.Variant switch
        {
            HiddenAlone => false,
            BothEnds => true,
            _ => throw new ArgumentException($"Unknown occlusion variant '{options.Variant}'; expected '{HiddenAlone}' or '{BothEnds}'.", nameof(options)),
        };
        if (template.Dimension != describer.Dimension)
        {
            throw new ArgumentException($"The template scores {template.Dimension}-d descriptors but backbone '{describer.BackboneId}' gives {describer.Dimension}-d.", nameof(template));
        }
        var watch = Stopwatch.StartNew();
        var n = options.Grid;
        var cells = new List<(int X, int Y, int Width, int Height)>(n * n);
        for (var cy = 0; cy < n; cy++)
        {
            for (var cx = 0; cx < n; cx++)
            {
                cells.Add(CropGrid.Cell(alignedCrop.Width, alignedCrop.Height, n, n, cx, cy));
            }
        }
        // Batch: the original, each cell hidden alone; for both ends also the all-grey crop and each cell shown alone on it.
        var crops = new List<RgbImage>(bothEnds ? 2 + (2 * n * n) : 1 + (n * n)) { alignedCrop };
        crops.AddRange(cells.Select(cell => CropGrid.Fill(alignedCrop, [cell], options.Fill)));
        if (bothEnds)
        {
            crops.Add(CropGrid.Fill(alignedCrop, cells, options.Fill));
            for (var i = 0; i < cells.Count; i++)
            {
                var keep = i;
                crops.Add(CropGrid.Fill(alignedCrop, cells.Where((_, j) => j != keep), options.Fill));
            }
        }
        var descriptors = describer.Describe(crops);
        var baseEvidence = TemplateEvidence.Of(template, descriptors[0]);
        var drops = new float[n * n];
        for (var i = 0; i < drops.Length; i++)
        {
            drops[i] = baseEvidence - TemplateEvidence.Of(template, descriptors[i + 1]);
        }
        if (!bothEnds)
        {
            return new OcclusionResult(ExplanationMap.Normalized(Method, n, n, drops), baseEvidence, drops, watch.Elapsed.TotalMilliseconds);
        }
        var greyEvidence = TemplateEvidence.Of(template, descriptors[1 + (n * n)]);
        var gains = new float[n * n];
        var sums = new float[n * n];
        for (var i = 0; i < gains.Length; i++)
        {
            gains[i] = TemplateEvidence.Of(template, descriptors[2 + (n * n) + i]) - greyEvidence;
            sums[i] = drops[i] + gains[i];
        }
        return new OcclusionResult(ExplanationMap.Normalized(Method, n, n, sums), baseEvidence, drops, watch.Elapsed.TotalMilliseconds, BothEnds, gains);
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
