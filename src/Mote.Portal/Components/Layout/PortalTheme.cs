using MudBlazor;

namespace Mote.Portal.Components.Layout;

/// <summary>The portal's MudBlazor theme: one palette for light and dark, system fonts (no web-font download).</summary>
public static class PortalTheme
{
    public static MudTheme Theme { get; } = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#3a5ba0",
            Secondary = "#2f8f6b",
            AppbarBackground = "#3a5ba0",
            Background = "#f5f7fb",
            DrawerBackground = "#ffffff",
        },
        PaletteDark = new PaletteDark
        {
            Primary = "#8fb0f0",
            Secondary = "#8fd3a8",
            AppbarBackground = "#1d2433",
            Background = "#141925",
            Surface = "#1d2433",
            DrawerBackground = "#1a2030",
        },
        Typography = new Typography
        {
            Default = new DefaultTypography
            {
                FontFamily = ["system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "sans-serif"],
            },
        },
    };
}
