using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using Mote.Gallery.People;
using Mote.Portal.Components.Shared;
using Mote.Portal.Services;
using MudBlazor;

namespace Mote.Portal.Components.Pages.Gallery;

public partial class EnrollPage
{
    private EnrollmentForm _form = null!;
    private EnrollmentJobStatus? _status;
    private bool _busy;
    private readonly CancellationTokenSource _stop = new();

    /// <summary>The background job this page follows; kept in the address so a reload re-attaches.</summary>
    [SupplyParameterFromQuery(Name = "job")]
    public string? Job { get; set; }

    protected override void OnInitialized() => _form = new EnrollmentForm(Analyze, Queue, Identity);

    protected override async Task OnParametersSetAsync()
    {
        if (Job is null)
        {
            return;
        }
        _status = await Queue.GetAsync(await Actor.GetAsync(), Job);
        _ = FollowAsync(Job);
    }

    /// <summary>"reading" while the photo is analysed, "refused" when it failed (the alert says why), "ready" when faces were found.</summary>
    private string FileState => _busy ? "reading" : _form.Error is not null ? "refused" : _form.Analysis is not null ? "ready" : "chosen";

    private Color FileColor => FileState switch { "refused" => Color.Error, "ready" => Color.Success, _ => Color.Default };

    private string FileIcon => FileState switch
    {
        "refused" => Icons.Material.Filled.ErrorOutline,
        "ready" => Icons.Material.Filled.CheckCircleOutline,
        _ => Icons.Material.Outlined.InsertDriveFile,
    };

    private async Task UploadAsync(IBrowserFile? file)
    {
        if (file is null)
        {
            return;
        }
        _busy = true;
        StateHasChanged();
        try
        {
            await _form.LoadAsync(await Actor.GetAsync(), file, _stop.Token);
        }
        finally
        {
            _busy = false;
        }
    }

    /// <summary>How long typing must pause before the name and external id are checked against the gallery: 400 ms.</summary>
    public static readonly TimeSpan IdentityCheckDelay = TimeSpan.FromMilliseconds(400);

    private Debouncer? _identityCheck;

    private void NameChanged(string? value)
    {
        _form.Name = value ?? "";
        ScheduleIdentityCheck();
    }

    private void ExternalIdChanged(string? value)
    {
        _form.ExternalId = value ?? "";
        ScheduleIdentityCheck();
    }

    /// <summary>Debounced: each keystroke cancels the pending check and starts the wait again.</summary>
    private void ScheduleIdentityCheck()
    {
        _form.IdentityEdited();
        _identityCheck ??= new Debouncer(IdentityCheckDelay, Time, _stop.Token);
        _identityCheck.Schedule(async ct =>
        {
            var actor = await Actor.GetAsync();
            await InvokeAsync(async () =>
            {
                if (!ct.IsCancellationRequested)
                {
                    await _form.CheckIdentityAsync(actor, ct);
                    StateHasChanged();
                }
            });
        });
    }

    private async Task SubmitAsync()
    {
        _identityCheck?.Cancel();
        if (await _form.SubmitAsync(await Actor.GetAsync()) is { } job)
        {
            Navigation.NavigateTo($"gallery/enroll?job={job}");
        }
    }

    /// <summary>Cancels the followed job (nothing is stored); the poll then shows it cancelled.</summary>
    private async Task CancelJobAsync()
    {
        if (Job is null)
        {
            return;
        }
        try
        {
            _status = await Queue.CancelAsync(await Actor.GetAsync(), Job);
        }
        catch (global::Mote.Gallery.GalleryException)
        {
            _status = await Queue.GetAsync(await Actor.GetAsync(), Job); // it finished meanwhile: show how
        }
    }

    /// <summary>Polls the job twice a second until it finishes or the page goes away.</summary>
    private async Task FollowAsync(string job)
    {
        var actor = await Actor.GetAsync();
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(500));
        try
        {
            while (_status is { IsFinished: false } && Job == job && await timer.WaitForNextTickAsync(_stop.Token))
            {
                _status = await Queue.GetAsync(actor, job);
                await InvokeAsync(StateHasChanged);
            }
        }
        catch (OperationCanceledException)
        {
            // The page was left.
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _identityCheck?.Dispose();
        _stop.Dispose();
    }
}
