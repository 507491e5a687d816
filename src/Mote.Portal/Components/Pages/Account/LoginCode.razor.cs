using Microsoft.AspNetCore.Components;
using Mote.Gallery.Users;

namespace Mote.Portal.Components.Pages.Account;

public partial class LoginCode
{
    [CascadingParameter]
    private HttpContext HttpContext { get; set; } = default!;

    [SupplyParameterFromForm(FormName = "login-code")]
    private CodeInput Input { get; set; } = default!;

    [SupplyParameterFromQuery(Name = "ReturnUrl")]
    private string? ReturnUrl { get; set; }

    private bool _pending;
    private string? _error;

    protected override async Task OnInitializedAsync()
    {
        Input ??= new();
        _pending = await SignIn.IsPendingAsync();
    }

    private async Task SubmitAsync()
    {
        var outcome = await SignIn.ExecuteAsync(Input.Code, HttpContext.Connection.RemoteIpAddress?.ToString());
        switch (outcome)
        {
            case SignInOutcome.Succeeded:
                Navigation.NavigateTo(AccountEndpoints.SafeReturnUrl(ReturnUrl));
                return;
            case SignInOutcome.Expired:
                _pending = false;
                _error = "This sign-in has expired (five minutes) or was ended. Sign in again.";
                return;
            case SignInOutcome.LockedOut:
                _pending = false;
                _error = "Too many failed attempts: this account is locked for a while. Try again later, or ask an Admin to enable it.";
                return;
            case SignInOutcome.Throttled:
                _error = "Too many failed attempts. Wait a little and try again.";
                return;
            default:
                _error = "That code is wrong or already used. Type the code your authenticator shows now (each code works once), or an unused recovery code.";
                return;
        }
    }

    private sealed class CodeInput
    {
        public string Code { get; set; } = "";
    }
}
