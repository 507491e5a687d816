namespace Mote.Core.Faces.Detection;

/// <summary>Greedy non-maximum suppression, as in InsightFace's <c>SCRFD.nms</c>. Stateless, thread-safe.</summary>
public static class NonMaximumSuppression
{
    /// <summary>
    /// Keeps candidates best score first, dropping every candidate whose IoU with an already kept one is
    /// above <paramref name="iouThreshold"/>. Returns a new list; <paramref name="candidates"/> is not modified.
    /// </summary>
    /// <remarks>
    /// IoU is the continuous box overlap (<see cref="FaceBox.IntersectionOverUnion"/>); InsightFace adds 1 to
    /// widths and heights as if coordinates were inclusive pixel indices, which changes IoU by well under
    /// 1% for faces over 40 px.
    /// </remarks>
    public static IReadOnlyList<ScrfdCandidate> Apply(IReadOnlyList<ScrfdCandidate> candidates, double iouThreshold)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        var kept = new List<ScrfdCandidate>();
        // OrderByDescending is stable, so equal scores keep their decoding order (stride 8 first) and results are deterministic.
        foreach (var candidate in candidates.OrderByDescending(c => c.Score))
        {
            if (kept.All(k => k.Box.IntersectionOverUnion(candidate.Box) <= iouThreshold))
            {
                kept.Add(candidate);
            }
        }

        return kept;
    }
}
