using System.Diagnostics;
using Mote.Core.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Xunit.Abstractions;

namespace Mote.Core.Tests.Imaging;

/// <summary>
/// Prints decode timings; asserts only that decoding worked, never a time (the CI machine is shared).
/// Run: <c>dotnet test tests/Mote.Core.Tests --filter "FullyQualifiedName~ImageDecoderBenchmarkTests" --logger "console;verbosity=detailed"</c>.
/// </summary>
[Trait("Category", "Benchmark")]
public sealed class ImageDecoderBenchmarkTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(250, 250)]
    [InlineData(1920, 1280)]
    public void Decode_PhotoLikeJpeg_PrintsMedianMilliseconds(int width, int height)
    {
        var jpeg = PhotoLikeJpeg(width, height);
        using var decoder = new ImageDecoder();
        decoder.Decode(jpeg); // warm-up: JIT and allocator pool

        var runs = width * height > 1_000_000 ? 15 : 60;
        var times = new double[runs];
        for (var i = 0; i < runs; i++)
        {
            var watch = Stopwatch.StartNew();
            var image = decoder.Decode(jpeg);
            times[i] = watch.Elapsed.TotalMilliseconds;
            Assert.Equal(width, image.Width);
        }

        Array.Sort(times);
        output.WriteLine($"decode {width}x{height} JPEG ({jpeg.Length:N0} bytes): median {times[runs / 2]:0.00} ms, min {times[0]:0.00} ms, max {times[^1]:0.00} ms over {runs} runs");
    }

    /// <summary>Gradient plus seeded noise, so the JPEG has photo-like entropy (about 1-2 bits per pixel).</summary>
    private static byte[] PhotoLikeJpeg(int width, int height)
    {
        var random = new Random(width);
        using var image = new Image<Rgb24>(width, height);
        image.ProcessPixelRows(rows =>
        {
            for (var y = 0; y < rows.Height; y++)
            {
                var row = rows.GetRowSpan(y);
                for (var x = 0; x < row.Length; x++)
                {
                    var noise = random.Next(-20, 21);
                    row[x] = new Rgb24(
                        (byte)Math.Clamp((x * 255 / width) + noise, 0, 255),
                        (byte)Math.Clamp((y * 255 / height) + noise, 0, 255),
                        (byte)Math.Clamp(128 + noise, 0, 255));
                }
            }
        });
        return EncodedImageBuilder.Jpeg(image, 90);
    }
}
