using Mote.Core.Imaging;

namespace Mote.Core.Faces.Detection;

/// <summary>
/// Turns BlazeFace's raw outputs into candidates in input pixels: per anchor a score logit and 16
/// regressors (box centre offset x, y, box width, height, then six keypoint offsets x, y), all in input
/// pixels relative to the anchor centre. Pure function.
/// </summary>
/// <remarks>
/// Keypoint order (MediaPipe): image-left eye, image-right eye, nose tip, mouth centre, image-left ear
/// tragion, image-right ear tragion (checked on the face-api demo photos: point 0 lies left of point 1).
/// Logits are clamped to ±100 before the sigmoid as MediaPipe does, so overflow cannot yield NaN.
/// </remarks>
public static class BlazeFaceDecoder
{
    /// <summary>Values per anchor in the regressor output.</summary>
    public const int RegressorsPerAnchor = 16;

    /// <summary>Number of keypoints per face.</summary>
    public const int KeypointCount = 6;

    /// <summary>
    /// Candidates whose sigmoid score is at least <paramref name="minScore"/>, unsorted, in input pixels.
    /// </summary>
    /// <param name="regressors">anchors.Length × 16 values, in anchor order.</param>
    /// <param name="logits">anchors.Length score logits.</param>
    /// <param name="anchors">From <see cref="BlazeFaceAnchors.Generate"/>.</param>
    /// <param name="minScore">Lowest kept probability, 0..1.</param>
    /// <exception cref="ArgumentException">The lengths disagree.</exception>
    public static List<FaceCandidate> Decode(ReadOnlySpan<float> regressors, ReadOnlySpan<float> logits, IReadOnlyList<Point2D> anchors, double minScore)
    {
        ArgumentNullException.ThrowIfNull(anchors);
        if (logits.Length != anchors.Count || regressors.Length != anchors.Count * RegressorsPerAnchor)
        {
            throw new ArgumentException(
                $"BlazeFace outputs do not match {anchors.Count} anchors: {logits.Length} scores and {regressors.Length} regressors (expected {anchors.Count * RegressorsPerAnchor}).",
                nameof(regressors));
        }

        var result = new List<FaceCandidate>();
        for (var i = 0; i < anchors.Count; i++)
        {
            var score = Sigmoid(logits[i]);
            if (score < minScore)
            {
                continue;
            }

            var r = regressors.Slice(i * RegressorsPerAnchor, RegressorsPerAnchor);
            var anchor = anchors[i];
            var cx = anchor.X + r[0];
            var cy = anchor.Y + r[1];
            var w = r[2];
            var h = r[3];
            if (!(w > 0 && h > 0))
            {
                continue;
            }

            var keypoints = new Point2D[KeypointCount];
            for (var k = 0; k < KeypointCount; k++)
            {
                keypoints[k] = new Point2D(anchor.X + r[4 + (2 * k)], anchor.Y + r[5 + (2 * k)]);
            }

            result.Add(new FaceCandidate(new FaceBox(cx - (w / 2), cy - (h / 2), w, h), score, keypoints));
        }

        return result;
    }

    /// <summary>The logistic function of a logit clamped to ±100.</summary>
    public static double Sigmoid(double logit) => 1 / (1 + Math.Exp(-Math.Clamp(logit, -100, 100)));
}
