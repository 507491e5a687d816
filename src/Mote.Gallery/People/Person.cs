namespace Mote.Gallery.People;

/// <summary>
/// An enrolled person. What identifies them biometrically is only <see cref="TemplateBlob"/>: a trained
/// model-template (or, for the baseline, a vector), encrypted with AES-GCM bound to <see cref="Id"/>.
/// No photo is kept unless retention says so.
/// </summary>
public sealed class Person
{
    public string Id { get; set; } = "";

    public string Name { get; set; } = "";

    /// <summary>
    /// Upper-case invariant name. Not unique on its own: two people may share a name when their external ids differ
    /// (unique index on <see cref="NormalizedName"/> + <see cref="NormalizedExternalId"/>).
    /// </summary>
    public string NormalizedName { get; set; } = "";

    /// <summary>An optional id from outside the portal (an employee or student number), as entered; null when none.</summary>
    public string? ExternalId { get; set; }

    /// <summary>Upper-case invariant <see cref="ExternalId"/>, "" when none; unique when not empty (filtered unique index).</summary>
    public string NormalizedExternalId { get; set; } = "";

    public string? DeclaredGender { get; set; }

    public string? DeclaredEthnicity { get; set; }

    public string? DeclaredAgeBand { get; set; }

    public string? EstimatedGender { get; set; }

    public string? EstimatedEthnicity { get; set; }

    public string? EstimatedAgeBand { get; set; }

    /// <summary>The balance the template was trained with, as JSON (<c>{"negatives":{group:w},"variation":{group:w}}</c>).</summary>
    public string BalanceJson { get; set; } = "{}";

    /// <summary>"model" (a MOTE model-template) or "vector" (the baseline).</summary>
    public string TemplateKind { get; set; } = "model";

    public byte[] TemplateBlob { get; set; } = [];

    /// <summary>Plain size of the template in bytes (before encryption).</summary>
    public int TemplateBytes { get; set; }

    public string BackboneId { get; set; } = "";

    public string BackboneHash { get; set; } = "";

    public string PopulationPackId { get; set; } = "";

    /// <summary>This person's decision threshold (score units) at <see cref="TargetFmr"/>: from the pack's real-impostor calibration for their group, else synthetic impostors.</summary>
    public float Threshold { get; set; }

    public double TargetFmr { get; set; }

    public long Seed { get; set; }

    public DateTimeOffset EnrolledUtc { get; set; }

    public DateTimeOffset? RetrainedUtc { get; set; }

    /// <summary>App-managed optimistic-concurrency token (SQLite has no row version): a new value on every change.</summary>
    public string ConcurrencyStamp { get; set; } = "";
}
