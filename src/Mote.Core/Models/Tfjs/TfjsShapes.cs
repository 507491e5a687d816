namespace Mote.Core.Models.Tfjs;

/// <summary>Static shape arithmetic on TF shapes (-1 = unknown size; null = unknown rank).</summary>
internal static class TfjsShapes
{
    /// <summary>NumPy/TF broadcasting, which ONNX's multidirectional broadcasting matches.</summary>
    public static long[]? Broadcast(long[]? a, long[]? b)
    {
        if (a is null || b is null)
        {
            return null;
        }
        var rank = Math.Max(a.Length, b.Length);
        var result = new long[rank];
        for (var i = 0; i < rank; i++)
        {
            var da = i < rank - a.Length ? 1 : a[i - (rank - a.Length)];
            var db = i < rank - b.Length ? 1 : b[i - (rank - b.Length)];
            result[i] = da == 1 ? db : db == 1 ? da : da == -1 ? db : da;
        }
        return result;
    }

    public static int NormaliseAxis(long axis, int rank, TfjsNode node)
    {
        var a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank)
        {
            throw new TfjsConversionException($"Node '{node.Name}' ({node.Op}) uses axis {axis}, outside rank {rank}.");
        }
        return (int)a;
    }

    /// <summary>The shape a TF Reshape produces: resolves one -1 when the input size is known.</summary>
    public static long[] Reshape(long[]? input, long[] target)
    {
        var result = (long[])target.Clone();
        var wildcard = Array.IndexOf(result, -1L);
        if (wildcard < 0 || input is null || input.Any(d => d < 0))
        {
            return result;
        }
        long total = 1;
        foreach (var d in input)
        {
            total *= d;
        }
        long known = 1;
        for (var i = 0; i < result.Length; i++)
        {
            if (i != wildcard)
            {
                known *= result[i];
            }
        }
        result[wildcard] = known == 0 ? 0 : total / known;
        return result;
    }
}
