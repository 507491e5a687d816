using System.Buffers.Binary;

namespace Mote.Core.Models.Tfjs;

/// <summary>Turns quantised TFJS weights back into float32, exactly as TensorFlow.js does when it loads them.</summary>
internal static class TfjsDequantizer
{
    /// <summary>IEEE 754 half-precision, little-endian, to float32 (exact: every half is a float).</summary>
    public static float[] Float16(ReadOnlySpan<byte> bytes)
    {
        var result = new float[bytes.Length / 2];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = (float)BitConverter.UInt16BitsToHalf(BinaryPrimitives.ReadUInt16LittleEndian(bytes[(2 * i)..]));
        }
        return result;
    }

    /// <summary>
    /// Affine uint8 (<paramref name="bytesPerValue"/> 1) or little-endian uint16 (2): value = q * scale + min.
    /// TensorFlow.js evaluates this in double precision (JavaScript numbers) and stores it in a Float32Array,
    /// so we do the same to round once, not twice.
    /// </summary>
    public static float[] Affine(ReadOnlySpan<byte> bytes, int bytesPerValue, double scale, double min)
    {
        var result = new float[bytes.Length / bytesPerValue];
        for (var i = 0; i < result.Length; i++)
        {
            double q = bytesPerValue == 1 ? bytes[i] : BinaryPrimitives.ReadUInt16LittleEndian(bytes[(2 * i)..]);
            result[i] = (float)((q * scale) + min);
        }
        return result;
    }
}
