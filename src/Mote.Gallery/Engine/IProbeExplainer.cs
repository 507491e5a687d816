using Mote.Core.Explain;
using Mote.Core.Imaging;
using Mote.Core.Templates;

namespace Mote.Gallery.Engine;

/// <summary>An explanation of one face of a probe against a template, with the aligned crop it was computed on.</summary>
public sealed record ProbeExplanation(DecisionExplanation Explanation, RgbImage AlignedCrop);

/// <summary>
/// Explains decisions (<see cref="DecisionExplainer"/>) on the probe face the decision used.
/// Implemented by <see cref="PipelineFaceAnalyzer"/>; an analyzer without it gives decisions no explanation.
/// </summary>
public interface IProbeExplainer
{
    /// <summary>Explains the decision <paramref name="score"/> vs <paramref name="threshold"/> of <paramref name="template"/> on face <paramref name="faceIndex"/> of the probe.</summary>
    /// <param name="probe">The probe photo.</param>
    /// <param name="faceIndex">The decided face, largest first (0 = largest), as the decision's analysis numbered it.</param>
    /// <param name="template">The person's template.</param>
    /// <param name="score">The decision's score.</param>
    /// <param name="threshold">The decision's threshold.</param>
    /// <param name="context">Builds the score context from the probe's descriptor, or returns null.</param>
    /// <param name="seed">Seed of the faithfulness comparison's random map.</param>
    /// <param name="ct">Cancels before the work starts.</param>
    /// <param name="accepted">The decision's stored outcome (it picks the occlusion variant); null: score at or above threshold.</param>
    /// <returns>Null when the probe no longer yields that face.</returns>
    ProbeExplanation? Explain(ReadOnlyMemory<byte> probe, int faceIndex, ITemplate template, float score, float threshold, Func<float[], ScoreContext?> context, int seed, CancellationToken ct, bool? accepted = null);

    /// <summary>Explains the decision on the aligned face and descriptor the decision itself computed (<see cref="AnalyzedFace.AlignedCrop"/>): no detection, no upload.</summary>
    /// <param name="alignedCrop">The aligned probe face, as the backbone saw it.</param>
    /// <param name="descriptor">Its descriptor, as the decision scored it.</param>
    /// <param name="template">The person's template.</param>
    /// <param name="score">The decision's score.</param>
    /// <param name="threshold">The decision's threshold.</param>
    /// <param name="context">Builds the score context from the descriptor, or returns null.</param>
    /// <param name="seed">Seed of the faithfulness comparison's random map.</param>
    /// <param name="accepted">The decision's stored outcome (it picks the occlusion variant); null: score at or above threshold.</param>
    ProbeExplanation ExplainAligned(RgbImage alignedCrop, float[] descriptor, ITemplate template, float score, float threshold, Func<float[], ScoreContext?> context, int seed, bool? accepted = null);
}
