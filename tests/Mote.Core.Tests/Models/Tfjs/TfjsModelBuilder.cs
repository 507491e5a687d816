using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;

namespace Mote.Core.Tests.Models.Tfjs;

/// <summary>Test-data builder for small TFJS graph models: writes model.json and one weights shard into a folder.</summary>
public sealed class TfjsModelBuilder
{
    private readonly JsonArray _nodes = [];
    private readonly JsonArray _weights = [];
    private readonly MemoryStream _data = new();

    public TfjsModelBuilder Placeholder(string name, params long[] shape)
    {
        _nodes.Add(new JsonObject
        {
            ["name"] = name,
            ["op"] = "Placeholder",
            ["attr"] = new JsonObject
            {
                ["dtype"] = new JsonObject { ["type"] = "DT_FLOAT" },
                ["shape"] = new JsonObject { ["shape"] = new JsonObject { ["dim"] = new JsonArray([.. shape.Select(d => new JsonObject { ["size"] = d.ToString(System.Globalization.CultureInfo.InvariantCulture) })]) } },
            },
        });
        return this;
    }

    /// <summary>A float32 constant stored unquantised.</summary>
    public TfjsModelBuilder Const(string name, long[] shape, params float[] values)
    {
        var bytes = new byte[values.Length * 4];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), values[i]);
        }
        return AddWeight(name, shape, "float32", null, bytes);
    }

    /// <summary>An int32 constant (shapes, axes, paddings).</summary>
    public TfjsModelBuilder IntConst(string name, long[] shape, params int[] values)
    {
        var bytes = new byte[values.Length * 4];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4 * i), values[i]);
        }
        return AddWeight(name, shape, "int32", null, bytes);
    }

    /// <summary>A float32 constant stored as raw quantised bytes with the given quantization object.</summary>
    public TfjsModelBuilder QuantisedConst(string name, long[] shape, JsonObject quantization, byte[] stored) =>
        AddWeight(name, shape, "float32", quantization, stored);

    public TfjsModelBuilder Node(string name, string op, string[] inputs, JsonObject? attr = null)
    {
        _nodes.Add(new JsonObject
        {
            ["name"] = name,
            ["op"] = op,
            ["input"] = new JsonArray([.. inputs.Select(i => JsonValue.Create(i))]),
            ["attr"] = attr ?? [],
        });
        return this;
    }

    /// <summary>Writes <c>model.json</c> and <c>weights.bin</c> into <paramref name="folder"/> and returns the model.json path.</summary>
    public string Write(string folder)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllBytes(Path.Combine(folder, "weights.bin"), _data.ToArray());
        var model = new JsonObject
        {
            ["format"] = "graph-model",
            ["generatedBy"] = "test",
            ["convertedBy"] = "test",
            ["modelTopology"] = new JsonObject { ["node"] = _nodes.DeepClone() },
            ["weightsManifest"] = new JsonArray(new JsonObject { ["paths"] = new JsonArray("weights.bin"), ["weights"] = _weights.DeepClone() }),
        };
        var path = Path.Combine(folder, "model.json");
        File.WriteAllText(path, model.ToJsonString());
        return path;
    }

    public static JsonObject Ints(params long[] values) =>
        new() { ["list"] = new JsonObject { ["i"] = new JsonArray([.. values.Select(v => JsonValue.Create(v.ToString(System.Globalization.CultureInfo.InvariantCulture)))]) } };

    public static JsonObject Str(string value) => new() { ["s"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(value)) };

    public static JsonObject Strs(params string[] values) =>
        new() { ["list"] = new JsonObject { ["s"] = new JsonArray([.. values.Select(v => JsonValue.Create(Convert.ToBase64String(Encoding.UTF8.GetBytes(v))))]) } };

    /// <summary>Attributes of an NHWC convolution or pooling node.</summary>
    public static JsonObject Window(string padding, long strideH, long strideW, long dilation = 1) => new()
    {
        ["data_format"] = Str("NHWC"),
        ["padding"] = Str(padding),
        ["strides"] = Ints(1, strideH, strideW, 1),
        ["dilations"] = Ints(1, dilation, dilation, 1),
    };

    private TfjsModelBuilder AddWeight(string name, long[] shape, string dtype, JsonObject? quantization, byte[] bytes)
    {
        _nodes.Add(new JsonObject { ["name"] = name, ["op"] = "Const", ["attr"] = new JsonObject() });
        var w = new JsonObject { ["name"] = name, ["shape"] = new JsonArray([.. shape.Select(d => JsonValue.Create(d))]), ["dtype"] = dtype };
        if (quantization is not null)
        {
            w["quantization"] = quantization;
        }
        _weights.Add(w);
        _data.Write(bytes);
        return this;
    }
}
