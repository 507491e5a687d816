namespace Mote.Gallery.Evaluations;

/// <summary>
/// A recorded evaluation run: headline figures in columns (for lists and the fairness dashboard) and the full
/// <c>report.json</c> text. Holds no biometric data: only aggregate rates, counts and settings.
/// </summary>
public sealed class EvaluationRun
{
    public required string Id { get; init; }

    /// <summary>When the run finished (from the report).</summary>
    public DateTimeOffset FinishedUtc { get; set; }

    /// <summary>When it was recorded here.</summary>
    public DateTimeOffset RecordedUtc { get; set; }

    public int SchemaVersion { get; set; }

    public required string Dataset { get; set; }

    public required string Backbone { get; set; }

    public required string PopulationPack { get; set; }

    public int Seed { get; set; }

    /// <summary>Identities enrolled (as both template kinds).</summary>
    public int Identities { get; set; }

    public long GenuinePairs { get; set; }

    public long ImpostorPairs { get; set; }

    public double? ModelFnmrAtFmr1e3 { get; set; }

    public double? VectorFnmrAtFmr1e3 { get; set; }

    public double ModelEer { get; set; }

    public double VectorEer { get; set; }

    public double? ModelGenderFdr { get; set; }

    public double? VectorGenderFdr { get; set; }

    public double WallSeconds { get; set; }

    public string? Command { get; set; }

    public string? Commit { get; set; }

    /// <summary>Where report.json, report.md and the plots were written, if on this machine.</summary>
    public string? ReportFolder { get; set; }

    public required string ReportJson { get; set; }
}

/// <summary>A run's headline figures, without the report text.</summary>
public sealed record EvaluationRunSummary(
    string Id, DateTimeOffset FinishedUtc, DateTimeOffset RecordedUtc, string Dataset, string Backbone, string PopulationPack, int Seed,
    int Identities, long GenuinePairs, long ImpostorPairs, double? ModelFnmrAtFmr1e3, double? VectorFnmrAtFmr1e3, double ModelEer,
    double VectorEer, double? ModelGenderFdr, double? VectorGenderFdr, double WallSeconds, string? Commit, string? ReportFolder);
