using Mote.Gallery.Audit;
using MudBlazor;

namespace Mote.Portal.Components.Pages.Audit;

public partial class AuditPage
{
    private MudTable<AuditEntry>? _table;
    private AuditChainStatus? _status;
    private bool _verifying;
    private DateTime? _from;
    private DateTime? _to;
    private string? _actor;
    private int? _code;
    private string? _subject;

    // The monitor's last result can be an hour old (it checks hourly) and says nothing of the rows added since, so the
    // page checks the chain itself once it is interactive; the verifier reads 100,000 rows well within 5 s.
    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (firstRender)
        {
            await VerifyAsync();
            StateHasChanged();
        }
    }

    // The filter the table shows, set by "Apply filter" (typing alone changes neither the table nor the export).
    private AuditFilter _applied = new();

    private AuditFilter Filter() => new(
        _from is { } f ? new DateTimeOffset(DateTime.SpecifyKind(f.Date, DateTimeKind.Utc)) : null,
        _to is { } t ? new DateTimeOffset(DateTime.SpecifyKind(t.Date.AddDays(1).AddTicks(-1), DateTimeKind.Utc)) : null,
        _actor, _code, _subject);

    private async Task<TableData<AuditEntry>> LoadAsync(TableState state, CancellationToken ct)
    {
        var (rows, total) = await ListEvents.ExecuteAsync(await Actor.GetAsync(), state.Page * state.PageSize, state.PageSize, _applied, ct);
        return new TableData<AuditEntry> { Items = rows, TotalItems = total };
    }

    private Task ApplyAsync()
    {
        _applied = Filter();
        return _table?.ReloadServerData() ?? Task.CompletedTask;
    }

    private async Task VerifyAsync()
    {
        _verifying = true;
        try
        {
            _status = await Monitor.VerifyNowAsync(await Actor.GetAsync());
        }
        finally
        {
            _verifying = false;
        }
    }
}
