using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Mote.Gallery.ApiKeys;
using Mote.Gallery.Hosting;
using Mote.Gallery.Security;
using Mote.Portal.Components.Pages.Settings;
using MudBlazor;

namespace Mote.Portal.Tests.Components;

public sealed class ApiKeyAdministrationTests : GalleryBunitContext
{
    [Fact]
    public async Task Create_ShowsTheKeyOnceAndListsIt_RevokeAsksFirst()
    {
        await GalleryDatabase.MigrateAsync(Services);
        SignInAs(Roles.Admin);
        Render<MudPopoverProvider>();
        var cut = Render<ApiKeyAdministration>();
        cut.WaitForAssertion(() => Assert.Contains("No API keys yet.", cut.Find("[data-testid=keys-table]").TextContent, StringComparison.Ordinal));

        var name = cut.Find("[data-testid=key-name]");
        (name.TagName == "INPUT" ? name : name.QuerySelector("input")!).Input("front door");
        cut.Find("[data-testid=create-key]").Click();

        cut.WaitForAssertion(() => Assert.Matches("^mote_[a-z2-9]{10}_", cut.Find("[data-testid=new-key-value]").TextContent.Trim()));
        var key = cut.Find("[data-testid=new-key-value]").TextContent.Trim();
        var table = cut.Find("[data-testid=keys-table]").TextContent;
        Assert.Contains("front door", table, StringComparison.Ordinal);
        Assert.Contains(key.Split('_')[1], table, StringComparison.Ordinal);
        Assert.DoesNotContain(key.Split('_', 3)[2], table, StringComparison.Ordinal);

        // One click only asks; Cancel keeps the key; confirming revokes it.
        cut.Find("[data-testid=revoke]").Click();
        Assert.Contains("stop working at once", cut.Find("[data-testid=revoke-confirm]").TextContent, StringComparison.Ordinal);
        Assert.Contains("active", cut.Find("[data-testid=keys-table]").TextContent, StringComparison.Ordinal);
        cut.Find("[data-testid=revoke-cancel]").Click();
        Assert.Empty(cut.FindAll("[data-testid=revoke-confirm]"));
        var stillValid = Services.CreateAsyncScope();
        await using (stillValid)
        {
            Assert.NotNull(await stillValid.ServiceProvider.GetRequiredService<AuthenticateApiKey>().ExecuteAsync(key));
        }
        cut.Find("[data-testid=revoke]").Click();
        cut.Find("[data-testid=revoke-yes]").Click();
        cut.WaitForAssertion(() => Assert.Contains("revoked", cut.Find("[data-testid=keys-table]").TextContent, StringComparison.Ordinal));
        var scope = Services.CreateAsyncScope();
        await using (scope)
        {
            Assert.Null(await scope.ServiceProvider.GetRequiredService<AuthenticateApiKey>().ExecuteAsync(key));
        }
    }

    [Fact]
    public async Task KeysTable_ShowsLastUsed_NeverUntilTheKeyAuthenticates()
    {
        await GalleryDatabase.MigrateAsync(Services);
        SignInAs(Roles.Admin);
        Render<MudPopoverProvider>();
        var admin = new Actor(ActorKind.User, "id-Admin", "admin@example.org", new HashSet<string> { Roles.Admin });
        CreatedApiKey used;
        var scope = Services.CreateAsyncScope();
        await using (scope)
        {
            used = await scope.ServiceProvider.GetRequiredService<CreateApiKey>().ExecuteAsync(admin, "used door", ApiKeyScopes.Verify, null);
            await scope.ServiceProvider.GetRequiredService<CreateApiKey>().ExecuteAsync(admin, "idle door", ApiKeyScopes.Verify, null);
        }
        var before = DateTimeOffset.UtcNow;
        var auth = Services.CreateAsyncScope();
        await using (auth)
        {
            Assert.NotNull(await auth.ServiceProvider.GetRequiredService<AuthenticateApiKey>().ExecuteAsync(used.Key));
        }

        var cut = Render<ApiKeyAdministration>();

        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("[data-testid=key-last-used]").Count));
        var cells = cut.FindAll("tr").Where(r => r.QuerySelector("[data-testid=key-last-used]") is not null)
            .ToDictionary(r => r.TextContent.Contains("used door", StringComparison.Ordinal) ? "used" : "idle", r => r.QuerySelector("[data-testid=key-last-used]")!.TextContent.Trim());
        Assert.Equal("never", cells["idle"]);
        var shown = DateTime.ParseExact(cells["used"], "yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(shown, before.UtcDateTime.AddMinutes(-1), DateTime.UtcNow);
    }
}
