using Mote.Core.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Mote.Core.Tests.Imaging;

public sealed class ImageDecoderTests
{
    private static readonly ImageDecoder Decoder = new();

    private static ImageRejectedException Refused(byte[] bytes, ImageDecoder? decoder = null) =>
        Assert.Throws<ImageRejectedException>(() => (decoder ?? Decoder).Decode(bytes));

    [Fact]
    public void Decode_Jpeg_ReturnsRgbPixelsOfSameSize()
    {
        var image = Decoder.Decode(EncodedImageBuilder.Jpeg(64, 48));

        Assert.Equal(64, image.Width);
        Assert.Equal(48, image.Height);
        Assert.Equal(64 * 48 * 3, image.Pixels.Length);
        // Gradient: red grows left to right, green top to bottom, blue constant 128 (JPEG error ≤ 6 here).
        var topRight = image.GetPixel(63, 0);
        Assert.InRange(topRight.R, 245, 255);
        Assert.InRange(topRight.G, 0, 10);
        Assert.InRange(topRight.B, 122, 134);
    }

    [Fact]
    public void Decode_Png_ReturnsExactPixels()
    {
        using var source = EncodedImageBuilder.Gradient(33, 17);
        var image = Decoder.Decode(EncodedImageBuilder.Png(source));

        Assert.Equal((33, 17), (image.Width, image.Height));
        Assert.Equal(new RgbPixel(source[32, 16].R, source[32, 16].G, source[32, 16].B), image.GetPixel(32, 16));
        Assert.Equal(new RgbPixel(source[5, 3].R, source[5, 3].G, source[5, 3].B), image.GetPixel(5, 3));
    }

    [Fact]
    public void Decode_EmptyInput_RefusedAsEmpty()
    {
        var ex = Refused([]);
        Assert.Equal(ImageRejectionReason.Empty, ex.Reason);
        Assert.Contains("empty", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_RandomBytes_RefusedAsNotAnImage()
    {
        var bytes = new byte[4096];
        new Random(17).NextBytes(bytes);
        bytes[0] = 0x12; // make sure the random start is not accidentally a signature

        var ex = Refused(bytes);

        Assert.Equal(ImageRejectionReason.NotAnImage, ex.Reason);
    }

    [Fact]
    public void Decode_TextFile_RefusedAsNotAnImage()
    {
        var ex = Refused("BMW is a car, not a bitmap."u8.ToArray());
        Assert.Equal(ImageRejectionReason.NotAnImage, ex.Reason);
    }

    [Fact]
    public void Decode_Gif_RefusedAsUnsupportedAndNamed()
    {
        var ex = Refused(EncodedImageBuilder.Gif(16, 16));
        Assert.Equal(ImageRejectionReason.UnsupportedFormat, ex.Reason);
        Assert.Contains("GIF", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_Bmp_RefusedAsUnsupportedAndNamed()
    {
        var ex = Refused(EncodedImageBuilder.Bmp(16, 16));
        Assert.Equal(ImageRejectionReason.UnsupportedFormat, ex.Reason);
        Assert.Contains("BMP", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_Tiff_RefusedAsUnsupportedAndNamed()
    {
        var ex = Refused(EncodedImageBuilder.TiffHeader());
        Assert.Equal(ImageRejectionReason.UnsupportedFormat, ex.Reason);
        Assert.Contains("TIFF", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_WebP_RefusedAsUnsupportedAndNamed()
    {
        var ex = Refused(EncodedImageBuilder.WebPHeader());
        Assert.Equal(ImageRejectionReason.UnsupportedFormat, ex.Reason);
        Assert.Contains("WebP", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DecodeWithin_LargerThanTheLimit_ScaledDownKeepingAspectAndSourceSize()
    {
        var jpeg = EncodedImageBuilder.Jpeg(1600, 1200);

        var photo = Decoder.DecodeWithin(jpeg, maxPixels: 480_000);

        Assert.True(photo.IsScaled);
        Assert.Equal((1600, 1200), (photo.SourceWidth, photo.SourceHeight));
        Assert.True((long)photo.Image.Width * photo.Image.Height <= 480_000, $"{photo.Image.Width}x{photo.Image.Height}");
        Assert.Equal((800, 600), (photo.Image.Width, photo.Image.Height)); // factor sqrt(480,000 / 1,920,000) = 0.5
        Assert.Equal(2.0, photo.ToSourceX);
    }

    [Fact]
    public void DecodeWithin_AtMostTheLimit_SameAsDecode()
    {
        var jpeg = EncodedImageBuilder.Jpeg(64, 48);

        var photo = Decoder.DecodeWithin(jpeg, maxPixels: 64 * 48);

        Assert.False(photo.IsScaled);
        Assert.True(photo.Image.Pixels.SequenceEqual(Decoder.Decode(jpeg).Pixels));
    }

    [Fact]
    public void DecodeWithin_RotatedByExif_SourceSizeIsUpright()
    {
        // EXIF orientation 6: stored 400x300, shown turned a quarter, 300x400.
        using var source = EncodedImageBuilder.Gradient(400, 300);
        var jpeg = EncodedImageBuilder.JpegWithExif(source, orientation: 6);

        var photo = Decoder.DecodeWithin(jpeg, maxPixels: 30_000);

        Assert.Equal((300, 400), (photo.SourceWidth, photo.SourceHeight));
        Assert.True(photo.Image.Height > photo.Image.Width, $"{photo.Image.Width}x{photo.Image.Height}");
        Assert.InRange(photo.ToSourceX, photo.ToSourceY * 0.98, photo.ToSourceY * 1.02);
    }

    [Fact]
    public void DecodeWithin_TwelveMegapixels_ComesOutAtMostTheLimit()
    {
        // 4000x3000 (12 Mpx): ImageSharp needs the 36 MB frame inside the gate; what comes out is the 3-Mpx image only.
        var allocator = new CountingAllocator();
        using var decoder = new ImageDecoder(new ImageDecoderOptions(), allocator);
        var jpeg = EncodedImageBuilder.Jpeg(4000, 3000, quality: 80);

        var photo = decoder.DecodeWithin(jpeg, maxPixels: 2048L * 1536);

        Assert.Equal((4000, 3000), (photo.SourceWidth, photo.SourceHeight));
        Assert.True(photo.Image.Pixels.Length <= 2048 * 1536 * 3, $"{photo.Image.Pixels.Length:N0} bytes out");
    }

    [Fact]
    public void DecodeWithin_NotPositive_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Decoder.DecodeWithin(EncodedImageBuilder.Jpeg(8, 8), 0));

    [Fact]
    public void Decode_JpegCutInHalf_RefusedAsTruncated()
    {
        // 512x512: the cut lands inside the entropy-coded scan, the case ImageSharp does not notice.
        var jpeg = EncodedImageBuilder.Jpeg(512, 512);
        var half = jpeg[..(jpeg.Length / 2)];

        var ex = Refused(half);

        Assert.Equal(ImageRejectionReason.Truncated, ex.Reason);
        Assert.Contains("truncated", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ImageSharp_JpegCutInHalf_DecodesSilently()
    {
        // Why the EOI check exists: ImageSharp 2.1.13 itself accepts the cut file and pads it. If this
        // test ever fails, ImageSharp started refusing truncation on its own.
        var jpeg = EncodedImageBuilder.Jpeg(512, 512);
        using var image = Image.Load<Rgb24>(jpeg[..(jpeg.Length / 2)]);
        Assert.Equal(512, image.Width);
    }

    [Fact]
    public void Decode_JpegCutInScanWithEndMarkerAppended_RefusedAsIncomplete()
    {
        // Issue 14 item 13: the cut file with FF D9 added passes the end-marker check, and ImageSharp pads the rest.
        var jpeg = EncodedImageBuilder.Jpeg(512, 512);
        byte[] patched = [.. jpeg[..(jpeg.Length / 2)], 0xFF, 0xD9];

        var ex = Refused(patched);

        Assert.Equal(ImageRejectionReason.Truncated, ex.Reason);
        Assert.Contains("incomplete", ex.Message, StringComparison.Ordinal);
        Assert.Contains("of its 6,144 blocks", ex.Message, StringComparison.Ordinal); // 64x64 luma + 2 x 32x32 chroma (4:2:0)
    }

    [Theory]
    [InlineData(nameof(JpegFixtures.Progressive))]
    [InlineData(nameof(JpegFixtures.BaselineRestarts))]
    [InlineData(nameof(JpegFixtures.ProgressiveRestarts))]
    public void Decode_ProgressiveOrRestartJpeg_IntactAcceptedEveryCutWithEndMarkerRefused(string fixture)
    {
        var jpeg = JpegFixtures.Named(fixture);
        Assert.Equal((64, 48), (Decoder.Decode(jpeg).Width, Decoder.Decode(jpeg).Height));
        var firstScan = FirstScanData(jpeg);

        // Every cut from the first scan's data to the last data byte, with the end marker put back: none may pass,
        // including cuts exactly between two progressive scans.
        for (var cut = firstScan; cut < jpeg.Length - 2; cut++)
        {
            byte[] patched = [.. jpeg[..cut], 0xFF, 0xD9];
            var ex = Assert.Throws<ImageRejectedException>(() => Decoder.Decode(patched));
            Assert.True(ex.Reason is ImageRejectionReason.Truncated or ImageRejectionReason.Corrupt, $"cut at {cut}: {ex.Reason}");
        }
    }

    [Fact]
    public void Decode_BaselineJpegEveryCutWithEndMarker_Refused()
    {
        var jpeg = EncodedImageBuilder.Jpeg(40, 24);
        for (var cut = FirstScanData(jpeg); cut < jpeg.Length - 2; cut++)
        {
            byte[] patched = [.. jpeg[..cut], 0xFF, 0xD9];
            var ex = Assert.Throws<ImageRejectedException>(() => Decoder.Decode(patched));
            Assert.True(ex.Reason is ImageRejectionReason.Truncated or ImageRejectionReason.Corrupt, $"cut at {cut}: {ex.Reason}");
        }
    }

    private static int FirstScanData(byte[] jpeg)
    {
        for (var i = 2; i + 3 < jpeg.Length; i++)
        {
            if (jpeg[i] == 0xFF && jpeg[i + 1] == 0xDA)
            {
                return i + 2 + ((jpeg[i + 2] << 8) | jpeg[i + 3]);
            }
        }
        throw new InvalidOperationException("No scan.");
    }

    [Fact]
    public void Decode_JpegCutInsideHeaders_RefusedAsTruncated()
    {
        var jpeg = EncodedImageBuilder.Jpeg(64, 64);
        var ex = Refused(jpeg[..200]);
        Assert.Equal(ImageRejectionReason.Truncated, ex.Reason);
    }

    [Fact]
    public void Decode_JpegMissingOnlyEoi_RefusedAsTruncated()
    {
        var jpeg = EncodedImageBuilder.Jpeg(32, 32);
        var ex = Refused(jpeg[..^2]);
        Assert.Equal(ImageRejectionReason.Truncated, ex.Reason);
    }

    [Fact]
    public void Decode_JpegWithTrailingBytesAfterEoi_Accepted()
    {
        // Some cameras append data after EOI; that is not truncation.
        var jpeg = EncodedImageBuilder.Jpeg(32, 32);
        var image = Decoder.Decode([.. jpeg, .. "trailer"u8.ToArray()]);
        Assert.Equal(32, image.Width);
    }

    [Fact]
    public void Decode_PngCutInHalf_RefusedAsTruncated()
    {
        var png = EncodedImageBuilder.Png(64, 64);
        var ex = Refused(png[..(png.Length / 2)]);
        Assert.Equal(ImageRejectionReason.Truncated, ex.Reason);
    }

    [Fact]
    public void Decode_PixelFloodPng_RefusedBeforeAllocatingPixels()
    {
        var flood = EncodedImageBuilder.PixelFloodPng(20000, 20000);
        var allocator = new CountingAllocator();
        using var decoder = new ImageDecoder(new ImageDecoderOptions(), allocator);

        var ex = Refused(flood, decoder);

        Assert.True(flood.Length < 100, $"flood PNG is {flood.Length} bytes");
        Assert.Equal(ImageRejectionReason.DimensionsTooLarge, ex.Reason);
        Assert.Contains("20000x20000", ex.Message, StringComparison.Ordinal);
        // 20000x20000 RGB would be 1.2 GB; header parsing may allocate a chunk buffer of a few KB at most.
        Assert.True(allocator.LargestBytes < 64 * 1024, $"largest allocation {allocator.LargestBytes} bytes");
    }

    [Fact]
    public void Decode_PixelFloodJpegHeader_RefusedBeforeAllocatingPixels()
    {
        // A real 16x16 JPEG whose SOF0 frame header is patched to claim 60000x60000.
        var jpeg = EncodedImageBuilder.Jpeg(16, 16);
        var sof = jpeg.AsSpan().IndexOf([(byte)0xFF, (byte)0xC0]);
        Assert.True(sof > 0, "baseline JPEG has an SOF0 marker");
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(jpeg.AsSpan(sof + 5), 60000); // height
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(jpeg.AsSpan(sof + 7), 60000); // width
        var allocator = new CountingAllocator();
        using var decoder = new ImageDecoder(new ImageDecoderOptions(), allocator);

        var ex = Refused(jpeg, decoder);

        Assert.Equal(ImageRejectionReason.DimensionsTooLarge, ex.Reason);
        Assert.Contains("60000x60000", ex.Message, StringComparison.Ordinal);
        Assert.True(allocator.LargestBytes < 64 * 1024, $"largest allocation {allocator.LargestBytes} bytes");
    }

    [Fact]
    public void Decode_CountingAllocator_SeesTheFrameOfANormalImage()
    {
        // Control for the test above: the counting allocator does observe a real decode's frame.
        var allocator = new CountingAllocator();
        using var decoder = new ImageDecoder(new ImageDecoderOptions(), allocator);

        decoder.Decode(EncodedImageBuilder.Png(200, 100));

        Assert.True(allocator.TotalBytes >= 200 * 100 * 3, $"total {allocator.TotalBytes} bytes");
    }

    [Fact]
    public void Decode_TooManyPixelsWithinSideLimit_RefusedAsTooManyPixels()
    {
        // 8000x8000 is inside the 8192 side limit but 64 Mpx, four times the 16 Mpx limit.
        var ex = Refused(EncodedImageBuilder.PixelFloodPng(8000, 8000));
        Assert.Equal(ImageRejectionReason.TooManyPixels, ex.Reason);
    }

    [Fact]
    public void Decode_JpegWiderThanLimit_RefusedAsDimensionsTooLarge()
    {
        using var decoder = new ImageDecoder(new ImageDecoderOptions { MaxSide = 100 });
        var ex = Refused(EncodedImageBuilder.Jpeg(101, 20), decoder);
        Assert.Equal(ImageRejectionReason.DimensionsTooLarge, ex.Reason);
        Assert.Contains("101x20", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_MoreBytesThanLimit_RefusedAsTooManyBytes()
    {
        var jpeg = EncodedImageBuilder.Jpeg(64, 64);
        using var decoder = new ImageDecoder(new ImageDecoderOptions { MaxEncodedBytes = jpeg.Length - 1 });

        var ex = Refused(jpeg, decoder);

        Assert.Equal(ImageRejectionReason.TooManyBytes, ex.Reason);
    }

    [Fact]
    public async Task DecodeAsync_NonSeekableStreamOverLimit_RefusedAsTooManyBytes()
    {
        var jpeg = EncodedImageBuilder.Jpeg(64, 64);
        using var decoder = new ImageDecoder(new ImageDecoderOptions { MaxEncodedBytes = jpeg.Length - 1 });
        using var stream = new NonSeekableStream(jpeg);

        var ex = await Assert.ThrowsAsync<ImageRejectedException>(() => decoder.DecodeAsync(stream));

        Assert.Equal(ImageRejectionReason.TooManyBytes, ex.Reason);
    }

    [Fact]
    public async Task DecodeAsync_Stream_DecodesLikeBytes()
    {
        using var stream = new NonSeekableStream(EncodedImageBuilder.Png(40, 30));
        var image = await Decoder.DecodeAsync(stream);
        Assert.Equal((40, 30), (image.Width, image.Height));
    }

    [Fact]
    public void Decode_AllocationOverCap_RefusedAsMemoryLimitExceeded()
    {
        // 1024x1024 RGB needs a 3 MB frame; a 1 MB allocator cap must stop it with a typed refusal.
        using var decoder = new ImageDecoder(new ImageDecoderOptions { AllocationLimitMegabytes = 1 });
        var ex = Refused(EncodedImageBuilder.Jpeg(1024, 1024), decoder);
        Assert.Equal(ImageRejectionReason.MemoryLimitExceeded, ex.Reason);
    }

    [Fact]
    public void Decode_LargestAllowedImage_FitsUnderDefaultAllocatorCap()
    {
        // 4096x4096 is exactly the 16 Mpx default limit: the default 64 MB cap must not refuse it.
        var image = Decoder.Decode(EncodedImageBuilder.Jpeg(4096, 4096, quality: 75));
        Assert.Equal(4096, image.Height);
    }

    [Fact]
    public void Decode_JpegWithDamagedFrameMarker_RefusedAsCorrupt()
    {
        // Found by fuzzing: a marker byte turned into an invalid code (0xA8) can leave ImageSharp 2.1.13
        // without a frame header, and its Identify then throws NullReferenceException, not a format error.
        using var black = new Image<Rgb24>(32, 32);
        using var ms = new MemoryStream();
        black.SaveAsJpeg(ms); // default quality 75; what follows the damaged marker decides ImageSharp's path
        var jpeg = ms.ToArray();
        var sof = jpeg.AsSpan().IndexOf([(byte)0xFF, (byte)0xC0]);
        Assert.True(sof > 0);
        jpeg[sof + 1] = 0xA8;
        Assert.Throws<NullReferenceException>(() => Image.Identify(jpeg)); // the library behaviour we guard against

        var ex = Refused(jpeg);

        Assert.Equal(ImageRejectionReason.Corrupt, ex.Reason);
        Assert.IsType<NullReferenceException>(ex.InnerException);
    }

    [Fact]
    public void Decode_CorruptedJpegsAndPngs_NeverThrowAnythingButRejection()
    {
        // Hostile-input sweep: flip bytes all over valid files. Every outcome is a decoded image or an
        // ImageRejectedException; anything else escaping would fail the test.
        var random = new Random(20261129);
        var sources = new[] { EncodedImageBuilder.Jpeg(48, 40), EncodedImageBuilder.Png(48, 40) };
        var refused = 0;
        for (var i = 0; i < 300; i++)
        {
            var bytes = (byte[])sources[i % 2].Clone();
            var flips = 1 + random.Next(8);
            for (var f = 0; f < flips; f++)
            {
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            }

            try
            {
                var image = Decoder.Decode(bytes);
                Assert.True(image.Width > 0);
            }
            catch (ImageRejectedException ex)
            {
                Assert.True(Enum.IsDefined(ex.Reason));
                Assert.False(string.IsNullOrWhiteSpace(ex.Message));
                refused++;
            }
        }

        Assert.True(refused > 0, "at least some corrupted inputs must be refused");
    }

    [Fact]
    public async Task Decode_ManyParallelCalls_AllSucceedWithGateOfOne()
    {
        using var decoder = new ImageDecoder(new ImageDecoderOptions { MaxConcurrentDecodes = 1 });
        var jpeg = EncodedImageBuilder.Jpeg(80, 60);

        var images = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => decoder.Decode(jpeg))));

        Assert.All(images, image => Assert.Equal(80, image.Width));
    }

    [Fact]
    public void Constructor_NonPositiveLimit_ThrowsNamingTheOption()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new ImageDecoder(new ImageDecoderOptions { MaxPixels = 0 }));
        Assert.Equal("MaxPixels", ex.ParamName);
    }

    private sealed class NonSeekableStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();
    }
}
