using Microsoft.Extensions.Configuration;
using Mote.Core.Templates;

namespace Mote.Gallery.Settings;

/// <summary>How people are enrolled and decided about. Bound from <c>Mote:Engine</c>.</summary>
public sealed class EngineSettings
{
    /// <summary>The configuration section these settings are bound from.</summary>
    public const string Section = "Mote:Engine";

    /// <summary>
    /// Binds the settings from <paramref name="configuration"/>'s <see cref="Section"/> (defaults where it is absent). The
    /// template kind must read <c>model</c> or <c>vector</c> (any case); anything else — a typo, or a number the binder
    /// would take for the enum's value — is refused by name rather than enrolling with a kind nobody chose.
    /// </summary>
    /// <exception cref="InvalidOperationException">The configured template kind is not <c>model</c> or <c>vector</c>.</exception>
    public static EngineSettings Bind(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(Section);
        var kind = section[nameof(TemplateKind)];
        if (!string.IsNullOrWhiteSpace(kind) && !TemplateKindNames.TryParse(kind.Trim().ToLowerInvariant(), out _))
        {
            throw new InvalidOperationException($"{Section}:{nameof(TemplateKind)} is '{kind}'; it must be 'model' (MOTE model-templates, the default) or 'vector' (the baseline).");
        }
        if (kind is not null && string.IsNullOrWhiteSpace(kind))
        {
            // Empty (an empty environment variable) meant the default when the kind was a string; the binder would refuse it for the enum.
            section = new ConfigurationBuilder().AddConfiguration(configuration)
                .AddInMemoryCollection([new KeyValuePair<string, string?>($"{Section}:{nameof(TemplateKind)}", TemplateKind.Model.ReportName())])
                .Build().GetSection(Section);
        }
        return section.Get<EngineSettings>() ?? new EngineSettings();
    }

    /// <summary>
    /// The population pack file used to synthesise training samples. Empty: the default pack that ships
    /// with Mote (built from research datasets; see docs/population.md). Relative paths resolve against the
    /// content root.
    /// </summary>
    public string? PopulationPack { get; set; }

    /// <summary>
    /// <see cref="Core.Templates.TemplateKind.Model"/> (MOTE model-templates, the default) or <see cref="Core.Templates.TemplateKind.Vector"/>
    /// (the baseline, for comparison); configured as <c>model</c> or <c>vector</c> (the binder reads enum names in any case).
    /// </summary>
    public TemplateKind TemplateKind { get; set; } = TemplateKind.Model;

    /// <summary>
    /// How a person's threshold is set: <c>own group</c> takes the threshold of their most specific demographic
    /// group (declared, else estimated) from the pack's real-impostor calibration; <c>worst group</c> the highest over every
    /// calibrated group; <c>own group, cosine-bounded</c> (the default; for model-templates with a <see cref="CorrectionCap"/>,
    /// otherwise the same as <c>own group</c>) raises the own-group threshold, where the person's group has no model-template
    /// curve of its own (or neither calibration measured their gender × ethnicity), until the template cannot
    /// accept a face its vector would refuse; <c>synthetic</c> calibrates on synthetic impostors only (the MOTE paper's way, which let through
    /// 8.8x its target of real impostors: docs/evaluation.md). Without a calibration in the pack, or for a template whose
    /// logits are not on the cosine scale (no anchor), the threshold falls back to synthetic.
    /// </summary>
    public string ThresholdPolicy { get; set; } = Core.Templates.CalibratedScale.BoundedPolicy;

    /// <summary>
    /// Anchored model-templates: logit = AnchorScale · (cos(x, reference) − AnchorCosine) + g(x); 0 trains the paper's
    /// plain MLP. Null (default): the value measured for the backbone the template is trained on
    /// (<see cref="TemplateTrainerOptions.EngineFor"/>; docs/evaluation.md).
    /// </summary>
    public double? AnchorScale { get; set; }

    /// <summary>Factor on the synthetic residuals of the positives. Default from <see cref="Core.Population.Sampling.TrainingSetOptions.Engine"/>.</summary>
    public double VariationScale { get; set; } = Core.Population.Sampling.TrainingSetOptions.Engine.VariationScale;

    /// <summary>Share of synthetic negatives drawn as hard negatives near the reference. Default from <see cref="Core.Population.Sampling.TrainingSetOptions.Engine"/>.</summary>
    public double HardNegativeShare { get; set; } = Core.Population.Sampling.TrainingSetOptions.Engine.HardNegativeShare;

    /// <summary>Training epochs at most (early stopping may end sooner). Default from <see cref="TemplateTrainerOptions.Engine"/>.</summary>
    public int MaxEpochs { get; set; } = TemplateTrainerOptions.Engine.MaxEpochs;

    /// <summary>The cosine at which the anchor term is zero. Null (default): the backbone's (<see cref="TemplateTrainerOptions.EngineFor"/>).</summary>
    public double? AnchorCosine { get; set; }

    /// <summary>
    /// Caps an anchored template's learned correction at this many logit units above its cosine anchor
    /// (<see cref="TemplateTrainerOptions.CorrectionCap"/>); null leaves it uncapped. Default from <see cref="TemplateTrainerOptions.Engine"/>.
    /// </summary>
    public double? CorrectionCap { get; set; } = TemplateTrainerOptions.Engine.CorrectionCap;

    /// <summary>
    /// How hard a raised negative weight guards the person against that group: logit units taken off a typical member's
    /// score per unit of ln(weight / level) (<see cref="Core.Templates.BalanceGuards"/>); 0 leaves the balance
    /// to the synthetic mix alone. Default from <see cref="TemplateTrainerOptions.Engine"/>.
    /// </summary>
    public double GuardStrength { get; set; } = TemplateTrainerOptions.Engine.GuardStrength;

    /// <summary>The false-match rate each person's threshold is set to. Default 1e-3.</summary>
    public double TargetFmr { get; set; } = 1e-3;

    /// <summary>Synthetic impostors drawn per negative group to calibrate a threshold. Default 2,000.</summary>
    public int CalibrationImpostorsPerGroup { get; set; } = 2000;

    /// <summary>The compact architecture (d→32→16→1) instead of the paper's (d→128→64→16→1). Default false.</summary>
    public bool CompactArchitecture { get; set; }

    /// <summary>Hidden-width jitter (±n units, per person) as privacy hardening. Default 0 (off).</summary>
    public int WidthJitter { get; set; }
}
