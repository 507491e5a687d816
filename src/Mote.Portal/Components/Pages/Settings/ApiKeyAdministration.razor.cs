using Mote.Gallery.ApiKeys;
using Mote.Gallery.Errors;
using MudBlazor;

namespace Mote.Portal.Components.Pages.Settings;

public partial class ApiKeyAdministration
{
    private IReadOnlyList<ApiKeySummary>? _keys;
    private CreatedApiKey? _created;
    private string _name = "";
    private bool _verify = true;
    private bool _identify;
    private bool _manage;
    private DateTime? _expires;
    private string? _confirmRevoke;

    protected override Task OnInitializedAsync() => ReloadAsync();

    private async Task ReloadAsync() => _keys = await List.ExecuteAsync(await Actor.GetAsync());

    private async Task CreateAsync()
    {
        var scopes = (_verify ? ApiKeyScopes.Verify : 0) | (_identify ? ApiKeyScopes.Identify : 0) | (_manage ? ApiKeyScopes.Manage : 0);
        DateTimeOffset? expires = _expires is { } d ? new DateTimeOffset(DateTime.SpecifyKind(d.Date.AddDays(1), DateTimeKind.Utc)) : null;
        try
        {
            _created = await Create.ExecuteAsync(await Actor.GetAsync(), _name, scopes, expires);
            _name = "";
            await ReloadAsync();
        }
        catch (Exception e) when (GalleryErrors.IsRefusal(e))
        {
            Snackbar.Add(e.Message, Severity.Error);
        }
    }

    private async Task RevokeAsync(ApiKeySummary key)
    {
        _confirmRevoke = null;
        try
        {
            await Revoke.ExecuteAsync(await Actor.GetAsync(), key.Id);
            Snackbar.Add($"Revoked {key.Prefix} ({key.Name}).", Severity.Success);
        }
        catch (Exception e) when (GalleryErrors.IsRefusal(e))
        {
            Snackbar.Add(e.Message, Severity.Error);
        }
        await ReloadAsync();
    }
}
