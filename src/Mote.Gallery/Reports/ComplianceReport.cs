namespace Mote.Gallery.Reports;

// The compliance report's content. Serialised (camelCase) it is the "report" object of the JSON export,
// described by docs/compliance-report.schema.json; the PDF prints the same content. Nothing here is about one
// person: the gallery appears only as counts, and small counts are suppressed.

/// <summary>The whole report (schema <see cref="ComplianceReport.SchemaId"/>).</summary>
public sealed record ComplianceReport(
    DateTimeOffset GeneratedUtc,
    string GeneratedBy,
    SystemSection System,
    GallerySection Gallery,
    EvaluationSection Evaluation,
    PrivacySection Privacy,
    AuditSection Audit,
    IReadOnlyList<Iso24745Heading> Iso24745,
    DpiaInputs Dpia)
{
    /// <summary>The schema id and version; bump the number on any incompatible change.</summary>
    public const string SchemaId = "mote-compliance-report/3";
}

/// <summary>The recognition system: face pipeline, models and their licences, population pack, thresholds.</summary>
public sealed record SystemSection(
    string ModelPackState,
    string? BackboneId,
    string? BackboneManifestHash,
    string TemplateKind,
    double TargetFmr,
    bool TargetFmrIsDefault,
    IReadOnlyList<ModelEntry> Models,
    PopulationEntry Population);

/// <summary>One provisioned model.</summary>
public sealed record ModelEntry(string Id, string Source, string OnnxSha256, string PackageLicense, string WeightsLicense, string LicenseNotes);

/// <summary>The population pack the synthetic samples come from, and its provenance.</summary>
public sealed record PopulationEntry(
    string? BackboneId, string? DensityKind, int Dimension, bool ContainsRawVectors, DateTimeOffset? CreatedUtc, int? Seed,
    IReadOnlyList<string> Datasets, string? CommandLine, string? Error);

/// <summary>
/// The gallery in aggregate. Counts below <see cref="GallerySection.MinimumCount"/> are suppressed (null);
/// <paramref name="Risk"/> is the gallery-risk assessment at export, as counts.
/// </summary>
public sealed record GallerySection(
    int People,
    IReadOnlyList<GroupCount> TemplateKinds,
    IReadOnlyList<GroupCount> ByGender,
    IReadOnlyList<GroupCount> ByEthnicity,
    IReadOnlyList<GroupCount> ByAgeBand,
    int AttributesDeclared,
    int AttributesEstimatedOnly,
    int AttributesNone,
    double? ThresholdMedian,
    GalleryRiskFigures Risk)
{
    /// <summary>A cell with fewer people than this is reported as suppressed, so no count singles anyone out.</summary>
    public const int MinimumCount = 5;
}

/// <summary>
/// Gallery risk at export (<c>AssessGalleryRisk</c> with the saved limit): how many enrolled people accept more than
/// <paramref name="Limit"/> (= <paramref name="LimitMultiple"/> × <paramref name="TargetFmr"/>) of some negative group's
/// synthetic impostors at their own threshold, and the groups most often above it. No names.
/// </summary>
/// <param name="Assessed">False when nobody is enrolled or the assessment could not run (<paramref name="Note"/> says why).</param>
/// <param name="Note">One sentence: the outcome, or why there is none.</param>
/// <param name="TargetFmr">The target FMR thresholds are calibrated to.</param>
/// <param name="LimitMultiple">The saved gallery-risk limit (Settings → Thresholds), as a multiple of the target.</param>
/// <param name="LimitIsDefault">True until an administrator saves a limit.</param>
/// <param name="Limit">The flag limit as an FMR.</param>
/// <param name="ImpostorsPerGroup">Synthetic impostors scored per group.</param>
/// <param name="PeopleAssessed">People whose template was scored.</param>
/// <param name="PeopleNotAssessed">People whose template could not be scored (another backbone, a damaged template).</param>
/// <param name="PeopleAboveLimit">Assessed people above the limit against at least one group.</param>
/// <param name="WorstGroups">Up to <see cref="GalleryRiskFigures.WorstGroupCount"/> groups with any false match, most people above the limit first.</param>
public sealed record GalleryRiskFigures(
    bool Assessed, string Note, double TargetFmr, double LimitMultiple, bool LimitIsDefault, double Limit, int ImpostorsPerGroup,
    int PeopleAssessed, int PeopleNotAssessed, int PeopleAboveLimit, IReadOnlyList<RiskGroupFigures> WorstGroups)
{
    /// <summary>How many groups the report lists: the five worst are what an administrator acts on first.</summary>
    public const int WorstGroupCount = 5;
}

/// <summary>One negative group over the assessed people: how many are above the limit against it, and the mean and highest FMR (fractions).</summary>
public sealed record RiskGroupFigures(string Group, int PeopleAboveLimit, double MeanFmr, double MaxFmr);

/// <summary>How many people fall in one value; <paramref name="Count"/> null when suppressed (fewer than <see cref="GallerySection.MinimumCount"/>).</summary>
public sealed record GroupCount(string Group, int? Count, bool Suppressed);

/// <summary>The latest evaluation run; <paramref name="Recorded"/> false (and <paramref name="Latest"/> null) until one is recorded.</summary>
public sealed record EvaluationSection(bool Recorded, string Note, string Command, EvaluationFigures? Latest);

/// <summary>
/// The latest run's figures (aggregate rates on a research dataset; nothing about enrolled people), with the curves the
/// PDF draws: DET points per kind and per group, the balance sweep (<paramref name="Sweep"/>, empty when the run
/// skipped it) and the score histograms (<paramref name="Distributions"/>).
/// </summary>
public sealed record EvaluationFigures(
    string RunId, DateTimeOffset FinishedUtc, string Dataset, string Backbone, string PopulationPack, int Seed, int Identities,
    long GenuinePairs, long ImpostorPairs, double TargetFmr, string? Command, string? Commit,
    IReadOnlyList<KindFigures> Recognition, IReadOnlyList<FairnessFigures> Fairness, IReadOnlyList<AttackFigures> AttributeInference,
    IReadOnlyList<string> Warnings, IReadOnlyList<SweepFigures> Sweep, IReadOnlyList<ScoreDistribution> Distributions,
    ImpostorFigures? Impostors, IReadOnlyList<ThresholdPromiseFigures>? ThresholdsInUse = null);

/// <summary>
/// How the per-person thresholds set from the pack's real-impostor calibration held on the run's real pairs: the measured
/// false-match rate against the promised one (issue 17: within 1.5× pooled and 2× in every group with enough pairs).
/// </summary>
public sealed record ThresholdPromiseFigures(string Kind, string Policy, double TargetFmr, double Fmr, double? WorstGroupRatio, double Fnmr, bool Holds, string Calibration);

/// <summary>
/// The run's impostor-only analysis on a dataset without identities (null when the run had none): same-group FMR per
/// group, down to gender × ethnicity × age band, per template kind and kind of threshold ("global" or "personal").
/// </summary>
public sealed record ImpostorFigures(string Dataset, int Templates, int Probes, IReadOnlyList<ImpostorSeries> Series);

/// <summary>One kind, threshold source and attribute of the impostor analysis, with its FMR summaries over reliable groups.</summary>
public sealed record ImpostorSeries(
    string Kind, string Thresholds, string Attribute, double? FmrMaxToGeometricMean, double? FmrGini, IReadOnlyList<ImpostorGroupFigures> Groups);

/// <summary>One group's same-group FMR with its 95 % interval; <paramref name="Warning"/> when it rests on too few templates or pairs.</summary>
public sealed record ImpostorGroupFigures(string Group, int Templates, long ImpostorPairs, double Fmr, double FmrLow, double FmrHigh, string? Warning);

/// <summary>
/// Recognition accuracy of one template kind ("model" = MOTE, "vector" = baseline); <paramref name="ScoreUnit"/> says
/// what a score is ("logit" or "cosine"), <paramref name="Det"/> is the DET curve over all pairs by rising threshold.
/// </summary>
public sealed record KindFigures(string Kind, double RocAuc, double Eer, double? FmrAtTarget, double? FnmrAtTarget, string ScoreUnit, IReadOnlyList<DetPoint> Det);

/// <summary>One point of a DET curve: the false-match and false-non-match rates at one threshold (fractions, 0–1).</summary>
public sealed record DetPoint(double Fmr, double Fnmr);

/// <summary>One setting of the balance sweep: MOTE enrolled with this share of female synthetic negatives.</summary>
/// <param name="FemaleShare">Share of female synthetic negatives, 0–1.</param>
/// <param name="Identities">Identities re-enrolled at this setting.</param>
/// <param name="ByGender">Per-gender FMR and FNMR (95 % intervals) at this setting's FMR 1e-3 threshold.</param>
public sealed record SweepFigures(double FemaleShare, int Identities, IReadOnlyList<SweepRates> ByGender);

/// <summary>One gender group's rates at one sweep setting, with 95 % intervals.</summary>
public sealed record SweepRates(string Group, double Fmr, double FmrLow, double FmrHigh, double Fnmr, double FnmrLow, double FnmrHigh);

/// <summary>
/// A histogram of one kind's genuine and impostor scores (in <paramref name="ScoreUnit"/>, "logit" or "cosine") over
/// equal bins from <paramref name="Min"/> to <paramref name="Max"/>; each list holds shares of its own pairs (each sums
/// to 1). <paramref name="Threshold"/> is the kind's global threshold at FMR 1e-3, null when the run had too few
/// impostor pairs for it.
/// </summary>
public sealed record ScoreDistribution(
    string Kind, string ScoreUnit, double Min, double Max, double? Threshold, IReadOnlyList<double> Genuine, IReadOnlyList<double> Impostor);

/// <summary>Per-group rates with 95 % confidence intervals, and the summary fairness measures, for one kind and attribute.</summary>
public sealed record FairnessFigures(
    string Kind, string Attribute, double? Fdr, double? Garbe, double? FmrMaxToGeometricMean, double? FnmrMaxToGeometricMean,
    IReadOnlyList<GroupFigures> Groups);

/// <summary>One group's FMR and FNMR with 95 % intervals, and its DET curve (same-group impostor pairs).</summary>
public sealed record GroupFigures(
    string Group, int Identities, double Fmr, double FmrLow, double FmrHigh, double Fnmr, double FnmrLow, double FnmrHigh, string? Warning,
    IReadOnlyList<DetPoint> Det);

/// <summary>One attribute-inference attack: accuracy (95 % interval) against chance.</summary>
public sealed record AttackFigures(string Attribute, string Source, int Samples, double Accuracy, double AccuracyLow, double AccuracyHigh, double Chance);

/// <summary>What is stored, how it is protected and kept.</summary>
public sealed record PrivacySection(
    IReadOnlyList<string> Stored,
    string Encryption,
    string ReferenceRetention,
    bool KeepProbeImages,
    int RetainedThumbnails,
    int RetainedReferenceFaces,
    int RetainedProbeImages,
    int Decisions,
    int Erasures,
    DateTimeOffset? LastErasureUtc,
    string AttributeInference,
    int ExplanationFaceDays = Settings.GallerySettings.DefaultExplanationFaceDays,
    int RetainedExplanationFaces = 0);

/// <summary>The audit chain's state when the report was made.</summary>
public sealed record AuditSection(bool Verified, long VerifiedUpTo, long Rows, long? FirstBadSequence, string Summary, DateTimeOffset CheckedUtc);

/// <summary>One ISO/IEC 24745 protection requirement and the evidence this system gives for it.</summary>
public sealed record Iso24745Heading(string Heading, IReadOnlyList<string> Evidence);

/// <summary>The inputs a GDPR Art. 35 data-protection impact assessment needs.</summary>
public sealed record DpiaInputs(
    string Processing,
    IReadOnlyList<string> DataCategories,
    int DataSubjects,
    string Retention,
    IReadOnlyList<string> Recipients,
    IReadOnlyList<string> Risks,
    IReadOnlyList<string> Safeguards);
