namespace Mote.Gallery.Engine;

/// <summary>
/// A person's template made on the backbone a gallery is being migrated to (<see cref="Backbones.MigrateGalleryBackbone"/>), kept
/// apart from their live template until the migration switches the gallery over; encrypted like
/// <see cref="People.Person.TemplateBlob"/> (bound to the person id and the template purpose), deleted with the person.
/// One row per person; a row staged for another backbone, or from a person who changed since, is made again.
/// </summary>
public sealed class StagedTemplate
{
    /// <summary>The person the template belongs to (one row per person).</summary>
    public string PersonId { get; set; } = "";

    /// <summary>The <c>Mote:Faces:Backbone</c> value the migration runs to (e.g. <c>faceplugin-fr</c>, <c>custom</c>).</summary>
    public string Backbone { get; set; } = "";

    /// <summary>The backbone id the staged template was trained on.</summary>
    public string BackboneId { get; set; } = "";

    /// <summary>Hash of that backbone's model.</summary>
    public string BackboneHash { get; set; } = "";

    /// <summary>The kind of the staged template, stored as <see cref="People.Person.TemplateKind"/> is ("model" / "vector").</summary>
    public Core.Templates.TemplateKind TemplateKind { get; set; } = Core.Templates.TemplateKind.Model;

    /// <summary>The staged template, encrypted.</summary>
    public byte[] TemplateBlob { get; set; } = [];

    /// <summary>Plain size of the template in bytes (before encryption).</summary>
    public int TemplateBytes { get; set; }

    /// <summary>The population pack the staged template was trained against.</summary>
    public string PopulationPackId { get; set; } = "";

    /// <summary>The person's decision threshold (score units) on the new backbone, at <see cref="TargetFmr"/>.</summary>
    public float Threshold { get; set; }

    /// <summary>The balance the staged template was trained with (<see cref="People.Person.BalanceJson"/>'s form).</summary>
    public string BalanceJson { get; set; } = "{}";

    /// <summary>The false-match rate <see cref="Threshold"/> was set for.</summary>
    public double TargetFmr { get; set; }

    /// <summary>The person's <see cref="People.Person.ConcurrencyStamp"/> when this was staged: a different stamp now means they changed since.</summary>
    public string PersonStamp { get; set; } = "";

    /// <summary>When the template was staged.</summary>
    public DateTimeOffset StagedUtc { get; set; }
}
