using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Mote.Gallery.Audit;
using Mote.Gallery.Data;
using Mote.Gallery.Hosting;
using Mote.Gallery.Security;
using Mote.Gallery.Users;
using Mote.Portal.Components.Pages.Settings;
using MudBlazor;

namespace Mote.Portal.Tests.Components;

/// <summary>Issue 14 item 4: the users page disables, enables, resets and signs out accounts.</summary>
public sealed class UserAdministrationTests : GalleryBunitContext
{
    [Fact]
    public async Task Actions_DisableEnableResetEndSessions_ChangeTheAccountAndShowTheLink()
    {
        await GalleryDatabase.MigrateAsync(Services);
        var scope = Services.CreateAsyncScope();
        await using (scope)
        {
            await scope.ServiceProvider.GetRequiredService<CreateUser>().ExecuteAsync(Actor.Terminal("test"), "bob@example.org", "correct horse battery", Roles.Operator);
        }
        SignInAs(Roles.Admin);
        Render<MudPopoverProvider>();
        var cut = Render<UserAdministration>();
        cut.WaitForAssertion(() => Assert.Equal("active", cut.Find("[data-testid=user-status]").TextContent.Trim()));

        cut.Find("[data-testid=user-disable]").Click();
        cut.WaitForAssertion(() => Assert.Equal("disabled", cut.Find("[data-testid=user-status]").TextContent.Trim()));
        Assert.Empty(cut.FindAll("[data-testid=user-reset]"));

        cut.Find("[data-testid=user-enable]").Click();
        cut.WaitForAssertion(() => Assert.Equal("active", cut.Find("[data-testid=user-status]").TextContent.Trim()));

        cut.Find("[data-testid=user-reset]").Click();
        cut.WaitForAssertion(() => Assert.Matches(@"account/reset-password\?token=[A-Za-z0-9_\-]{43}$", cut.Find("[data-testid=reset-link]").TextContent.Trim()));

        cut.Find("[data-testid=user-end-sessions]").Click();
        cut.WaitForAssertion(() => Assert.Equal(1, CountEvents(AuditEventCode.UserSessionsEnded)));
        Assert.Equal(1, CountEvents(AuditEventCode.UserDisabled));
        Assert.Equal(1, CountEvents(AuditEventCode.UserEnabled));
        Assert.Equal(1, CountEvents(AuditEventCode.PasswordResetIssued));
    }

    [Fact]
    public async Task ResetMfa_AccountWithMfa_TurnsItOffAndIsAuditedOnce()
    {
        await GalleryDatabase.MigrateAsync(Services);
        var scope = Services.CreateAsyncScope();
        await using (scope)
        {
            var bob = await scope.ServiceProvider.GetRequiredService<CreateUser>().ExecuteAsync(Actor.Terminal("test"), "bob@example.org", "correct horse battery", Roles.Operator);
            var actor = new Actor(ActorKind.User, bob.Id, bob.Email, new HashSet<string> { Roles.Operator });
            var setup = await scope.ServiceProvider.GetRequiredService<BeginMfaSetup>().ExecuteAsync(actor);
            await scope.ServiceProvider.GetRequiredService<ConfirmMfaSetup>().ExecuteAsync(actor, Totp.Code(Base32.Decode(setup.Secret), Totp.StepAt(DateTimeOffset.UtcNow)));
        }
        SignInAs(Roles.Admin);
        Render<MudPopoverProvider>();
        var cut = Render<UserAdministration>();
        cut.WaitForAssertion(() => Assert.Equal("on", cut.Find("[data-testid=user-mfa]").TextContent.Trim()));

        cut.Find("[data-testid=user-reset-mfa]").Click();

        cut.WaitForAssertion(() => Assert.Equal("off", cut.Find("[data-testid=user-mfa]").TextContent.Trim()));
        Assert.Empty(cut.FindAll("[data-testid=user-reset-mfa]"));
        Assert.Equal(1, CountEvents(AuditEventCode.MfaReset));
    }

    private int CountEvents(AuditEventCode code)
    {
        using var scope = Services.CreateScope();
        return scope.ServiceProvider.GetRequiredService<MoteDbContext>().AuditEvents.Count(e => e.Code == (int)code);
    }
}
