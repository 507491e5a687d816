using Mote.Core.Imaging;

namespace Mote.Core.Faces.Detection;

/// <summary>A detection candidate before suppression: box and keypoints in one coordinate frame, score 0..1.</summary>
/// <param name="Box">The box.</param>
/// <param name="Score">Probability that the box holds a face.</param>
/// <param name="Keypoints">The detector's keypoints in the same frame.</param>
public sealed record FaceCandidate(FaceBox Box, double Score, IReadOnlyList<Point2D> Keypoints);

/// <summary>
/// MediaPipe's weighted non-maximum suppression: the best remaining candidate and every candidate
/// overlapping it by more than the IoU threshold form a cluster; the cluster becomes one detection whose
/// box and keypoints are the score-weighted mean of the cluster's, with the best score. Pure function.
/// </summary>
/// <remarks>
/// Blending instead of discarding smooths the anchor-grid jitter of single boxes (MediaPipe's face
/// detection graph uses <c>WEIGHTED</c> suppression with IoU 0.3 for the same reason).
/// </remarks>
public static class WeightedNms
{
    /// <summary>
    /// Suppresses <paramref name="candidates"/> (not modified); returns the merged detections, best score first.
    /// </summary>
    /// <param name="candidates">Candidates, any order; all must have the same number of keypoints.</param>
    /// <param name="iouThreshold">Candidates overlapping the cluster head by more than this join it (MediaPipe: 0.3).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="iouThreshold"/> is outside [0, 1].</exception>
    public static IReadOnlyList<FaceCandidate> Apply(IEnumerable<FaceCandidate> candidates, double iouThreshold)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        if (!(iouThreshold >= 0 && iouThreshold <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(iouThreshold), iouThreshold, "The IoU threshold must lie in [0, 1].");
        }

        var remaining = candidates.OrderByDescending(c => c.Score).ToList();
        var result = new List<FaceCandidate>();
        while (remaining.Count > 0)
        {
            var head = remaining[0];
            var cluster = remaining.Where(c => c.Box.IntersectionOverUnion(head.Box) > iouThreshold || ReferenceEquals(c, head)).ToList();
            remaining.RemoveAll(cluster.Contains);
            result.Add(Blend(head, cluster));
        }

        return result;
    }

    private static FaceCandidate Blend(FaceCandidate head, List<FaceCandidate> cluster)
    {
        if (cluster.Count == 1)
        {
            return head;
        }

        double total = 0, x = 0, y = 0, r = 0, b = 0;
        var points = new (double X, double Y)[head.Keypoints.Count];
        foreach (var c in cluster)
        {
            var w = c.Score;
            total += w;
            x += w * c.Box.X;
            y += w * c.Box.Y;
            r += w * c.Box.Right;
            b += w * c.Box.Bottom;
            for (var k = 0; k < points.Length; k++)
            {
                points[k].X += w * c.Keypoints[k].X;
                points[k].Y += w * c.Keypoints[k].Y;
            }
        }

        if (total <= 0)
        {
            return head;
        }

        var box = new FaceBox(x / total, y / total, (r - x) / total, (b - y) / total);
        return new FaceCandidate(box, head.Score, points.Select(p => new Point2D(p.X / total, p.Y / total)).ToArray());
    }
}
