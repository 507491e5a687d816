namespace Mote.Core.Imaging;

/// <summary>Why an encoded image was refused by <see cref="ImageDecoder"/>.</summary>
public enum ImageRejectionReason
{
    /// <summary>The input holds no bytes.</summary>
    Empty = 1,

    /// <summary>The bytes are not an image format we can name (no known magic bytes).</summary>
    NotAnImage = 2,

    /// <summary>A real image format, but not JPEG or PNG (GIF, BMP, TIFF, WebP, HEIF/AVIF, ICO).</summary>
    UnsupportedFormat = 3,

    /// <summary>A JPEG or PNG that ends before its end marker (EOI / IEND).</summary>
    Truncated = 4,

    /// <summary>A JPEG or PNG whose structure or compressed data is invalid.</summary>
    Corrupt = 5,

    /// <summary>The encoded file is larger than the configured byte limit.</summary>
    TooManyBytes = 6,

    /// <summary>Width or height is above the configured per-side limit.</summary>
    DimensionsTooLarge = 7,

    /// <summary>Width times height is above the configured pixel-count limit.</summary>
    TooManyPixels = 8,

    /// <summary>Decoding needed more memory in one buffer than the allocator cap allows.</summary>
    MemoryLimitExceeded = 9,
}

/// <summary>
/// An uploaded or stored image was refused. <see cref="Reason"/> says why for code; the message says
/// why in words a user can act on.
/// </summary>
public sealed class ImageRejectedException : Exception
{
    /// <summary>Creates the exception with a reason and a plain-language message.</summary>
    public ImageRejectedException(ImageRejectionReason reason, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Reason = reason;
    }

    /// <summary>Why the image was refused.</summary>
    public ImageRejectionReason Reason { get; }
}
