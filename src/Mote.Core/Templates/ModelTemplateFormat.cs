using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Mote.Core.Templates;

/// <summary>
/// The binary model-template format, little-endian throughout:
/// <code>
/// magic "MOTE-MT\0" (8) · u16 version · u32 total length
/// str backbone id · 32 B backbone SHA-256 · str population pack id
/// u16 n · n × (str group · f32 negative weight · f32 positive weight)      — the balance
/// i64 seed · u8 precision (0 fp32, 1 fp16) · u8 layer count L · (L+1) × u32 widths
/// i32 epochs run · i32 best epoch · f32 best validation loss · f32 train loss · i64 duration ticks
/// per layer: W (out × in, row-major) then b (out), at the stated precision
/// (version 2) u8 anchored (0/1) · if 1: f32 anchor scale · f32 anchor cosine
/// 32 B SHA-256 over every byte before it
/// </code>
/// where str is u16 byte length + UTF-8. The total length lets a truncated file be told from a corrupt one.
/// Version 1 (no anchor field) is still read: such a template is the paper's plain MLP.
/// </summary>
public static class ModelTemplateFormat
{
    /// <summary>The version this build writes; it reads this one and version 1.</summary>
    public const ushort CurrentVersion = 2;

    private const int ChecksumLength = 32;
    private static readonly byte[] Magic = "MOTE-MT\0"u8.ToArray();

    /// <summary>Size in bytes of <paramref name="template"/> once serialised.</summary>
    public static int SizeOf(ModelTemplate template)
    {
        ArgumentNullException.ThrowIfNull(template);
        var size = Magic.Length + 2 + 4;
        size += StringSize(template.Backbone.Id) + 32 + StringSize(template.Provenance.PopulationPackId);
        size += 2 + template.Provenance.Balance.Sum(e => StringSize(e.Group) + 8);
        size += 8 + 1 + 1 + (4 * template.Architecture.Widths.Count);
        size += 4 + 4 + 4 + 4 + 8;
        size += template.Architecture.ParameterCount * (template.Precision == WeightPrecision.Float16 ? 2 : 4);
        size += 1 + (template.Anchor is null ? 0 : 8);
        return size + ChecksumLength;
    }

    internal static byte[] Write(ModelTemplate template)
    {
        var data = new byte[SizeOf(template)];
        var w = new Writer(data);
        w.Bytes(Magic);
        w.U16(CurrentVersion);
        w.U32((uint)data.Length);
        w.String(template.Backbone.Id);
        w.Bytes(Convert.FromHexString(template.Backbone.Sha256Hex));
        w.String(template.Provenance.PopulationPackId);
        w.U16(checked((ushort)template.Provenance.Balance.Count));
        foreach (var entry in template.Provenance.Balance)
        {
            w.String(entry.Group);
            w.F32(entry.NegativeWeight);
            w.F32(entry.PositiveWeight);
        }

        w.I64(template.Seed);
        w.U8((byte)template.Precision);
        w.U8((byte)template.Architecture.LayerCount);
        foreach (var width in template.Architecture.Widths)
        {
            w.U32((uint)width);
        }

        var summary = template.Training;
        w.I32(summary.EpochsRun);
        w.I32(summary.BestEpoch);
        w.F32(summary.BestValidationLoss);
        w.F32(summary.TrainLoss);
        w.I64(summary.Duration.Ticks);
        foreach (var layer in template.Layers)
        {
            w.Floats(layer.Weights, template.Precision);
            w.Floats(layer.Bias, template.Precision);
        }

        w.U8(template.Anchor is null ? (byte)0 : (byte)1);
        if (template.Anchor is { } anchor)
        {
            w.F32(anchor.Scale);
            w.F32(anchor.Cosine);
        }

        SHA256.HashData(data.AsSpan(0, w.Position), data.AsSpan(w.Position, ChecksumLength));
        return data;
    }

    internal static ModelTemplate Read(ReadOnlySpan<byte> data)
    {
        var prefix = Math.Min(data.Length, Magic.Length);
        if (!data[..prefix].SequenceEqual(Magic.AsSpan(0, prefix)))
        {
            throw new TemplateFormatException(TemplateFormatError.BadMagic, "The data is not a model-template (wrong magic bytes).");
        }

        if (data.Length < Magic.Length + 6 + ChecksumLength)
        {
            throw new TemplateFormatException(TemplateFormatError.Truncated, $"The model-template is truncated: {data.Length} bytes is shorter than any valid one.");
        }

        var version = BinaryPrimitives.ReadUInt16LittleEndian(data[Magic.Length..]);
        if (version is not (1 or CurrentVersion))
        {
            throw new TemplateFormatException(TemplateFormatError.UnsupportedVersion, $"Model-template format version {version} is not supported; this build reads versions 1 and {CurrentVersion}.");
        }

        var declared = BinaryPrimitives.ReadUInt32LittleEndian(data[(Magic.Length + 2)..]);
        if (data.Length < declared)
        {
            throw new TemplateFormatException(TemplateFormatError.Truncated, $"The model-template is truncated: {data.Length} of {declared} bytes.");
        }

        if (data.Length > declared)
        {
            throw new TemplateFormatException(TemplateFormatError.InvalidField, $"The model-template has {data.Length - declared} bytes after its declared end ({declared} bytes).");
        }

        var content = data[..^ChecksumLength];
        Span<byte> hash = stackalloc byte[ChecksumLength];
        SHA256.HashData(content, hash);
        if (!hash.SequenceEqual(data[^ChecksumLength..]))
        {
            throw new TemplateFormatException(TemplateFormatError.ChecksumMismatch, "The model-template's SHA-256 checksum does not match its content: the data is corrupt or was altered.");
        }

        try
        {
            return Parse(content[(Magic.Length + 6)..], version);
        }
        catch (ArgumentException e)
        {
            throw new TemplateFormatException(TemplateFormatError.InvalidField, $"The model-template has an invalid field: {e.Message}");
        }
    }

    private static ModelTemplate Parse(ReadOnlySpan<byte> body, ushort version)
    {
        var r = new Reader(body);
        var backboneId = r.String();
        var backboneHash = Convert.ToHexStringLower(r.Bytes(32));
        var packId = r.String();
        var balance = new BalanceEntry[r.U16()];
        for (var i = 0; i < balance.Length; i++)
        {
            balance[i] = new BalanceEntry(r.String(), r.F32(), r.F32());
        }

        var seed = r.I64();
        var precisionByte = r.U8();
        if (precisionByte > (byte)WeightPrecision.Float16)
        {
            throw new TemplateFormatException(TemplateFormatError.InvalidField, $"Unknown weight precision code {precisionByte}.");
        }

        var precision = (WeightPrecision)precisionByte;
        var layerCount = r.U8();
        if (layerCount is 0 or > MlpArchitecture.MaxLayers)
        {
            throw new TemplateFormatException(TemplateFormatError.InvalidField, $"Layer count {layerCount} is outside 1…{MlpArchitecture.MaxLayers}.");
        }

        var widths = new int[layerCount + 1];
        for (var i = 0; i < widths.Length; i++)
        {
            var width = r.U32();
            widths[i] = width is 0 or > MlpArchitecture.MaxWidth
                ? throw new TemplateFormatException(TemplateFormatError.InvalidField, $"Layer width {width} is outside 1…{MlpArchitecture.MaxWidth}.")
                : (int)width;
        }

        var architecture = new MlpArchitecture(widths);
        var summary = new TrainingSummary(r.I32(), r.I32(), r.F32(), r.F32(), TimeSpan.FromTicks(r.I64()));
        var layers = new DenseLayer[layerCount];
        for (var l = 0; l < layerCount; l++)
        {
            int inputs = architecture.Widths[l], outputs = architecture.Widths[l + 1];
            var weights = r.Floats(inputs * outputs, precision);
            var bias = r.Floats(outputs, precision);
            layers[l] = new DenseLayer(inputs, outputs, weights, bias);
        }

        TemplateAnchor? anchor = null;
        if (version >= 2)
        {
            anchor = r.U8() switch
            {
                0 => null,
                1 => new TemplateAnchor(r.F32(), r.F32()),
                var flag => throw new TemplateFormatException(TemplateFormatError.InvalidField, $"Unknown anchor flag {flag}."),
            };
        }

        if (r.Remaining != 0)
        {
            throw new TemplateFormatException(TemplateFormatError.InvalidField, $"{r.Remaining} unexplained bytes before the checksum.");
        }

        var provenance = new ModelTemplateProvenance(new BackboneIdentity(backboneId, backboneHash), packId, balance);
        return new ModelTemplate(provenance, seed, layers, summary, precision, anchor);
    }

    private static int StringSize(string value) => 2 + Encoding.UTF8.GetByteCount(value);

    private ref struct Writer(Span<byte> data)
    {
        private readonly Span<byte> data = data;

        public int Position { get; private set; }

        public void Bytes(ReadOnlySpan<byte> value)
        {
            value.CopyTo(data[Position..]);
            Position += value.Length;
        }

        public void U8(byte value) => data[Position++] = value;

        public void U16(ushort value)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(data[Position..], value);
            Position += 2;
        }

        public void U32(uint value)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(data[Position..], value);
            Position += 4;
        }

        public void I32(int value)
        {
            BinaryPrimitives.WriteInt32LittleEndian(data[Position..], value);
            Position += 4;
        }

        public void I64(long value)
        {
            BinaryPrimitives.WriteInt64LittleEndian(data[Position..], value);
            Position += 8;
        }

        public void F32(float value)
        {
            BinaryPrimitives.WriteSingleLittleEndian(data[Position..], value);
            Position += 4;
        }

        public void String(string value)
        {
            var length = Encoding.UTF8.GetByteCount(value);
            if (length > ushort.MaxValue)
            {
                throw new ArgumentException($"A string of {length} UTF-8 bytes is too long for the model-template format.", nameof(value));
            }

            U16((ushort)length);
            Position += Encoding.UTF8.GetBytes(value, data[Position..]);
        }

        public void Floats(ReadOnlySpan<float> values, WeightPrecision precision)
        {
            foreach (var v in values)
            {
                if (precision == WeightPrecision.Float16)
                {
                    BinaryPrimitives.WriteHalfLittleEndian(data[Position..], (Half)v);
                    Position += 2;
                }
                else
                {
                    F32(v);
                }
            }
        }
    }

    private ref struct Reader(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> data = data;
        private int position;

        public readonly int Remaining => data.Length - position;

        public ReadOnlySpan<byte> Bytes(int count)
        {
            if (count > Remaining)
            {
                throw new TemplateFormatException(TemplateFormatError.InvalidField, $"A field of {count} bytes runs past the end of the content at offset {position}.");
            }

            var slice = data.Slice(position, count);
            position += count;
            return slice;
        }

        public byte U8() => Bytes(1)[0];

        public ushort U16() => BinaryPrimitives.ReadUInt16LittleEndian(Bytes(2));

        public uint U32() => BinaryPrimitives.ReadUInt32LittleEndian(Bytes(4));

        public int I32() => BinaryPrimitives.ReadInt32LittleEndian(Bytes(4));

        public long I64() => BinaryPrimitives.ReadInt64LittleEndian(Bytes(8));

        public float F32() => BinaryPrimitives.ReadSingleLittleEndian(Bytes(4));

        public string String() => Encoding.UTF8.GetString(Bytes(U16()));

        public float[] Floats(int count, WeightPrecision precision)
        {
            var values = new float[count];
            var size = precision == WeightPrecision.Float16 ? 2 : 4;
            var bytes = Bytes(checked(count * size));
            for (var i = 0; i < count; i++)
            {
                values[i] = precision == WeightPrecision.Float16
                    ? (float)BinaryPrimitives.ReadHalfLittleEndian(bytes[(2 * i)..])
                    : BinaryPrimitives.ReadSingleLittleEndian(bytes[(4 * i)..]);
            }

            return values;
        }
    }
}
