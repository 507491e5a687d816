using Microsoft.AspNetCore.Components;
using Mote.Gallery.Users;

namespace Mote.Portal.Components.Pages.Account;

public partial class Login
{
    [CascadingParameter]
    private HttpContext HttpContext { get; set; } = default!;

    [SupplyParameterFromForm(FormName = "login")]
    private SignInInput Input { get; set; } = default!;

    protected override void OnInitialized() => Input ??= new();

    [SupplyParameterFromQuery(Name = "ReturnUrl")]
    private string? ReturnUrl { get; set; }

    [SupplyParameterFromQuery(Name = "created")]
    private bool Created { get; set; }

    [SupplyParameterFromQuery(Name = "reset")]
    private bool PasswordReset { get; set; }

    private string? _error;

    private async Task SubmitAsync()
    {
        var outcome = await SignIn.ExecuteAsync(Input.Email, Input.Password, HttpContext.Connection.RemoteIpAddress?.ToString());
        _error = outcome switch
        {
            SignInOutcome.Succeeded or SignInOutcome.CodeRequired => null,
            SignInOutcome.LockedOut => "Too many failed attempts: this account is locked for a while. Try again later, or ask an Admin to enable it.",
            SignInOutcome.Throttled => "Too many failed attempts. Wait a little and try again.",
            _ => "E-mail or password is wrong.",
        };
        if (outcome == SignInOutcome.Succeeded)
        {
            Navigation.NavigateTo(AccountEndpoints.SafeReturnUrl(ReturnUrl));
        }
        else if (outcome == SignInOutcome.CodeRequired)
        {
            Navigation.NavigateTo($"account/login-code?ReturnUrl={Uri.EscapeDataString(AccountEndpoints.SafeReturnUrl(ReturnUrl))}");
        }
    }

    private sealed class SignInInput
    {
        public string Email { get; set; } = "";

        public string Password { get; set; } = "";
    }
}
