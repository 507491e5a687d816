using System.Runtime.InteropServices;

namespace Mote.Core.Imaging;

/// <summary>One pixel of an <see cref="RgbImage"/>, 8 bits per channel.</summary>
/// <param name="R">Red, 0..255.</param>
/// <param name="G">Green, 0..255.</param>
/// <param name="B">Blue, 0..255.</param>
[StructLayout(LayoutKind.Sequential)]
public readonly record struct RgbPixel(byte R, byte G, byte B);

/// <summary>Fills a freshly allocated pixel buffer of an <see cref="RgbImage"/> being created.</summary>
/// <param name="pixels">Interleaved RGB bytes, <c>width * height * 3</c> long, row-major, zeroed (black).</param>
public delegate void RgbImageFill(Span<byte> pixels);

/// <summary>
/// The pixel buffer the whole pipeline uses: an immutable, row-major, interleaved 8-bit RGB image
/// (<c>R G B R G B …</c>, no padding between rows, origin top-left, EXIF orientation already applied).
/// </summary>
/// <remarks>
/// Immutable so that one decoded photo can be shared by the detector, the aligner, the quality check
/// and the explanation code on several threads without copies or locks. The buffer is owned by the
/// instance; every factory copies or fills a buffer nobody else holds.
/// </remarks>
public sealed class RgbImage
{
    /// <summary>Bytes per pixel (R, G, B).</summary>
    public const int Channels = 3;

    private readonly byte[] _pixels;

    private RgbImage(int width, int height, byte[] pixels)
    {
        Width = width;
        Height = height;
        _pixels = pixels;
    }

    /// <summary>Width in pixels, at least 1.</summary>
    public int Width { get; }

    /// <summary>Height in pixels, at least 1.</summary>
    public int Height { get; }

    /// <summary>Bytes per row: <c>Width * 3</c>.</summary>
    public int Stride => Width * Channels;

    /// <summary>All pixels, interleaved RGB, row-major, read-only.</summary>
    public ReadOnlySpan<byte> Pixels => _pixels;

    /// <summary>All pixels as memory (for asynchronous consumers), read-only.</summary>
    public ReadOnlyMemory<byte> PixelMemory => _pixels;

    /// <summary>Creates an image by copying <paramref name="rgb"/>; the caller keeps its buffer.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A dimension is not positive.</exception>
    /// <exception cref="ArgumentException">The buffer length is not <c>width * height * 3</c>.</exception>
    public static RgbImage FromPixels(int width, int height, ReadOnlySpan<byte> rgb)
    {
        var length = CheckedLength(width, height);
        if (rgb.Length != length)
        {
            throw new ArgumentException(
                $"A {width}x{height} RGB image needs {length} bytes, but {rgb.Length} were given.", nameof(rgb));
        }

        return new RgbImage(width, height, rgb.ToArray());
    }

    /// <summary>
    /// Creates an image by letting <paramref name="fill"/> write a new zeroed (black) buffer, which is
    /// frozen when <paramref name="fill"/> returns. The span must not be kept beyond the call.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A dimension is not positive.</exception>
    public static RgbImage Create(int width, int height, RgbImageFill fill)
    {
        ArgumentNullException.ThrowIfNull(fill);
        var buffer = new byte[CheckedLength(width, height)];
        fill(buffer);
        return new RgbImage(width, height, buffer);
    }

    /// <summary>Takes ownership of <paramref name="pixels"/> without copying (the caller must drop it).</summary>
    internal static RgbImage Wrap(int width, int height, byte[] pixels)
    {
        if (pixels.Length != CheckedLength(width, height))
        {
            throw new ArgumentException($"A {width}x{height} RGB image needs {width * height * 3} bytes.", nameof(pixels));
        }

        return new RgbImage(width, height, pixels);
    }

    /// <summary>One row of pixels, <see cref="Stride"/> bytes.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="y"/> is outside the image.</exception>
    public ReadOnlySpan<byte> GetRow(int y)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(y);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(y, Height);
        return _pixels.AsSpan(y * Stride, Stride);
    }

    /// <summary>The pixel at column <paramref name="x"/>, row <paramref name="y"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The position is outside the image.</exception>
    public RgbPixel GetPixel(int x, int y)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(x);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(x, Width);
        var row = GetRow(y);
        var i = x * Channels;
        return new RgbPixel(row[i], row[i + 1], row[i + 2]);
    }

    /// <inheritdoc />
    public override string ToString() => $"RgbImage {Width}x{Height}";

    private static int CheckedLength(int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        var length = (long)width * height * Channels;
        if (length > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(width), $"A {width}x{height} RGB image does not fit in one buffer.");
        }

        return (int)length;
    }
}
