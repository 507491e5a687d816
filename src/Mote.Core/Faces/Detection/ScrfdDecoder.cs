using Mote.Core.Imaging;

namespace Mote.Core.Faces.Detection;

/// <summary>One raw SCRFD output tensor: its shape and values (row-major).</summary>
public sealed record ScrfdOutput(string Name, IReadOnlyList<int> Shape, float[] Values);

/// <summary>A face candidate in network-input pixels, before non-maximum suppression.</summary>
/// <param name="Box">Box in network-input pixels.</param>
/// <param name="Score">Detector score.</param>
/// <param name="Keypoints">Five keypoints (left eye, right eye, nose, left mouth, right mouth, image-left first), or empty for a model without keypoints.</param>
public sealed record ScrfdCandidate(FaceBox Box, double Score, IReadOnlyList<Point2D> Keypoints);

/// <summary>
/// Decodes SCRFD's per-stride heads the way InsightFace's <c>scrfd.py</c> does: strides 8, 16 and 32,
/// two anchors per cell, anchor centres at <c>(x·stride, y·stride)</c> for cell column x and row y (no
/// half-cell offset), anchors of one cell adjacent, cells row-major; box = centre ∓ distances
/// (left, top, right, bottom) × stride; keypoint k = centre + (dx, dy) × stride. Scores are already
/// sigmoids. Stateless, thread-safe.
/// </summary>
/// <remarks>
/// Outputs are matched by shape, not by name or position: InsightFace's exports name them with bare
/// numbers ("448", "471", …) and their order (score_8, score_16, score_32, bbox_8, …, kps_32) is only a
/// convention of the exporter. A head's last dimension says what it holds (1 score, 4 box distances, 10
/// keypoint offsets) and its row count says its stride (<c>(size / stride)² × 2</c>).
/// </remarks>
public static class ScrfdDecoder
{
    /// <summary>Feature strides of the 3-level SCRFD heads.</summary>
    public static IReadOnlyList<int> Strides { get; } = [8, 16, 32];

    /// <summary>Anchors per feature-map cell in the 3-level SCRFD models.</summary>
    public const int AnchorsPerCell = 2;

    /// <summary>
    /// All candidates scoring at least <paramref name="threshold"/>, in network-input pixels of a
    /// <paramref name="inputWidth"/>x<paramref name="inputHeight"/> input. <paramref name="outputs"/> is not modified.
    /// </summary>
    /// <exception cref="InvalidOperationException">The outputs are not one score and one box head per stride (plus optionally one keypoint head per stride); the message lists the shapes found.</exception>
    public static IReadOnlyList<ScrfdCandidate> Decode(IReadOnlyList<ScrfdOutput> outputs, int inputWidth, int inputHeight, double threshold)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        var heads = MatchHeads(outputs, inputWidth, inputHeight);
        var candidates = new List<ScrfdCandidate>();
        foreach (var (stride, scores, boxes, keypoints) in heads)
        {
            var columns = inputWidth / stride;
            for (var i = 0; i < scores.Length; i++)
            {
                if (scores[i] < threshold)
                {
                    continue;
                }

                var cell = i / AnchorsPerCell;
                var cx = (double)(cell % columns) * stride;
                var cy = (double)(cell / columns) * stride;
                var left = cx - (boxes[(i * 4) + 0] * stride);
                var top = cy - (boxes[(i * 4) + 1] * stride);
                var right = cx + (boxes[(i * 4) + 2] * stride);
                var bottom = cy + (boxes[(i * 4) + 3] * stride);
                var points = new Point2D[keypoints is null ? 0 : 5];
                for (var k = 0; k < points.Length; k++)
                {
                    points[k] = new Point2D(cx + (keypoints![(i * 10) + (2 * k)] * stride), cy + (keypoints[(i * 10) + (2 * k) + 1] * stride));
                }

                candidates.Add(new ScrfdCandidate(new FaceBox(left, top, right - left, bottom - top), scores[i], points));
            }
        }

        return candidates;
    }

    private static List<(int Stride, float[] Scores, float[] Boxes, float[]? Keypoints)> MatchHeads(IReadOnlyList<ScrfdOutput> outputs, int inputWidth, int inputHeight)
    {
        var heads = new List<(int, float[], float[], float[]?)>();
        var withKeypoints = outputs.Count == 9;
        if (outputs.Count != 6 && !withKeypoints)
        {
            throw new InvalidOperationException($"An SCRFD model with strides 8/16/32 has 6 or 9 outputs; this one has {outputs.Count}: {Describe(outputs)}.");
        }

        foreach (var stride in Strides)
        {
            var rows = (inputWidth / stride) * (inputHeight / stride) * AnchorsPerCell;
            var scores = Find(outputs, rows, 1, stride);
            var boxes = Find(outputs, rows, 4, stride);
            var keypoints = withKeypoints ? Find(outputs, rows, 10, stride) : null;
            heads.Add((stride, scores, boxes, keypoints));
        }

        return heads;
    }

    private static float[] Find(IReadOnlyList<ScrfdOutput> outputs, int rows, int width, int stride)
    {
        // Accept [rows, width] and a batched [1, rows, width].
        var matches = outputs.Where(o => o.Shape.Count >= 2 && o.Shape[^1] == width && o.Shape[^2] == rows && o.Shape.SkipLast(2).All(d => d == 1)).ToArray();
        return matches.Length == 1
            ? matches[0].Values
            : throw new InvalidOperationException(
                $"Expected exactly one SCRFD output of shape [{rows}, {width}] for stride {stride}; found {matches.Length} among {Describe(outputs)}.");
    }

    private static string Describe(IReadOnlyList<ScrfdOutput> outputs) =>
        string.Join(", ", outputs.Select(o => $"{o.Name}[{string.Join(",", o.Shape)}]"));
}
