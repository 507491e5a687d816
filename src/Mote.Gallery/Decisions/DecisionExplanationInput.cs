namespace Mote.Gallery.Decisions;

/// <summary>
/// What an explanation job needs of its decision, taken when the decision was made: the aligned probe face (PNG) and its
/// descriptor, encrypted by <see cref="Security.TemplateProtector"/> for this decision under <see cref="Purpose"/>. Stored
/// with the decision (so a queued explanation survives a restart and never needs the raw upload again), deleted once the
/// explanation is computed or fails, and with the decision (cascade: erasing a person removes it), and by
/// <see cref="Erasure.ErasePerson"/> for a 1:N decision that listed the erased person.
/// </summary>
public sealed class DecisionExplanationInput
{
    /// <summary>The purpose string the blob is bound to.</summary>
    public const string Purpose = "explanation-input";

    /// <summary>The decision this input belongs to (its key; one input per decision).</summary>
    public string DecisionId { get; set; } = "";

    /// <summary>AES-GCM blob of: descriptor length (int32, little-endian), the descriptor (float32s), the aligned face (PNG).</summary>
    public byte[] Blob { get; set; } = [];

    /// <summary>Which face of the probe was decided (largest first), for the record.</summary>
    public int FaceIndex { get; set; }

    /// <summary>The decision's score (score units); for a 1:N decision, the best candidate's.</summary>
    public float Score { get; set; }

    /// <summary>The threshold that score was compared with.</summary>
    public float Threshold { get; set; }

    /// <summary>When the input was stored (just after its decision was recorded).</summary>
    public DateTimeOffset CreatedUtc { get; set; }
}
