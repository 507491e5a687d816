using Mote.Core.Models;

namespace Mote.Portal.Tests.Infrastructure;

/// <summary>The face-api demo photos (real group photos with EXIF) shared by the CLI and component tests.</summary>
internal static class DemoPhotos
{
    /// <summary>The face-api demo photos, extracted from the verified pinned tarball (shared with Core tests' cache layout).</summary>
    public static async Task<string> DirectoryAsync()
    {
        var cache = Environment.GetEnvironmentVariable(ModelPackOptions.CacheDirEnvironmentVariable) is { Length: > 0 } configured
            ? Path.Combine(configured, "test-packages")
            : Path.Combine(Path.GetTempPath(), "mote-test-packages");
        var package = PinnedPackages.FaceApi;
        var demo = Path.Combine(cache, package.Key, "package", "demo");
        if (File.Exists(Path.Combine(demo, "sample1.jpg")))
        {
            return demo;
        }

        var work = Directory.CreateTempSubdirectory("mote-cli-faceapi-").FullName;
        try
        {
            var tarball = await new NpmPackageFetcher().PackAsync(package, work);
            PackageArchive.VerifyIntegrity(tarball, package);
            var staging = Path.Combine(work, "x");
            PackageArchive.Extract(tarball, staging, new ModelPackOptions().MaxExtractedBytes);
            return Path.Combine(staging, "package", "demo");
        }
        catch
        {
            Directory.Delete(work, recursive: true);
            throw;
        }
    }

    /// <summary>The bytes of one demo photo, e.g. <c>sample1.jpg</c>.</summary>
    public static async Task<byte[]> ReadAsync(string name) => await File.ReadAllBytesAsync(Path.Combine(await DirectoryAsync(), name));
}
