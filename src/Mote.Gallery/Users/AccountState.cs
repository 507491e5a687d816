using Mote.Gallery.Data;

namespace Mote.Gallery.Users;

/// <summary>
/// How an account's state is kept in Identity's own columns, so no migration is needed: a disabled account
/// is one whose lock-out never ends (<see cref="DisabledUntil"/>); a lock-out after failed sign-ins ends after
/// <see cref="SignInPolicy.LockoutMinutes"/>.
/// </summary>
public static class AccountState
{
    /// <summary>The lock-out end that marks an account as disabled by an Admin (not by failed sign-ins).</summary>
    public static DateTimeOffset DisabledUntil { get; } = DateTimeOffset.MaxValue;

    /// <summary>
    /// True when an Admin disabled the account. Compared by year, not equality: SQLite stores the value as text and
    /// may hand back a value a few ticks off <see cref="DateTimeOffset.MaxValue"/>.
    /// </summary>
    public static bool IsDisabled(PortalUser user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return user.LockoutEnd is { } end && end.Year >= 9999;
    }

    /// <summary>True while a lock-out after failed sign-ins lasts (a disabled account is not "locked out").</summary>
    public static bool IsLockedOut(PortalUser user, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(user);
        return !IsDisabled(user) && user.LockoutEnd is { } end && end > now;
    }
}
