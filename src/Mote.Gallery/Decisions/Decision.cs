namespace Mote.Gallery.Decisions;

/// <summary>
/// One verification (1:1) or identification (1:N) outcome, with an id explanations and the audit trail
/// refer to. The probe image is not kept unless the settings say so (<see cref="DecisionProbeImage"/>).
/// </summary>
public sealed class Decision
{
    /// <summary>The decision's id.</summary>
    public string Id { get; set; } = "";

    /// <summary>"verify" or "identify".</summary>
    public string Kind { get; set; } = "";

    /// <summary>For 1:1 the claimed person; for 1:N the best match that passed, if any.</summary>
    public string? PersonId { get; set; }

    /// <summary>The score (score units), or null when none was computed.</summary>
    public float? Score { get; set; }

    /// <summary>The threshold the score was compared with, or null when none applied.</summary>
    public float? Threshold { get; set; }

    /// <summary>Whether the probe was accepted (1:1) or matched someone (1:N).</summary>
    public bool Accepted { get; set; }

    /// <summary>For 1:N: the top candidates as JSON (<c>[{personId, score, threshold}]</c>).</summary>
    public string? CandidatesJson { get; set; }

    /// <summary>How long the decision took, in milliseconds.</summary>
    public double DurationMs { get; set; }

    /// <summary>When the decision was made.</summary>
    public DateTimeOffset CreatedUtc { get; set; }

    /// <summary>Who asked for the decision (a user or API key id).</summary>
    public string ActorId { get; set; } = "";

    /// <summary>That actor's name as shown at the time.</summary>
    public string ActorName { get; set; } = "";

    /// <summary>
    /// Where its explanation stands (<see cref="Decisions.ExplanationState"/>): set when the decision is recorded, moved to
    /// ready or failed by <see cref="ExplainDecision"/>. Never <see cref="ExplanationState.Lost"/> (only ever read).
    /// </summary>
    public ExplanationState ExplanationState { get; set; }
}
