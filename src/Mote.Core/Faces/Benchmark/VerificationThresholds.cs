using Mote.Core.Faces.Descriptors;

namespace Mote.Core.Faces.Benchmark;

/// <summary>
/// Default cosine decision thresholds per backbone: the accuracy-maximising threshold measured by
/// <see cref="FaceBench"/> on LFW (lfw-dev), see <c>docs/faces.md</c> for the run and the command.
/// </summary>
public static class VerificationThresholds
{
    /// <summary>The threshold for <paramref name="backboneId"/>.</summary>
    /// <exception cref="ArgumentException">No threshold has been measured for the backbone.</exception>
    public static double For(string backboneId) => backboneId switch
    {
        DlibResNetDescriber.Id => DlibResNet,
        MobileFaceDescriber.Id => MobileFace,
        FacepluginDescriber.Id => FacepluginFr,
        FusedFaceDescriber.Id => Fused,
        _ => throw new ArgumentException($"No decision threshold has been measured for backbone '{backboneId}'.", nameof(backboneId)),
    };

    /// <summary>
    /// dlib ResNet, 68-point alignment: 0.908, the accuracy-maximising threshold over 3000 + 3000 lfw-dev pairs
    /// (seed 1, 10-fold accuracy 0.9862, 2026-11-29). TAR at FAR 1e-3 needs 0.924.
    /// </summary>
    public const double DlibResNet = 0.908;

    /// <summary>
    /// MobileFace, 68-point alignment: 0.204, the accuracy-maximising threshold over 3000 + 3000 lfw-dev pairs
    /// (seed 1, 10-fold accuracy 0.9323, 2026-11-29). TAR at FAR 1e-3 needs 0.365.
    /// </summary>
    public const double MobileFace = 0.204;

    /// <summary>
    /// faceplugin's fr_feature, 68-point alignment: 0.269, the accuracy-maximising threshold over 1000 + 1000 lfw-dev
    /// pairs (seed 5, 10-fold accuracy 0.9895, 2026-12-05). TAR at FAR 1e-3 needs 0.314.
    /// </summary>
    public const double FacepluginFr = 0.269;

    /// <summary>
    /// The fused backbone (dlib ResNet + faceplugin's fr_feature, concatenated; its cosine is the mean of the two parts'
    /// cosines), 68-point alignment: 0.600, the accuracy-maximising threshold over 1000 + 1000 lfw-dev pairs (seed 5,
    /// 10-fold accuracy 0.9910, 2026-12-05). TAR at FAR 1e-3 (0.985) needs 0.600 as well.
    /// </summary>
    public const double Fused = 0.600;

    /// <summary>
    /// The cosine at which <paramref name="backboneId"/> reached FAR 1e-3 on lfw-dev pairs (the figures above: dlib-resnet
    /// 0.924, mobileface 0.365, faceplugin-fr 0.314, fused 0.600): the stricter threshold a door would use, for checks that
    /// ask whether a photo is still recognised at that rate (<see cref="QualityAudit"/>).
    /// </summary>
    /// <exception cref="ArgumentException">No threshold has been measured for the backbone.</exception>
    public static double AtFar1e3For(string backboneId) => backboneId switch
    {
        DlibResNetDescriber.Id => 0.924,
        MobileFaceDescriber.Id => 0.365,
        FacepluginDescriber.Id => 0.314,
        FusedFaceDescriber.Id => Fused,
        _ => throw new ArgumentException($"No FAR 1e-3 threshold has been measured for backbone '{backboneId}'.", nameof(backboneId)),
    };
}
