namespace Mote.Gallery.Decisions;

/// <summary>
/// The stored explanation of one decision: low-resolution maps (7x7 occlusion, 2x2 Grad-CAM++), their
/// faithfulness figures and the score context, as JSON (a few kilobytes; no image of the probe). The aligned
/// probe face for the overlay is kept only while <see cref="Settings.GallerySettings.KeepProbeImages"/> is on and the
/// decision's own probe image was kept, encrypted under purpose <see cref="CropPurpose"/> for this decision. Deleted
/// with its decision (cascade); cleared when an erased person was a candidate of it (<see cref="People.ErasePerson"/>).
/// </summary>
public sealed class DecisionExplanationRecord
{
    /// <summary>The purpose string the aligned-crop blob is bound to.</summary>
    public const string CropPurpose = "explanation-crop";

    public string DecisionId { get; set; } = "";

    /// <summary><see cref="Core.Explain.DecisionExplanation.ToJson"/> of the explanation.</summary>
    public string Json { get; set; } = "";

    /// <summary>AES-GCM blob of the aligned probe face as PNG, or null when probe images are not kept.</summary>
    public byte[]? CropBlob { get; set; }

    public double ElapsedMs { get; set; }

    public DateTimeOffset CreatedUtc { get; set; }
}
