using Microsoft.AspNetCore.Components;
using Mote.Gallery.Errors;
using Mote.Gallery.Users;

namespace Mote.Portal.Components.Pages.Account;

public partial class Mfa
{
    [CascadingParameter]
    private HttpContext HttpContext { get; set; } = default!;

    [SupplyParameterFromQuery(Name = "ReturnUrl")]
    private string? ReturnUrl { get; set; }

    [SupplyParameterFromForm(FormName = "mfa-confirm")]
    private CodeInput Input { get; set; } = default!;

    [SupplyParameterFromForm(FormName = "mfa-regenerate")]
    private CodeInput RegenerateInput { get; set; } = default!;

    [SupplyParameterFromForm(FormName = "mfa-disable")]
    private CodeInput DisableInput { get; set; } = default!;

    private MfaStatus? _status;
    private MfaSetup? _setup;
    private IReadOnlyList<string>? _codes;
    private string? _done;
    private string? _error;
    private string _actorName = "";

    private string Continue
    {
        get
        {
            var target = AccountEndpoints.SafeReturnUrl(ReturnUrl);
            return target.StartsWith("/account/", StringComparison.OrdinalIgnoreCase) ? "/" : target;
        }
    }

    protected override async Task OnInitializedAsync()
    {
        Input ??= new();
        RegenerateInput ??= new();
        DisableInput ??= new();
        await LoadAsync();
    }

    private async Task LoadAsync()
    {
        try
        {
            var actor = await Actors.ResolveAsync(HttpContext.User);
            _actorName = actor.Name;
            _status = await ReadStatus.ExecuteAsync(actor);
            _setup = _status.Enabled ? null : await Begin.ExecuteAsync(actor);
        }
        catch (Exception e) when (GalleryErrors.IsRefusal(e))
        {
            _error = e.Message;
        }
    }

    private Task ConfirmAsync() => ChangeAsync(async actor =>
    {
        _codes = await Confirm.ExecuteAsync(actor, Input.Code);
        _done = "Two-factor sign-in is on. From now on, sign-in asks for a code from your authenticator after the password.";
    });

    private Task RegenerateAsync() => ChangeAsync(async actor =>
    {
        _codes = await Regenerate.ExecuteAsync(actor, RegenerateInput.Code);
        _done = "New recovery codes issued; the old ones no longer work.";
    });

    private Task DisableAsync() => ChangeAsync(async actor =>
    {
        await Disable.ExecuteAsync(actor, DisableInput.Code);
    });

    /// <summary>Runs a change, re-issues this browser's cookie (the change ended every session), then shows the new state.</summary>
    private async Task ChangeAsync(Func<Mote.Gallery.Security.Actor, Task> change)
    {
        var actor = await Actors.ResolveAsync(HttpContext.User);
        try
        {
            await change(actor);
        }
        catch (Exception e) when (GalleryErrors.IsRefusal(e))
        {
            _error = e.Message;
            return;
        }
        await Session.RenewAsync(HttpContext.User, actor.Id);
        if (_codes is null)
        {
            // Turned off: show the set-up form again (an Admin must set up a new authenticator now).
            _status = await ReadStatus.ExecuteAsync(actor);
            _setup = _status.Enabled ? null : await Begin.ExecuteAsync(actor);
        }
    }

    /// <summary>"ABCD EFGH …": easier to type from the screen.</summary>
    private static string Grouped(string secret) =>
        string.Join(' ', Enumerable.Range(0, (secret.Length + 3) / 4).Select(i => secret.Substring(i * 4, Math.Min(4, secret.Length - i * 4))));

    private sealed class CodeInput
    {
        public string Code { get; set; } = "";
    }
}
