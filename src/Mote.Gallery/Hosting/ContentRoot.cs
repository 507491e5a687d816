namespace Mote.Gallery.Hosting;

/// <summary>
/// Finds the directory that holds the portal's <c>appsettings.json</c> and <c>wwwroot/</c>. In a
/// clone that is the repository root (the user asked for both at the top level), found by walking up
/// from the running assembly to the folder with <c>Mote.Portal.sln</c>; in a deployment, where no
/// solution file exists, the application's base directory.
/// </summary>
public static class ContentRoot
{
    /// <summary>The file whose folder <see cref="Locate"/> takes for the repository root: <c>Mote.Portal.sln</c>.</summary>
    public const string SolutionFileName = "Mote.Portal.sln";

    /// <summary>Returns <c>MOTE_CONTENT_ROOT</c> if set, else the repository root above <paramref name="start"/>, else <paramref name="start"/>.</summary>
    public static string Locate(string? start = null)
    {
        var configured = Environment.GetEnvironmentVariable("MOTE_CONTENT_ROOT");
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return Path.GetFullPath(configured);
        }
        start ??= AppContext.BaseDirectory;
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, SolutionFileName)))
            {
                return dir.FullName;
            }
        }
        return Path.GetFullPath(start);
    }

    /// <summary>Resolves <paramref name="path"/> against <paramref name="contentRoot"/> unless it is absolute.</summary>
    public static string Resolve(string contentRoot, string path) =>
        Path.GetFullPath(Path.IsPathRooted(path) ? path : Path.Combine(contentRoot, path));
}
