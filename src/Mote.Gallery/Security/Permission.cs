namespace Mote.Gallery.Security;

/// <summary>
/// What an actor may do. Pages declare one of these as their authorization policy (the policy name is
/// the enum name) and every use case demands one itself, so a page is never the only gate.
/// </summary>
public enum Permission
{
    /// <summary>See enrolled people (names, attributes, template summaries).</summary>
    ViewGallery,

    /// <summary>Enroll, retrain and erase people.</summary>
    ManageGallery,

    /// <summary>Run 1:1 verification.</summary>
    Verify,

    /// <summary>Run 1:N identification against the whole gallery.</summary>
    Identify,

    /// <summary>Read fairness dashboards and evaluation runs.</summary>
    ViewFairness,

    /// <summary>Open the explanation behind a decision.</summary>
    ViewExplanations,

    /// <summary>Read the audit trail.</summary>
    ViewAudit,

    /// <summary>Export privacy and compliance reports.</summary>
    ExportReports,

    /// <summary>Manage users, roles, API keys and settings.</summary>
    ManageSettings,

    /// <summary>
    /// Start (and cancel) an evaluation run from the portal, and record runs. Its own permission rather than
    /// <see cref="ManageSettings"/>: a run reads research datasets from the server's disk and occupies a core for
    /// minutes to hours, which is a different trust than editing settings, so a future role can be granted one
    /// without the other. Only Admin holds it today (Admin holds every permission).
    /// </summary>
    RunEvaluations,
}

/// <summary>The fixed role → permission map (Admin everything, Operator verification, Auditor read-only).</summary>
public static class RolePermissions
{
    private static readonly Dictionary<string, Permission[]> Map = new(StringComparer.Ordinal)
    {
        [Roles.Admin] = Enum.GetValues<Permission>(),
        [Roles.Auditor] =
        [
            Permission.ViewGallery, Permission.ViewFairness, Permission.ViewExplanations,
            Permission.ViewAudit, Permission.ExportReports,
        ],
        [Roles.Operator] = [Permission.ViewGallery, Permission.Verify, Permission.Identify, Permission.ViewExplanations],
    };

    /// <summary>The roles that grant <paramref name="permission"/>.</summary>
    public static IReadOnlyList<string> RolesGranting(Permission permission) =>
        Map.Where(kv => kv.Value.Contains(permission)).Select(kv => kv.Key).ToArray();

    /// <summary>True when any of <paramref name="roles"/> grants <paramref name="permission"/>; unknown role names grant nothing.</summary>
    public static bool Grants(IEnumerable<string> roles, Permission permission) =>
        roles.Any(r => Map.TryGetValue(r, out var granted) && granted.Contains(permission));
}
