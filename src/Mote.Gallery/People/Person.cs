namespace Mote.Gallery.People;

/// <summary>
/// An enrolled person. What identifies them biometrically is only <see cref="TemplateBlob"/>: a trained
/// model-template (or, for the baseline, a vector), encrypted with AES-GCM bound to <see cref="Id"/>.
/// No photo is kept unless retention says so.
/// </summary>
public sealed class Person
{
    /// <summary>The person's id: the key, and the value the template's encryption is bound to.</summary>
    public string Id { get; set; } = "";

    /// <summary>The name as entered.</summary>
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

    /// <summary>Gender as declared at enrollment (a vocabulary token), or null when not given.</summary>
    public string? DeclaredGender { get; set; }

    /// <summary>Ethnicity as declared at enrollment (a vocabulary token), or null when not given.</summary>
    public string? DeclaredEthnicity { get; set; }

    /// <summary>Age band as declared at enrollment (a vocabulary token), or null when not given.</summary>
    public string? DeclaredAgeBand { get; set; }

    /// <summary>Gender as estimated by the attribute model (a guess, never a declared fact), or null.</summary>
    public string? EstimatedGender { get; set; }

    /// <summary>Ethnicity as estimated by the attribute model (a guess, never a declared fact), or null.</summary>
    public string? EstimatedEthnicity { get; set; }

    /// <summary>Age band as estimated by the attribute model (a guess, never a declared fact), or null.</summary>
    public string? EstimatedAgeBand { get; set; }

    /// <summary>The balance the template was trained with, as JSON (<c>{"negatives":{group:w},"variation":{group:w}}</c>).</summary>
    public string BalanceJson { get; set; } = "{}";

    /// <summary>
    /// A MOTE model-template or the vector baseline; stored as "model" / "vector" (<see cref="Core.Templates.TemplateKindNames"/>,
    /// mapped in <see cref="Data.MoteDbContext"/>).
    /// </summary>
    public Core.Templates.TemplateKind TemplateKind { get; set; } = Core.Templates.TemplateKind.Model;

    /// <summary>The template, encrypted (AES-GCM bound to <see cref="Id"/>).</summary>
    public byte[] TemplateBlob { get; set; } = [];

    /// <summary>Plain size of the template in bytes (before encryption).</summary>
    public int TemplateBytes { get; set; }

    /// <summary>The backbone whose descriptors the template was trained on.</summary>
    public string BackboneId { get; set; } = "";

    /// <summary>Hash of that backbone's model, so a template is only used with the same conversion.</summary>
    public string BackboneHash { get; set; } = "";

    /// <summary>The population pack the template's synthetic negatives were drawn from.</summary>
    public string PopulationPackId { get; set; } = "";

    /// <summary>This person's decision threshold (score units) at <see cref="TargetFmr"/>: from the pack's real-impostor calibration for their group, else synthetic impostors.</summary>
    public float Threshold { get; set; }

    /// <summary>The false-match rate <see cref="Threshold"/> was set for.</summary>
    public double TargetFmr { get; set; }

    /// <summary>The seed the template was trained with.</summary>
    public long Seed { get; set; }

    /// <summary>When the person was enrolled.</summary>
    public DateTimeOffset EnrolledUtc { get; set; }

    /// <summary>When the template was last trained again, or null if never.</summary>
    public DateTimeOffset? RetrainedUtc { get; set; }

    /// <summary>App-managed optimistic-concurrency token (SQLite has no row version): a new value on every change.</summary>
    public string ConcurrencyStamp { get; set; } = "";
}
