using System.Buffers.Binary;

namespace Mote.Core.Models.Tfjs;

/// <summary>Reads the binary shards a model.json names (concatenated in order) and decodes every weight.</summary>
internal static class TfjsWeightLoader
{
    public static Dictionary<string, TfjsConstant> Load(TfjsModelFile model)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(model.Path))!;
        using var data = new MemoryStream();
        foreach (var shard in model.ShardPaths)
        {
            var shardPath = Path.Combine(folder, shard);
            if (!File.Exists(shardPath))
            {
                throw new TfjsConversionException($"Weight shard '{shard}' named by '{model.Path}' does not exist at '{shardPath}'.");
            }
            using var s = File.OpenRead(shardPath);
            s.CopyTo(data);
        }
        var bytes = data.GetBuffer().AsSpan(0, (int)data.Length);
        return Decode(model, bytes);
    }

    public static Dictionary<string, TfjsConstant> Decode(TfjsModelFile model, ReadOnlySpan<byte> bytes)
    {
        var result = new Dictionary<string, TfjsConstant>(StringComparer.Ordinal);
        var offset = 0;
        foreach (var w in model.Weights)
        {
            long count = 1;
            foreach (var d in w.Shape)
            {
                count *= d;
            }
            var stored = w.Quantization?.DType ?? w.DType;
            var width = stored switch
            {
                "float32" or "int32" => 4,
                "float16" or "uint16" => 2,
                "uint8" or "bool" => 1,
                _ => throw new TfjsConversionException($"Weight '{w.Name}' in '{model.Path}' has unsupported stored dtype '{stored}'."),
            };
            var length = checked((int)(count * width));
            if (offset + length > bytes.Length)
            {
                throw new TfjsConversionException(
                    $"Weight '{w.Name}' needs bytes {offset}..{offset + length} but the shards of '{model.Path}' hold only {bytes.Length}.");
            }
            var slice = bytes.Slice(offset, length);
            offset += length;
            result[w.Name] = DecodeOne(w, stored, slice);
        }
        if (offset != bytes.Length)
        {
            throw new TfjsConversionException($"The shards of '{model.Path}' hold {bytes.Length} bytes but the manifest describes {offset}.");
        }
        return result;
    }

    private static TfjsConstant DecodeOne(TfjsWeightSpec w, string stored, ReadOnlySpan<byte> slice)
    {
        float[] floats;
        switch (stored)
        {
            case "float32":
                floats = new float[slice.Length / 4];
                for (var i = 0; i < floats.Length; i++)
                {
                    floats[i] = BinaryPrimitives.ReadSingleLittleEndian(slice[(4 * i)..]);
                }
                break;
            case "int32":
                var ints = new long[slice.Length / 4];
                for (var i = 0; i < ints.Length; i++)
                {
                    ints[i] = BinaryPrimitives.ReadInt32LittleEndian(slice[(4 * i)..]);
                }
                return new TfjsConstant(w.Name, w.Shape, null, ints);
            case "bool":
                return new TfjsConstant(w.Name, w.Shape, null, [.. slice.ToArray().Select(b => (long)(b != 0 ? 1 : 0))]);
            case "float16":
                floats = TfjsDequantizer.Float16(slice);
                break;
            default:
                floats = TfjsDequantizer.Affine(slice, stored == "uint8" ? 1 : 2, w.Quantization!.Scale, w.Quantization.Min);
                break;
        }
        if (w.Quantization?.OriginalDType == "int32" || w.DType == "int32")
        {
            // Quantised int32 weights are rounded back to integers by TFJS (io_utils.ts, getWeightsFromBuffer).
            return new TfjsConstant(w.Name, w.Shape, null, [.. floats.Select(f => (long)MathF.Round(f))]);
        }
        return new TfjsConstant(w.Name, w.Shape, floats, null);
    }
}
