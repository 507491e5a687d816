using System.ComponentModel.DataAnnotations;

namespace Mote.Gallery.Users;

/// <summary>
/// How sign-in failures are slowed down, bound from <c>Mote:SignIn</c>. The defaults follow issue 14 item 6: one
/// client address is stopped before any account is (5 failures against 10), and an Admin is never locked out by
/// failures at all, only slowed down, so a stranger cannot lock every Admin out of the portal.
/// </summary>
public sealed class SignInPolicy
{
    /// <summary>The configuration section this policy is bound from.</summary>
    public const string Section = "Mote:SignIn";

    /// <summary>Failed attempts one client address may make within <see cref="WindowMinutes"/> before its attempts are refused unchecked. Default 5.</summary>
    [Range(1, 1000)]
    public int FailuresPerAddress { get; set; } = 5;

    /// <summary>The window over which an address's failures count, and how long it stays refused. Default 15 minutes.</summary>
    [Range(1, 1440)]
    public int WindowMinutes { get; set; } = 15;

    /// <summary>Consecutive failures that lock a non-Admin account (from any addresses). Default 10: above <see cref="FailuresPerAddress"/>.</summary>
    [Range(1, 1000)]
    public int FailuresPerAccount { get; set; } = 10;

    /// <summary>How long such a lock-out lasts. Default 15 minutes.</summary>
    [Range(1, 1440)]
    public int LockoutMinutes { get; set; } = 15;

    /// <summary>Consecutive failures on an Admin account after which each further attempt must wait (2 s, 4 s, 8 s … up to <see cref="AdminMaxDelaySeconds"/>). Default 5.</summary>
    [Range(1, 1000)]
    public int AdminFreeFailures { get; set; } = 5;

    /// <summary>The longest wait an Admin's failures impose. Default 60 s: slows guessing to one try a minute, never locks the Admin out.</summary>
    [Range(1, 3600)]
    public int AdminMaxDelaySeconds { get; set; } = 60;
}
