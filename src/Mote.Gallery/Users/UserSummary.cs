namespace Mote.Gallery.Users;

/// <summary>An account as listed in Settings and by <c>mote users list</c>.</summary>
public sealed record UserSummary(string Id, string Email, IReadOnlyList<string> Roles, DateTimeOffset CreatedUtc, bool LockedOut);
