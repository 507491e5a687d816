using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Mote.Gallery.Security;
using Mote.Portal.Components.Layout;

namespace Mote.Portal.Tests.Components;

public sealed class LayoutTests : PortalBunitContext
{
    private static readonly string[] Areas = ["Gallery", "Verify", "Fairness", "Explanations", "Audit", "Reports", "Settings"];

    [Fact]
    public void MainLayout_Admin_RendersEveryAreaInTheNavigation()
    {
        SignInAs(Roles.Admin, "ada@example.org");

        var cut = Render<CascadingAuthenticationState>(p => p.AddChildContent<MainLayout>(l => l.Add(x => x.Body, (RenderFragment)(b => b.AddContent(0, "page body")))));

        var nav = cut.Find("[data-testid=nav]");
        var links = nav.QuerySelectorAll("a").Select(a => a.TextContent.Trim()).ToArray();
        Assert.Equal(["Overview", .. Areas], links);
        Assert.Contains("page body", cut.Markup, StringComparison.Ordinal);
        Assert.Contains("Mote Portal (test)", cut.Markup, StringComparison.Ordinal);
        Assert.Equal("ada@example.org", cut.Find("[data-testid=user-name]").TextContent);
    }

    [Fact]
    public void UserMenu_ChipClicked_OpensTheMenuWithTheSignOutForm()
    {
        // MudBlazor 9 opens a menu with custom activator content only when the activator calls the menu's toggle.
        SignInAs(Roles.Admin, "ada@example.org");
        // The menu's content renders in the popover provider, not under the chip.
        var popovers = Render<MudBlazor.MudPopoverProvider>();
        var cut = Render<CascadingAuthenticationState>(p => p.AddChildContent<UserMenu>());
        Assert.Empty(popovers.FindAll("[data-testid=sign-out-form]"));

        cut.Find("[data-testid=user-chip]").Click();

        popovers.WaitForElement("[data-testid=sign-out-form]", TimeSpan.FromSeconds(15));
        var form = popovers.Find("[data-testid=sign-out-form]");
        Assert.Equal("account/logout", form.GetAttribute("action"));
        Assert.Contains("Sign out", form.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void NavMenu_Operator_ShowsOnlyAreasItsRoleMayOpen()
    {
        SignInAs(Roles.Operator);

        var cut = Render<CascadingAuthenticationState>(p => p.AddChildContent<NavMenu>());

        var links = cut.FindAll("a").Select(a => a.TextContent.Trim()).ToArray();
        Assert.Equal(["Overview", "Gallery", "Verify", "Explanations"], links);
    }

    [Fact]
    public void MainLayout_ThemeToggle_SwitchesToDarkAndBack()
    {
        SignInAs(Roles.Admin);
        var cut = Render<CascadingAuthenticationState>(p => p.AddChildContent<MainLayout>(l => l.Add(x => x.Body, (RenderFragment)(_ => { }))));
        // The layout reads the system theme after its first render; wait for that before toggling.
        cut.WaitForElement("[data-interactive=true]", TimeSpan.FromSeconds(15));
        var toggle = () => cut.Find("[data-testid=theme-toggle]");
        Assert.Equal("light", toggle().GetAttribute("data-mode"));

        // The toggle's handler awaits saving the choice (JS interop): wait for its render.
        toggle().Click();
        cut.WaitForAssertion(() => Assert.Equal("dark", toggle().GetAttribute("data-mode")));
        Assert.Contains("--mud-palette-background: rgba(20,25,37,1)", cut.Markup, StringComparison.Ordinal);

        toggle().Click();
        cut.WaitForAssertion(() => Assert.Equal("light", toggle().GetAttribute("data-mode")));
        // Each choice is kept in this browser's localStorage.
        Assert.Equal(["dark", "light"], JSInterop.Invocations["localStorage.setItem"].Select(i => (string)i.Arguments[1]!));
    }

    [Fact]
    public void MainLayout_SavedDarkChoice_StartsDarkOnTheNextLoad()
    {
        // The choice used to last only for the circuit: a reload went back to the system's (light) theme.
        JSInterop.Setup<string?>("localStorage.getItem", Mote.Portal.Services.ThemePreference.Key).SetResult("dark");
        SignInAs(Roles.Admin);

        var cut = Render<CascadingAuthenticationState>(p => p.AddChildContent<MainLayout>(l => l.Add(x => x.Body, (RenderFragment)(_ => { }))));

        cut.WaitForElement("[data-interactive=true]", TimeSpan.FromSeconds(15));
        Assert.Equal("dark", cut.Find("[data-testid=theme-toggle]").GetAttribute("data-mode"));
    }
}
