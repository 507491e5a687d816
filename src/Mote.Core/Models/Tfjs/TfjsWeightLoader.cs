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
        if (w.DType == "int32" && stored is ("uint8" or "uint16"))
        {
            return DequantiseInts(w, stored, slice);
        }
        if (w.DType is not ("float32" or "int32" or "bool") || (w.Quantization is not null && w.DType != "float32"))
        {
            throw new TfjsConversionException(
                $"Weight '{w.Name}' has dtype '{w.DType}' stored as '{stored}'; supported are float32 (plain, float16, uint8, uint16), int32 (plain, uint8, uint16) and bool.");
        }
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
        return new TfjsConstant(w.Name, w.Shape, floats, null);
    }

    // Quantised int32 weights: TFJS computes Math.round(q * scale + min) in double precision
    // (io_utils.ts, getWeightsFromBuffer); Math.round rounds halves up, hence Floor(x + 0.5).
    private static TfjsConstant DequantiseInts(TfjsWeightSpec w, string stored, ReadOnlySpan<byte> slice)
    {
        var q = w.Quantization!;
        var width = stored == "uint8" ? 1 : 2;
        var ints = new long[slice.Length / width];
        for (var i = 0; i < ints.Length; i++)
        {
            double raw = width == 1 ? slice[i] : BinaryPrimitives.ReadUInt16LittleEndian(slice[(2 * i)..]);
            ints[i] = (long)Math.Floor((raw * q.Scale) + q.Min + 0.5);
        }
        return new TfjsConstant(w.Name, w.Shape, null, ints);
    }
}
