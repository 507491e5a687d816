using Mote.Core.Faces.Alignment;

namespace Mote.Core.Faces.Quality;

/// <summary>Rough head pose from five 2-D landmarks.</summary>
public static class HeadPose
{
    /// <summary>
    /// Depth of the nose tip in front of the eye centres, as a fraction of the distance between the eye
    /// centres. 0.55, measured on lfw-dev (2026-12-05, first photo of each of 4,036 identities, face-api's
    /// 68-point landmarks; docs/faces.md "Yaw estimate"): a turn foreshortens the eye distance by cos θ while
    /// the eye–mouth height stays, so the median ratio eye distance / eye–mouth height, binned by the nose's
    /// offset from the eye midpoint, gives θ for each offset independently of the nose; for offsets of 0.25 to
    /// 0.47 eye distances (the range the yaw limit acts on) that fits a depth of 0.52 to 0.57. The former 0.4
    /// (a generic 3-D head) read those faces about 1.4 times too far turned, e.g. a 25° turn as 33°.
    /// </summary>
    public const double NoseDepthRatio = 0.55;

    /// <summary>
    /// In-plane rotation of the eye line in degrees: 0 when the eyes are level, positive when the
    /// image-right eye is lower (the head tilts clockwise on screen).
    /// </summary>
    public static double RollDegrees(FivePointLandmarks landmarks)
    {
        var dx = landmarks.RightEye.X - landmarks.LeftEye.X;
        var dy = landmarks.RightEye.Y - landmarks.LeftEye.Y;
        return Math.Atan2(dy, dx) * 180 / Math.PI;
    }

    /// <summary>
    /// Yaw estimate in degrees from where the nose tip falls between the eyes: 0 when it projects onto
    /// the middle of the eye line, positive when it is nearer the image-right eye; a mirrored photo gives
    /// the opposite sign. Unaffected by roll. On lfw-dev the median is 0.0° (frontal faces read near 0).
    /// </summary>
    /// <remarks>
    /// Model: eyes at ±e/2 and the nose tip <see cref="NoseDepthRatio"/>·e in front of them, seen
    /// orthographically; turning by θ moves the eyes to ±(e/2)·cos θ and the nose to
    /// <see cref="NoseDepthRatio"/>·e·sin θ, so the nose's fraction along the eye line is
    /// <c>t = 0.5 + NoseDepthRatio · tan θ</c>, inverted here. Rough: faces differ in nose depth, and
    /// landmark detectors drift on turned faces, so use it for a threshold, not as a measurement.
    /// </remarks>
    /// <exception cref="ArgumentException">Both eyes are at the same point.</exception>
    public static double YawDegrees(FivePointLandmarks landmarks)
    {
        var ex = landmarks.RightEye.X - landmarks.LeftEye.X;
        var ey = landmarks.RightEye.Y - landmarks.LeftEye.Y;
        var length2 = (ex * ex) + (ey * ey);
        if (length2 < 1e-12)
        {
            throw new ArgumentException("Both eye landmarks are at the same point; yaw is undefined.", nameof(landmarks));
        }

        var t = (((landmarks.Nose.X - landmarks.LeftEye.X) * ex) + ((landmarks.Nose.Y - landmarks.LeftEye.Y) * ey)) / length2;
        return Math.Atan((t - 0.5) / NoseDepthRatio) * 180 / Math.PI;
    }
}
