using System.Globalization;
using Mote.Core.Evaluation;
using Mote.Gallery.Errors;
using Mote.Gallery.Evaluations;

namespace Mote.Portal.Components.Pages.Fairness;

public partial class EvaluationRunsPanel
{
    private IReadOnlyList<EvaluationRunSummary>? _runs;
    private string? _selectedId;
    private EvaluationReport? _report;
    private string? _error;

    protected override Task OnInitializedAsync() => ReloadAsync(null);

    /// <summary>Reads the list again and selects <paramref name="select"/> (a run just recorded), else the newest.</summary>
    private async Task ReloadAsync(string? select)
    {
        try
        {
            var actor = await Actor.GetAsync();
            _runs = await ListRuns.ExecuteAsync(actor);
            if (_runs.Count > 0)
            {
                await SelectAsync(_runs.Any(r => r.Id == select) ? select! : _runs[0].Id);
            }
        }
        catch (Exception e) when (GalleryErrors.IsRefusal(e))
        {
            _error = e.Message;
        }
    }

    private async Task SelectAsync(string id)
    {
        _selectedId = id;
        try
        {
            _report = await ShowRun.ExecuteAsync(await Actor.GetAsync(), id);
            _error = null;
        }
        catch (Exception e) when (GalleryErrors.IsRefusal(e))
        {
            _error = e.Message;
        }
    }

    private static string RunLabel(EvaluationRunSummary run) => string.Create(CultureInfo.InvariantCulture,
        $"{run.FinishedUtc:yyyy-MM-dd HH:mm} UTC · {Path.GetFileName(run.Dataset.TrimEnd('/', '\\'))} · {run.Identities} identities · seed {run.Seed}");
}
