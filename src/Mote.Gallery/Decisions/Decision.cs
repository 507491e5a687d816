namespace Mote.Gallery.Decisions;

/// <summary>
/// One verification (1:1) or identification (1:N) outcome, with an id explanations and the audit trail
/// refer to. The probe image is not kept unless the settings say so (<see cref="DecisionProbeImage"/>).
/// </summary>
public sealed class Decision
{
    public string Id { get; set; } = "";

    /// <summary>"verify" or "identify".</summary>
    public string Kind { get; set; } = "";

    /// <summary>For 1:1 the claimed person; for 1:N the best match that passed, if any.</summary>
    public string? PersonId { get; set; }

    public float? Score { get; set; }

    public float? Threshold { get; set; }

    public bool Accepted { get; set; }

    /// <summary>For 1:N: the top candidates as JSON (<c>[{personId, score, threshold}]</c>).</summary>
    public string? CandidatesJson { get; set; }

    public double DurationMs { get; set; }

    public DateTimeOffset CreatedUtc { get; set; }

    public string ActorId { get; set; } = "";

    public string ActorName { get; set; } = "";

    /// <summary>
    /// Where its explanation stands (<see cref="Decisions.ExplanationState"/>): set when the decision is recorded, moved to
    /// ready or failed by <see cref="ExplainDecision"/>. Never <see cref="ExplanationState.Lost"/> (only ever read).
    /// </summary>
    public ExplanationState ExplanationState { get; set; }
}
