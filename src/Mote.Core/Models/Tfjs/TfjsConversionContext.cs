using Mote.Core.Models.Onnx;

namespace Mote.Core.Models.Tfjs;

/// <summary>State shared by the op emitters while one graph is converted: the ONNX builder and the TF values seen so far.</summary>
internal sealed class TfjsConversionContext
{
    private readonly Dictionary<TfjsTensorRef, TfjsValue> _values = [];
    private readonly Dictionary<string, string> _materialised = new(StringComparer.Ordinal);

    public TfjsConversionContext(OnnxGraphBuilder builder) => Builder = builder;

    public OnnxGraphBuilder Builder { get; }

    public void Set(string node, TfjsValue value) => _values[new TfjsTensorRef(node, 0)] = value;

    public bool TryGet(TfjsTensorRef tensor, out TfjsValue value) => _values.TryGetValue(tensor, out value!);

    /// <summary>Data input <paramref name="index"/> of <paramref name="node"/>.</summary>
    public TfjsValue Input(TfjsNode node, int index)
    {
        if (index >= node.Inputs.Count)
        {
            throw new TfjsConversionException($"Node '{node.Name}' ({node.Op}) has {node.Inputs.Count} inputs; input {index} is required.");
        }
        var r = node.Inputs[index];
        if (!_values.TryGetValue(r, out var v))
        {
            throw new TfjsConversionException($"Node '{node.Name}' ({node.Op}) reads '{r}', which no converted node produces.");
        }
        return v;
    }

    /// <summary>The ONNX name of input <paramref name="index"/>, adding it as an initializer if it is a constant.</summary>
    public string InputName(TfjsNode node, int index) => Materialise(Input(node, index));

    public string Materialise(TfjsValue value)
    {
        if (value.OnnxName is { } name)
        {
            return name;
        }
        var c = value.Constant!;
        if (_materialised.TryGetValue(c.Name, out var existing))
        {
            return existing;
        }
        var added = c.Floats is { } f
            ? Builder.AddFloat(c.Name, c.Shape, f)
            : Builder.AddInt64(c.Name, c.Shape, c.Ints!);
        _materialised[c.Name] = added;
        return added;
    }

    /// <summary>Input <paramref name="index"/>, which must be a constant known at conversion time (filters, axes, shapes, paddings).</summary>
    public TfjsConstant ConstInput(TfjsNode node, int index)
    {
        var v = Input(node, index);
        return v.Constant ?? throw new TfjsConversionException(
            $"Node '{node.Name}' ({node.Op}) needs input {index} ('{node.Inputs[index]}') to be a constant; computed values are not supported there.");
    }

    public string AddNode(TfjsNode node, string onnxOp, IReadOnlyList<string> inputs, IReadOnlyDictionary<string, object>? attributes = null, string? suffix = null) =>
        Builder.AddNode(onnxOp, inputs, suffix is null ? node.Name : $"{node.Name}/{suffix}", attributes);

    public string AddInt64s(TfjsNode node, string suffix, params long[] values) =>
        Builder.AddInt64($"{node.Name}/{suffix}", [values.Length], values);

    public string AddScalar(TfjsNode node, string suffix, float value) =>
        Builder.AddFloat($"{node.Name}/{suffix}", [], [value]);
}
