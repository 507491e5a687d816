using Microsoft.AspNetCore.Identity;

namespace Mote.Gallery.Data;

/// <summary>A portal account (ASP.NET Core Identity user). The e-mail address is the user name.</summary>
public sealed class PortalUser : IdentityUser
{
    /// <summary>When the account was created (UTC).</summary>
    public DateTimeOffset CreatedUtc { get; set; }
}
