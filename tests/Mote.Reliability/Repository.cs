using System.Diagnostics;

namespace Mote.Reliability;

/// <summary>Where the built portal and CLI are (the harness's own configuration, Debug or Release), and the CLI as a process.</summary>
public static class Repository
{
    public static string Root { get; } = FindRoot(AppContext.BaseDirectory);

    private static string Configuration { get; } =
        new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;

    public static string PortalAssembly => Built("Mote.Portal", "Mote.Portal.dll");

    public static string CliAssembly => Built("Mote.Cli", "mote.dll");

    /// <summary>Runs <c>mote</c> with <paramref name="arguments"/> and the portal's secrets; returns exit code and output.</summary>
    public static async Task<(int Code, string Output, string Error)> MoteAsync(string secretsDirectory, params string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(CliAssembly);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        info.Environment["MOTE_SECRETS_DIR"] = secretsDirectory;
        info.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start mote.");
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, await error);
    }

    private static string Built(string project, string assembly)
    {
        var path = Path.Combine(Root, "src", project, "bin", Configuration, "net10.0", assembly);
        return File.Exists(path) ? path : throw new FileNotFoundException($"Build {project} ({Configuration}) first; {path} is missing.");
    }

    private static string FindRoot(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Mote.Portal.sln")))
            {
                return dir.FullName;
            }
        }
        throw new DirectoryNotFoundException($"No Mote.Portal.sln above {start}.");
    }
}
