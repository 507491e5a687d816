namespace Mote.Gallery.Users;

/// <summary>
/// An account as listed in Settings and by <c>mote users list</c>. <paramref name="LockedOut"/>: locked after failed
/// sign-ins, for now; <paramref name="Disabled"/>: disabled by an Admin until enabled again; <paramref name="MfaEnabled"/>:
/// signs in with an authenticator code after the password (ADR 0013).
/// </summary>
public sealed record UserSummary(string Id, string Email, IReadOnlyList<string> Roles, DateTimeOffset CreatedUtc, bool LockedOut, bool Disabled = false, bool MfaEnabled = false)
{
    /// <summary>"disabled", "locked out" or "active", as the portal and the CLI show it.</summary>
    public string Status => Disabled ? "disabled" : LockedOut ? "locked out" : "active";
}
