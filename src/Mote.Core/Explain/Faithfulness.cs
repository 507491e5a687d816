using Mote.Core.Faces;
using Mote.Core.Imaging;
using Mote.Core.Templates;

namespace Mote.Core.Explain;

/// <summary>Options of <see cref="Faithfulness"/>.</summary>
public sealed record FaithfulnessOptions
{
    /// <summary>Cells per side of the grid the map is resampled to and cells are removed on; default 7.</summary>
    public int Grid { get; init; } = 7;

    /// <summary>Points on each curve after the start; default 7 (7 cells a step on a 7x7 grid), so the four curves take 4 x 8 = 32 crops in one batch.</summary>
    public int Steps { get; init; } = 7;

    /// <summary>The grey removed cells are filled with; default 128.</summary>
    public byte Fill { get; init; } = 128;

    /// <summary>Seed of the random maps the curves are compared with; default 0.</summary>
    public int Seed { get; init; }

    /// <summary>
    /// Random maps whose curves are averaged into the baseline; default 8. One random ordering is a noisy baseline: a map
    /// better than random orderings on average still loses to a lucky draw (on 196 lfw-dev decisions occlusion beat a single
    /// draw on both curves in 83.7 % of them; docs/explanations.md, "Faithfulness on real decisions"). Each costs
    /// 2 × (steps + 1) crops: 16 crops for the map and 128 for the baseline at the defaults.
    /// </summary>
    public int RandomMaps { get; init; } = 8;
}

/// <summary>
/// Deletion and insertion curves of a map and of seeded random maps (their areas averaged), as areas under the curve of the
/// template's evidence (<see cref="TemplateEvidence"/>: a model-template's logit, another template's score; the quantity the
/// maps measure drops of) against the fraction of cells removed (deletion, from the whole crop) or revealed
/// (insertion, from an all-grey crop), most important first. A faithful map has a deletion AUC below the
/// random map's and an insertion AUC above it. On the logit a rejected probe's curves still move (its sigmoid score sits at 0
/// for every cell removed, so a 0…1 score could not tell any map from a random one).
/// </summary>
/// <param name="Method">The map's method.</param>
/// <param name="DeletionAuc">Area under the deletion curve (lower = more faithful).</param>
/// <param name="InsertionAuc">Area under the insertion curve (higher = more faithful).</param>
/// <param name="RandomDeletionAuc">The random maps' mean deletion AUC.</param>
/// <param name="RandomInsertionAuc">The random maps' mean insertion AUC.</param>
/// <param name="Deletion">Deletion curve scores, start included.</param>
/// <param name="Insertion">Insertion curve scores, start included.</param>
/// <param name="RandomMaps">How many random maps the random AUCs average; 1 in explanations stored before 2026-12-07.</param>
/// <param name="Evidence">
/// What the curves measure: <see cref="LogitEvidence"/> or <see cref="ScoreEvidence"/>; null in explanations stored before
/// 2026-12-07, whose curves are the template's 0…1 score.
/// </param>
public sealed record FaithfulnessResult(
    string Method, double DeletionAuc, double InsertionAuc, double RandomDeletionAuc, double RandomInsertionAuc, float[] Deletion, float[] Insertion, string? Evidence = null, int RandomMaps = 1)
{
    /// <summary><see cref="Evidence"/> of a model-template: its logit (log-odds).</summary>
    public const string LogitEvidence = "logit";

    /// <summary><see cref="Evidence"/> of any other template: its score.</summary>
    public const string ScoreEvidence = "score";

    /// <summary>True when the map beats the random map on both curves.</summary>
    public bool BeatsRandom => DeletionAuc < RandomDeletionAuc && InsertionAuc > RandomInsertionAuc;
}

/// <summary>Computes <see cref="FaithfulnessResult"/>s. Thread-safe; mutates nothing.</summary>
public static class Faithfulness
{
    /// <summary>Curves for <paramref name="map"/> (resampled to the grid) and <see cref="FaithfulnessOptions.RandomMaps"/> seeded random maps, in one backbone batch.</summary>
    /// <exception cref="ArgumentException">Grid out of 1…30, steps out of 1…grid², or no random map.</exception>
    public static FaithfulnessResult Compute(IFaceDescriber describer, ITemplate template, RgbImage alignedCrop, ExplanationMap map, FaithfulnessOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(describer);
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(alignedCrop);
        ArgumentNullException.ThrowIfNull(map);
        options ??= new FaithfulnessOptions();
        var n = options.Grid;
        if (n is < 1 or > 30 || options.Steps < 1 || options.Steps > n * n || options.RandomMaps < 1)
        {
            throw new ArgumentException($"Grid must be 1…30, steps 1…grid² and random maps at least 1; got grid {n}, steps {options.Steps}, random maps {options.RandomMaps}.", nameof(options));
        }
        var cells = n * n;
        var grid = map.Resampled(n, n).Values;
        // Most important first; ties keep reading order so the result is deterministic.
        var order = Enumerable.Range(0, cells).OrderByDescending(i => grid[i]).ThenBy(i => i).ToArray();
        var draw = new Random(options.Seed);
        var rankings = new List<int[]> { order };
        for (var r = 0; r < options.RandomMaps; r++)
        {
            var random = Enumerable.Range(0, cells).ToArray();
            draw.Shuffle(random);
            rankings.Add(random);
        }

        var crops = new List<RgbImage>();
        foreach (var ranking in rankings)
        {
            crops.AddRange(Curve(alignedCrop, ranking, n, options, deletion: true));
            crops.AddRange(Curve(alignedCrop, ranking, n, options, deletion: false));
        }
        var descriptors = describer.Describe(crops);
        var scores = descriptors.Select(d => TemplateEvidence.Of(template, d)).ToArray();
        var points = options.Steps + 1;
        var deletion = scores[..points];
        var insertion = scores[points..(2 * points)];
        // The AUC is linear in the curve, so the mean of the random maps' AUCs is the AUC of their mean curve.
        var randomDeletion = Enumerable.Range(1, options.RandomMaps).Average(r => Auc(scores[(2 * r * points)..(((2 * r) + 1) * points)]));
        var randomInsertion = Enumerable.Range(1, options.RandomMaps).Average(r => Auc(scores[(((2 * r) + 1) * points)..((2 * r + 2) * points)]));
        return new FaithfulnessResult(map.Method, Auc(deletion), Auc(insertion), randomDeletion, randomInsertion, deletion, insertion,
            template is ModelTemplate ? FaithfulnessResult.LogitEvidence : FaithfulnessResult.ScoreEvidence, options.RandomMaps);
    }

    private static IEnumerable<RgbImage> Curve(RgbImage crop, int[] ranking, int n, FaithfulnessOptions options, bool deletion)
    {
        var cells = n * n;
        for (var step = 0; step <= options.Steps; step++)
        {
            var count = (int)Math.Round((double)step * cells / options.Steps);
            // Deletion greys the first `count` cells; insertion greys all but them.
            var grey = deletion ? ranking.Take(count) : ranking.Skip(count);
            yield return CropGrid.Fill(crop, grey.Select(i => CropGrid.Cell(crop.Width, crop.Height, n, n, i % n, i / n)), options.Fill);
        }
    }

    /// <summary>Trapezoid area under evenly spaced points over [0, 1].</summary>
    public static double Auc(IReadOnlyList<float> curve)
    {
        ArgumentNullException.ThrowIfNull(curve);
        if (curve.Count < 2)
        {
            return curve.Count == 1 ? curve[0] : 0;
        }
        var sum = 0.0;
        for (var i = 1; i < curve.Count; i++)
        {
            sum += (curve[i - 1] + curve[i]) / 2.0;
        }
        return sum / (curve.Count - 1);
    }
}
