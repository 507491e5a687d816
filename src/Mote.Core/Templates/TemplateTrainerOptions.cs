namespace Mote.Core.Templates;

/// <summary>
/// Options of <see cref="TemplateTrainer"/>. Defaults follow the MOTE paper's reference code: MLP
/// d→128→64→16→1, dropout 0.5, AdamW (lr 1.5e-3, weight decay 5e-5), one-cycle LR with maximum 1e-2
/// stepped per batch, batch 128, at most 120 epochs, early stopping with patience 5.
/// </summary>
public sealed record TemplateTrainerOptions
{
    /// <summary>Hidden widths between the input and the logit; default [128, 64, 16].</summary>
    public IReadOnlyList<int> HiddenWidths { get; init; } = [128, 64, 16];

    /// <summary>Per-person jitter of each hidden width, ± this many units (seeded); default 0 (off). 10 is the suggested privacy hardening.</summary>
    public int WidthJitter { get; init; }

    /// <summary>Dropout probability after each hidden ReLU while training; default 0.5.</summary>
    public double Dropout { get; init; } = 0.5;

    /// <summary>AdamW base learning rate; default 1.5e-3 (the one-cycle schedule then sets the rate each batch).</summary>
    public double LearningRate { get; init; } = 1.5e-3;

    /// <summary>AdamW weight decay; default 5e-5.</summary>
    public double WeightDecay { get; init; } = 5e-5;

    /// <summary>Peak learning rate of the one-cycle schedule; default 1e-2.</summary>
    public double MaxLearningRate { get; init; } = 1e-2;

    /// <summary>Mini-batch size; default 128.</summary>
    public int BatchSize { get; init; } = 128;

    /// <summary>Maximum number of epochs; default 120.</summary>
    public int MaxEpochs { get; init; } = 120;

    /// <summary>Epochs without a validation-loss improvement before stopping; default 5.</summary>
    public int Patience { get; init; } = 5;

    /// <summary>Fraction of each class held out (stratified, seeded) for validation; default 0.2.</summary>
    public double ValidationFraction { get; init; } = 0.2;

    /// <summary>
    /// Torch intra-op threads during training; default 1. The network is small (batches of 128 × 128), so
    /// thread hand-offs cost more than they save, and under CPU contention OpenMP's barriers stall: measured
    /// on this 2-core machine at load average 25, 10 epochs over 2,000 + 4,000 samples took 32–37 s with
    /// 2 threads and 1.3–2.7 s with 1. Results were bit-identical for a seed either way (and between 1 and 2
    /// threads), so the setting is about speed, not determinism. Throughput comes from concurrent enrollments
    /// instead. Note: torch's thread setting is process-wide.
    /// </summary>
    public int IntraOpThreads { get; init; } = 1;

    /// <summary>
    /// Logit units per unit of cosine of the anchored architecture, <c>logit = AnchorScale · (cos(x, r) − AnchorCosine) + g(x)</c>
    /// with g the MLP of <see cref="HiddenWidths"/> (its last layer starting at 0); 0 turns the anchor off and trains the
    /// paper's plain MLP. Default 0 here (the paper); the engine's default is set by measurement (docs/evaluation.md, third round).
    /// </summary>
    public double AnchorScale { get; init; }

    /// <summary>The cosine at which the anchor term is zero (see <see cref="AnchorScale"/>); default 0.9.</summary>
    public double AnchorCosine { get; init; } = 0.9;

    /// <summary>
    /// Caps the anchored template's learned correction: <c>logit = AnchorScale · (cos − AnchorCosine) + min(g(x), CorrectionCap)</c>,
    /// in training and in the stored MLP (folded: one more layer of three units). With it, g can lift no face more than this
    /// many logit units above its cosine anchor, so a correction that runs away on faces unlike any training sample cannot
    /// carry a stranger past the threshold (measured: black faces on UTKFace, docs/evaluation.md); 0 lets g only lower a score.
    /// Null (default here, the paper) leaves g uncapped; the engine's default (2) is set by measurement: with it and the
    /// <c>own group, cosine-bounded</c> threshold policy every group of an independent UTKFace check kept its promised rate
    /// (docs/evaluation.md, "The default switched").
    /// </summary>
    public double? CorrectionCap { get; init; }

    /// <summary>
    /// Logit units a person's guard against a raised group takes off a typical member of that group per unit of
    /// <c>ln(weight / level)</c> (<see cref="BalanceGuards"/>); 0 leaves the balance to the synthetic
    /// mix alone, as in the paper. Default 4 (a group raised to 3× the others: 4.4 log-odds off a typical member). Measured
    /// with <c>mote balance-check</c> on 50 lfw-dev people × 3 groups raised 3× (docs/evaluation.md, "The balance knob"):
    /// strength 2 lowered the rate in 97.3 % of cases on synthetic and 79.3 % on real UTKFace impostors, strength 4 in
    /// 100 % and 89.3 %. Not part of <see cref="Signature"/>: an equal balance has no guard, so the calibration does not
    /// depend on it.
    /// </summary>
    public double GuardStrength { get; init; } = 4;

    /// <summary>Storage precision of the resulting template; default float32.</summary>
    public WeightPrecision Precision { get; init; } = WeightPrecision.Float32;

    /// <summary>The paper's architecture with all defaults (no anchor).</summary>
    public static TemplateTrainerOptions Default { get; } = new();

    /// <summary>
    /// What the Gallery trains by default: the paper's MLP as a small correction on a cosine anchor (chosen by the third
    /// evaluation round), capped at 2 logit units above the anchor (docs/evaluation.md).
    /// </summary>
    public static TemplateTrainerOptions Engine { get; } = new() { AnchorScale = 20, AnchorCosine = 0.9, MaxEpochs = 20, CorrectionCap = 2 };

    /// <summary>
    /// <see cref="Engine"/> with the anchor measured for <paramref name="backboneId"/>: the anchor sits where that backbone's
    /// strangers and genuine pairs meet, and its cosines spread differently per backbone. dlib-resnet: scale 20 at cosine 0.9
    /// (third evaluation round); faceplugin-fr: scale 4 at cosine 0.35 (its cosines spread about five times wider, so the cap of
    /// 2 log-odds is 0.5 cosine units, the same share of the genuine–impostor gap as on dlib; docs/evaluation.md, "The stronger
    /// backbone"). fused: scale 6.67 at cosine 0.625, derived from its parts rather than measured: its cosine is the mean of
    /// the two parts' cosines, so the anchor cosine is the mean of theirs and the cap spans the mean of their cap widths
    /// (0.1 and 0.5 cosine units, so 0.3: scale 2 / 0.3); its pack's curves are calibrated with it (docs/population.md).
    /// Backbones without an anchor of their own (mobileface, custom) get dlib-resnet's.
    /// </summary>
    public static TemplateTrainerOptions EngineFor(string backboneId) => backboneId switch
    {
        "faceplugin-fr" => Engine with { AnchorScale = 4, AnchorCosine = 0.35 },
        "fused" => Engine with { AnchorScale = 6.67, AnchorCosine = 0.625 },
        _ => Engine,
    };

    /// <summary>A compact d→32→16→1 architecture, otherwise defaults.</summary>
    public static TemplateTrainerOptions Compact { get; } = new() { HiddenWidths = [32, 16] };

    /// <summary>
    /// The settings that shape a trained template's logits, as one string: a model-template calibration applies only to
    /// templates trained with an equal signature (and the same population pack and training-set sizes).
    /// </summary>
    public string Signature => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"mlp {string.Join("-", HiddenWidths)} anchor {AnchorScale:R}/{AnchorCosine:R} epochs {MaxEpochs} patience {Patience} dropout {Dropout:R} lr {LearningRate:R}/{MaxLearningRate:R} wd {WeightDecay:R} batch {BatchSize} val {ValidationFraction:R} jitter {WidthJitter}{(CorrectionCap is { } cap && AnchorScale > 0 ? $" cap {cap:R}" : "")}");

    /// <summary>
    /// <see cref="Signature"/> with the training-set sizes and variation scale: everything that shapes a template's logits
    /// besides the population pack. A pack's model-template calibration records it.
    /// </summary>
    public string SignatureWith(Population.Sampling.TrainingSetOptions sampling)
    {
        ArgumentNullException.ThrowIfNull(sampling);
        return string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{Signature} | positives {sampling.Positives} negatives {sampling.Negatives} variation {sampling.VariationScale:R}{(sampling.HardNegativeShare > 0 ? $" hard {sampling.HardNegativeShare:R}/{sampling.HardNegativeReach:R}" : "")}");
    }

    internal void Validate()
    {
        if (HiddenWidths is null || HiddenWidths.Count == 0 || HiddenWidths.Count >= MlpArchitecture.MaxLayers || HiddenWidths.Any(w => w < 1))
        {
            throw new ArgumentException($"Hidden widths [{string.Join(", ", HiddenWidths ?? [])}] must be 1…{MlpArchitecture.MaxLayers - 1} positive widths.");
        }

        if (WidthJitter < 0 || !(Dropout >= 0 && Dropout < 1) || !(LearningRate > 0) || !(WeightDecay >= 0) || !(MaxLearningRate > 0)
            || !(AnchorScale >= 0 && double.IsFinite(AnchorScale)) || !double.IsFinite(AnchorCosine) || !(GuardStrength >= 0 && double.IsFinite(GuardStrength)) || CorrectionCap is { } c && !double.IsFinite(c)
            || BatchSize < 1 || IntraOpThreads < 1 || MaxEpochs < 1 || Patience < 1 || !(ValidationFraction > 0 && ValidationFraction < 1))
        {
            throw new ArgumentException($"Invalid trainer options: {this}.");
        }
    }
}
