using System.Globalization;
using Microsoft.AspNetCore.Components;
using Mote.Gallery.Evaluations;
using Mote.Gallery.Security;

namespace Mote.Portal.Components.Pages.Fairness;

public partial class EvaluationRunStarter
{
    private EvaluationStartForm _form = null!;
    private System.Threading.Timer? _poll;
    private string? _announced;

    /// <summary>Called with the recorded run's id when a job finishes successfully (once per job).</summary>
    [Parameter]
    public EventCallback<string> OnRecorded { get; set; }

    private bool Running => _form.Job is { IsFinished: false };

    private string DatasetLabel(string? name) => _form.Datasets?.Datasets.FirstOrDefault(d => d.Name == name) is { } d
        ? $"{d.Name} ({d.IdentityFolders.ToString("N0", CultureInfo.InvariantCulture)} identities{(d.HasLabels ? "" : ", no labels")})"
        : name ?? "";

    protected override async Task OnInitializedAsync()
    {
        _form = new EvaluationStartForm(Datasets, Jobs, Actor, Time);
        try
        {
            await _form.LoadAsync();
        }
        catch (PermissionDeniedException)
        {
            // The panel says so already (ViewFairness); nothing to show or follow here.
            return;
        }
        // A finished job from before this page opened is not announced again.
        _announced = _form.Job is { IsFinished: true } done ? done.Id : null;
        // Poll once a second: progress reports arrive many times a second from the run's thread, far more than a page needs.
        _poll = new System.Threading.Timer(_ => _ = InvokeAsync(PollAsync), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    private async Task PollAsync()
    {
        var before = _form.Job;
        try
        {
            await _form.RefreshAsync();
        }
        catch (PermissionDeniedException)
        {
            return;
        }
        if (_form.Job is { State: EvaluationJobState.Succeeded, RunId: { } runId } job && _announced != job.Id)
        {
            _announced = job.Id;
            await OnRecorded.InvokeAsync(runId);
        }
        // While a run goes, redraw every poll: elapsed time and the estimate move even when the runner reports nothing new.
        if (!ReferenceEquals(before, _form.Job) || _form.Job is { IsFinished: false })
        {
            StateHasChanged();
        }
    }

    private async Task StartAsync()
    {
        await _form.StartAsync();
        StateHasChanged();
    }

    private async Task CancelAsync()
    {
        await _form.CancelAsync();
        StateHasChanged();
    }

    public void Dispose() => _poll?.Dispose();
}
