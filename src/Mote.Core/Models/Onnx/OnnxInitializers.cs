using System.Buffers.Binary;

namespace Mote.Core.Models.Onnx;

/// <summary>One float32 initializer of an ONNX graph: name, dims and values (row-major).</summary>
public sealed record OnnxFloatTensor(string Name, long[] Dims, float[] Values);

/// <summary>
/// Reads the float32 initializers (the weights) of an ONNX model file, so another executor (TorchSharp, for
/// gradients) can run the very weights ONNX Runtime runs, from the hash-verified pack file. A minimal protobuf
/// reader for the fields <see cref="OnnxModelWriter"/> writes: ModelProto.graph = 7, GraphProto.initializer = 5,
/// TensorProto dims = 1, data_type = 2, float_data = 4, name = 8, raw_data = 9.
/// </summary>
public static class OnnxInitializers
{
    /// <summary>Every float32 initializer of the model at <paramref name="onnxPath"/>, by name. Mutates nothing.</summary>
    /// <exception cref="ModelProvisioningException">The file is not a readable ONNX model.</exception>
    public static IReadOnlyDictionary<string, OnnxFloatTensor> ReadFloat(string onnxPath)
    {
        var bytes = File.ReadAllBytes(onnxPath);
        var result = new Dictionary<string, OnnxFloatTensor>(StringComparer.Ordinal);
        try
        {
            foreach (var (field, graph) in Fields(bytes))
            {
                if (field != 7)
                {
                    continue;
                }
                foreach (var (gField, tensor) in Fields(graph))
                {
                    if (gField == 5 && ReadTensor(tensor) is { } t)
                    {
                        result[t.Name] = t;
                    }
                }
            }
        }
        catch (Exception e) when (e is IndexOutOfRangeException or ArgumentOutOfRangeException or InvalidDataException or OverflowException)
        {
            throw new ModelProvisioningException($"'{onnxPath}' is not a readable ONNX model: {e.Message}", e);
        }
        return result;
    }

    private static OnnxFloatTensor? ReadTensor(ReadOnlyMemory<byte> tensor)
    {
        var dims = new List<long>();
        var type = 0L;
        var name = "";
        ReadOnlyMemory<byte> raw = default;
        var floats = new List<float>();
        foreach (var (field, isScalar, value, scalar) in FieldsWithScalars(tensor))
        {
            switch (field)
            {
                case 1 when isScalar:
                    dims.Add(scalar);
                    break;
                case 1:
                    var span = value.Span;
                    var pos = 0;
                    while (pos < span.Length)
                    {
                        dims.Add((long)ReadVarint(span, ref pos));
                    }
                    break;
                case 2:
                    type = scalar;
                    break;
                case 4:
                    for (var i = 0; i + 4 <= value.Length; i += 4)
                    {
                        floats.Add(BinaryPrimitives.ReadSingleLittleEndian(value.Span[i..]));
                    }
                    break;
                case 8:
                    name = System.Text.Encoding.UTF8.GetString(value.Span);
                    break;
                case 9:
                    raw = value;
                    break;
            }
        }
        if (type != 1)
        {
            return null; // only float32 weights matter here
        }
        float[] values;
        if (!raw.IsEmpty)
        {
            values = new float[raw.Length / 4];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = BinaryPrimitives.ReadSingleLittleEndian(raw.Span[(i * 4)..]);
            }
        }
        else
        {
            values = floats.ToArray();
        }
        return new OnnxFloatTensor(name, dims.ToArray(), values);
    }

    private static IEnumerable<(int Field, ReadOnlyMemory<byte> Value)> Fields(ReadOnlyMemory<byte> message)
    {
        foreach (var (field, isScalar, value, _) in FieldsWithScalars(message))
        {
            if (!isScalar)
            {
                yield return (field, value);
            }
        }
    }

    private static IEnumerable<(int Field, bool IsScalar, ReadOnlyMemory<byte> Value, long Scalar)> FieldsWithScalars(ReadOnlyMemory<byte> message)
    {
        var pos = 0;
        while (pos < message.Length)
        {
            var key = ReadVarint(message.Span, ref pos);
            var field = (int)(key >> 3);
            switch ((int)(key & 7))
            {
                case 0:
                    yield return (field, true, default, (long)ReadVarint(message.Span, ref pos));
                    break;
                case 1:
                    pos += 8;
                    break;
                case 2:
                    var length = checked((int)ReadVarint(message.Span, ref pos));
                    if (length < 0 || pos + length > message.Length)
                    {
                        throw new InvalidDataException("a length-delimited field runs past its message");
                    }
                    yield return (field, false, message.Slice(pos, length), 0);
                    pos += length;
                    break;
                case 5:
                    pos += 4;
                    break;
                default:
                    throw new InvalidDataException($"unsupported protobuf wire type {key & 7}");
            }
        }
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> data, ref int pos)
    {
        ulong result = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = data[pos++];
            result |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return result;
            }
        }
        throw new InvalidDataException("a varint is longer than 10 bytes");
    }
}
