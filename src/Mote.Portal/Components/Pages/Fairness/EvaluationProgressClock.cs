using System.Globalization;
using Mote.Gallery.Evaluations;

namespace Mote.Portal.Components.Pages.Fairness;

/// <summary>Where a running evaluation stands in time, as the page shows it.</summary>
/// <param name="Phase">The runner's phase in words ("describe", "train model-templates"…, or "recording the report").</param>
/// <param name="Done">Steps done in the phase.</param>
/// <param name="Total">Steps in the phase (0: not counted).</param>
/// <param name="Elapsed">Since the run started.</param>
/// <param name="InPhase">Since this page saw the phase begin (or first saw it, when opened mid-phase).</param>
/// <param name="Left">Estimated time left in the phase, from the pace since then; null until a step was seen done.</param>
public sealed record EvaluationTiming(string Phase, int Done, int Total, TimeSpan Elapsed, TimeSpan InPhase, TimeSpan? Left)
{
    /// <summary>Every counted step of the phase is done: the runner is finishing it (a phase may end with uncounted work).</summary>
    public bool PhaseCountDone => Total > 0 && Done >= Total;

    /// <summary>One line: phase and count, the estimate, elapsed.</summary>
    public string Text
    {
        get
        {
            var count = Total > 0 ? string.Create(CultureInfo.InvariantCulture, $" {Done:N0} / {Total:N0}") : "";
            var estimate = PhaseCountDone ? $"counted steps done, finishing the phase ({Duration(InPhase)} in it so far)"
                : Left is { } left ? $"about {Duration(left)} left in this phase"
                : Total > 0 ? "estimating the time left…"
                : $"{Duration(InPhase)} in this phase";
            return $"Phase: {Phase}{count} · {estimate} · elapsed {Duration(Elapsed)}";
        }
    }

    /// <summary>"45 s", "3 min 05 s", "1 h 02 min".</summary>
    public static string Duration(TimeSpan t)
    {
        t = t < TimeSpan.Zero ? TimeSpan.Zero : t;
        return t.TotalHours >= 1 ? string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalHours} h {t.Minutes:00} min")
            : t.TotalMinutes >= 1 ? string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalMinutes} min {t.Seconds:00} s")
            : string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalSeconds} s");
    }
}

/// <summary>
/// Times a running evaluation from the snapshots the page polls (once a second): the runner reports only a phase and a
/// count, so the page notes when it first saw each phase and how many steps were done then, and estimates the rest of
/// the phase from the pace since (steps left × time per step). Before, the page showed "describe 375/375" for 30 s with
/// no clue whether anything was happening (issue 16). State is per page: a page opened mid-phase estimates from then on.
/// </summary>
public sealed class EvaluationProgressClock(TimeProvider time)
{
    private string? _jobId;
    private string? _phase;
    private DateTimeOffset _phaseSeen;
    private int _doneWhenSeen;

    /// <summary>Notes <paramref name="job"/>'s phase and returns its timing now; null when the job is finished.</summary>
    public EvaluationTiming? Observe(EvaluationJobStatus? job)
    {
        if (job is null || job.IsFinished)
        {
            return null;
        }
        var now = time.GetUtcNow();
        var phase = job.State == EvaluationJobState.Recording ? "recording the report" : job.Progress.Phase;
        if (job.Id != _jobId || phase != _phase || job.Progress.Done < _doneWhenSeen)
        {
            (_jobId, _phase, _phaseSeen, _doneWhenSeen) = (job.Id, phase, now, job.Progress.Done);
        }
        var inPhase = now - _phaseSeen;
        var stepsSeen = job.Progress.Done - _doneWhenSeen;
        TimeSpan? left = job.Progress.Total > 0 && stepsSeen > 0 && job.Progress.Done < job.Progress.Total
            ? inPhase / stepsSeen * (job.Progress.Total - job.Progress.Done)
            : null;
        return new EvaluationTiming(phase, job.Progress.Done, job.Progress.Total, now - job.StartedUtc, inPhase, left);
    }
}
