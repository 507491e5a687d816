namespace Mote.Gallery.Decisions;

/// <summary>
/// The probe image of one decision, kept only while <see cref="Settings.GallerySettings.KeepProbeImages"/> is on
/// (default off: nothing is kept). Encrypted with <see cref="Security.TemplateProtector"/> under purpose
/// <see cref="Purpose"/> with the decision's id as owner, so the blob opens for that decision only. Deleted with
/// its decision (cascade), hence with the person the decision is about when they are erased.
/// </summary>
public sealed class DecisionProbeImage
{
    /// <summary>The purpose string the blob is bound to (associated data with the decision id).</summary>
    public const string Purpose = "probe-image";

    /// <summary>The decision the image belongs to (its key; one image per decision).</summary>
    public string DecisionId { get; set; } = "";

    /// <summary>
    /// AES-GCM blob of the decided face's region of the probe (a margin of half a face width each side, at most 480 px),
    /// re-encoded from decoded pixels as a JPEG (quality 90, orientation applied): no EXIF, GPS, XMP or ICC of the upload
    /// survives, nor the rest of the photo. Rows written before 2026-12-06 hold the whole photo re-encoded, and before
    /// 2026-12-05 possibly the upload's own bytes.
    /// </summary>
    public byte[] Blob { get; set; } = [];

    /// <summary>When the image was stored: the decision's own time.</summary>
    public DateTimeOffset CreatedUtc { get; set; }
}
