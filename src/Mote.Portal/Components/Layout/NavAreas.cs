using Mote.Gallery.Security;
using MudBlazor;

namespace Mote.Portal.Components.Layout;

/// <summary>One product area in the navigation: where it lives and the permission its page demands.</summary>
public sealed record NavArea(string Title, string Href, string Icon, Permission Permission);

/// <summary>The product's areas, in menu order.</summary>
public static class NavAreas
{
    public static IReadOnlyList<NavArea> All { get; } =
    [
        new("Gallery", "gallery", Icons.Material.Outlined.People, Permission.ViewGallery),
        new("Verify", "verify", Icons.Material.Outlined.HowToReg, Permission.Verify),
        new("Fairness", "fairness", Icons.Material.Outlined.Balance, Permission.ViewFairness),
        new("Explanations", "explanations", Icons.Material.Outlined.Insights, Permission.ViewExplanations),
        new("Audit", "audit", Icons.Material.Outlined.FactCheck, Permission.ViewAudit),
        new("Reports", "reports", Icons.Material.Outlined.Description, Permission.ExportReports),
        new("Settings", "settings", Icons.Material.Outlined.Settings, Permission.ManageSettings),
    ];
}
