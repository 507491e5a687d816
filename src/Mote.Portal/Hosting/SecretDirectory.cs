namespace Mote.Portal.Hosting;

/// <summary>Creates secret folders readable by the owner only.</summary>
internal static class SecretDirectory
{
    public static DirectoryInfo Ensure(string path)
    {
        var dir = Directory.CreateDirectory(path);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        return dir;
    }
}
