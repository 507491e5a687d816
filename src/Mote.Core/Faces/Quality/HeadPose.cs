using Mote.Core.Faces.Alignment;

namespace Mote.Core.Faces.Quality;

/// <summary>Rough head pose from five 2-D landmarks.</summary>
public static class HeadPose
{
    /// <summary>
    /// Depth of the nose tip in front of the eye centres, as a fraction of the distance between the eye
    /// centres. 0.4 from the generic 3-D face used in OpenCV head-pose examples (nose tip at depth 0,
    /// eye corners at −135 with eye centres about ±165 apart, so about 130/330); an approximation, not a
    /// measurement on our data.
    /// </summary>
    public const double NoseDepthRatio = 0.4;

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
    /// the middle of the eye line, positive when it is nearer the image-right eye. Unaffected by roll.
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
