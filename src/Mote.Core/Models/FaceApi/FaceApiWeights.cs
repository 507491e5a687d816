using System.Buffers.Binary;
using System.Text.Json;

namespace Mote.Core.Models.FaceApi;

/// <summary>One dequantised weight tensor: TensorFlow.js name, shape and float32 values (row-major).</summary>
public sealed record FaceApiWeight(string Name, int[] Shape, float[] Values);

/// <summary>
/// Reads a TensorFlow.js weights manifest (<c>*-weights_manifest.json</c> plus its <c>.bin</c> shards), as
/// face-api ships its models, and dequantises the values exactly as TensorFlow.js does.
/// </summary>
/// <remarks>
/// Each manifest group's shards are concatenated and its tensors read in order. Quantised tensors store
/// <c>uint8</c>/<c>uint16</c> codes with per-tensor <c>scale</c> and <c>min</c>:
/// value = code × scale + min, computed in double and rounded to float32 (tfjs-core <c>decodeWeights</c>
/// does the same in JavaScript numbers), or <c>float16</c> values widened to float32.
/// </remarks>
public static class FaceApiWeights
{
    /// <summary>Loads and dequantises every tensor of the manifest at <paramref name="manifestPath"/>.</summary>
    /// <exception cref="ModelProvisioningException">The manifest is malformed, a shard is missing or sized wrong, or a dtype is unsupported.</exception>
    public static IReadOnlyDictionary<string, FaceApiWeight> Load(string manifestPath)
    {
        var baseDir = Path.GetDirectoryName(Path.GetFullPath(manifestPath))!;
        var result = new Dictionary<string, FaceApiWeight>(StringComparer.Ordinal);
        using var document = ParseManifest(manifestPath);
        foreach (var group in document.RootElement.EnumerateArray())
        {
            var data = ReadShards(manifestPath, baseDir, group);
            var offset = 0;
            foreach (var spec in group.GetProperty("weights").EnumerateArray())
            {
                var weight = Decode(manifestPath, spec, data, ref offset);
                if (!result.TryAdd(weight.Name, weight))
                {
                    throw new ModelProvisioningException($"Weights manifest '{manifestPath}' lists tensor '{weight.Name}' twice.");
                }
            }
            if (offset != data.Length)
            {
                throw new ModelProvisioningException(
                    $"Weights manifest '{manifestPath}' describes {offset} bytes but its shards hold {data.Length}.");
            }
        }
        return result;
    }

    private static JsonDocument ParseManifest(string manifestPath)
    {
        try
        {
            return JsonDocument.Parse(File.ReadAllBytes(manifestPath));
        }
        catch (JsonException e)
        {
            throw new ModelProvisioningException($"Weights manifest '{manifestPath}' is not valid JSON: {e.Message}", e);
        }
    }

    private static byte[] ReadShards(string manifestPath, string baseDir, JsonElement group)
    {
        using var buffer = new MemoryStream();
        foreach (var pathElement in group.GetProperty("paths").EnumerateArray())
        {
            var relative = pathElement.GetString() ?? "";
            if (relative.Length == 0 || Path.IsPathRooted(relative) || relative.Replace('\\', '/').Split('/').Contains(".."))
            {
                throw new ModelProvisioningException($"Weights manifest '{manifestPath}' names shard '{relative}' outside its directory.");
            }
            var shard = Path.Combine(baseDir, relative);
            if (!File.Exists(shard))
            {
                throw new ModelProvisioningException($"Weights shard '{shard}' named by '{manifestPath}' does not exist.");
            }
            using var stream = File.OpenRead(shard);
            stream.CopyTo(buffer);
        }
        return buffer.ToArray();
    }

    private static FaceApiWeight Decode(string manifestPath, JsonElement spec, byte[] data, ref int offset)
    {
        var name = spec.GetProperty("name").GetString() ?? "";
        var shape = spec.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).ToArray();
        var count = shape.Aggregate(1, (a, b) => checked(a * b));
        var dtype = spec.GetProperty("dtype").GetString();
        if (dtype != "float32")
        {
            throw new ModelProvisioningException($"Tensor '{name}' in '{manifestPath}' has dtype '{dtype}'; only float32 tensors are supported.");
        }

        var values = new float[count];
        string storage = spec.TryGetProperty("quantization", out var q) ? q.GetProperty("dtype").GetString() ?? "" : "float32";
        var bytesPer = storage switch
        {
            "float32" => 4,
            "uint16" or "float16" => 2,
            "uint8" => 1,
            _ => throw new ModelProvisioningException($"Tensor '{name}' in '{manifestPath}' uses unsupported quantisation '{storage}'."),
        };
        var size = checked(count * bytesPer);
        if (offset + size > data.Length)
        {
            throw new ModelProvisioningException($"Tensor '{name}' in '{manifestPath}' runs past the end of its shards.");
        }
        var bytes = data.AsSpan(offset, size);
        offset += size;

        switch (storage)
        {
            case "float32":
                for (var i = 0; i < count; i++)
                {
                    values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes[(i * 4)..]);
                }
                break;
            case "float16":
                for (var i = 0; i < count; i++)
                {
                    values[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(bytes[(i * 2)..]);
                }
                break;
            default:
                var scale = q.GetProperty("scale").GetDouble();
                var min = q.GetProperty("min").GetDouble();
                for (var i = 0; i < count; i++)
                {
                    int code = storage == "uint8" ? bytes[i] : BinaryPrimitives.ReadUInt16LittleEndian(bytes[(i * 2)..]);
                    values[i] = (float)((code * scale) + min);
                }
                break;
        }
        return new FaceApiWeight(name, shape, values);
    }
}
