namespace Mote.Core.Imaging;

/// <summary>
/// A photo decoded for analysis (<see cref="ImageDecoder.DecodeWithin"/>): the upright <paramref name="Image"/>, possibly
/// scaled down, and the upright size of the photo itself, so positions found in the image map back to the photo.
/// </summary>
/// <param name="Image">The decoded, oriented and possibly scaled pixels.</param>
/// <param name="SourceWidth">The photo's width in pixels after orientation, before any scaling.</param>
/// <param name="SourceHeight">The photo's height in pixels after orientation, before any scaling.</param>
public sealed record DecodedPhoto(RgbImage Image, int SourceWidth, int SourceHeight)
{
    /// <summary>True when the image was scaled down from the photo.</summary>
    public bool IsScaled => Image.Width != SourceWidth || Image.Height != SourceHeight;

    /// <summary>Photo pixels per image pixel across (1 when not scaled).</summary>
    public double ToSourceX => (double)SourceWidth / Image.Width;

    /// <summary>Photo pixels per image pixel down (1 when not scaled).</summary>
    public double ToSourceY => (double)SourceHeight / Image.Height;
}
