using Microsoft.AspNetCore.Components;
using Mote.Core.Explain;
using Mote.Gallery.Decisions;
using Mote.Gallery.Errors;

namespace Mote.Portal.Components.Pages.Explanations;

public partial class ExplanationsPage
{
    /// <summary>The decision to explain; null shows the list.</summary>
    [Parameter]
    public string? DecisionId { get; set; }

    private IReadOnlyList<ExplainableDecision>? _list;
    private ExplanationView? _view;
    private string? _error;
    private string? _method;
    private int _opacity = 60;

    private ExplanationMap Selected => _view!.Explanation!.Maps.FirstOrDefault(m => m.Method == _method) ?? _view.Explanation.Maps[0];

    /// <summary>How often the page reads again while an explanation is being computed: 2 s (one takes about a second).</summary>
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(2);

    private CancellationTokenSource? _refresh;

    /// <summary>True when nothing shown can change any more: no explanation in view or in the list is being computed.</summary>
    private bool IsFinal => _error is not null || (DecisionId is null
        ? _list is null || _list.All(d => d.ExplanationState.IsFinal())
        : _view is null || _view.State.IsFinal());

    protected override async Task OnParametersSetAsync()
    {
        StopRefreshing();
        _error = null;
        _view = null;
        await LoadAsync();
        if (!IsFinal)
        {
            StartRefreshing();
        }
    }

    private async Task LoadAsync()
    {
        try
        {
            var actor = await Actor.GetAsync();
            if (DecisionId is null)
            {
                _list = await Explanations.ListAsync(actor);
            }
            else
            {
                _view = await Explanations.ExecuteAsync(actor, DecisionId);
            }
        }
        catch (Exception e) when (GalleryErrors.IsRefusal(e))
        {
            _error = e.Message;
        }
    }

    /// <summary>Reads again every <see cref="RefreshInterval"/> until everything shown is final, the parameters change or the page goes away.</summary>
    private void StartRefreshing()
    {
        _refresh = new CancellationTokenSource();
        // Created here, before the first render shows "being computed", so the clock's next tick is counted from now.
        var timer = new PeriodicTimer(RefreshInterval, Time);
        _ = RefreshAsync(timer, _refresh.Token);
    }

    private async Task RefreshAsync(PeriodicTimer timer, CancellationToken ct)
    {
        using (timer)
        {
            try
            {
                var final = false;
                while (!final && await timer.WaitForNextTickAsync(ct))
                {
                    await InvokeAsync(async () =>
                    {
                        if (ct.IsCancellationRequested)
                        {
                            return;
                        }
                        await LoadAsync();
                        final = IsFinal;
                        StateHasChanged();
                    });
                }
            }
            catch (OperationCanceledException)
            {
                // The parameters changed or the page went away.
            }
        }
    }

    private void StopRefreshing()
    {
        _refresh?.Cancel();
        _refresh?.Dispose();
        _refresh = null;
    }

    public ValueTask DisposeAsync()
    {
        StopRefreshing();
        return ValueTask.CompletedTask;
    }

    /// <summary>The unit of the faithfulness areas, as stored with the curves.</summary>
    internal static string FaithfulnessUnit(IReadOnlyList<FaithfulnessResult> results) => results.FirstOrDefault()?.Evidence switch
    {
        FaithfulnessResult.LogitEvidence => "in log-odds of the person's template (the quantity the maps measure, so a rejected probe's curves move too)",
        FaithfulnessResult.ScoreEvidence => "in the template's score",
        _ => "in the template's 0…1 score (computed before 2026-12-07)",
    };

    /// <summary>What the random column averages.</summary>
    internal static string RandomBaseline(IReadOnlyList<FaithfulnessResult> results) => results.FirstOrDefault()?.RandomMaps switch
    {
        null or 1 => "one random map",
        var n => $"the mean of {n} random maps",
    };

    private static string MethodName(string method) => method switch
    {
        OcclusionSensitivity.Method => "Occlusion 7x7",
        GradCamPlusPlus.Method => "Grad-CAM++",
        _ => method,
    };
}
