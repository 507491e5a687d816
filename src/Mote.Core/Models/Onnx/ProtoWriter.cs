using System.Buffers.Binary;
using System.Text;

namespace Mote.Core.Models.Onnx;

/// <summary>
/// A minimal protocol-buffers encoder: just the wire types ONNX's <c>ModelProto</c> needs
/// (varint, 64-bit, length-delimited, 32-bit). Written by hand so that emitting a model needs no
/// generated code and no extra package.
/// </summary>
internal sealed class ProtoWriter
{
    private readonly MemoryStream _buffer = new();

    public byte[] ToArray() => _buffer.ToArray();

    public void WriteVarint(ulong value)
    {
        while (value >= 0x80)
        {
            _buffer.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }
        _buffer.WriteByte((byte)value);
    }

    private void Tag(int field, int wireType) => WriteVarint((ulong)((field << 3) | wireType));

    public void Int64(int field, long value)
    {
        Tag(field, 0);
        WriteVarint(unchecked((ulong)value));
    }

    public void Int32(int field, int value) => Int64(field, value);

    public void Float(int field, float value)
    {
        Tag(field, 5);
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteSingleLittleEndian(bytes, value);
        _buffer.Write(bytes);
    }

    public void Bytes(int field, ReadOnlySpan<byte> value)
    {
        Tag(field, 2);
        WriteVarint((ulong)value.Length);
        _buffer.Write(value);
    }

    public void String(int field, string? value)
    {
        if (value is null)
        {
            return;
        }
        Bytes(field, Encoding.UTF8.GetBytes(value));
    }

    public void Message(int field, Action<ProtoWriter> body)
    {
        var inner = new ProtoWriter();
        body(inner);
        Bytes(field, inner._buffer.GetBuffer().AsSpan(0, (int)inner._buffer.Length));
    }

    /// <summary>Packed repeated int64 (proto3 default for repeated scalars).</summary>
    public void PackedInt64(int field, IReadOnlyList<long> values)
    {
        if (values.Count == 0)
        {
            return;
        }
        var inner = new ProtoWriter();
        foreach (var v in values)
        {
            inner.WriteVarint(unchecked((ulong)v));
        }
        Bytes(field, inner._buffer.GetBuffer().AsSpan(0, (int)inner._buffer.Length));
    }

    public void PackedFloat(int field, IReadOnlyList<float> values)
    {
        if (values.Count == 0)
        {
            return;
        }
        var bytes = new byte[values.Count * 4];
        for (var i = 0; i < values.Count; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), values[i]);
        }
        Bytes(field, bytes);
    }
}
