using Mote.Gallery;
using Mote.Gallery.Errors;
using Mote.Gallery.Evaluations;
using Mote.Gallery.Security;
using Mote.Portal.Services;

namespace Mote.Portal.Components.Pages.Fairness;

/// <summary>
/// The "start an evaluation run" form's state and actions: the datasets under the configured root, the request being
/// edited, and start / cancel / refresh through <see cref="EvaluationJobs"/> (which checks the permission and the
/// request again and says what is wrong in words). Kept out of the component so its logic stays small and testable.
/// </summary>
public sealed class EvaluationStartForm(ListEvaluationDatasets datasets, EvaluationJobs jobs, CurrentActor currentActor, TimeProvider time)
{
    private readonly EvaluationProgressClock _clock = new(time);

    /// <summary>The running job's phase, estimate and elapsed time, as of the last read; null when no job runs.</summary>
    public EvaluationTiming? Timing { get; private set; }

    /// <summary>The datasets found (null until loaded, or when the user may not start runs).</summary>
    public EvaluationDatasetList? Datasets { get; private set; }

    /// <summary>The chosen dataset's folder name.</summary>
    public string? Dataset { get; set; }

    /// <summary>Identities to evaluate; empty = all. Default 100.</summary>
    public int? Identities { get; set; } = EvaluationRunRequest.DefaultIdentities;

    public int Seed { get; set; } = 1;

    public bool Sweep { get; set; } = true;

    public bool Privacy { get; set; } = true;

    /// <summary>Why the last start or cancel was refused, in words; null after a success.</summary>
    public string? Error { get; private set; }

    /// <summary>The running job, or the last one since the server started.</summary>
    public EvaluationJobStatus? Job
    {
        get;
        private set
        {
            field = value;
            Timing = _clock.Observe(value);
        }
    }

    public bool Busy { get; private set; }

    /// <summary>Lists the datasets (preselecting the first) and reads the current job.</summary>
    public async Task LoadAsync()
    {
        var actor = await currentActor.GetAsync().ConfigureAwait(false);
        Job = await jobs.CurrentAsync(actor).ConfigureAwait(false);
        if (actor.Has(Permission.RunEvaluations))
        {
            Datasets = datasets.Execute(actor);
            Dataset ??= Datasets.Datasets.FirstOrDefault()?.Name;
        }
    }

    /// <summary>Reads the current job again (the page polls this while a run is going).</summary>
    public async Task RefreshAsync() => Job = await jobs.CurrentAsync(await currentActor.GetAsync().ConfigureAwait(false)).ConfigureAwait(false);

    public async Task StartAsync()
    {
        Busy = true;
        try
        {
            Job = await jobs.StartAsync(await currentActor.GetAsync().ConfigureAwait(false),
                new EvaluationRunRequest(Dataset ?? "", Identities, Seed, Sweep, Privacy)).ConfigureAwait(false);
            Error = null;
        }
        catch (Exception e) when (GalleryErrors.IsRefusal(e))
        {
            Error = e.Message;
        }
        finally
        {
            Busy = false;
        }
    }

    public async Task CancelAsync()
    {
        try
        {
            Job = await jobs.CancelAsync(await currentActor.GetAsync().ConfigureAwait(false)).ConfigureAwait(false);
            Error = null;
        }
        catch (Exception e) when (GalleryErrors.IsRefusal(e))
        {
            Error = e.Message;
        }
    }

    /// <summary>The bar's value in percent for the current phase (0 when the phase has no known total).</summary>
    public static double Percent(EvaluationJobStatus job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return job.Progress.Total <= 0 ? 0 : Math.Clamp(100.0 * job.Progress.Done / job.Progress.Total, 0, 100);
    }
}
