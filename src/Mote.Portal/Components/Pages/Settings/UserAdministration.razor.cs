using Mote.Gallery.Errors;
using Mote.Gallery.Security;
using Mote.Gallery.Users;
using MudBlazor;

namespace Mote.Portal.Components.Pages.Settings;

public partial class UserAdministration
{
    private IReadOnlyList<UserSummary>? _users;
    private string _email = "";
    private string _password = "";
    private string _role = Roles.Operator;
    private bool _busy;
    private PasswordResetLink? _resetLink;

    protected override Task OnInitializedAsync() => ReloadAsync();

    private async Task ReloadAsync() => _users = await List.ExecuteAsync(await Actor.GetAsync());

    private async Task CreateAsync()
    {
        _busy = true;
        try
        {
            var created = await Create.ExecuteAsync(await Actor.GetAsync(), _email, _password, _role);
            Snackbar.Add($"Added {created.Email} as {_role}.", Severity.Success);
            _email = _password = "";
            await ReloadAsync();
        }
        catch (Exception e) when (GalleryErrors.IsRefusal(e))
        {
            Snackbar.Add(e.Message, Severity.Error);
        }
        finally
        {
            _busy = false;
        }
    }

    private async Task ChangeRoleAsync(UserSummary user, string role)
    {
        try
        {
            await ChangeRole.ExecuteAsync(await Actor.GetAsync(), user.Id, role);
            Snackbar.Add($"{user.Email} is now {role}.", Severity.Success);
        }
        catch (Exception e) when (GalleryErrors.IsRefusal(e))
        {
            Snackbar.Add(e.Message, Severity.Error);
        }
        await ReloadAsync();
    }

    private async Task RunAsync(UserSummary user, string done, Func<Mote.Gallery.Security.Actor, Task> action)
    {
        try
        {
            await action(await Actor.GetAsync());
            Snackbar.Add($"{user.Email}: {done}.", Severity.Success);
        }
        catch (Exception e) when (GalleryErrors.IsRefusal(e))
        {
            Snackbar.Add(e.Message, Severity.Error);
        }
        await ReloadAsync();
    }

    private async Task ResetAsync(UserSummary user)
    {
        try
        {
            _resetLink = await IssueReset.ExecuteAsync(await Actor.GetAsync(), user.Id);
        }
        catch (Exception e) when (GalleryErrors.IsRefusal(e))
        {
            Snackbar.Add(e.Message, Severity.Error);
        }
    }
}
