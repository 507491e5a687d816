using System.Runtime.InteropServices;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Memory;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace Mote.Core.Imaging;

/// <summary>
/// Turns untrusted encoded bytes into an <see cref="RgbImage"/>, refusing anything that is not a
/// complete JPEG or PNG within the limits of <see cref="ImageDecoderOptions"/>. Thread-safe; meant to be
/// one shared instance.
/// </summary>
/// <remarks>
/// Order of checks, cheapest first and all before pixels are allocated: empty, byte count, magic bytes
/// (only JPEG and PNG; GIF, BMP, TIFF, WebP, HEIF, ICO are named and refused), container structure
/// (truncation), then <c>Image.Identify</c> for the header dimensions, then, for a JPEG, a walk of every scan's
/// Huffman codes (<see cref="JpegScanCheck"/>: image data cut short and patched with an end marker). Only then is the image decoded to
/// <c>Rgb24</c> with a <see cref="Configuration"/> that knows PNG and JPEG only and whose allocator is
/// capped, and EXIF orientation is applied before anything else sees the pixels. ImageSharp is pinned
/// at 2.1.13, whose GIF, BMP and TIFF decoders have known flaws; they are never registered.
/// </remarks>
public sealed class ImageDecoder : IDisposable
{
    private readonly ImageDecoderOptions _options;
    private readonly Configuration _configuration;
    private readonly SemaphoreSlim _gate;

    /// <summary>Creates a decoder with the given limits (defaults when <paramref name="options"/> is null).</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is not positive.</exception>
    public ImageDecoder(ImageDecoderOptions? options = null)
        : this(options ?? new ImageDecoderOptions(), allocator: null)
    {
    }

    /// <summary>Test seam: lets a test observe every allocation ImageSharp makes.</summary>
    internal ImageDecoder(ImageDecoderOptions options, MemoryAllocator? allocator)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _configuration = new Configuration(new PngConfigurationModule(), new JpegConfigurationModule())
        {
            MemoryAllocator = allocator ?? MemoryAllocator.Create(new MemoryAllocatorOptions
            {
                AllocationLimitMegabytes = options.AllocationLimitMegabytes,
                MaximumPoolSizeMegabytes = options.MaximumPoolSizeMegabytes,
            }),
            MaxDegreeOfParallelism = options.MaxDegreeOfParallelism,
        };
        _gate = new SemaphoreSlim(options.MaxConcurrentDecodes, options.MaxConcurrentDecodes);
    }

    /// <summary>The limits this decoder enforces.</summary>
    public ImageDecoderOptions Options => _options;

    /// <summary>
    /// Decodes <paramref name="encoded"/> (not modified) to an upright RGB image. Blocks while
    /// <see cref="ImageDecoderOptions.MaxConcurrentDecodes"/> other decodes run.
    /// </summary>
    /// <exception cref="ImageRejectedException">The input is refused; <see cref="ImageRejectedException.Reason"/> says why.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired while waiting.</exception>
    public RgbImage Decode(ReadOnlySpan<byte> encoded, CancellationToken cancellationToken = default)
    {
        var format = Precheck(encoded);
        _gate.Wait(cancellationToken);
        try
        {
            return DecodeChecked(encoded, format, maxPixels: null).Image;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Decodes <paramref name="encoded"/> (not modified) like <see cref="Decode"/>, and scales an image of more than
    /// <paramref name="maxPixels"/> pixels down (aspect ratio kept, bicubic) before it leaves the concurrency gate, so at most
    /// <see cref="ImageDecoderOptions.MaxConcurrentDecodes"/> full-size frames exist at once however many callers wait.
    /// The result says the upright source size, so positions found in the image can be mapped back to the photo.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxPixels"/> is not positive.</exception>
    /// <exception cref="ImageRejectedException">The input is refused; <see cref="ImageRejectedException.Reason"/> says why.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired while waiting.</exception>
    public DecodedPhoto DecodeWithin(ReadOnlySpan<byte> encoded, long maxPixels, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxPixels);
        var format = Precheck(encoded);
        _gate.Wait(cancellationToken);
        try
        {
            return DecodeChecked(encoded, format, maxPixels);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Reads at most <see cref="ImageDecoderOptions.MaxEncodedBytes"/> + 1 bytes from
    /// <paramref name="stream"/> (advancing it; not disposed) and decodes them like <see cref="Decode"/>.
    /// </summary>
    /// <exception cref="ImageRejectedException">The input is refused; <see cref="ImageRejectedException.Reason"/> says why.</exception>
    public async Task<RgbImage> DecodeAsync(Stream stream, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (stream.CanSeek && stream.Length - stream.Position > _options.MaxEncodedBytes)
        {
            throw TooManyBytes(stream.Length - stream.Position);
        }

        var bytes = await ReadBoundedAsync(stream, cancellationToken).ConfigureAwait(false);
        var format = Precheck(bytes);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return DecodeChecked(bytes, format, maxPixels: null).Image;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Releases the concurrency gate and the memory ImageSharp keeps pooled for this decoder.</summary>
    public void Dispose()
    {
        _configuration.MemoryAllocator.ReleaseRetainedResources();
        _gate.Dispose();
    }

    private EncodedImageFormat Precheck(ReadOnlySpan<byte> encoded)
    {
        if (encoded.IsEmpty)
        {
            throw new ImageRejectedException(ImageRejectionReason.Empty, "The file is empty (0 bytes); there is no image in it.");
        }

        if (encoded.Length > _options.MaxEncodedBytes)
        {
            throw TooManyBytes(encoded.Length);
        }

        var format = ImageSignature.Detect(encoded);
        switch (format)
        {
            case EncodedImageFormat.Unknown:
                throw new ImageRejectedException(
                    ImageRejectionReason.NotAnImage,
                    $"The file ({encoded.Length} bytes) is not an image: its first bytes match no known image format. Upload a JPEG or PNG photo.");
            case EncodedImageFormat.Jpeg:
            case EncodedImageFormat.Png:
                break;
            default:
                throw new ImageRejectedException(
                    ImageRejectionReason.UnsupportedFormat,
                    $"The file is a {ImageSignature.DisplayName(format)} image; only JPEG and PNG are accepted. Convert it to JPEG or PNG and upload it again.");
        }

        var name = ImageSignature.DisplayName(format);
        var check = format == EncodedImageFormat.Jpeg ? ContainerStructure.CheckJpeg(encoded) : ContainerStructure.CheckPng(encoded);
        return check switch
        {
            ContainerCheck.Complete => format,
            ContainerCheck.Truncated => throw new ImageRejectedException(
                ImageRejectionReason.Truncated,
                $"The {name} file is truncated: it ends after {encoded.Length} bytes without its end marker ({(format == EncodedImageFormat.Jpeg ? "EOI" : "IEND")}). The upload was probably cut off; upload it again."),
            _ => throw new ImageRejectedException(
                ImageRejectionReason.Corrupt,
                $"The {name} file is damaged: its internal structure is invalid."),
        };
    }

    private DecodedPhoto DecodeChecked(ReadOnlySpan<byte> encoded, EncodedImageFormat format, long? maxPixels)
    {
        var name = ImageSignature.DisplayName(format);
        try
        {
            // Identify reads headers only, so a pixel-flood header (a few hundred bytes claiming
            // 20000x20000) is refused here without allocating the frame.
            using (var headerStream = new MemoryStream(encoded.ToArray(), writable: false))
            {
                var info = Image.Identify(_configuration, headerStream)
                    ?? throw new ImageRejectedException(ImageRejectionReason.Corrupt, $"The {name} file is damaged: its header cannot be read.");
                CheckDimensions(info.Width, info.Height, name);
            }
            if (format == EncodedImageFormat.Jpeg)
            {
                CheckJpegScans(encoded);
            }

            using var image = Image.Load<Rgb24>(_configuration, encoded);
            int sourceWidth = image.Width, sourceHeight = image.Height;
            if (maxPixels is { } most && (long)image.Width * image.Height > most)
            {
                // Scaled before orienting: AutoOrient then moves a quarter of the pixels. The whole frame stays inside the
                // gate; what leaves it is at most maxPixels (a 12-Mpx photo held by 20 requests at once was 2.3 GB of RSS).
                var factor = Math.Sqrt((double)most / ((long)image.Width * image.Height));
                image.Mutate(x => x.Resize(Math.Max(1, (int)(image.Width * factor)), Math.Max(1, (int)(image.Height * factor)), KnownResamplers.Bicubic));
            }
            var (scaledWidth, scaledHeight) = (image.Width, image.Height);
            image.Mutate(x => x.AutoOrient());
            if (image.Width != scaledWidth)
            {
                (sourceWidth, sourceHeight) = (sourceHeight, sourceWidth); // turned a quarter: the upright source is the other way round
            }
            var pixels = new byte[image.Width * image.Height * RgbImage.Channels];
            image.CopyPixelDataTo(MemoryMarshal.Cast<byte, Rgb24>(pixels.AsSpan()));
            return new DecodedPhoto(RgbImage.Wrap(image.Width, image.Height, pixels), sourceWidth, sourceHeight);
        }
        catch (ImageRejectedException)
        {
            throw;
        }
        catch (Exception ex) when (ex is InvalidMemoryOperationException || ex.InnerException is InvalidMemoryOperationException)
        {
            // ImageSharp 2.1.13 wraps an allocator refusal during decoding in InvalidImageContentException
            // ("Failed to allocate buffers for possibly degenerate dimensions"); unwrap it to the real reason.
            throw new ImageRejectedException(
                ImageRejectionReason.MemoryLimitExceeded,
                $"The {name} image needs more memory than the decoder allows (one buffer at most {_options.AllocationLimitMegabytes} MB).",
                ex);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Everything a decoder throws on hostile data becomes one typed refusal; the inner exception
            // keeps the detail for the log. Not only ImageFormatException: a fuzz run of 6,000 mutated
            // JPEG/PNG files found ImageSharp 2.1.13's JPEG Identify throwing NullReferenceException when a
            // damaged marker byte left it without a frame header (regression test in ImageDecoderTests).
            throw new ImageRejectedException(
                ImageRejectionReason.Corrupt,
                $"The {name} file is damaged and cannot be decoded: {ex.Message}",
                ex);
        }
    }

    // After the dimension check, so a pixel-flood header is refused for its size, and the scan walk's state stays bounded.
    private static void CheckJpegScans(ReadOnlySpan<byte> encoded)
    {
        var scans = JpegScanCheck.Check(encoded);
        switch (scans.Check)
        {
            case ContainerCheck.Truncated:
                throw new ImageRejectedException(
                    ImageRejectionReason.Truncated,
                    scans.Expected > 0
                        ? string.Create(System.Globalization.CultureInfo.InvariantCulture,
                            $"The JPEG file is incomplete: its image data stops after {scans.Decoded:N0} of its {scans.Expected:N0} blocks, and an end marker follows (a cut-off file with its end added). Upload the complete photo.")
                        : "The JPEG file is incomplete: part of its image data is missing. Upload the complete photo.");
            case ContainerCheck.Corrupt:
                throw new ImageRejectedException(ImageRejectionReason.Corrupt, "The JPEG file is damaged: its image data holds an invalid code.");
        }
    }

    private void CheckDimensions(int width, int height, string name)
    {
        if (width <= 0 || height <= 0)
        {
            throw new ImageRejectedException(ImageRejectionReason.Corrupt, $"The {name} header gives an empty size ({width}x{height}).");
        }

        if (width > _options.MaxSide || height > _options.MaxSide)
        {
            throw new ImageRejectedException(
                ImageRejectionReason.DimensionsTooLarge,
                $"The image is {width}x{height} pixels; at most {_options.MaxSide} pixels per side are accepted. Scale it down and upload it again.");
        }

        if ((long)width * height > _options.MaxPixels)
        {
            throw new ImageRejectedException(
                ImageRejectionReason.TooManyPixels,
                $"The image is {width}x{height} = {(long)width * height:N0} pixels; at most {_options.MaxPixels:N0} pixels are accepted. Scale it down and upload it again.");
        }
    }

    private ImageRejectedException TooManyBytes(long length) => new(
        ImageRejectionReason.TooManyBytes,
        $"The file is {length:N0} bytes; at most {_options.MaxEncodedBytes:N0} bytes are accepted.");

    private async Task<byte[]> ReadBoundedAsync(Stream stream, CancellationToken cancellationToken)
    {
        var limit = (int)_options.MaxEncodedBytes;
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        while (true)
        {
            var read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return buffer.ToArray();
            }

            if (buffer.Length + read > limit)
            {
                throw new ImageRejectedException(
                    ImageRejectionReason.TooManyBytes,
                    $"The file is more than {_options.MaxEncodedBytes:N0} bytes, the most that is accepted.");
            }

            buffer.Write(chunk, 0, read);
        }
    }
}
