using Mote.Core.Imaging;

namespace Mote.Core.Faces.Alignment;

/// <summary>Order of the three colour channels in a packed tensor.</summary>
public enum ChannelOrder
{
    /// <summary>Red, green, blue (InsightFace ONNX, TensorFlow.js models).</summary>
    Rgb = 0,

    /// <summary>Blue, green, red (OpenCV-trained Caffe-style models).</summary>
    Bgr = 1,
}

/// <summary>Memory layout of a packed image tensor.</summary>
public enum TensorLayout
{
    /// <summary>Batch, channel, height, width (ONNX convolution default).</summary>
    Nchw = 0,

    /// <summary>Batch, height, width, channel (TensorFlow / TFJS).</summary>
    Nhwc = 1,
}

/// <summary>
/// Per-channel normalisation <c>(value − mean) / std</c> applied to 0..255 pixel values, with mean and
/// std given in R, G, B order whatever the output <see cref="Order"/>.
/// </summary>
/// <param name="Order">Output channel order.</param>
/// <param name="Mean">Mean for R, G, B.</param>
/// <param name="Std">Standard deviation for R, G, B; must be non-zero.</param>
public sealed record PixelNormalization(ChannelOrder Order, (float R, float G, float B) Mean, (float R, float G, float B) Std)
{
    /// <summary>InsightFace recognition: RGB, (x − 127.5) / 127.5 → [−1, 1]. Also BlazeFace's [−1, 1].</summary>
    public static PixelNormalization InsightFace { get; } = new(ChannelOrder.Rgb, (127.5f, 127.5f, 127.5f), (127.5f, 127.5f, 127.5f));

    /// <summary>SCRFD detection: RGB, (x − 127.5) / 128.</summary>
    public static PixelNormalization Scrfd { get; } = new(ChannelOrder.Rgb, (127.5f, 127.5f, 127.5f), (128f, 128f, 128f));

    /// <summary>face-api models (dlib ResNet and others): raw RGB 0..255 (they normalise inside the graph).</summary>
    public static PixelNormalization Raw { get; } = new(ChannelOrder.Rgb, (0f, 0f, 0f), (1f, 1f, 1f));

    /// <summary>Scales 0..255 to 0..1, RGB.</summary>
    public static PixelNormalization UnitRange { get; } = new(ChannelOrder.Rgb, (0f, 0f, 0f), (255f, 255f, 255f));
}

/// <summary>Packs an <see cref="RgbImage"/> into a float32 tensor for a network input.</summary>
public static class TensorPacker
{
    /// <summary>A new float array of shape 1x3xHxW (NCHW) or 1xHxWx3 (NHWC).</summary>
    public static float[] Pack(RgbImage image, TensorLayout layout, PixelNormalization normalization)
    {
        ArgumentNullException.ThrowIfNull(image);
        var tensor = new float[image.Width * image.Height * 3];
        Pack(image, layout, normalization, tensor);
        return tensor;
    }

    /// <summary>
    /// Writes one image into <paramref name="destination"/> (exactly <c>W·H·3</c> floats; slice a batch
    /// buffer per image). Only <paramref name="destination"/> is mutated.
    /// </summary>
    /// <exception cref="ArgumentException">The destination length is wrong or a std is zero.</exception>
    public static void Pack(RgbImage image, TensorLayout layout, PixelNormalization normalization, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(normalization);
        var plane = image.Width * image.Height;
        if (destination.Length != plane * 3)
        {
            throw new ArgumentException($"A {image.Width}x{image.Height} image packs into {plane * 3} floats; the destination has {destination.Length}.", nameof(destination));
        }

        if (normalization.Std.R == 0 || normalization.Std.G == 0 || normalization.Std.B == 0)
        {
            throw new ArgumentException("Normalisation std must be non-zero for every channel.", nameof(normalization));
        }

        Span<float> mean = [normalization.Mean.R, normalization.Mean.G, normalization.Mean.B];
        Span<float> scale = [1f / normalization.Std.R, 1f / normalization.Std.G, 1f / normalization.Std.B];
        // Output channel k reads source channel map[k].
        Span<int> map = normalization.Order == ChannelOrder.Rgb ? [0, 1, 2] : [2, 1, 0];
        var pixels = image.Pixels;
        for (var i = 0; i < plane; i++)
        {
            for (var k = 0; k < 3; k++)
            {
                var c = map[k];
                var value = (pixels[(i * 3) + c] - mean[c]) * scale[c];
                if (layout == TensorLayout.Nchw)
                {
                    destination[(k * plane) + i] = value;
                }
                else
                {
                    destination[(i * 3) + k] = value;
                }
            }
        }
    }
}
