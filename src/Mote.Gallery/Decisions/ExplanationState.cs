namespace Mote.Gallery.Decisions;

/// <summary>
/// Where a decision's explanation stands. Stored on <see cref="Decision.ExplanationState"/> (every value but
/// <see cref="Lost"/>, which is only ever read) and shown as is on the explanation page, which refreshes itself while
/// the state is <see cref="Computing"/> (<see cref="ExplanationStates.IsFinal"/>). Values are stored: never renumber.
/// </summary>
public enum ExplanationState
{
    /// <summary>Queued or being computed in the background (about a second; longer while the queue or a training is busy).</summary>
    Computing = 0,

    /// <summary>Stored and readable.</summary>
    Ready = 1,

    /// <summary>A rejected identification: no one matched, so there is no model-template whose decision could be explained.</summary>
    NoMatch = 2,

    /// <summary>Not queued: the in-memory explanation queue of earlier versions was full (64 waiting). No longer written: the durable
    /// job runtime (issue 15) queues every decision; kept for decisions recorded before it.</summary>
    QueueFull = 3,

    /// <summary>Tried and failed: the engine cannot explain this backbone, the probe gave no face to explain, or the explainer failed (logged).</summary>
    Failed = 4,

    /// <summary>Decided where no explanation queue runs (the command line); <c>mote explain</c> explains a probe at once.</summary>
    NotQueued = 5,

    /// <summary>Read only, never stored: recorded as computing, but its input is gone without an explanation (an earlier version
    /// queued in memory and restarted before computing it).</summary>
    Lost = 6,
}

/// <summary>Words and finality of <see cref="ExplanationState"/>, shared by the page and its tests.</summary>
public static class ExplanationStates
{
    /// <summary>True for every state but <see cref="ExplanationState.Computing"/>: nothing will change it any more.</summary>
    public static bool IsFinal(this ExplanationState state) => state != ExplanationState.Computing;

    /// <summary>A short label for lists ("being computed", "ready", "none: …").</summary>
    public static string Label(this ExplanationState state) => state switch
    {
        ExplanationState.Computing => "being computed",
        ExplanationState.Ready => "ready",
        ExplanationState.NoMatch => "none: no match",
        ExplanationState.QueueFull => "none: queue was full",
        ExplanationState.Failed => "none: failed",
        ExplanationState.NotQueued => "none: made outside the portal",
        ExplanationState.Lost => "none: lost to a restart",
        _ => state.ToString(),
    };

    /// <summary>One sentence saying what the state means for the reader.</summary>
    public static string Sentence(this ExplanationState state) => state switch
    {
        ExplanationState.Computing => "The explanation is being computed in the background (about a second, longer while other explanations or a training run). This page refreshes itself.",
        ExplanationState.Ready => "The explanation is ready.",
        ExplanationState.NoMatch => "No explanation will be made: this identification was rejected, no one in the gallery matched, so there is no model-template whose decision could be explained.",
        ExplanationState.QueueFull => $"No explanation will be made: the explanation queue of an earlier version was full (64 decisions waiting) when this decision was made.",
        ExplanationState.Failed => "No explanation will be made: computing it failed (the probe gave no face to explain, the backbone cannot be explained, or the explainer failed; the portal's log has the details).",
        ExplanationState.NotQueued => "No explanation will be made: this decision was made outside the portal (the command line); `mote explain` explains a probe at once.",
        ExplanationState.Lost => "No explanation will be made: the portal restarted before this decision's explanation was computed (an earlier version kept the probe in memory only).",
        _ => state.ToString(),
    };
}
