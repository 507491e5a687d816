namespace Mote.Core.Evaluation;

/// <summary>
/// Everything an evaluation run measured: the document behind <c>report.json</c> (schema in docs/evaluation.md).
/// <see cref="SchemaVersion"/> changes whenever a field changes meaning or is removed.
/// </summary>
/// <param name="SchemaVersion">Report schema version (<see cref="CurrentSchemaVersion"/>).</param>
/// <param name="CreatedUtc">When the run finished.</param>
/// <param name="Settings">What was run.</param>
/// <param name="Data">What the dataset gave.</param>
/// <param name="Recognition">Pooled verification metrics per template kind ("model", "vector": <see cref="Templates.TemplateKindNames.ReportName"/>).</param>
/// <param name="PersonalThresholds">MOTE's per-person thresholds (calibrated on synthetic impostors) applied to real pairs.</param>
/// <param name="Variation">How close synthetic positives sit to their reference, against real probes.</param>
/// <param name="Fairness">Per attribute (gender, ethnicity) and template kind, per-group rates at the global threshold.</param>
/// <param name="Sweep">The fairness sweep over balance settings (MOTE re-enrolled under each).</param>
/// <param name="Privacy">Attribute-inference attacks.</param>
/// <param name="Costs">Storage and time per template kind.</param>
/// <param name="Distributions">Score histograms per kind (for the plots).</param>
/// <param name="PhaseSeconds">Wall time of each phase, in run order.</param>
/// <param name="Warnings">Things a reader must know (small groups, skipped parts).</param>
/// <param name="Impostors">The impostor-only analysis on a second dataset without identities (null when none was given).</param>
/// <param name="CalibratedThresholds">Per-person thresholds set from the pack's real-impostor calibration, per kind and
/// policy, applied to the real pairs (null when the pack has no calibration; absent from reports written before it).</param>
public sealed record EvaluationReport(
    int SchemaVersion,
    DateTimeOffset CreatedUtc,
    EvaluationSettings Settings,
    DataSummary Data,
    IReadOnlyList<KindRecognition> Recognition,
    PersonalThresholdResult? PersonalThresholds,
    VariationCheck? Variation,
    IReadOnlyList<AttributeFairness> Fairness,
    IReadOnlyList<SweepSetting> Sweep,
    IReadOnlyList<AttackResult> Privacy,
    IReadOnlyList<KindCosts> Costs,
    IReadOnlyList<ScoreHistogram> Distributions,
    IReadOnlyList<PhaseTime> PhaseSeconds,
    IReadOnlyList<string> Warnings,
    ImpostorAnalysis? Impostors = null,
    IReadOnlyList<CalibratedThresholdResult>? CalibratedThresholds = null)
{
    /// <summary>The schema version this code writes.</summary>
    public const int CurrentSchemaVersion = 1;

    /// <summary>Total wall time of the phases.</summary>
    public double TotalSeconds => PhaseSeconds.Sum(p => p.Seconds);
}

/// <summary>The settings of a run, enough to repeat it.</summary>
public sealed record EvaluationSettings(
    string Dataset, string Backbone, string BackboneSha256, string PopulationPack, int Seed, int? IdentityLimit,
    string Balance, int Positives, int Negatives, double VariationScale, string Architecture, int WidthJitter, int MaxEpochs,
    double TargetFmr, IReadOnlyList<double> SweepFemaleShares, int SweepIdentities, int PrivacyPerClass,
    int CalibrationImpostorsPerGroup, int BootstrapReplicates, int Parallelism, string? Command, string? Commit);

/// <summary>Counts of the dataset part that was evaluated.</summary>
/// <param name="IdentitiesInFolder">Identity folders in the dataset.</param>
/// <param name="Identities">Identities with ≥ 2 photos taken into the run.</param>
/// <param name="Enrolled">Identities whose enrollment photo gave a face (enrolled as both kinds).</param>
/// <param name="FailedToEnroll">Enrollment photos without a face (identity left out).</param>
/// <param name="Probes">Probe photos described (enrollment photos are never probes).</param>
/// <param name="FailedProbes">Probe photos without a face (left out).</param>
/// <param name="GenuinePairs">Probe × own template comparisons.</param>
/// <param name="ImpostorPairs">Probe × other template comparisons.</param>
/// <param name="ByGender">Enrolled identities per gender label ("unknown" when unlabelled).</param>
/// <param name="ByEthnicity">Enrolled identities per ethnicity label.</param>
public sealed record DataSummary(
    int IdentitiesInFolder, int Identities, int Enrolled, int FailedToEnroll, int Probes, int FailedProbes,
    long GenuinePairs, long ImpostorPairs, IReadOnlyDictionary<string, int> ByGender, IReadOnlyDictionary<string, int> ByEthnicity);

/// <summary>Pooled verification metrics of one template kind. MOTE scores are logits (sigmoid is monotone, and float
/// sigmoids saturate at exactly 1.0 for most genuine pairs, which would make ties of them).</summary>
public sealed record KindRecognition(
    string Kind, string ScoreUnit, long Genuine, long Impostor, double RocAuc, ErrorPoint Eer,
    ErrorPoint? AtFmr1e3, ErrorPoint? AtFmr1e4, IReadOnlyList<ErrorPoint> Det,
    IReadOnlyDictionary<string, double> GenuineQuantiles, IReadOnlyDictionary<string, double> ImpostorQuantiles);

/// <summary>MOTE's per-person thresholds, as enrollment sets them (synthetic impostors at the target FMR), applied to
/// real probes: the question is whether the synthetic calibration holds on real people.</summary>
public sealed record PersonalThresholdResult(
    double TargetFmr, int ImpostorsPerGroup, double Fmr, double Fnmr,
    double ThresholdMedian, double ThresholdP05, double ThresholdP95, double RealFmrPerPersonMedian);

/// <summary>
/// Per-person thresholds taken from the pack's real-impostor calibration (measured on other people), applied to the run's
/// real pairs: does the stated false-match rate hold? Per group, same-group impostor pairs (as <see cref="AttributeFairness"/>).
/// </summary>
/// <param name="Kind">"model" (anchored model-templates: logit threshold = scale · (cosine threshold − anchor cosine)) or "vector" (<see cref="Templates.TemplateKindNames.ReportName"/>).</param>
/// <param name="Policy">"own group": each person's most specific calibrated group (gender here); "worst group": the highest
/// threshold over every calibrated group; "own group, cosine-bounded" (capped model-templates only): own group, raised to
/// anchor(cosine threshold) + cap where the person's own group has no model-template curve (see
/// <see cref="EvaluationRunner.BoundedPolicy"/>).</param>
/// <param name="TargetFmr">The promised false-match rate.</param>
/// <param name="CalibrationSource">Whom the calibration was measured on.</param>
/// <param name="Fmr">Pooled real FMR over every impostor pair.</param>
/// <param name="Fnmr">Pooled real FNMR.</param>
/// <param name="Groups">Per gender and ethnicity group: rates with 95 % identity-bootstrap intervals.</param>
/// <param name="PooledRatio">Fmr / TargetFmr.</param>
/// <param name="WorstGroupRatio">Highest group FMR / TargetFmr over groups without a warning and with ≥ 10/FMR impostor pairs (null if none).</param>
/// <param name="Holds">PooledRatio ≤ 1.5 and WorstGroupRatio ≤ 2 (issue 17's requirement).</param>
/// <param name="ThresholdGroups">Own-group policies: how many templates read their threshold from each calibrated group
/// (labelled attributes first, the estimator's guess for the rest, as enrollment does; "→ bound by cosine G" where the
/// cosine bound applied); null for the worst-group policy and in reports written before it was recorded.</param>
public sealed record CalibratedThresholdResult(
    string Kind, string Policy, double TargetFmr, string CalibrationSource, double Fmr, double Fnmr,
    IReadOnlyList<GroupRates> Groups, double PooledRatio, double? WorstGroupRatio, bool Holds,
    IReadOnlyDictionary<string, int>? ThresholdGroups = null);

/// <summary>
/// Mean cosine similarity to the enrollment descriptor of (a) the synthetic positives enrollment trains on and (b) the
/// identity's real probes, over the first <paramref name="Identities"/> enrolled identities. If (a) is far above (b), the
/// model-templates learn a tighter notion of "this person" than real photos show.
/// </summary>
public sealed record VariationCheck(int Identities, double VariationScale, double SyntheticPositiveCosine, double RealProbeCosine);

/// <summary>Per-group rates of one template kind for one attribute, at the kind's global threshold.</summary>
public sealed record AttributeFairness(
    string Kind, string Attribute, double Threshold, double TargetFmr, IReadOnlyList<GroupRates> Groups,
    double? Fdr, double? Garbe, double? FmrMaxToGeometricMean, double? FnmrMaxToGeometricMean);

/// <summary>One group's rates (95% bootstrap intervals over identities); impostor pairs are same-group pairs.</summary>
public sealed record GroupRates(
    string Group, int Identities, long GenuinePairs, long ImpostorPairs, RateInterval Fmr, RateInterval Fnmr,
    IReadOnlyList<ErrorPoint> Det, string? Warning);

/// <summary>One balance setting of the sweep: MOTE enrolled with this female share on the sweep subset.</summary>
public sealed record SweepSetting(
    double FemaleShare, int Identities, double Threshold, ErrorPoint? AtFmr1e3, IReadOnlyList<GroupRates> ByGender,
    double? Fdr, double? Garbe, double EnrollSeconds);

/// <summary>Storage and time costs of one template kind.</summary>
/// <param name="Kind">"model" or "vector" (<see cref="Templates.TemplateKindNames.ReportName"/>).</param>
/// <param name="BytesPerPerson">Stored bytes of one template (median over the gallery).</param>
/// <param name="EnrollMsMedian">Median enrollment time per person (sampling + training; a vector is a copy).</param>
/// <param name="EnrollMsP90">90th percentile.</param>
/// <param name="VerifyUsMedian">Median time of one 1:1 score.</param>
/// <param name="IdentifyMsMedian">Median time of 1:N for one probe over the whole gallery (batched scorer).</param>
/// <param name="GallerySize">N.</param>
public sealed record KindCosts(string Kind, double BytesPerPerson, double EnrollMsMedian, double EnrollMsP90, double VerifyUsMedian, double IdentifyMsMedian, int GallerySize);

/// <summary>A histogram of genuine and impostor scores over shared bins (impostors normalised separately).</summary>
public sealed record ScoreHistogram(string Kind, double Min, double Max, IReadOnlyList<double> Genuine, IReadOnlyList<double> Impostor);

/// <summary>Wall time of one phase.</summary>
public sealed record PhaseTime(string Phase, double Seconds);

/// <summary>
/// False matches per demographic group on a dataset of one photo per person (UTKFace style), down to
/// gender × ethnicity × age band. Templates are drawn per intersectional cell (seeded); every other photo probes every
/// template, and every pair counts as an impostor pair (the dataset has no identity labels; a person photographed twice
/// would count as a false match, so rates are upper bounds). Rates use only same-group pairs (template and probe in the
/// group): the impostors a deployment fears most look like the enrolled person.
/// </summary>
/// <param name="Dataset">The dataset folder.</param>
/// <param name="Photos">Labelled photos on disk.</param>
/// <param name="FailedToDetect">Photos without a face (left out).</param>
/// <param name="Templates">Photos enrolled as templates (both kinds).</param>
/// <param name="Probes">The other photos, each a probe against every template.</param>
/// <param name="TemplatesPerCell">Templates drawn per gender × ethnicity × age-band cell, at most.</param>
/// <param name="TemplatesByCell">Templates per cell ("female/white/18-59").</param>
/// <param name="Results">Per template kind, threshold source and attribute, the per-group FMR.</param>
public sealed record ImpostorAnalysis(
    string Dataset, int Photos, int FailedToDetect, int Templates, int Probes, int TemplatesPerCell,
    IReadOnlyDictionary<string, int> TemplatesByCell, IReadOnlyList<ImpostorFairness> Results);

/// <summary>Per-group FMR of one template kind for one attribute (or intersection) at one kind of threshold.</summary>
/// <param name="Kind">"model" or "vector" (<see cref="Templates.TemplateKindNames.ReportName"/>).</param>
/// <param name="Thresholds">"global": the kind's global threshold from the genuine dataset (FMR target there);
/// "personal": each model-template's own threshold, calibrated on synthetic impostors as enrollment does; "calibrated":
/// each template's own-group threshold from the pack's real-impostor calibration; "calibrated, cosine-bounded" (capped
/// model-templates): the same, with the cosine bound of <see cref="EvaluationRunner.BoundedPolicy"/>.</param>
/// <param name="Threshold">The global threshold (null for personal thresholds).</param>
/// <param name="Attribute">"gender", "ethnicity", "age band" or "gender × ethnicity × age band".</param>
/// <param name="Groups">One row per group with templates and probes.</param>
/// <param name="FmrMaxToGeometricMean">max/geometric mean of the reliable groups' FMR (null when one is 0).</param>
/// <param name="FmrGini">Gini coefficient of the reliable groups' FMR (the FMR half of GARBE).</param>
/// <param name="FmrMaxToMin">Highest over lowest reliable FMR (null when the lowest is 0).</param>
public sealed record ImpostorFairness(
    string Kind, string Thresholds, double? Threshold, string Attribute, IReadOnlyList<ImpostorGroupRate> Groups,
    double? FmrMaxToGeometricMean, double? FmrGini, double? FmrMaxToMin);

/// <summary>One group's same-group FMR with its 95% bootstrap interval (resampling templates, seeded).</summary>
public sealed record ImpostorGroupRate(string Group, int Templates, int Probes, long ImpostorPairs, RateInterval Fmr, string? Warning);
