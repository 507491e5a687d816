namespace Mote.Gallery.People;

/// <summary>
/// An image kept of a person because the retention setting says so (<see cref="Settings.ReferenceRetention"/>):
/// a thumbnail, or the aligned reference face used to retrain without a new photo. Encrypted like the
/// template (AES-GCM, the person's id and the kind bound as associated data) and erased with the person
/// (cascade) or when retention is turned down.
/// </summary>
public sealed class PersonImage
{
    /// <summary>A small face thumbnail (JPEG) for the person's page.</summary>
    public const string ThumbnailKind = "thumbnail";

    /// <summary>The aligned reference face (PNG), enough to retrain.</summary>
    public const string ReferenceKind = "reference";

    /// <summary>The person the image belongs to.</summary>
    public string PersonId { get; set; } = "";

    /// <summary><see cref="ThumbnailKind"/> or <see cref="ReferenceKind"/>.</summary>
    public string Kind { get; set; } = "";

    /// <summary>AES-GCM blob from <see cref="Security.TemplateProtector"/> with purpose <c>person-image/{Kind}</c>.</summary>
    public byte[] Blob { get; set; } = [];

    /// <summary>When the image was stored (its enrollment or retraining).</summary>
    public DateTimeOffset CreatedUtc { get; set; }

    /// <summary>The purpose string the blob is bound to.</summary>
    public static string Purpose(string kind) => "person-image/" + kind;
}
