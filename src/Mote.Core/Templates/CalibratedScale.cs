using Mote.Core.Population;
using Mote.Core.Population.Packs;

namespace Mote.Core.Templates;

/// <summary>
/// Which of a population pack's real-impostor calibrations a template's scores are read on, and how to move between the
/// template's raw score (a model-template's logit, a vector template's cosine) and the calibration's unit:
/// <list type="bullet">
/// <item>a model-template trained with the trainer signature the pack's <see cref="PopulationPack.ModelCalibration"/> was
/// measured with: its logit, directly;</item>
/// <item>another anchored model-template: the cosine calibration through its anchor (<c>logit / scale + cosine</c>; the
/// learned correction shifts this, so the evaluation reports how well it holds);</item>
/// <item>a vector template: the cosine calibration.</item>
/// </list>
/// The paper's plain MLP has no relation to either (null: synthetic calibration only).
/// </summary>
public sealed class CalibratedScale
{
    private readonly TemplateAnchor? anchor;

    private CalibratedScale(RealImpostorCalibration calibration, TemplateAnchor? anchor, bool isModel)
    {
        Calibration = calibration;
        this.anchor = anchor;
        IsModel = isModel;
    }

    /// <summary>The calibration scores are read on.</summary>
    public RealImpostorCalibration Calibration { get; }

    /// <summary>True for model-templates (raw score = logit, <see cref="ITemplate.Score"/> = sigmoid of it).</summary>
    public bool IsModel { get; }

    /// <summary>How the template's scores were related to the calibration, in words.</summary>
    public string Basis => !IsModel ? "cosine calibration" : anchor is null ? "model-template calibration" : "cosine calibration through the template's anchor";

    /// <summary>The scale for <paramref name="template"/>, or null when no calibration of <paramref name="pack"/> applies.</summary>
    /// <param name="template">The template.</param>
    /// <param name="pack">The population pack it was trained with.</param>
    /// <param name="trainerSignature">The signature of the trainer that made model-templates (<see cref="TemplateTrainerOptions.Signature"/>).</param>
    public static CalibratedScale? For(ITemplate template, PopulationPack pack, string? trainerSignature)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(pack);
        return ForKind(template.Kind, (template as ModelTemplate)?.Anchor, pack, trainerSignature);
    }

    /// <summary>As <see cref="For"/>, from the template's kind and anchor.</summary>
    public static CalibratedScale? ForKind(TemplateKind kind, TemplateAnchor? anchor, PopulationPack pack, string? trainerSignature)
    {
        ArgumentNullException.ThrowIfNull(pack);
        if (kind == TemplateKind.Vector)
        {
            return pack.Calibration is { } c ? new CalibratedScale(c, null, false) : null;
        }

        if (pack.ModelCalibration is { } m && trainerSignature is not null && string.Equals(m.Trainer, trainerSignature, StringComparison.Ordinal))
        {
            return new CalibratedScale(m, null, true);
        }

        return anchor is not null && pack.Calibration is { } cosine ? new CalibratedScale(cosine, anchor, true) : null;
    }

    /// <summary>The threshold policy that adds <see cref="CosineBound"/> to the own-group threshold.</summary>
    public const string BoundedPolicy = "own group, cosine-bounded";

    /// <summary>
    /// The cosine bound of a capped, anchored model-template (raw logit), or null where none applies. A capped correction
    /// never lifts the logit more than <paramref name="cap"/> above the anchor, so at a threshold of
    /// <c>anchor(t) + cap</c>, with t the person's own-group cosine threshold, the template accepts no face the vector's
    /// cosine threshold refuses: its false-match rate is at most the vector's. The bound applies where the curve this scale
    /// reads for the person is coarser than their cosine curve (their group has no model-template curve of its own), where
    /// neither calibration measured their gender × ethnicity (both read a coarser curve, as black people of a calibration
    /// population with few black faces do), and everywhere when this scale reads the cosine calibration through the
    /// anchor (no model-template calibration at all).
    /// </summary>
    /// <param name="templateAnchor">The template's anchor (null: not anchored, no bound).</param>
    /// <param name="cap">The correction cap the template was trained with (null: uncapped, no bound).</param>
    /// <param name="cosines">The pack's cosine calibration (null: none, no bound).</param>
    /// <param name="gender">The person's gender, if known.</param>
    /// <param name="ethnicity">The person's ethnicity, if known.</param>
    /// <param name="ageBand">The person's age band, if known.</param>
    /// <param name="fmr">The target false-match rate.</param>
    public (double Raw, string CosineGroup)? CosineBound(
        TemplateAnchor? templateAnchor, double? cap, RealImpostorCalibration? cosines, Gender? gender, Ethnicity? ethnicity, AgeBand? ageBand, double fmr)
    {
        if (!IsModel || templateAnchor is null || cap is not { } c || cosines is null)
        {
            return null;
        }

        var cosineGroup = cosines.GroupFor(gender, ethnicity, ageBand, fmr);
        var modelGroup = Calibration.GroupFor(gender, ethnicity, ageBand, fmr).Group;
        var ownCurve = !ReferenceEquals(Calibration, cosines)
            && string.Equals(modelGroup, cosineGroup.Group, StringComparison.Ordinal)
            && CoversKnownGroup(modelGroup, gender, ethnicity);
        return ownCurve || RealImpostorCalibration.ThresholdAt(cosineGroup, fmr) is not { } cosine
            ? null
            : (templateAnchor.LogitAt(cosine) + c, cosineGroup.Group);
    }

    /// <summary>
    /// Whether a curve read for a person is at least as specific as their gender × ethnicity (when both are known): a
    /// coarser curve (their gender's) says nothing about how the learned correction behaves among people of their
    /// ethnicity, which is where it was seen to run away (black faces on UTKFace, docs/evaluation.md).
    /// </summary>
    private static bool CoversKnownGroup(string group, Gender? gender, Ethnicity? ethnicity)
    {
        if (gender is null || ethnicity is null)
        {
            return true;
        }
        var known = new DemographicGroup(gender, ethnicity, null).Id;
        return string.Equals(group, known, StringComparison.Ordinal) || group.StartsWith(known + "|", StringComparison.Ordinal);
    }

    /// <summary>A threshold in the calibration's unit as a raw score (logit or cosine).</summary>
    public double RawFromUnit(double value) => anchor?.LogitAt(value) ?? value;

    /// <summary>A raw score (logit or cosine) in the calibration's unit.</summary>
    public double UnitFromRaw(double raw) => anchor?.CosineEquivalent(raw) ?? raw;

    /// <summary>A raw score as <see cref="ITemplate.Score"/> gives it (sigmoid of a logit; a cosine as it is).</summary>
    public float ScoreFromRaw(double raw) => IsModel ? ModelTemplate.Sigmoid((float)raw) : (float)raw;

    /// <summary>An <see cref="ITemplate.Score"/> value as a raw score (log-odds of a probability; a cosine as it is).</summary>
    public double RawFromScore(double score) => IsModel ? LogOdds(score) : score;

    /// <summary>The log-odds of a score in (0, 1) (±40 at the ends, where float sigmoids saturate).</summary>
    public static double LogOdds(double score) =>
        score <= 0 ? -40 : score >= 1 ? 40 : Math.Clamp(Math.Log(score / (1 - score)), -40, 40);
}
