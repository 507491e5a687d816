namespace Mote.Core.Models.Tfjs;

/// <summary>A weight loaded from the shards: float data (float32 and dequantised weights) or integer data (int32, bool).</summary>
internal sealed record TfjsConstant(string Name, long[] Shape, float[]? Floats, long[]? Ints)
{
    public long ElementCount => Floats?.Length ?? Ints!.Length;

    public long[] RequireInts(string nodeName) =>
        Ints ?? throw new TfjsConversionException($"Node '{nodeName}' needs integer constant '{Name}', but it holds floats.");

    public float[] RequireFloats(string nodeName) =>
        Floats ?? throw new TfjsConversionException($"Node '{nodeName}' needs float constant '{Name}', but it holds integers.");
}
