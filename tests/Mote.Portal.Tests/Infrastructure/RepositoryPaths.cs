using Mote.Gallery.Hosting;

namespace Mote.Portal.Tests.Infrastructure;

/// <summary>Paths in the repository the tests run from.</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = ContentRoot.Locate(AppContext.BaseDirectory);

    /// <summary>The built portal assembly, from the same configuration (Debug/Release) as these tests.</summary>
    public static string PortalAssembly => Built("Mote.Portal", "Mote.Portal.dll");

    /// <summary>The built <c>mote</c> CLI assembly, for tests that run it as its own process beside the portal.</summary>
    public static string CliAssembly => Built("Mote.Cli", "mote.dll");

    private static string Built(string project, string assembly)
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
        var path = Path.Combine(Root, "src", project, "bin", configuration, "net10.0", assembly);
        return File.Exists(path) ? path : throw new FileNotFoundException($"Build {project} first; {path} is missing.");
    }
}
