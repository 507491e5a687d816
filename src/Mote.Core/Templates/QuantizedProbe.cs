namespace Mote.Core.Templates;

/// <summary>
/// A probe coded once for the screen: <c>x_i ≈ Step·q_i</c> with q in −8191…8191, stored as
/// <c>q + 8192 = 128·High + Low</c> (two 7-bit halves for the u8×s8 kernel).
/// </summary>
internal sealed class QuantizedProbe
{
    public const int Offset = 8192;
    public const int HighWeight = 128;
    private const int Levels = 8191;

    public QuantizedProbe(ReadOnlySpan<float> probe, int paddedLength)
    {
        High = new byte[paddedLength];
        Low = new byte[paddedLength];
        Array.Fill(High, (byte)(Offset / HighWeight)); // padding codes q = 0; its weights are 0 anyway
        var max = 0f;
        foreach (var v in probe)
        {
            max = MathF.Max(max, MathF.Abs(v));
        }

        MaxAbs = max;
        Step = max / Levels;
        double residual = 0;
        var sum = 0;
        if (Step > 0)
        {
            var inverse = 1f / Step;
            for (var i = 0; i < probe.Length; i++)
            {
                var q = Math.Clamp((int)MathF.Round(probe[i] * inverse), -Levels, Levels);
                var code = q + Offset;
                High[i] = (byte)(code / HighWeight);
                Low[i] = (byte)(code % HighWeight);
                sum += Math.Abs(q);
                residual = Math.Max(residual, Math.Abs(probe[i] - ((double)Step * q)));
            }
        }

        SumAbsCodes = sum;
        var up = (float)residual;
        Residual = up < residual ? MathF.BitIncrement(up) : up;
    }

    public byte[] High { get; }

    public byte[] Low { get; }

    public float Step { get; }

    /// <summary>max_i |x_i − Step·q_i|, rounded up.</summary>
    public float Residual { get; }

    public float MaxAbs { get; }

    public int SumAbsCodes { get; }
}
