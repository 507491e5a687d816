using Mote.Core.Imaging;

namespace Mote.Core.Faces.Benchmark;

/// <summary>
/// A way to degrade a benchmark photo (issue 13's robustness suite). LFW photos are 250x250 with the face,
/// about 110 px wide, in the middle; each condition turns one into a photo unlike LFW in one respect.
/// </summary>
public enum RobustnessCondition
{
    /// <summary>The photo as it is.</summary>
    None = 0,

    /// <summary>The photo centred on a canvas twice its width and height, filled with a background.</summary>
    Pad = 1,

    /// <summary>The photo shrunk so the face (nominally 110 px) is 40–80 px wide, centred on a background of the original size.</summary>
    Small = 2,

    /// <summary>Rotated by 20° about its centre, clockwise or anticlockwise; uncovered corners get a background.</summary>
    Rotate = 3,

    /// <summary>Re-encoded as JPEG at quality 30 (blocking, ringing).</summary>
    Jpeg30 = 4,

    /// <summary>Gaussian blur with σ = 1.5 px.</summary>
    Blur = 5,

    /// <summary>The photo at the left or right end of a canvas 2.5 times its width, background elsewhere.</summary>
    OffCentre = 6,

    /// <summary>
    /// Gaussian blur with σ = 2 px: LFW faces blurred this much read a median sharpness of about 66, below the enrollment
    /// gate's minimum, so the bench shows what the faces that gate refuses as blurred still give the backbone
    /// (docs/faces.md, "Quality: the gate on lfw-dev"). Not part of <see cref="RobustnessConditions.All"/> (issue 13's suite).
    /// </summary>
    StrongBlur = 7,
}

/// <summary>
/// Applies <see cref="RobustnessCondition"/>s deterministically: every random choice (background, face size, rotation
/// sign, side) comes from a <see cref="Random"/> seeded from the bench seed and the photo's file name, so two runs
/// degrade each photo identically. Pure apart from the decoder; thread-safe when the decoder is.
/// </summary>
public static class RobustnessConditions
{
    /// <summary>Face width LFW's 250x250 photos hold, about 110 px (docs/faces.md, "Quality: sharpness").</summary>
    public const double LfwFaceWidth = 110;

    /// <summary>Smallest and largest face width of <see cref="RobustnessCondition.Small"/>, in pixels.</summary>
    public const int SmallFaceMin = 40, SmallFaceMax = 80;

    /// <summary>Rotation of <see cref="RobustnessCondition.Rotate"/>, degrees (the sign is drawn).</summary>
    public const double RotationDegrees = 20;

    /// <summary>JPEG quality of <see cref="RobustnessCondition.Jpeg30"/>.</summary>
    public const int JpegQuality = 30;

    /// <summary>Standard deviation of <see cref="RobustnessCondition.Blur"/>, pixels.</summary>
    public const double BlurSigma = 1.5;

    /// <summary>Standard deviation of <see cref="RobustnessCondition.StrongBlur"/>, pixels.</summary>
    public const double StrongBlurSigma = 2;

    /// <summary>Every condition except <see cref="RobustnessCondition.None"/>, in a fixed order.</summary>
    public static IReadOnlyList<RobustnessCondition> All { get; } =
        [RobustnessCondition.Pad, RobustnessCondition.Small, RobustnessCondition.Rotate, RobustnessCondition.Jpeg30, RobustnessCondition.Blur, RobustnessCondition.OffCentre];

    /// <summary>The name used on the command line and in reports (<c>none</c>, <c>pad</c>, <c>small</c>, <c>rotate</c>, <c>jpeg30</c>, <c>blur</c>, <c>offcentre</c>, <c>blur2</c>).</summary>
    public static string Name(RobustnessCondition condition) => condition switch
    {
        RobustnessCondition.None => "none",
        RobustnessCondition.Pad => "pad",
        RobustnessCondition.Small => "small",
        RobustnessCondition.Rotate => "rotate",
        RobustnessCondition.Jpeg30 => "jpeg30",
        RobustnessCondition.Blur => "blur",
        RobustnessCondition.OffCentre => "offcentre",
        RobustnessCondition.StrongBlur => "blur2",
        _ => throw new ArgumentOutOfRangeException(nameof(condition), condition, "Unknown condition."),
    };

    /// <summary>The condition named <paramref name="name"/> (see <see cref="Name"/>), ignoring case.</summary>
    /// <exception cref="ArgumentException">An unknown name (the message lists the known ones).</exception>
    public static RobustnessCondition Parse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        foreach (var c in Enum.GetValues<RobustnessCondition>())
        {
            if (string.Equals(Name(c), name.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                return c;
            }
        }

        throw new ArgumentException($"Unknown condition '{name}'; known: {string.Join(", ", Enum.GetValues<RobustnessCondition>().Select(Name))}, or all.", nameof(name));
    }

    /// <summary>The random source for one photo: the same for the same seed and file name, wherever the dataset lies.</summary>
    public static Random RandomFor(int seed, string photoPath)
    {
        ArgumentNullException.ThrowIfNull(photoPath);
        // FNV-1a over the file name: string.GetHashCode is randomised per process.
        var hash = 2166136261u;
        foreach (var ch in Path.GetFileName(photoPath))
        {
            hash = (hash ^ ch) * 16777619u;
        }

        return new Random(unchecked((int)hash) ^ (seed * 31) ^ 0x0b5e7);
    }

    /// <summary>A new image: <paramref name="image"/> (not modified) under <paramref name="condition"/>.</summary>
    /// <param name="condition">The degradation.</param>
    /// <param name="image">The photo.</param>
    /// <param name="random">Source of every random choice (see <see cref="RandomFor"/>).</param>
    /// <param name="decoder">Decodes the re-encoded JPEG of <see cref="RobustnessCondition.Jpeg30"/>.</param>
    public static RgbImage Apply(RobustnessCondition condition, RgbImage image, Random random, ImageDecoder decoder)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(random);
        ArgumentNullException.ThrowIfNull(decoder);
        return condition switch
        {
            RobustnessCondition.None => image,
            RobustnessCondition.Pad => Place(image, Background(image.Width * 2, image.Height * 2, random), image.Width / 2, image.Height / 2),
            RobustnessCondition.Small => Small(image, random),
            RobustnessCondition.Rotate => Rotate(image, random.Next(2) == 0 ? -RotationDegrees : RotationDegrees, Background(image.Width, image.Height, random)),
            RobustnessCondition.Jpeg30 => decoder.Decode(ImageEncoding.ToJpeg(image, JpegQuality)),
            RobustnessCondition.Blur => GaussianBlur(image, BlurSigma),
            RobustnessCondition.OffCentre => OffCentre(image, random),
            RobustnessCondition.StrongBlur => GaussianBlur(image, StrongBlurSigma),
            _ => throw new ArgumentOutOfRangeException(nameof(condition), condition, "Unknown condition."),
        };
    }

    /// <summary>
    /// A smooth random background: a 4x4 grid of random colours interpolated bilinearly, plus ±6 levels of pixel noise,
    /// so neither a flat colour nor a face-like pattern.
    /// </summary>
    public static RgbImage Background(int width, int height, Random random)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentNullException.ThrowIfNull(random);
        const int Grid = 4;
        var colours = new double[Grid, Grid, 3];
        for (var y = 0; y < Grid; y++)
        {
            for (var x = 0; x < Grid; x++)
            {
                for (var c = 0; c < 3; c++)
                {
                    colours[y, x, c] = 30 + (random.NextDouble() * 195);
                }
            }
        }

        var noise = new int[width * height * 3];
        for (var i = 0; i < noise.Length; i++)
        {
            noise[i] = random.Next(-6, 7);
        }

        return RgbImage.Create(width, height, pixels =>
        {
            for (var y = 0; y < height; y++)
            {
                var gy = y * (Grid - 1) / (double)Math.Max(1, height - 1);
                var y0 = Math.Min((int)gy, Grid - 2);
                var fy = gy - y0;
                for (var x = 0; x < width; x++)
                {
                    var gx = x * (Grid - 1) / (double)Math.Max(1, width - 1);
                    var x0 = Math.Min((int)gx, Grid - 2);
                    var fx = gx - x0;
                    var o = ((y * width) + x) * 3;
                    for (var c = 0; c < 3; c++)
                    {
                        var v = ((1 - fy) * (((1 - fx) * colours[y0, x0, c]) + (fx * colours[y0, x0 + 1, c])))
                              + (fy * (((1 - fx) * colours[y0 + 1, x0, c]) + (fx * colours[y0 + 1, x0 + 1, c])));
                        pixels[o + c] = (byte)Math.Clamp((int)Math.Round(v) + noise[o + c], 0, 255);
                    }
                }
            }
        });
    }

    /// <summary>A copy of <paramref name="canvas"/> with <paramref name="image"/> pasted with its top-left corner at (left, top), clipped.</summary>
    public static RgbImage Place(RgbImage image, RgbImage canvas, int left, int top)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(canvas);
        var source = image.Pixels.ToArray();
        var background = canvas.Pixels.ToArray();
        return RgbImage.Create(canvas.Width, canvas.Height, pixels =>
        {
            background.CopyTo(pixels);
            for (var y = Math.Max(0, top); y < Math.Min(canvas.Height, top + image.Height); y++)
            {
                var x0 = Math.Max(0, left);
                var x1 = Math.Min(canvas.Width, left + image.Width);
                if (x1 <= x0)
                {
                    break;
                }

                source.AsSpan((((y - top) * image.Width) + (x0 - left)) * 3, (x1 - x0) * 3).CopyTo(pixels[(((y * canvas.Width) + x0) * 3)..]);
            }
        });
    }

    /// <summary>
    /// <paramref name="image"/> rotated by <paramref name="degrees"/> (positive: clockwise on screen) about its centre,
    /// same size, sampled bilinearly; pixels whose source lies outside the photo come from <paramref name="background"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The background is not the image's size.</exception>
    public static RgbImage Rotate(RgbImage image, double degrees, RgbImage background)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(background);
        if (background.Width != image.Width || background.Height != image.Height)
        {
            throw new ArgumentException("The background must be the image's size.", nameof(background));
        }

        var source = image.Pixels.ToArray();
        var fill = background.Pixels.ToArray();
        var (w, h) = (image.Width, image.Height);
        var (cx, cy) = ((w - 1) / 2.0, (h - 1) / 2.0);
        var radians = degrees * Math.PI / 180;
        var (cos, sin) = (Math.Cos(radians), Math.Sin(radians));
        return RgbImage.Create(w, h, pixels =>
        {
            for (var y = 0; y < h; y++)
            {
                for (var x = 0; x < w; x++)
                {
                    // Inverse mapping: the output pixel shows the source point rotated back by the angle (y grows downwards).
                    var dx = x - cx;
                    var dy = y - cy;
                    var sx = (cos * dx) + (sin * dy) + cx;
                    var sy = (-sin * dx) + (cos * dy) + cy;
                    var o = ((y * w) + x) * 3;
                    if (sx < 0 || sy < 0 || sx > w - 1 || sy > h - 1)
                    {
                        pixels[o] = fill[o];
                        pixels[o + 1] = fill[o + 1];
                        pixels[o + 2] = fill[o + 2];
                        continue;
                    }

                    var x0 = Math.Min((int)sx, w - 2);
                    var y0 = Math.Min((int)sy, h - 2);
                    var fx = sx - x0;
                    var fy = sy - y0;
                    for (var c = 0; c < 3; c++)
                    {
                        var a = source[(((y0 * w) + x0) * 3) + c];
                        var b = source[(((y0 * w) + x0 + 1) * 3) + c];
                        var d = source[((((y0 + 1) * w) + x0) * 3) + c];
                        var e = source[((((y0 + 1) * w) + x0 + 1) * 3) + c];
                        var v = ((1 - fy) * (((1 - fx) * a) + (fx * b))) + (fy * (((1 - fx) * d) + (fx * e)));
                        pixels[o + c] = (byte)Math.Clamp((int)Math.Round(v), 0, 255);
                    }
                }
            }
        });
    }

    /// <summary>Separable Gaussian blur (kernel radius ⌈3σ⌉, edges replicated); a new image.</summary>
    /// <exception cref="ArgumentOutOfRangeException">σ is not positive.</exception>
    public static RgbImage GaussianBlur(RgbImage image, double sigma)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sigma);
        var radius = (int)Math.Ceiling(3 * sigma);
        var kernel = new double[(2 * radius) + 1];
        for (var i = -radius; i <= radius; i++)
        {
            kernel[i + radius] = Math.Exp(-(i * i) / (2 * sigma * sigma));
        }

        var sum = kernel.Sum();
        for (var i = 0; i < kernel.Length; i++)
        {
            kernel[i] /= sum;
        }

        var (w, h) = (image.Width, image.Height);
        var source = image.Pixels;
        var horizontal = new double[w * h * 3];
        for (var y = 0; y < h; y++)
        {
            for (var x = 0; x < w; x++)
            {
                for (var c = 0; c < 3; c++)
                {
                    double v = 0;
                    for (var k = -radius; k <= radius; k++)
                    {
                        v += kernel[k + radius] * source[(((y * w) + Math.Clamp(x + k, 0, w - 1)) * 3) + c];
                    }

                    horizontal[(((y * w) + x) * 3) + c] = v;
                }
            }
        }

        return RgbImage.Create(w, h, pixels =>
        {
            for (var y = 0; y < h; y++)
            {
                for (var x = 0; x < w; x++)
                {
                    for (var c = 0; c < 3; c++)
                    {
                        double v = 0;
                        for (var k = -radius; k <= radius; k++)
                        {
                            v += kernel[k + radius] * horizontal[(((Math.Clamp(y + k, 0, h - 1) * w) + x) * 3) + c];
                        }

                        pixels[(((y * w) + x) * 3) + c] = (byte)Math.Clamp((int)Math.Round(v), 0, 255);
                    }
                }
            }
        });
    }

    private static RgbImage Small(RgbImage image, Random random)
    {
        // LFW framing assumed (a face of about LfwFaceWidth px): the whole photo shrinks by drawn face width / LfwFaceWidth.
        var faceWidth = SmallFaceMin + (random.NextDouble() * (SmallFaceMax - SmallFaceMin));
        var scale = faceWidth / LfwFaceWidth;
        var width = Math.Max(1, (int)Math.Round(image.Width * scale));
        var height = Math.Max(1, (int)Math.Round(image.Height * scale));
        var shrunk = ImageResizer.Resize(image, width, height).Image;
        return Place(shrunk, Background(image.Width, image.Height, random), (image.Width - width) / 2, (image.Height - height) / 2);
    }

    private static RgbImage OffCentre(RgbImage image, Random random)
    {
        var canvasWidth = (int)Math.Round(image.Width * 2.5);
        var left = random.Next(2) == 0 ? 0 : canvasWidth - image.Width;
        return Place(image, Background(canvasWidth, image.Height, random), left, 0);
    }
}
