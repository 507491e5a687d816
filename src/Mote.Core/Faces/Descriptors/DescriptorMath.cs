namespace Mote.Core.Faces.Descriptors;

/// <summary>Vector helpers for descriptors. Pure functions.</summary>
public static class DescriptorMath
{
    /// <summary>A new L2-normalised copy of <paramref name="values"/> (all zeros stay zeros).</summary>
    public static float[] Normalize(ReadOnlySpan<float> values)
    {
        double sum = 0;
        foreach (var v in values)
        {
            sum += (double)v * v;
        }

        var result = values.ToArray();
        if (sum > 0)
        {
            var inverse = (float)(1 / Math.Sqrt(sum));
            for (var i = 0; i < result.Length; i++)
            {
                result[i] *= inverse;
            }
        }

        return result;
    }

    /// <summary>Cosine similarity, −1..1 (0 when either vector is all zeros).</summary>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    public static double Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length)
        {
            throw new ArgumentException($"Descriptors of length {a.Length} and {b.Length} cannot be compared.", nameof(b));
        }

        double dot = 0, na = 0, nb = 0;
        for (var i = 0; i < a.Length; i++)
        {
            dot += (double)a[i] * b[i];
            na += (double)a[i] * a[i];
            nb += (double)b[i] * b[i];
        }

        return na == 0 || nb == 0 ? 0 : dot / Math.Sqrt(na * nb);
    }
}
