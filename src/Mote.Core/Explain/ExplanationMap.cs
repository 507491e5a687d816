namespace Mote.Core.Explain;

/// <summary>
/// A low-resolution importance map over the aligned face crop: <see cref="Height"/> rows of <see cref="Width"/>
/// cells, row-major, each in [0, 1] (1 = the cell the decision leaned on most). Cell (0, 0) covers the crop's
/// top-left corner. Immutable.
/// </summary>
/// <param name="Method">"occlusion" or "gradcam++" (with the layer when not the default).</param>
/// <param name="Width">Columns.</param>
/// <param name="Height">Rows.</param>
/// <param name="Values">Width × Height values in [0, 1], row-major.</param>
public sealed record ExplanationMap(string Method, int Width, int Height, float[] Values)
{
    /// <summary>The value of cell (<paramref name="x"/>, <paramref name="y"/>).</summary>
    public float this[int x, int y] => Values[(y * Width) + x];

    /// <summary>
    /// Scales non-negative evidence to [0, 1] by its maximum; negative values become 0. A map with no positive
    /// value is all zeros (nothing in the face raised the decision), never NaN.
    /// </summary>
    public static ExplanationMap Normalized(string method, int width, int height, ReadOnlySpan<float> raw)
    {
        if (raw.Length != width * height)
        {
            throw new ArgumentException($"A {width}x{height} map needs {width * height} values; got {raw.Length}.", nameof(raw));
        }
        var max = 0f;
        foreach (var v in raw)
        {
            if (float.IsFinite(v) && v > max)
            {
                max = v;
            }
        }
        var values = new float[raw.Length];
        if (max > 0)
        {
            for (var i = 0; i < raw.Length; i++)
            {
                values[i] = float.IsFinite(raw[i]) && raw[i] > 0 ? raw[i] / max : 0f;
            }
        }
        return new ExplanationMap(method, width, height, values);
    }

    /// <summary>
    /// The map's value at a point of the crop given as fractions (0..1) of its width and height, bilinear
    /// between cell centres (clamped at the border). Used to compare maps of different resolutions on one grid.
    /// </summary>
    public float Sample(double u, double v)
    {
        var fx = Math.Clamp((u * Width) - 0.5, 0, Width - 1);
        var fy = Math.Clamp((v * Height) - 0.5, 0, Height - 1);
        var x0 = (int)Math.Floor(fx);
        var y0 = (int)Math.Floor(fy);
        var x1 = Math.Min(x0 + 1, Width - 1);
        var y1 = Math.Min(y0 + 1, Height - 1);
        var ax = fx - x0;
        var ay = fy - y0;
        var top = (this[x0, y0] * (1 - ax)) + (this[x1, y0] * ax);
        var bottom = (this[x0, y1] * (1 - ax)) + (this[x1, y1] * ax);
        return (float)((top * (1 - ay)) + (bottom * ay));
    }

    /// <summary>This map resampled (bilinear) to a <paramref name="width"/> x <paramref name="height"/> grid.</summary>
    public ExplanationMap Resampled(int width, int height)
    {
        if (width == Width && height == Height)
        {
            return this;
        }
        var values = new float[width * height];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                values[(y * width) + x] = Sample((x + 0.5) / width, (y + 0.5) / height);
            }
        }
        return new ExplanationMap(Method, width, height, values);
    }
}
