using Mote.Core.Population.Sampling;
using Mote.Core.Templates;

namespace Mote.Core.Evaluation;

/// <summary>Progress of a run: the phase and how far it is.</summary>
public readonly record struct EvaluationProgress(string Phase, int Done, int Total);

/// <summary>Settings of an evaluation run. Defaults are the ones the lfw-dev run in docs/evaluation.md used.</summary>
public sealed record EvaluationOptions
{
    /// <summary>Seed of every draw (subsets, training, bootstrap, attacks); default 1.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>FMR at which the global threshold is set; default 1e-3 (1e-4 is reported too when there are enough impostors).</summary>
    public double TargetFmr { get; init; } = 1e-3;

    /// <summary>Female shares of the fairness sweep (of both negatives and variation); empty skips the sweep. Default 0, 0.25, 0.5, 0.75, 1.</summary>
    public IReadOnlyList<double> SweepFemaleShares { get; init; } = [0, 0.25, 0.5, 0.75, 1];

    /// <summary>
    /// Identities re-enrolled per sweep setting (half female, half male where possible, seeded). Default 200: five
    /// settings × 200 enrollments at ~0.9 s on 2 parallel trainings ≈ 7.5 min, which keeps the full run under 30 minutes.
    /// </summary>
    public int SweepIdentities { get; init; } = 200;

    /// <summary>Identities per gender in the width-jitter privacy attack (retrained with jitter); default 150. 0 skips it.</summary>
    public int PrivacyPerClass { get; init; } = 150;

    /// <summary>Hidden-width jitter (± units) of the privacy-hardened variant; default 10, the suggested hardening.</summary>
    public int PrivacyWidthJitter { get; init; } = 10;

    /// <summary>Synthetic descriptors every model is probed with in the response-pattern attack; default 256.</summary>
    public int ResponseProbes { get; init; } = 256;

    /// <summary>
    /// Synthetic impostors per negative group for the per-person thresholds; default 400 (the Gallery uses 2,000:
    /// scoring 23 × 2,000 per person over 1,196 people would take longer than the rest of the run; with 9,200 per
    /// person the FMR 1e-3 threshold still rests on 9 impostors).
    /// </summary>
    public int CalibrationImpostorsPerGroup { get; init; } = 400;

    /// <summary>Bootstrap replicates for the confidence intervals; default 1000.</summary>
    public int BootstrapReplicates { get; init; } = 1000;

    /// <summary>Concurrent trainings; default the processor count (torch intra-op threads stay at 1 per training).</summary>
    public int Parallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>Synthetic training-set counts (and the variation scale); default 2,000 positives, 4,000 negatives.</summary>
    public TrainingSetOptions TrainingSet { get; init; } = TrainingSetOptions.Engine;

    /// <summary>Trainer options; default what the Gallery trains (<see cref="TemplateTrainerOptions.Engine"/>).</summary>
    public TemplateTrainerOptions Trainer { get; init; } = TemplateTrainerOptions.Engine;

    /// <summary>
    /// Templates drawn per gender × ethnicity × age-band cell in the impostor-only analysis; default 20 (30 cells on
    /// UTKFace, so at most 600 enrollments, about 5 minutes here).
    /// </summary>
    public int ImpostorTemplatesPerCell { get; init; } = 20;

    /// <summary>Run the privacy attacks; default true.</summary>
    public bool Privacy { get; init; } = true;
}
