using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using Mote.Gallery.Errors;
using Mote.Gallery.Security;
using Mote.Portal.Components.Shared;
using Mote.Portal.Services;

namespace Mote.Portal.Components.Pages.Gallery;

public partial class PersonPage
{
    private PersonEditForm _editor = null!;
    private bool _busy;
    private bool _confirmErase;
    private byte[]? _photo;
    private string? _photoName;

    [Parameter]
    public string Id { get; set; } = "";

    protected override void OnInitialized() => _editor = new PersonEditForm(Get, Preview, Retrain, Erase, Edit, Decisions, CheckIdentity);

    private readonly CancellationTokenSource _stop = new();
    private Debouncer? _identityCheck;

    private void DetailsNameChanged(string? value)
    {
        _editor.Details.Name = value ?? "";
        ScheduleIdentityCheck();
    }

    private void DetailsExternalIdChanged(string? value)
    {
        _editor.Details.ExternalId = value ?? "";
        ScheduleIdentityCheck();
    }

    /// <summary>As on the enrollment page: each keystroke cancels the pending check and waits <see cref="EnrollPage.IdentityCheckDelay"/> again.</summary>
    private void ScheduleIdentityCheck()
    {
        _editor.DetailsIdentityEdited();
        _identityCheck ??= new Debouncer(EnrollPage.IdentityCheckDelay, Time, _stop.Token);
        _identityCheck.Schedule(async ct =>
        {
            var actor = await Actor.GetAsync();
            await InvokeAsync(async () =>
            {
                if (!ct.IsCancellationRequested)
                {
                    await _editor.CheckDetailsIdentityAsync(actor, ct);
                    StateHasChanged();
                }
            });
        });
    }

    public void Dispose()
    {
        _stop.Cancel();
        _identityCheck?.Dispose();
        _stop.Dispose();
    }

    protected override async Task OnParametersSetAsync()
    {
        await _editor.LoadAsync(await Actor.GetAsync(), Id);
        FollowRetraining();
    }

    private bool _following;

    /// <summary>Polls the retraining job twice a second (from the store: it may run on another instance) until it ends or the page goes away.</summary>
    private void FollowRetraining()
    {
        if (_following || !_editor.IsRetraining)
        {
            return;
        }
        _following = true;
        _ = FollowAsync();
    }

    private async Task FollowAsync()
    {
        try
        {
            var actor = await Actor.GetAsync();
            using var timer = new PeriodicTimer(RetrainPollInterval);
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                var running = true;
                await InvokeAsync(async () =>
                {
                    running = await _editor.RefreshRetrainingAsync(actor, _stop.Token);
                    StateHasChanged();
                });
                if (!running)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The page was left; the job goes on.
        }
        finally
        {
            _following = false;
        }
    }

    /// <summary>How often the page reads a running retraining's progress.</summary>
    public static readonly TimeSpan RetrainPollInterval = TimeSpan.FromMilliseconds(500);

    private async Task CancelRetrainingAsync()
    {
        await _editor.CancelRetrainingAsync(await Actor.GetAsync());
        StateHasChanged();
    }

    private async Task ReloadAsync() => await _editor.LoadAsync(await Actor.GetAsync(), Id);

    private async Task ChoosePhotoAsync(IBrowserFile? file)
    {
        _photo = null;
        _photoName = null;
        if (file is null)
        {
            return;
        }
        if (PhotoUploads.Problem(file) is { } problem)
        {
            _photoName = problem;
            return;
        }
        try
        {
            _photo = await PhotoUploads.ReadAsync(file);
        }
        catch (Exception e) when (GalleryErrors.IsRefusal(e))
        {
            _photoName = e.Message;
            return;
        }
        _photoName = file.Name;
        _editor.BalanceChanged();
    }

    private Task SaveDetailsAsync()
    {
        _identityCheck?.Cancel();
        return BusyAsync(async a => await _editor.SaveDetailsAsync(a));
    }

    private Task PreviewAsync() => BusyAsync(async a => await _editor.PreviewAsync(a, _photo));

    private async Task RetrainAsync()
    {
        await BusyAsync(async a => await _editor.RetrainAsync(a, _photo));
        FollowRetraining();
    }

    private Task EraseAsync() => BusyAsync(async a =>
    {
        if (await _editor.EraseAsync(a))
        {
            Navigation.NavigateTo("gallery");
        }
        _confirmErase = false;
    });

    private async Task BusyAsync(Func<Actor, Task> action)
    {
        _busy = true;
        StateHasChanged();
        try
        {
            await action(await Actor.GetAsync());
        }
        finally
        {
            _busy = false;
        }
    }

    private static string Attribute(string what, string? declared, string? estimated) =>
        declared ?? (estimated is { } e ? $"{e} (estimated)" : $"{what} not declared");

    private static string Utc(DateTimeOffset t) => t.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    private static string Rate(double fmr, int count, double target) =>
        string.Create(CultureInfo.InvariantCulture, $"{fmr:0.####} ({count}){(fmr > target * 3 ? " ▲" : "")}");
}
