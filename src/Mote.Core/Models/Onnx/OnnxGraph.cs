using System.Runtime.InteropServices;

namespace Mote.Core.Models.Onnx;

/// <summary>ONNX tensor element types (values of <c>TensorProto.DataType</c>).</summary>
public enum OnnxElementType
{
    /// <summary>32-bit float.</summary>
    Float = 1,
    /// <summary>Unsigned 8-bit integer.</summary>
    UInt8 = 2,
    /// <summary>Signed 8-bit integer.</summary>
    Int8 = 3,
    /// <summary>Signed 32-bit integer.</summary>
    Int32 = 6,
    /// <summary>Signed 64-bit integer.</summary>
    Int64 = 7,
    /// <summary>Boolean, one byte per value.</summary>
    Bool = 9,
    /// <summary>16-bit (half-precision) float.</summary>
    Float16 = 10,
}

/// <summary>A constant tensor (an initializer or a tensor attribute), stored as little-endian raw bytes.</summary>
public sealed record OnnxTensor(string Name, OnnxElementType ElementType, long[] Dims, byte[] RawData)
{
    /// <summary>A float tensor of shape <paramref name="dims"/>; throws <see cref="ArgumentException"/> when <paramref name="data"/> does not have as many values as the shape needs.</summary>
    public static OnnxTensor Float(string name, long[] dims, ReadOnlySpan<float> data)
    {
        CheckCount(name, dims, data.Length);
        return new OnnxTensor(name, OnnxElementType.Float, dims, MemoryMarshal.AsBytes(data).ToArray());
    }

    /// <summary>A 64-bit integer tensor of shape <paramref name="dims"/>; throws <see cref="ArgumentException"/> when <paramref name="data"/> does not have as many values as the shape needs.</summary>
    public static OnnxTensor Int64(string name, long[] dims, ReadOnlySpan<long> data)
    {
        CheckCount(name, dims, data.Length);
        return new OnnxTensor(name, OnnxElementType.Int64, dims, MemoryMarshal.AsBytes(data).ToArray());
    }

    /// <summary>A 32-bit integer tensor of shape <paramref name="dims"/>; throws <see cref="ArgumentException"/> when <paramref name="data"/> does not have as many values as the shape needs.</summary>
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
    /// <summary>A fixed dimension of <paramref name="value"/> elements.</summary>
    public static implicit operator OnnxDim(long value) => new(value, null);

    /// <summary>A symbolic dimension named <paramref name="param"/>.</summary>
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

    /// <summary>Starts an empty graph called <paramref name="name"/>.</summary>
    public OnnxGraphBuilder(string name) => Name = name;

    /// <summary>The graph's name.</summary>
    public string Name { get; }

    /// <summary>The nodes added so far, in order.</summary>
    public IReadOnlyList<OnnxNode> Nodes => _nodes;

    /// <summary>The constant tensors added so far, with their unique names.</summary>
    public IReadOnlyList<OnnxTensor> Initializers => _initializers;

    /// <summary>The graph inputs added so far.</summary>
    public IReadOnlyList<OnnxValueInfo> Inputs => _inputs;

    /// <summary>The graph outputs added so far.</summary>
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

    /// <summary>Adds a graph input of <paramref name="type"/> and <paramref name="shape"/>, reserves its name and returns it unchanged.</summary>
    public string AddInput(string name, OnnxElementType type, params OnnxDim[] shape)
    {
        _names.Add(name);
        _inputs.Add(new OnnxValueInfo(name, type, shape));
        return name;
    }

    /// <summary>Declares <paramref name="name"/> (a node output) as a graph output of <paramref name="type"/> and <paramref name="shape"/>.</summary>
    public void AddOutput(string name, OnnxElementType type, params OnnxDim[] shape) =>
        _outputs.Add(new OnnxValueInfo(name, type, shape));

    /// <summary>Adds a constant tensor; its name is made unique and returned.</summary>
    public string AddInitializer(OnnxTensor tensor)
    {
        var name = UniqueName(tensor.Name);
        _initializers.Add(tensor with { Name = name });
        return name;
    }

    /// <summary>Adds a float constant (see <see cref="OnnxTensor.Float"/>) and returns its unique name.</summary>
    public string AddFloat(string name, long[] dims, ReadOnlySpan<float> data) => AddInitializer(OnnxTensor.Float(name, dims, data));

    /// <summary>Adds a 64-bit integer constant (see <see cref="OnnxTensor.Int64"/>) and returns its unique name.</summary>
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
