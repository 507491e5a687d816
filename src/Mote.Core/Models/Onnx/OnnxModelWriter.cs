namespace Mote.Core.Models.Onnx;

/// <summary>Descriptive fields written into the model's header and metadata.</summary>
public sealed record OnnxModelInfo(string ProducerName, string ProducerVersion, string DocString, IReadOnlyDictionary<string, string> Metadata);

/// <summary>
/// Serialises an <see cref="OnnxGraphBuilder"/> as an ONNX <c>ModelProto</c> (IR version 8, default
/// opset 17). Field numbers follow onnx/onnx.proto.
/// </summary>
public static class OnnxModelWriter
{
    /// <summary>The default-domain opset every model we emit declares.</summary>
    public const int OpsetVersion = 17;

    private const long IrVersion = 8;

    /// <summary>Returns the serialised <c>ModelProto</c> of <paramref name="graph"/>, with the header and metadata of <paramref name="info"/>.</summary>
    public static byte[] Write(OnnxGraphBuilder graph, OnnxModelInfo info)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(info);
        var model = new ProtoWriter();
        model.Int64(1, IrVersion);
        model.String(2, info.ProducerName);
        model.String(3, info.ProducerVersion);
        model.String(6, info.DocString);
        model.Message(7, g => WriteGraph(g, graph));
        model.Message(8, op =>
        {
            op.String(1, "");
            op.Int64(2, OpsetVersion);
        });
        foreach (var (key, value) in info.Metadata)
        {
            model.Message(14, e =>
            {
                e.String(1, key);
                e.String(2, value);
            });
        }
        return model.ToArray();
    }

    private static void WriteGraph(ProtoWriter w, OnnxGraphBuilder graph)
    {
        foreach (var node in graph.Nodes)
        {
            w.Message(1, n => WriteNode(n, node));
        }
        w.String(2, graph.Name);
        foreach (var t in graph.Initializers)
        {
            w.Message(5, x => WriteTensor(x, t));
        }
        foreach (var i in graph.Inputs)
        {
            w.Message(11, x => WriteValueInfo(x, i));
        }
        foreach (var o in graph.Outputs)
        {
            w.Message(12, x => WriteValueInfo(x, o));
        }
    }

    private static void WriteNode(ProtoWriter w, OnnxNode node)
    {
        foreach (var i in node.Inputs)
        {
            w.String(1, i);
        }
        foreach (var o in node.Outputs)
        {
            w.String(2, o);
        }
        w.String(3, node.Name);
        w.String(4, node.OpType);
        foreach (var (name, value) in node.Attributes)
        {
            w.Message(5, a => WriteAttribute(a, name, value));
        }
    }

    // AttributeProto: name=1, f=2, i=3, s=4, t=5, floats=7, ints=8, type=20.
    // AttributeType: FLOAT=1, INT=2, STRING=3, TENSOR=4, FLOATS=6, INTS=7.
    private static void WriteAttribute(ProtoWriter w, string name, object value)
    {
        w.String(1, name);
        switch (value)
        {
            case float f:
                w.Float(2, f);
                w.Int32(20, 1);
                break;
            case long l:
                w.Int64(3, l);
                w.Int32(20, 2);
                break;
            case int i:
                w.Int64(3, i);
                w.Int32(20, 2);
                break;
            case string s:
                w.String(4, s);
                w.Int32(20, 3);
                break;
            case OnnxTensor t:
                w.Message(5, x => WriteTensor(x, t));
                w.Int32(20, 4);
                break;
            case float[] fs:
                foreach (var f in fs)
                {
                    w.Float(7, f);
                }
                w.Int32(20, 6);
                break;
            case long[] ls:
                foreach (var l in ls)
                {
                    w.Int64(8, l);
                }
                w.Int32(20, 7);
                break;
            case int[] ints:
                foreach (var i in ints)
                {
                    w.Int64(8, i);
                }
                w.Int32(20, 7);
                break;
            default:
                throw new ArgumentException($"Attribute '{name}' has unsupported type {value.GetType().Name}.");
        }
    }

    // TensorProto: dims=1, data_type=2, name=8, raw_data=9.
    private static void WriteTensor(ProtoWriter w, OnnxTensor t)
    {
        w.PackedInt64(1, t.Dims);
        w.Int32(2, (int)t.ElementType);
        w.String(8, t.Name);
        w.Bytes(9, t.RawData);
    }

    // ValueInfoProto: name=1, type=2; TypeProto.tensor_type=1; Tensor: elem_type=1, shape=2;
    // TensorShapeProto.dim=1; Dimension: dim_value=1, dim_param=2.
    private static void WriteValueInfo(ProtoWriter w, OnnxValueInfo v)
    {
        w.String(1, v.Name);
        w.Message(2, type => type.Message(1, tensor =>
        {
            tensor.Int32(1, (int)v.ElementType);
            tensor.Message(2, shape =>
            {
                foreach (var d in v.Shape)
                {
                    shape.Message(1, dim =>
                    {
                        if (d.Value is { } value)
                        {
                            dim.Int64(1, value);
                        }
                        else
                        {
                            dim.String(2, d.Param ?? "?");
                        }
                    });
                }
            });
        }));
    }
}
