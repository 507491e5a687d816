namespace Mote.Gallery.Decisions;

/// <summary>
/// The stored explanation of one decision: low-resolution maps (7x7 occlusion, 2x2 Grad-CAM++), their
/// faithfulness figures and the score context, as JSON (a few kilobytes), and the aligned probe face the map is drawn
/// over (150 × 150 PNG, encrypted under purpose <see cref="CropPurpose"/> for this decision) for
/// <see cref="Settings.GallerySettings.ExplanationFaceDays"/> days (default 30; 0 keeps none), whatever
/// <see cref="Settings.GallerySettings.KeepProbeImages"/> says: the crop is the face alone, not the photo. Cleared after
/// that period (<see cref="ExplanationFaceRetention"/>) and when an erased person was a candidate of the decision
/// (<see cref="Erasure.ErasePerson"/>); deleted with its decision (cascade), hence with the person it is about.
/// </summary>
public sealed class DecisionExplanationRecord
{
    /// <summary>The purpose string the aligned-crop blob is bound to.</summary>
    public const string CropPurpose = "explanation-crop";

    /// <summary>The decision explained (also the primary key: one explanation per decision).</summary>
    public string DecisionId { get; set; } = "";

    /// <summary><see cref="Core.Explain.DecisionExplanation.ToJson"/> of the explanation.</summary>
    public string Json { get; set; } = "";

    /// <summary>AES-GCM blob of the aligned probe face as PNG, or null: none kept, past its retention period, or cleared by an erasure.</summary>
    public byte[]? CropBlob { get; set; }

    /// <summary>How long computing the explanation took, in milliseconds.</summary>
    public double ElapsedMs { get; set; }

    /// <summary>When the explanation was stored; the aligned face's retention period counts from here.</summary>
    public DateTimeOffset CreatedUtc { get; set; }
}
