using Mote.Gallery.Hosting;

namespace Mote.Portal.Tests.Infrastructure;

/// <summary>Paths in the repository the tests run from.</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = ContentRoot.Locate(AppContext.BaseDirectory);

    /// <summary>The built portal assembly, from the same configuration (Debug/Release) as these tests.</summary>
    public static string PortalAssembly
    {
        get
        {
            var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
            var path = Path.Combine(Root, "src", "Mote.Portal", "bin", configuration, "net10.0", "Mote.Portal.dll");
            return File.Exists(path) ? path : throw new FileNotFoundException($"Build the portal first; {path} is missing.");
        }
    }
}
