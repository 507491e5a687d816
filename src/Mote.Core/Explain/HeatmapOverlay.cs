using Mote.Core.Imaging;

namespace Mote.Core.Explain;

/// <summary>Draws an <see cref="ExplanationMap"/> over the aligned crop it explains (red, bilinear between cell centres).</summary>
public static class HeatmapOverlay
{
    /// <summary>A new image: <paramref name="crop"/> blended towards red by map value × <paramref name="opacity"/> (0..1, default 0.6). Mutates nothing.</summary>
    public static RgbImage Render(RgbImage crop, ExplanationMap map, double opacity = 0.6)
    {
        ArgumentNullException.ThrowIfNull(crop);
        ArgumentNullException.ThrowIfNull(map);
        opacity = Math.Clamp(opacity, 0, 1);
        var source = crop.PixelMemory;
        return RgbImage.Create(crop.Width, crop.Height, pixels =>
        {
            for (var y = 0; y < crop.Height; y++)
            {
                for (var x = 0; x < crop.Width; x++)
                {
                    var a = map.Sample((x + 0.5) / crop.Width, (y + 0.5) / crop.Height) * opacity;
                    var i = ((y * crop.Width) + x) * RgbImage.Channels;
                    pixels[i] = (byte)Math.Round((source.Span[i] * (1 - a)) + (230 * a));
                    pixels[i + 1] = (byte)Math.Round((source.Span[i + 1] * (1 - a)) + (40 * a));
                    pixels[i + 2] = (byte)Math.Round((source.Span[i + 2] * (1 - a)) + (20 * a));
                }
            }
        });
    }
}
