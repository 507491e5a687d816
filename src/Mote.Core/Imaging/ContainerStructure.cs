using System.Buffers.Binary;

namespace Mote.Core.Imaging;

/// <summary>Outcome of walking a JPEG's markers or a PNG's chunks.</summary>
internal enum ContainerCheck
{
    /// <summary>The end marker (JPEG EOI, PNG IEND) was reached inside the data.</summary>
    Complete,

    /// <summary>The data ran out before the end marker.</summary>
    Truncated,

    /// <summary>A marker or chunk header is malformed.</summary>
    Corrupt,
}

/// <summary>
/// Walks the container structure of a JPEG or PNG without decoding pixels, to catch truncated files.
/// </summary>
/// <remarks>
/// Why: ImageSharp 2.1.13 decodes a JPEG cut in half without complaint and pads the missing rows
/// (checked in <c>ImageDecoderTests</c>: a 512x512 JPEG cut to half its bytes, inside the scan
/// data, decodes to a full-size image), and a half-grey face would be enrolled silently. Walking the markers costs one pass over the
/// bytes with <see cref="MemoryExtensions.IndexOf{T}(ReadOnlySpan{T}, T)"/>, well under a millisecond
/// for a 10 MB file. Bytes after the end marker are allowed: some cameras append data there.
/// </remarks>
internal static class ContainerStructure
{
    /// <summary>Walks JPEG markers from SOI to EOI, skipping entropy-coded scan data.</summary>
    public static ContainerCheck CheckJpeg(ReadOnlySpan<byte> data)
    {
        if (data.Length < 4 || data[0] != 0xFF || data[1] != 0xD8)
        {
            return ContainerCheck.Corrupt;
        }

        var pos = 2;
        while (true)
        {
            if (pos >= data.Length)
            {
                return ContainerCheck.Truncated;
            }

            if (data[pos] != 0xFF)
            {
                return ContainerCheck.Corrupt;
            }

            // Any number of 0xFF fill bytes may precede a marker code.
            while (pos < data.Length && data[pos] == 0xFF)
            {
                pos++;
            }

            if (pos >= data.Length)
            {
                return ContainerCheck.Truncated;
            }

            var marker = data[pos++];
            if (marker == 0xD9)
            {
                return ContainerCheck.Complete;
            }

            if (marker == 0x00 || marker == 0xD8)
            {
                return ContainerCheck.Corrupt;
            }

            if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7))
            {
                continue; // TEM and RSTn stand alone, without a length.
            }

            if (pos + 2 > data.Length)
            {
                return ContainerCheck.Truncated;
            }

            int length = BinaryPrimitives.ReadUInt16BigEndian(data[pos..]);
            if (length < 2)
            {
                return ContainerCheck.Corrupt;
            }

            if (pos + length > data.Length)
            {
                return ContainerCheck.Truncated;
            }

            pos += length;
            if (marker == 0xDA)
            {
                var next = SkipEntropyCodedData(data, pos);
                if (next < 0)
                {
                    return ContainerCheck.Truncated;
                }

                pos = next;
            }
        }
    }

    /// <summary>Walks PNG chunks (length, type, data, CRC) from the signature to IEND.</summary>
    public static ContainerCheck CheckPng(ReadOnlySpan<byte> data)
    {
        const int signatureLength = 8;
        if (data.Length < signatureLength)
        {
            return ContainerCheck.Truncated;
        }

        var pos = signatureLength;
        while (true)
        {
            if (pos + 8 > data.Length)
            {
                return ContainerCheck.Truncated;
            }

            var length = BinaryPrimitives.ReadUInt32BigEndian(data[pos..]);
            if (length > int.MaxValue)
            {
                return ContainerCheck.Corrupt;
            }

            var type = data.Slice(pos + 4, 4);
            foreach (var c in type)
            {
                if (!char.IsAsciiLetter((char)c))
                {
                    return ContainerCheck.Corrupt;
                }
            }

            var end = (long)pos + 8 + length + 4;
            if (end > data.Length)
            {
                return ContainerCheck.Truncated;
            }

            if (type.SequenceEqual("IEND"u8))
            {
                return ContainerCheck.Complete;
            }

            pos = (int)end;
        }
    }

    /// <summary>
    /// Returns the index of the next real marker after scan data (inside a scan, 0xFF is followed by
    /// 0x00 stuffing or an RSTn), or -1 when the data ends first.
    /// </summary>
    private static int SkipEntropyCodedData(ReadOnlySpan<byte> data, int pos)
    {
        while (pos < data.Length)
        {
            var ff = data[pos..].IndexOf((byte)0xFF);
            if (ff < 0)
            {
                return -1;
            }

            pos += ff;
            if (pos + 1 >= data.Length)
            {
                return -1;
            }

            var next = data[pos + 1];
            if (next == 0x00 || (next >= 0xD0 && next <= 0xD7))
            {
                pos += 2;
                continue;
            }

            if (next == 0xFF)
            {
                pos++;
                continue;
            }

            return pos;
        }

        return -1;
    }
}
