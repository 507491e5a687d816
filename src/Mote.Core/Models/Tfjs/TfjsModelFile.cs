using System.Text.Json;

namespace Mote.Core.Models.Tfjs;

/// <summary>How one weight is stored in the shards: <c>weightsManifest[].weights[].quantization</c>.</summary>
/// <param name="DType">Stored type: <c>float16</c>, <c>uint8</c> or <c>uint16</c>.</param>
/// <param name="Scale">Affine scale for uint8/uint16 (value = q * scale + min).</param>
/// <param name="Min">Affine offset for uint8/uint16.</param>
/// <param name="OriginalDType">The type before quantisation (<c>float32</c> or <c>int32</c>).</param>
internal sealed record TfjsQuantization(string DType, double Scale, double Min, string OriginalDType);

/// <summary>One entry of <c>weightsManifest[].weights</c>; weights lie in the concatenated shards in manifest order.</summary>
internal sealed record TfjsWeightSpec(string Name, long[] Shape, string DType, TfjsQuantization? Quantization);

/// <summary>A signature entry: its key and the tensor it names.</summary>
internal sealed record TfjsSignatureEntry(string Key, TfjsTensorRef Tensor);

/// <summary>The parts of a TFJS <c>graph-model</c> model.json the converter needs.</summary>
internal sealed class TfjsModelFile
{
    private TfjsModelFile(string path, IReadOnlyList<TfjsNode> nodes, IReadOnlyList<TfjsWeightSpec> weights, IReadOnlyList<string> shardPaths,
        IReadOnlyList<TfjsSignatureEntry> signatureInputs, IReadOnlyList<TfjsSignatureEntry> signatureOutputs)
    {
        Path = path;
        Nodes = nodes;
        Weights = weights;
        ShardPaths = shardPaths;
        SignatureInputs = signatureInputs;
        SignatureOutputs = signatureOutputs;
    }

    public string Path { get; }

    public IReadOnlyList<TfjsNode> Nodes { get; }

    public IReadOnlyList<TfjsWeightSpec> Weights { get; }

    /// <summary>Shard file names relative to the model.json folder, in the order their bytes concatenate.</summary>
    public IReadOnlyList<string> ShardPaths { get; }

    public IReadOnlyList<TfjsSignatureEntry> SignatureInputs { get; }

    public IReadOnlyList<TfjsSignatureEntry> SignatureOutputs { get; }

    public static TfjsModelFile Load(string modelJsonPath)
    {
        if (!File.Exists(modelJsonPath))
        {
            throw new FileNotFoundException($"TFJS model file '{modelJsonPath}' does not exist.", modelJsonPath);
        }
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(modelJsonPath));
            return Parse(modelJsonPath, doc.RootElement);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new TfjsConversionException($"'{modelJsonPath}' is not a readable TFJS graph model: {e.Message}", e);
        }
    }

    private static TfjsModelFile Parse(string path, JsonElement root)
    {
        if (root.TryGetProperty("format", out var format) && format.GetString() is { } f && f != "graph-model")
        {
            throw new TfjsConversionException($"'{path}' has format '{f}'; only TFJS 'graph-model' files can be converted.");
        }
        var nodes = new List<TfjsNode>();
        foreach (var n in root.GetProperty("modelTopology").GetProperty("node").EnumerateArray())
        {
            var inputs = new List<TfjsTensorRef>();
            var control = new List<string>();
            if (n.TryGetProperty("input", out var ins))
            {
                foreach (var i in ins.EnumerateArray())
                {
                    var text = i.GetString()!;
                    if (text.StartsWith('^'))
                    {
                        control.Add(text[1..]);
                    }
                    else
                    {
                        inputs.Add(TfjsTensorRef.Parse(text));
                    }
                }
            }
            var attr = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            if (n.TryGetProperty("attr", out var attrs))
            {
                foreach (var a in attrs.EnumerateObject())
                {
                    attr[a.Name] = a.Value.Clone();
                }
            }
            nodes.Add(new TfjsNode(n.GetProperty("name").GetString()!, n.GetProperty("op").GetString()!, inputs, control, attr));
        }

        var weights = new List<TfjsWeightSpec>();
        var shards = new List<string>();
        foreach (var group in root.GetProperty("weightsManifest").EnumerateArray())
        {
            shards.AddRange(group.GetProperty("paths").EnumerateArray().Select(p => p.GetString()!));
            foreach (var w in group.GetProperty("weights").EnumerateArray())
            {
                TfjsQuantization? q = null;
                if (w.TryGetProperty("quantization", out var qe))
                {
                    q = new TfjsQuantization(
                        qe.GetProperty("dtype").GetString()!,
                        qe.TryGetProperty("scale", out var scale) ? scale.GetDouble() : 1.0,
                        qe.TryGetProperty("min", out var min) ? min.GetDouble() : 0.0,
                        qe.TryGetProperty("original_dtype", out var od) ? od.GetString()! : w.GetProperty("dtype").GetString()!);
                }
                weights.Add(new TfjsWeightSpec(
                    w.GetProperty("name").GetString()!,
                    [.. w.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64())],
                    w.GetProperty("dtype").GetString()!,
                    q));
            }
        }

        var sigIn = new List<TfjsSignatureEntry>();
        var sigOut = new List<TfjsSignatureEntry>();
        if (root.TryGetProperty("signature", out var sig))
        {
            ReadSignature(sig, "inputs", sigIn);
            ReadSignature(sig, "outputs", sigOut);
        }
        return new TfjsModelFile(path, nodes, weights, shards, sigIn, sigOut);
    }

    private static void ReadSignature(JsonElement sig, string part, List<TfjsSignatureEntry> into)
    {
        if (!sig.TryGetProperty(part, out var entries))
        {
            return;
        }
        foreach (var e in entries.EnumerateObject())
        {
            var name = e.Value.TryGetProperty("name", out var n) ? n.GetString()! : e.Name;
            into.Add(new TfjsSignatureEntry(e.Name, TfjsTensorRef.Parse(name)));
        }
    }
}
