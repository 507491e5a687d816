using System.Globalization;
using Mote.Gallery.Errors;
using Mote.Gallery.Fairness;
using Mote.Gallery.Security;

namespace Mote.Portal.Components.Pages.Fairness;

public partial class GalleryRiskTab
{
    private readonly CancellationTokenSource _cts = new();
    private GalleryRiskPolicy? _policy;
    // Null while the field shows the saved policy; a number is a trial limit for this page only (never saved).
    private double? _trialLimit;
    private int _impostors = GalleryRiskRequest.DefaultImpostorsPerGroup;
    private GalleryRiskReport? _report;
    private DateTimeOffset? _assessedUtc;
    private GalleryRiskJobStatus? _job;
    private string? _search;
    private bool _flaggedOnly;
    private bool _following;
    private string? _error;
    private string? _notice;

    /// <summary>How often the tab reads a running assessment's progress from the job store.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    private bool Running => _job is { IsFinished: false };

    private double PolicyLimit => _policy?.LimitMultiple ?? GalleryRiskRequest.DefaultLimitMultiple;

    private double LimitField
    {
        get => _trialLimit ?? PolicyLimit;
        set => _trialLimit = value == PolicyLimit ? null : value;
    }

    private string LimitHelp => _trialLimit is null
        ? $"The saved policy ({PolicyLimit.ToString("G4", CultureInfo.InvariantCulture)}×; Settings → Thresholds)"
        : $"Trying a limit; not saved (policy {PolicyLimit.ToString("G4", CultureInfo.InvariantCulture)}×)";

    protected override async Task OnInitializedAsync()
    {
        try
        {
            var actor = await Actor.GetAsync();
            _policy = await ReadPolicy.ExecuteAsync(actor, _cts.Token);
            await ReadLatestAsync(actor);
            _job = await Jobs.CurrentAsync(actor, _cts.Token);
            Follow();
        }
        catch (Exception e) when (GalleryErrors.IsRefusal(e))
        {
            _error = e.Message;
        }
    }

    private async Task ReadLatestAsync(Actor actor)
    {
        if (await Jobs.LatestReportAsync(actor, _cts.Token) is { } latest)
        {
            (_report, _assessedUtc) = (latest.Report, latest.AssessedUtc);
        }
    }

    private static string F(double fmr) => fmr.ToString("0.####", CultureInfo.InvariantCulture);

    private static double GroupFmr(PersonRisk p, string group) => p.Groups.FirstOrDefault(x => x.Group == group)?.Fmr ?? 0;

    private bool Matches(PersonRisk p) =>
        (!_flaggedOnly || p.Flagged)
        && (string.IsNullOrWhiteSpace(_search)
            || p.Name.Contains(_search, StringComparison.OrdinalIgnoreCase)
            || (p.WorstGroup ?? "").Contains(_search, StringComparison.OrdinalIgnoreCase)
            || (p.Gender ?? "").Contains(_search, StringComparison.OrdinalIgnoreCase)
            || (p.Ethnicity ?? "").Contains(_search, StringComparison.OrdinalIgnoreCase));

    private async Task RunAsync()
    {
        _error = null;
        _notice = null;
        try
        {
            _job = await Jobs.SubmitAsync(await Actor.GetAsync(), new GalleryRiskRequest(_trialLimit, _impostors), _cts.Token);
            Follow();
        }
        catch (Exception e) when (GalleryErrors.IsRefusal(e))
        {
            // Includes "already running" (another user's, or another instance's, assessment): said in words.
            _error = e.Message;
            _job = await Jobs.CurrentAsync(await Actor.GetAsync(), _cts.Token);
            Follow();
        }
    }

    private async Task CancelAsync()
    {
        if (_job is not { IsFinished: false } job)
        {
            return;
        }
        try
        {
            _job = await Jobs.CancelAsync(await Actor.GetAsync(), job.Id, _cts.Token);
        }
        catch (Exception e) when (GalleryErrors.IsRefusal(e))
        {
            _error = e.Message;
        }
    }

    private void Follow()
    {
        if (_following || _job is not { IsFinished: false })
        {
            return;
        }
        _following = true;
        _ = FollowAsync(_job.Id);
    }

    /// <summary>Reads the job from the store until it ends (it may run on another instance), then shows its report or why not.</summary>
    private async Task FollowAsync(string id)
    {
        try
        {
            var actor = await Actor.GetAsync();
            using var timer = new PeriodicTimer(PollInterval);
            while (await timer.WaitForNextTickAsync(_cts.Token))
            {
                var job = await Jobs.GetAsync(actor, id, _cts.Token);
                var ended = job is null or { IsFinished: true };
                if (job is { State: Mote.Gallery.Jobs.JobState.Succeeded })
                {
                    await ReadLatestAsync(actor);
                }
                await InvokeAsync(() =>
                {
                    _job = job;
                    if (job is { State: Mote.Gallery.Jobs.JobState.Failed })
                    {
                        _error = job.Message;
                    }
                    else if (job is { State: Mote.Gallery.Jobs.JobState.Cancelled })
                    {
                        _notice = job.Message;
                    }
                    StateHasChanged();
                });
                if (ended)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (_cts.IsCancellationRequested)
        {
            // The page closed; the assessment goes on.
        }
        catch (ObjectDisposedException)
        {
            // The page closed.
        }
        finally
        {
            _following = false;
        }
    }

    public void Dispose()
    {
        _cts.Cancel();
        _cts.Dispose();
    }
}
