namespace Mote.Gallery.Security;

/// <summary>The portal's three roles. Names are stored in the database: never rename them.</summary>
public static class Roles
{
    /// <summary>Every permission (<see cref="RolePermissions"/>), including managing accounts, settings and API keys and running evaluations.</summary>
    public const string Admin = "Admin";

    /// <summary>Reads and reports: views the gallery, fairness, explanations and the audit trail, and exports reports; decides nothing and changes nothing.</summary>
    public const string Auditor = "Auditor";

    /// <summary>Runs decisions: views the gallery and explanations, verifies and identifies.</summary>
    public const string Operator = "Operator";

    /// <summary>The three roles, Admin first.</summary>
    public static IReadOnlyList<string> All { get; } = [Admin, Auditor, Operator];

    /// <summary>Returns the canonical role name for <paramref name="name"/> (case-insensitive), or null.</summary>
    public static string? Normalize(string? name) =>
        All.FirstOrDefault(r => string.Equals(r, name?.Trim(), StringComparison.OrdinalIgnoreCase));
}
