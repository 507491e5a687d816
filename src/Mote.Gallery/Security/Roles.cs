namespace Mote.Gallery.Security;

/// <summary>The portal's three roles. Names are stored in the database: never rename them.</summary>
public static class Roles
{
    public const string Admin = "Admin";
    public const string Auditor = "Auditor";
    public const string Operator = "Operator";

    public static IReadOnlyList<string> All { get; } = [Admin, Auditor, Operator];

    /// <summary>Returns the canonical role name for <paramref name="name"/> (case-insensitive), or null.</summary>
    public static string? Normalize(string? name) =>
        All.FirstOrDefault(r => string.Equals(r, name?.Trim(), StringComparison.OrdinalIgnoreCase));
}
