using Mote.Core.Population.Packs;
using Mote.Core.Templates;
using Mote.Gallery.People;

namespace Mote.Gallery.Decisions;

/// <summary>
/// A score as people read it: its log-odds and, where the population pack carries a real-impostor calibration and the
/// template's score is on its scale, the false-match rate expected at that score for the person's group.
/// </summary>
/// <param name="LogOdds">ln(score / (1 − score)) for model-templates; for vector templates the cosine.</param>
/// <param name="FalseMatchRate">Expected rate of strangers of the person's group scoring at least this, or null when uncalibrated.</param>
/// <param name="AtMost">The rate is an upper bound (the score is above every measured threshold).</param>
/// <param name="CalibrationGroup">The calibrated group the rate is read from (e.g. <c>female</c>), or null.</param>
public sealed record ScoreReading(double LogOdds, double? FalseMatchRate, bool AtMost, string? CalibrationGroup)
{
    /// <summary>"log-odds +2.4 · expected false-match rate 0.02 % (1 in 5,000)", or the log-odds alone when uncalibrated.</summary>
    public string Text => (FalseMatchRate is { } r ? $"expected false-match rate {ReadableScore.Rate(r, AtMost)} · " : "") + $"log-odds {ReadableScore.Signed(LogOdds)}";

    /// <summary>Reads <paramref name="score"/> of <paramref name="template"/> for a person of <paramref name="group"/>.</summary>
    /// <param name="template">The person's template.</param>
    /// <param name="population">The population pack (its calibrations), or null.</param>
    /// <param name="trainerSignature">The engine trainer's signature (which model-template calibration applies).</param>
    /// <param name="group">The person's group.</param>
    /// <param name="score">A score in <see cref="ITemplate.Score"/> units.</param>
    /// <param name="targetFmr">The person's target rate (chooses the most specific group that reaches it).</param>
    public static ScoreReading For(ITemplate template, PopulationPack? population, string? trainerSignature, PersonGroup group, float score, double targetFmr)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(group);
        var logOdds = template.Kind == TemplateKind.Vector ? score : CalibratedScale.LogOdds(score);
        if (population is null || CalibratedScale.For(template, population, trainerSignature) is not { } scale)
        {
            return new ScoreReading(logOdds, null, false, null);
        }

        var calibrated = scale.Calibration.GroupFor(group.Gender, group.Ethnicity, group.AgeBand, targetFmr);
        var fmr = RealImpostorCalibration.FmrAt(calibrated, scale.UnitFromRaw(scale.RawFromScore(score)), out var atMost);
        return new ScoreReading(logOdds, fmr, atMost, calibrated.Group);
    }
}
