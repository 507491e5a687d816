using Microsoft.AspNetCore.Components.Forms;
using Mote.Gallery.People;
using Mote.Portal.Services;

namespace Mote.Portal.Components.Pages.Gallery;

public partial class BulkEnrollPage
{
    private static readonly string Megabytes = (BulkEnrollmentBatch.MaxArchiveBytes / 1_000_000).ToString(System.Globalization.CultureInfo.InvariantCulture);
    private readonly CancellationTokenSource _stop = new();
    private BulkEnrollmentUpload _upload = null!;
    private CancellationTokenSource? _run;
    private bool _reading;

    protected override void OnInitialized() => _upload = new BulkEnrollmentUpload(Bulk);

    private async Task LoadAsync(IBrowserFile? file)
    {
        if (file is null || _upload.Running)
        {
            return;
        }
        _reading = true;
        try
        {
            await _upload.LoadAsync(file, _stop.Token);
        }
        finally
        {
            _reading = false;
        }
    }

    private async Task StartAsync()
    {
        _run?.Dispose();
        _run = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        var actor = await Actor.GetAsync();
        // Leaving the page stops the batch before its next row (the row being enrolled rolls back); it resumes when sent again.
        await _upload.RunAsync(actor, change => InvokeAsync(() =>
        {
            change();
            StateHasChanged();
        }), _run.Token);
    }

    private void Stop() => _run?.Cancel();

    public void Dispose()
    {
        _stop.Cancel();
        _run?.Dispose();
        _stop.Dispose();
        _upload.Dispose();
    }
}
