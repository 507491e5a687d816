namespace Mote.Core.Population.Densities;

/// <summary>
/// Binary form of a density: an int32 <see cref="DensityKind"/> tag, then the kind's body (little-endian, as
/// <see cref="BinaryWriter"/> writes). Integrity is the container's job (a pack carries a SHA-256).
/// </summary>
public static class DensitySerializer
{
    /// <summary>
    /// From this dimension on a <see cref="GaussianMixture"/> is written in its packed form
    /// (<see cref="DensityKind.GaussianMixturePacked"/>): below it (dlib-resnet's 128-d) the full double matrices are small
    /// and stay as they were, so those packs read back bit for bit.
    /// </summary>
    public const int PackedFromDimension = 256;

    /// <summary>Writes the kind tag and body of <paramref name="density"/>.</summary>
    public static void Write(IDensity density, BinaryWriter writer)
    {
        ArgumentNullException.ThrowIfNull(density);
        ArgumentNullException.ThrowIfNull(writer);
        if (density is GaussianMixture mixture && mixture.Dimension >= PackedFromDimension)
        {
            writer.Write((int)DensityKind.GaussianMixturePacked);
            mixture.WritePackedBody(writer);
            return;
        }
        writer.Write((int)density.Kind);
        density.WriteBody(writer);
    }

    /// <summary>Reads a density written by <see cref="Write"/>; unknown kinds throw <see cref="InvalidDataException"/>.</summary>
    public static IDensity Read(BinaryReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var kind = (DensityKind)reader.ReadInt32();
        return kind switch
        {
            DensityKind.GaussianKde => GaussianKde.ReadBody(reader),
            DensityKind.GaussianMixture => GaussianMixture.ReadBody(reader),
            DensityKind.GaussianMixturePacked => GaussianMixture.ReadPackedBody(reader),
            _ => throw new InvalidDataException($"Unknown density kind {(int)kind}."),
        };
    }

    internal static void WriteParameters(BinaryWriter writer, IReadOnlyDictionary<string, string> parameters)
    {
        writer.Write(parameters.Count);
        foreach (var (key, value) in parameters.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            writer.Write(key);
            writer.Write(value);
        }
    }

    internal static Dictionary<string, string> ReadParameters(BinaryReader reader)
    {
        var count = ReadCount(reader, "parameter count", 4096);
        var result = new Dictionary<string, string>(count, StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            var key = reader.ReadString();
            result[key] = reader.ReadString();
        }
        return result;
    }

    internal static int ReadCount(BinaryReader reader, string what, int max)
    {
        var value = reader.ReadInt32();
        if (value < 0 || value > max)
        {
            throw new InvalidDataException($"Density {what} {value} is outside 0…{max}.");
        }
        return value;
    }

    /// <summary>Refuses a declared size larger than what is left, before allocating for it.</summary>
    internal static void CheckRemaining(BinaryReader reader, long bytes, string what)
    {
        var stream = reader.BaseStream;
        if (stream.CanSeek && bytes > stream.Length - stream.Position)
        {
            throw new InvalidDataException($"Density {what} declare {bytes} bytes but only {stream.Length - stream.Position} remain.");
        }
    }

    internal static double[] ReadDoubles(BinaryReader reader, int count)
    {
        var values = new double[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = reader.ReadDouble();
        }
        return values;
    }
}
