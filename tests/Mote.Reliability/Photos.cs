using Mote.Core.Imaging;
using Mote.Core.Models;

namespace Mote.Reliability;

/// <summary>
/// Real photos for the harness: the face-api demo group photos (pinned npm package, hash-checked; the same cache the
/// tests use), and large "camera" photos made from them.
/// </summary>
public static class Photos
{
    /// <summary>sample1.jpg as shipped: face #1 (largest first) is the frontal middle person the API tests enroll.</summary>
    public static Task<byte[]> GroupPhotoAsync() => DemoAsync("sample1.jpg");

    /// <summary>One demo photo (sample1.jpg … sample6.jpg) as shipped.</summary>
    public static async Task<byte[]> DemoAsync(string file) => await File.ReadAllBytesAsync(Path.Combine(await DemoDirAsync(), file));

    /// <summary>
    /// A 4:3 photo of <paramref name="megapixels"/> Mpx framing the enrolled face of sample1.jpg (box about 854,472
    /// 173x173) close up, as a phone would: the 600x450 region around it scaled up, with seeded sensor-like noise so the
    /// JPEG (quality 92) is as large as a camera's (several MB), not a smooth few hundred KB.
    /// </summary>
    public static async Task<byte[]> CameraPhotoAsync(double megapixels, int seed)
    {
        var group = new ImageDecoder().Decode(await GroupPhotoAsync());
        var region = ImageRegion.Copy(group, 640, 330, 600, 450);
        var width = (int)Math.Round(Math.Sqrt(megapixels * 1_000_000 * 4 / 3));
        var height = width * 3 / 4;
        var large = ImageResizer.Resize(region, width, height).Image;
        var random = new Random(seed);
        var noisy = RgbImage.Create(width, height, pixels =>
        {
            large.Pixels.CopyTo(pixels);
            for (var i = 0; i < pixels.Length; i++)
            {
                // Sum of two uniforms: a triangular noise of ±6 grey levels, about a phone sensor's at ISO 400.
                var noise = random.Next(-3, 4) + random.Next(-3, 4);
                pixels[i] = (byte)Math.Clamp(pixels[i] + noise, 0, 255);
            }
        });
        return ImageEncoding.ToJpeg(noisy, 92);
    }

    private static async Task<string> DemoDirAsync()
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
        var work = Directory.CreateTempSubdirectory("mote-reliability-faceapi-").FullName;
        var tarball = await new NpmPackageFetcher().PackAsync(package, work);
        PackageArchive.VerifyIntegrity(tarball, package);
        var staging = Path.Combine(work, "x");
        PackageArchive.Extract(tarball, staging, new ModelPackOptions().MaxExtractedBytes);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(cache, package.Key))!);
        try
        {
            Directory.Move(Path.Combine(staging), Path.Combine(cache, package.Key));
        }
        catch (IOException)
        {
            // Another run cached it meanwhile; either copy is the verified package.
        }
        return Directory.Exists(demo) ? demo : Path.Combine(staging, "package", "demo");
    }
}
