using System.ComponentModel.DataAnnotations;

namespace Mote.Portal.Hosting;

/// <summary>Presentation settings, bound from <c>Mote:Portal</c> in the root <c>appsettings.json</c>.</summary>
public sealed class PortalOptions
{
    public const string Section = "Mote:Portal";

    /// <summary>Product name shown in the title bar and page titles. Required: there is no built-in default,
    /// so a missing root configuration fails at start instead of going unnoticed.</summary>
    [Required]
    public string Name { get; set; } = "";

    public string Tagline { get; set; } = "";
}
