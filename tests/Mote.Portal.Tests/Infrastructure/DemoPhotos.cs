using Mote.Core.Imaging;
using Mote.Core.Models;

namespace Mote.Portal.Tests.Infrastructure;

/// <summary>
/// The face-api demo photos (real group photos, <c>demo/sample1…6.jpg</c>) from the verified pinned tarball,
/// in the cache layout the Core tests share (<c>$MOTE_MODEL_CACHE/test-packages</c>, else the system temp);
/// and the model cache that test portals and CLI runs should reuse.
/// </summary>
public static class DemoPhotos
{
    /// <summary>The provisioned model cache for tests: <c>$MOTE_MODEL_CACHE</c>, else <c>/tmp/mote-test-models</c> (as the Gallery tests use).</summary>
    public static string ModelCache { get; } = Environment.GetEnvironmentVariable(ModelPackOptions.CacheDirEnvironmentVariable) is { Length: > 0 } configured
        ? configured
        : Path.Combine(Path.GetTempPath(), "mote-test-models");

    /// <summary>The folder holding <c>sample1.jpg</c> … <c>sample6.jpg</c>; fetched with npm and verified when not yet cached.</summary>
    public static async Task<string> DirAsync()
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

    /// <summary>The bytes of one demo photo as shipped (JPEG with EXIF).</summary>
    public static async Task<byte[]> ReadAsync(string file) => await File.ReadAllBytesAsync(Path.Combine(await DirAsync(), file));

    /// <summary>A new JPEG of one region of a demo photo: a different image of the faces in it.</summary>
    public static async Task<byte[]> CropAsync(string file, int left, int top, int width, int height)
    {
        using var decoder = new ImageDecoder();
        var photo = decoder.Decode(await ReadAsync(file));
        return ImageEncoding.ToJpeg(ImageRegion.Copy(photo, left, top, width, height));
    }
}
