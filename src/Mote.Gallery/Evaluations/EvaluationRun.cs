namespace Mote.Gallery.Evaluations;

/// <summary>
/// A recorded evaluation run: headline figures in columns (for lists and the fairness dashboard) and the full
/// <c>report.json</c> text. Holds no biometric data: only aggregate rates, counts and settings.
/// </summary>
public sealed class EvaluationRun
{
    /// <summary>The run's id.</summary>
    public required string Id { get; init; }

    /// <summary>When the run finished (from the report).</summary>
    public DateTimeOffset FinishedUtc { get; set; }

    /// <summary>When it was recorded here.</summary>
    public DateTimeOffset RecordedUtc { get; set; }

    /// <summary>Schema version of the report.</summary>
    public int SchemaVersion { get; set; }

    /// <summary>The dataset the run evaluated.</summary>
    public required string Dataset { get; set; }

    /// <summary>The backbone id the descriptors came from.</summary>
    public required string Backbone { get; set; }

    /// <summary>The population pack the model-templates were trained against.</summary>
    public required string PopulationPack { get; set; }

    /// <summary>The run's seed.</summary>
    public int Seed { get; set; }

    /// <summary>Identities enrolled (as both template kinds).</summary>
    public int Identities { get; set; }

    /// <summary>Number of genuine (same-person) comparisons scored.</summary>
    public long GenuinePairs { get; set; }

    /// <summary>Number of impostor (different-person) comparisons scored.</summary>
    public long ImpostorPairs { get; set; }

    /// <summary>False non-match rate of the model-templates at a false-match rate of 1e-3, or null when not reached.</summary>
    public double? ModelFnmrAtFmr1e3 { get; set; }

    /// <summary>False non-match rate of the vector baseline at a false-match rate of 1e-3, or null when not reached.</summary>
    public double? VectorFnmrAtFmr1e3 { get; set; }

    /// <summary>Equal error rate of the model-templates.</summary>
    public double ModelEer { get; set; }

    /// <summary>Equal error rate of the vector baseline.</summary>
    public double VectorEer { get; set; }

    /// <summary>Fairness discrepancy rate across genders of the model-templates, or null when not measured.</summary>
    public double? ModelGenderFdr { get; set; }

    /// <summary>Fairness discrepancy rate across genders of the vector baseline, or null when not measured.</summary>
    public double? VectorGenderFdr { get; set; }

    /// <summary>How long the run took, in wall-clock seconds.</summary>
    public double WallSeconds { get; set; }

    /// <summary>The command line that started the run, if known.</summary>
    public string? Command { get; set; }

    /// <summary>The source commit the run was built from, if known.</summary>
    public string? Commit { get; set; }

    /// <summary>Where report.json, report.md and the plots were written, if on this machine.</summary>
    public string? ReportFolder { get; set; }

    /// <summary>The full <c>report.json</c> text.</summary>
    public required string ReportJson { get; set; }
}

/// <summary>A run's headline figures, without the report text.</summary>
public sealed record EvaluationRunSummary(
    string Id, DateTimeOffset FinishedUtc, DateTimeOffset RecordedUtc, string Dataset, string Backbone, string PopulationPack, int Seed,
    int Identities, long GenuinePairs, long ImpostorPairs, double? ModelFnmrAtFmr1e3, double? VectorFnmrAtFmr1e3, double ModelEer,
    double VectorEer, double? ModelGenderFdr, double? VectorGenderFdr, double WallSeconds, string? Commit, string? ReportFolder);
