using Mote.Core.Models;

namespace Mote.Portal.Tests.Infrastructure;

/// <summary>
/// The face-api demo photos (<c>sample1.jpg</c> … <c>sample6.jpg</c>) from the pinned npm package, as the other test
/// projects find them: the shared test-package cache (<c>$MOTE_MODEL_CACHE/test-packages</c>, else
/// <c>/tmp/mote-test-packages</c>), fetched with npm and checked against the pinned hash when absent.
/// </summary>
public static class DemoPhotos
{
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

        var work = Directory.CreateTempSubdirectory("mote-portal-faceapi-").FullName;
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
}
