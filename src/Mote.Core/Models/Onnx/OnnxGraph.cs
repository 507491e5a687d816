using System.Runtime.InteropServices;

namespace Mote.Core.Models.Onnx;

/// <summary>ONNX tensor element types (values of <c>TensorProto.DataType</c>).</summary>
public enum OnnxElementType
{
    Float = 1,
    UInt8 = 2,
    Int8 = 3,
    Int32 = 6,
    Int64 = 7,
    Bool = 9,
    Float16 = 10,
}

/// <summary>A constant tensor (an initializer or a tensor attribute), stored as little-endian raw bytes.</summary>
public sealed record OnnxTensor(string Name, OnnxElementType ElementType, long[] Dims, byte[] RawData)
{
    public static OnnxTensor Float(string name, long[] dims, ReadOnlySpan<float> data)
    {
        CheckCount(name, dims, data.Length);
        return new OnnxTensor(name, OnnxElementType.Float, dims, MemoryMarshal.AsBytes(data).ToArray());
    }

    public static OnnxTensor Int64(string name, long[] dims, ReadOnlySpan<long> data)
    {
        CheckCount(name, dims, data.Length);
        return new OnnxTensor(name, OnnxElementType.Int64, dims, MemoryMarshal.AsBytes(data).ToArray());
    }

    public static OnnxTensor Int32(string name, long[] dims, ReadOnlySpan<int> data)
    {
        CheckCount(name, dims, data.Length);
        return new OnnxTensor(name, OnnxElementType.Int32, dims, MemoryMarshal.AsBytes(data).ToArray());
    }

    private static void CheckCount(string name, long[] dims, int count)
    {
        long expected = 1;
        foreach (var d in dims)
        {
            expected *= d;
        }
        if (expected != count)
        {
            throw new ArgumentException($"Tensor '{name}' has {count} values but its shape [{string.Join(',', dims)}] needs {expected}.");
        }
    }
}

/// <summary>One dimension of a graph input or output: a fixed size, or a symbolic name (e.g. "batch").</summary>
public readonly record struct OnnxDim(long? Value, string? Param)
{
    public static implicit operator OnnxDim(long value) => new(value, null);

    public static implicit operator OnnxDim(string param) => new(null, param);
}

/// <summary>A typed graph input or output.</summary>
public sealed record OnnxValueInfo(string Name, OnnxElementType ElementType, IReadOnlyList<OnnxDim> Shape);

/// <summary>
/// One operator node. Attribute values may be <see cref="long"/>, <see cref="int"/>, <see cref="float"/>,
/// <see cref="string"/>, <c>long[]</c>, <c>int[]</c>, <c>float[]</c> or <see cref="OnnxTensor"/>.
/// </summary>
public sealed record OnnxNode(
    string OpType,
    IReadOnlyList<string> Inputs,
    IReadOnlyList<string> Outputs,
    string Name,
    IReadOnlyDictionary<string, object> Attributes);

/// <summary>
/// Collects nodes, initializers, inputs and outputs of one ONNX graph. Both model sources (converted
/// TFJS graphs and architectures written in code) build through this class, so there is one writer.
/// </summary>
public sealed class OnnxGraphBuilder
{
    private readonly List<OnnxNode> _nodes = [];
    private readonly List<OnnxTensor> _initializers = [];
    private readonly List<OnnxValueInfo> _inputs = [];
    private readonly List<OnnxValueInfo> _outputs = [];
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private int _counter;

    public OnnxGraphBuilder(string name) => Name = name;

    public string Name { get; }

    public IReadOnlyList<OnnxNode> Nodes => _nodes;

    public IReadOnlyList<OnnxTensor> Initializers => _initializers;

    public IReadOnlyList<OnnxValueInfo> Inputs => _inputs;

    public IReadOnlyList<OnnxValueInfo> Outputs => _outputs;

    /// <summary>Returns a name not used before in this graph, derived from <paramref name="prefix"/>.</summary>
    public string UniqueName(string prefix)
    {
        var candidate = prefix;
        while (!_names.Add(candidate))
        {
            candidate = $"{prefix}_{++_counter}";
        }
        return candidate;
    }

    public string AddInput(string name, OnnxElementType type, params OnnxDim[] shape)
    {
        _names.Add(name);
        _inputs.Add(new OnnxValueInfo(name, type, shape));
        return name;
    }

    public void AddOutput(string name, OnnxElementType type, params OnnxDim[] shape) =>
        _outputs.Add(new OnnxValueInfo(name, type, shape));

    /// <summary>Adds a constant tensor; its name is made unique and returned.</summary>
    public string AddInitializer(OnnxTensor tensor)
    {
        var name = UniqueName(tensor.Name);
        _initializers.Add(tensor with { Name = name });
        return name;
    }

    public string AddFloat(string name, long[] dims, ReadOnlySpan<float> data) => AddInitializer(OnnxTensor.Float(name, dims, data));

    public string AddInt64(string name, long[] dims, ReadOnlySpan<long> data) => AddInitializer(OnnxTensor.Int64(name, dims, data));

    /// <summary>Adds a node with one output, named from <paramref name="outputName"/> (made unique), and returns that name.</summary>
    public string AddNode(string opType, IReadOnlyList<string> inputs, string outputName, IReadOnlyDictionary<string, object>? attributes = null)
    {
        var output = UniqueName(outputName);
        AddNode(opType, inputs, [output], attributes);
        return output;
    }

    /// <summary>Adds a node with the given (already unique) output names.</summary>
    public void AddNode(string opType, IReadOnlyList<string> inputs, IReadOnlyList<string> outputs, IReadOnlyDictionary<string, object>? attributes = null)
    {
        foreach (var o in outputs)
        {
            _names.Add(o);
        }
        var nodeName = UniqueName($"{opType}_{_nodes.Count}");
        _nodes.Add(new OnnxNode(opType, inputs, outputs, nodeName, attributes ?? new Dictionary<string, object>()));
    }
}
