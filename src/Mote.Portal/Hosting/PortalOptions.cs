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

    /// <summary>How often an open tab (a Blazor circuit) re-checks its account against the store: deleted, disabled,
    /// locked out, signed out elsewhere, role changed. At most 30 s (issue 14 item 1); default 30 s.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:00:30")]
    public TimeSpan SessionRevalidation { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A session with no request for this long ends (sliding). At most 30 minutes; default 30 minutes.</summary>
    [Range(typeof(TimeSpan), "00:00:05", "00:30:00")]
    public TimeSpan SessionIdleTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>A session ends this long after sign-in, however active. At most 12 hours; default 12 hours.</summary>
    [Range(typeof(TimeSpan), "00:00:05", "12:00:00")]
    public TimeSpan SessionAbsoluteLifetime { get; set; } = TimeSpan.FromHours(12);
}
