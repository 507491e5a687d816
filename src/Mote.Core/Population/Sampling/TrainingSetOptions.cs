namespace Mote.Core.Population.Sampling;

/// <summary>Counts for one synthetic training set.</summary>
public sealed record TrainingSetOptions
{
    /// <summary>
    /// Positives, including the reference itself when <see cref="IncludeReference"/> (default 2,000). With 128-d
    /// descriptors 2,000 keeps the 1:2 ratio of the MOTE reference code at the 6,000-sample size measured to train in
    /// about 1.6 s (ARCHITECTURE §4).
    /// </summary>
    public int Positives { get; init; } = 2000;

    /// <summary>
    /// Synthetic negatives (default 4,000: ratio 1:2 as in the MOTE reference code). Measured on a 128-d shrinkage
    /// Gaussian fitted to 3,000 unit-norm points: the covariance of n synthetic draws differs from the model's by a
    /// relative Frobenius error of 0.42 at n = 500, 0.30 at 1,000, 0.22 at 2,000, 0.15 at 4,000 and 0.11 at 8,000
    /// (≈ √(95/n)); 4,000 is where halving the error again would cost 16,000 draws, and drawing 4,000 takes ~0.14 s.
    /// </summary>
    public int Negatives { get; init; } = 4000;

    /// <summary>
    /// Factor applied to every drawn residual before it is added to the reference (default 1: the residuals as the
    /// pack models them). Evaluation runs use it to test whether wider synthetic variation brings the positives
    /// nearer real second photos (docs/evaluation.md).
    /// </summary>
    public double VariationScale { get; init; } = 1.0;

    /// <summary>What the Gallery samples with by default (chosen with the engine's trainer in the third evaluation round, docs/evaluation.md).</summary>
    public static TrainingSetOptions Engine { get; } = new() { VariationScale = 2.0, GuardedNegatives = true };

    /// <summary>
    /// Cap every negative weight at the balance's <see cref="Balance.ReferenceLevel"/> when drawing negatives
    /// (default false: the MOTE reference code's plain weighted draw). A raised group then acts only through its
    /// <see cref="Templates.GroupGuard"/>, so raising a weight lowers the scores of faces like that group by a bounded,
    /// deterministic margin instead of retraining the whole template on a different mix (measured in docs/evaluation.md,
    /// "The balance knob"). Lowered and zero weights still shape the draw. An equal balance draws the same either way,
    /// which is why the flag is not part of <see cref="Templates.TemplateTrainerOptions.SignatureWith"/>.
    /// </summary>
    public bool GuardedNegatives { get; init; }

    /// <summary>
    /// Share of the negatives drawn as hard negatives (default 0: none, the MOTE reference code). A hard negative starts
    /// at the reference and moves towards another face of the pack (a draw of the same group the ordinary negative would
    /// have come from) by as far as one of the person's own synthetic positives lies from the reference, times 1 to
    /// <see cref="HardNegativeReach"/>: a stranger about as close as the person's own variation. Ordinary negatives lie far
    /// from the reference, where the cosine anchor already rejects them, so they teach the learned correction nothing about
    /// the faces near the threshold, the only ones that can become false matches (docs/evaluation.md, "Hard negatives").
    /// </summary>
    public double HardNegativeShare { get; init; }

    /// <summary>How far past a positive's distance a hard negative may lie, as a factor (default 1.5; see <see cref="HardNegativeShare"/>).</summary>
    public double HardNegativeReach { get; init; } = 1.5;

    /// <summary>Put the (normalised) reference itself first among the positives (default true).</summary>
    public bool IncludeReference { get; init; } = true;
}
