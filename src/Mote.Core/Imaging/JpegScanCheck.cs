using System.Buffers.Binary;

namespace Mote.Core.Imaging;

/// <summary>What <see cref="JpegScanCheck"/> found.</summary>
/// <param name="Check">Complete, Truncated (the image data ends before every block is coded) or Corrupt (an invalid Huffman code).</param>
/// <param name="Decoded">Blocks decoded in the scan that fell short (0 when complete).</param>
/// <param name="Expected">Blocks that scan should hold (0 when complete).</param>
internal readonly record struct JpegScanResult(ContainerCheck Check, long Decoded = 0, long Expected = 0);

/// <summary>
/// Counts the coded blocks of every scan of a Huffman-coded JPEG (baseline, extended and progressive) without
/// computing a single pixel: each block's Huffman codes are walked, and every scan must code every block its frame
/// header promises (and every component must be coded by some scan) before its marker comes.
/// </summary>
/// <remarks>
/// Why: <see cref="ContainerStructure"/> only finds the end marker, so a file cut inside its image data with an end
/// marker (FF D9) appended passed, and ImageSharp 2.1.13 pads the missing blocks without a word (issue 14 item 13).
/// Runs after the header's dimensions were checked (at most the decoder's pixel limit), so the per-block state kept
/// for progressive refinement scans is bounded (8 bytes per block, 2 MB for 16 Mpx). Arithmetic-coded, lossless and
/// hierarchical frames are not walked (ImageSharp refuses them anyway). Costs one pass of table lookups over the scan
/// bytes, a fraction of the decode itself.
/// </remarks>
internal static class JpegScanCheck
{
    public static JpegScanResult Check(ReadOnlySpan<byte> data)
    {
        var dc = new HuffmanTable?[4];
        var ac = new HuffmanTable?[4];
        Frame? frame = null;
        var restartInterval = 0;
        var pos = 2;
        while (pos + 1 < data.Length)
        {
            if (data[pos] != 0xFF)
            {
                return new(ContainerCheck.Corrupt);
            }
            while (pos < data.Length && data[pos] == 0xFF)
            {
                pos++;
            }
            if (pos >= data.Length)
            {
                return new(ContainerCheck.Truncated);
            }
            var marker = data[pos++];
            if (marker == 0xD9)
            {
                return frame is null || !frame.AllComponentsCoded ? new(ContainerCheck.Truncated) : new(ContainerCheck.Complete);
            }
            if (marker == 0x01 || marker is >= 0xD0 and <= 0xD7)
            {
                continue;
            }
            if (pos + 2 > data.Length)
            {
                return new(ContainerCheck.Truncated);
            }
            int length = BinaryPrimitives.ReadUInt16BigEndian(data[pos..]);
            if (length < 2 || pos + length > data.Length)
            {
                return new(length < 2 ? ContainerCheck.Corrupt : ContainerCheck.Truncated);
            }
            var segment = data.Slice(pos + 2, length - 2);
            pos += length;
            switch (marker)
            {
                case 0xC0 or 0xC1 or 0xC2:
                    if (segment.Length >= 3 && BinaryPrimitives.ReadUInt16BigEndian(segment[1..]) == 0)
                    {
                        return new(ContainerCheck.Complete); // height given later by a DNL marker: not walked
                    }
                    frame = Frame.Parse(segment, progressive: marker == 0xC2);
                    if (frame is null)
                    {
                        return new(ContainerCheck.Corrupt);
                    }
                    break;
                case 0xC3 or (>= 0xC5 and <= 0xC7) or (>= 0xC9 and <= 0xCB) or (>= 0xCD and <= 0xCF):
                    return new(ContainerCheck.Complete); // not Huffman-coded sequential/progressive: not walked
                case 0xC4:
                    if (!HuffmanTable.ParseSegment(segment, dc, ac))
                    {
                        return new(ContainerCheck.Corrupt);
                    }
                    break;
                case 0xDD:
                    if (segment.Length < 2)
                    {
                        return new(ContainerCheck.Corrupt);
                    }
                    restartInterval = BinaryPrimitives.ReadUInt16BigEndian(segment);
                    break;
                case 0xDA:
                    var end = NextMarker(data, pos);
                    if (frame is null)
                    {
                        return new(ContainerCheck.Corrupt);
                    }
                    var result = frame.CheckScan(segment, data[pos..end], dc, ac, restartInterval);
                    if (result.Check != ContainerCheck.Complete)
                    {
                        return result;
                    }
                    pos = end;
                    break;
            }
        }
        return new(ContainerCheck.Truncated);
    }

    /// <summary>Where the entropy-coded data after <paramref name="pos"/> ends: the next marker that is not RSTn (or the end).</summary>
    private static int NextMarker(ReadOnlySpan<byte> data, int pos)
    {
        while (pos + 1 < data.Length)
        {
            if (data[pos] == 0xFF)
            {
                var next = data[pos + 1];
                if (next != 0x00 && next != 0xFF && next is not (>= 0xD0 and <= 0xD7))
                {
                    return pos;
                }
            }
            pos++;
        }
        return data.Length;
    }

    private sealed class Frame
    {
        private readonly int _width;
        private readonly int _height;
        private readonly bool _progressive;
        private readonly Component[] _components;
        private readonly int _hmax;
        private readonly int _vmax;

        private Frame(int width, int height, bool progressive, Component[] components)
        {
            (_width, _height, _progressive, _components) = (width, height, progressive, components);
            _hmax = components.Max(c => c.H);
            _vmax = components.Max(c => c.V);
            foreach (var c in components)
            {
                c.BlocksWide = (int)(((((long)width * c.H) + _hmax - 1) / _hmax + 7) / 8);
                c.BlocksHigh = (int)(((((long)height * c.V) + _vmax - 1) / _vmax + 7) / 8);
            }
        }

        /// <summary>
        /// Every component was coded by some scan; in a progressive frame, every coefficient of every component was
        /// brought to full precision (a last scan with Al = 0 covers it), as every encoder's scan script does — so a
        /// file cut exactly between two progressive scans is caught too.
        /// </summary>
        public bool AllComponentsCoded => _components.All(c => _progressive ? c.DcExact && c.AcExact == AllAc : c.Coded);

        private const ulong AllAc = ~1UL;

        public static Frame? Parse(ReadOnlySpan<byte> segment, bool progressive)
        {
            if (segment.Length < 6)
            {
                return null;
            }
            int height = BinaryPrimitives.ReadUInt16BigEndian(segment[1..]);
            int width = BinaryPrimitives.ReadUInt16BigEndian(segment[3..]);
            var count = segment[5];
            if (width == 0 || height == 0 || count is 0 or > 4 || segment.Length < 6 + (3 * count))
            {
                return null;
            }
            var components = new Component[count];
            for (var i = 0; i < count; i++)
            {
                var s = segment.Slice(6 + (3 * i), 3);
                var (h, v) = (s[1] >> 4, s[1] & 15);
                if (h is < 1 or > 4 || v is < 1 or > 4)
                {
                    return null;
                }
                components[i] = new Component { Id = s[0], H = h, V = v };
            }
            return new Frame(width, height, progressive, components);
        }

        public JpegScanResult CheckScan(ReadOnlySpan<byte> header, ReadOnlySpan<byte> scan, HuffmanTable?[] dcTables, HuffmanTable?[] acTables, int restartInterval)
        {
            if (header.Length < 1 || header[0] is 0 or > 4 || header.Length < 1 + (2 * header[0]) + 3)
            {
                return new(ContainerCheck.Corrupt);
            }
            var count = header[0];
            var members = new Component[count];
            var dc = new HuffmanTable?[count];
            var ac = new HuffmanTable?[count];
            for (var i = 0; i < count; i++)
            {
                var id = header[1 + (2 * i)];
                var tables = header[2 + (2 * i)];
                members[i] = Array.Find(_components, c => c.Id == id)!;
                if (members[i] is null || (tables >> 4) > 3 || (tables & 15) > 3)
                {
                    return new(ContainerCheck.Corrupt);
                }
                dc[i] = dcTables[tables >> 4];
                ac[i] = acTables[tables & 15];
            }
            var tail = header[(1 + (2 * count))..];
            // The successive-approximation low bit scales values only; it does not change how they are coded.
            var (ss, se, ah, al) = ((int)tail[0], (int)tail[1], tail[2] >> 4, tail[2] & 15);
            var kind = !_progressive ? ScanKind.Sequential : ss == 0 ? (ah == 0 ? ScanKind.DcFirst : ScanKind.DcRefine) : (ah == 0 ? ScanKind.AcFirst : ScanKind.AcRefine);
            if (_progressive && (se > 63 || ss > se || (ss == 0 && se != 0) || (ss > 0 && count != 1)))
            {
                return new(ContainerCheck.Corrupt);
            }
            if (!_progressive)
            {
                (ss, se) = (0, 63);
            }
            for (var i = 0; i < count; i++)
            {
                var needsDc = kind is ScanKind.Sequential or ScanKind.DcFirst;
                var needsAc = kind is ScanKind.Sequential or ScanKind.AcFirst or ScanKind.AcRefine;
                if ((needsDc && dc[i] is null) || (needsAc && ac[i] is null))
                {
                    return new(ContainerCheck.Corrupt);
                }
                if (kind is ScanKind.AcFirst or ScanKind.AcRefine)
                {
                    members[i].Nonzero ??= new ulong[(long)members[i].BlocksWide * members[i].BlocksHigh];
                }
            }

            long mcus;
            long mcusWide;
            if (count == 1)
            {
                mcusWide = members[0].BlocksWide;
                mcus = mcusWide * members[0].BlocksHigh;
            }
            else
            {
                mcusWide = (_width + (8L * _hmax) - 1) / (8L * _hmax);
                mcus = mcusWide * ((_height + (8L * _vmax) - 1) / (8L * _vmax));
            }
            var blocksPerMcu = count == 1 ? 1 : members.Sum(c => c.H * c.V);
            var reader = new BitReader(scan);
            var eobrun = 0;
            for (long mcu = 0; mcu < mcus; mcu++)
            {
                if (restartInterval > 0 && mcu > 0 && mcu % restartInterval == 0)
                {
                    if (!reader.Restart())
                    {
                        return new(ContainerCheck.Truncated, mcu * blocksPerMcu, mcus * blocksPerMcu);
                    }
                    eobrun = 0;
                }
                for (var i = 0; i < count; i++)
                {
                    var blocks = count == 1 ? 1 : members[i].H * members[i].V;
                    for (var b = 0; b < blocks; b++)
                    {
                        var ok = kind switch
                        {
                            ScanKind.Sequential => Sequential(ref reader, dc[i]!, ac[i]!),
                            ScanKind.DcFirst => DcFirst(ref reader, dc[i]!),
                            ScanKind.DcRefine => reader.Read(1) >= 0,
                            ScanKind.AcFirst => AcFirst(ref reader, ac[i]!, ss, se, ref eobrun, ref members[i].Nonzero![mcu]),
                            _ => AcRefine(ref reader, ac[i]!, ss, se, ref eobrun, ref members[i].Nonzero![mcu]),
                        };
                        if (reader.Overrun)
                        {
                            return new(ContainerCheck.Truncated, (mcu * blocksPerMcu) + b, mcus * blocksPerMcu);
                        }
                        if (!ok)
                        {
                            return new(ContainerCheck.Corrupt);
                        }
                    }
                }
            }
            foreach (var c in members)
            {
                c.Coded = true;
                if (al == 0 && kind is (ScanKind.DcFirst or ScanKind.DcRefine))
                {
                    c.DcExact = true;
                }
                else if (al == 0 && kind is (ScanKind.AcFirst or ScanKind.AcRefine))
                {
                    c.AcExact |= (se == 63 ? ulong.MaxValue : (1UL << (se + 1)) - 1) & ~((1UL << ss) - 1);
                }
            }
            return new(ContainerCheck.Complete);
        }

        private static bool Sequential(ref BitReader reader, HuffmanTable dc, HuffmanTable ac)
        {
            if (!DcFirst(ref reader, dc))
            {
                return false;
            }
            for (var k = 1; k < 64;)
            {
                var rs = ac.Decode(ref reader);
                if (rs < 0)
                {
                    return false;
                }
                var (r, s) = (rs >> 4, rs & 15);
                if (s == 0)
                {
                    if (r != 15)
                    {
                        return true; // end of block
                    }
                    k += 16;
                    continue;
                }
                k += r;
                reader.Read(s);
                k++;
            }
            return true;
        }

        private static bool DcFirst(ref BitReader reader, HuffmanTable dc)
        {
            var s = dc.Decode(ref reader);
            if (s is < 0 or > 16)
            {
                return false;
            }
            reader.Read(s);
            return true;
        }

        private static bool AcFirst(ref BitReader reader, HuffmanTable ac, int ss, int se, ref int eobrun, ref ulong nonzero)
        {
            if (eobrun > 0)
            {
                eobrun--;
                return true;
            }
            for (var k = ss; k <= se;)
            {
                var rs = ac.Decode(ref reader);
                if (rs < 0)
                {
                    return false;
                }
                var (r, s) = (rs >> 4, rs & 15);
                if (s == 0)
                {
                    if (r < 15)
                    {
                        eobrun = (1 << r) - 1 + (r > 0 ? reader.Read(r) : 0);
                        return true;
                    }
                    k += 16;
                    continue;
                }
                k += r;
                if (k > 63)
                {
                    return false;
                }
                reader.Read(s);
                nonzero |= 1UL << k;
                k++;
            }
            return true;
        }

        // As libjpeg's decode_mcu_AC_refine: correction bits follow every coefficient already non-zero.
        private static bool AcRefine(ref BitReader reader, HuffmanTable ac, int ss, int se, ref int eobrun, ref ulong nonzero)
        {
            var k = ss;
            if (eobrun == 0)
            {
                for (; k <= se; k++)
                {
                    var rs = ac.Decode(ref reader);
                    if (rs < 0)
                    {
                        return false;
                    }
                    var (r, s) = (rs >> 4, rs & 15);
                    if (s != 0)
                    {
                        if (s != 1)
                        {
                            return false;
                        }
                        reader.Read(1);
                    }
                    else if (r != 15)
                    {
                        eobrun = (1 << r) + (r > 0 ? reader.Read(r) : 0);
                        break;
                    }
                    do
                    {
                        if ((nonzero & (1UL << k)) != 0)
                        {
                            reader.Read(1);
                        }
                        else if (--r < 0)
                        {
                            break;
                        }
                        k++;
                    }
                    while (k <= se);
                    if (s != 0)
                    {
                        if (k > 63)
                        {
                            return false;
                        }
                        nonzero |= 1UL << k;
                    }
                    if (reader.Overrun)
                    {
                        return true;
                    }
                }
            }
            if (eobrun > 0)
            {
                for (; k <= se; k++)
                {
                    if ((nonzero & (1UL << k)) != 0)
                    {
                        reader.Read(1);
                    }
                }
                eobrun--;
            }
            return true;
        }
    }

    private enum ScanKind
    {
        Sequential,
        DcFirst,
        DcRefine,
        AcFirst,
        AcRefine,
    }

    private sealed class Component
    {
        public int Id { get; init; }

        public int H { get; init; }

        public int V { get; init; }

        public int BlocksWide { get; set; }

        public int BlocksHigh { get; set; }

        public bool Coded { get; set; }

        /// <summary>Progressive: the DC coefficient reached full precision (a DC scan with Al = 0).</summary>
        public bool DcExact { get; set; }

        /// <summary>Progressive: the zig-zag positions 1–63 that reached full precision.</summary>
        public ulong AcExact { get; set; }

        /// <summary>Per block, which zig-zag positions are non-zero so far (progressive AC scans only).</summary>
        public ulong[]? Nonzero;
    }

    /// <summary>A canonical Huffman table: a 9-bit lookup for short codes, per-length ranges for the rest.</summary>
    internal sealed class HuffmanTable
    {
        private const int LookupBits = 9;
        private readonly ushort[] _lookup = new ushort[1 << LookupBits];
        private readonly int[] _maxCode = new int[18];
        private readonly int[] _valueOffset = new int[17];
        private readonly byte[] _values;

        private HuffmanTable(ReadOnlySpan<byte> counts, ReadOnlySpan<byte> values)
        {
            _values = values.ToArray();
            var code = 0;
            var index = 0;
            for (var length = 1; length <= 16; length++)
            {
                int n = counts[length - 1];
                _valueOffset[length] = index - code;
                for (var i = 0; i < n; i++, code++, index++)
                {
                    if (length <= LookupBits)
                    {
                        var shift = LookupBits - length;
                        for (var fill = 0; fill < 1 << shift; fill++)
                        {
                            _lookup[(code << shift) | fill] = (ushort)((length << 8) | _values[index]);
                        }
                    }
                }
                _maxCode[length] = n == 0 ? -1 : code - 1;
                code <<= 1;
            }
            _maxCode[17] = int.MaxValue;
        }

        /// <summary>Reads DHT tables into <paramref name="dc"/> / <paramref name="ac"/>; false when malformed.</summary>
        public static bool ParseSegment(ReadOnlySpan<byte> segment, HuffmanTable?[] dc, HuffmanTable?[] ac)
        {
            while (segment.Length > 0)
            {
                if (segment.Length < 17)
                {
                    return false;
                }
                var (tableClass, id) = (segment[0] >> 4, segment[0] & 15);
                var counts = segment.Slice(1, 16);
                var total = 0;
                foreach (var c in counts)
                {
                    total += c;
                }
                if (tableClass > 1 || id > 3 || total > 256 || segment.Length < 17 + total || !Fits(counts))
                {
                    return false;
                }
                var table = new HuffmanTable(counts, segment.Slice(17, total));
                (tableClass == 0 ? dc : ac)[id] = table;
                segment = segment[(17 + total)..];
            }
            return true;
        }

        // A code set that overflows its lengths (more codes of a length than there is room for) is invalid.
        private static bool Fits(ReadOnlySpan<byte> counts)
        {
            long room = 1;
            foreach (var c in counts)
            {
                room = (room * 2) - c;
                if (room < 0)
                {
                    return false;
                }
            }
            return true;
        }

        /// <summary>The next symbol, or -1 for a bit pattern no code matches.</summary>
        public int Decode(ref BitReader reader)
        {
            reader.Fill();
            var entry = _lookup[reader.Peek(LookupBits)];
            if (entry != 0)
            {
                reader.Skip(entry >> 8);
                return entry & 0xFF;
            }
            for (var length = LookupBits + 1; length <= 16; length++)
            {
                var code = reader.Peek(length);
                if (code <= _maxCode[length])
                {
                    reader.Skip(length);
                    var at = _valueOffset[length] + code;
                    return at >= 0 && at < _values.Length ? _values[at] : -1;
                }
            }
            // No code matched: past the data's end that is truncation, else damage.
            reader.Skip(16);
            return -1;
        }
    }

    /// <summary>
    /// Reads entropy-coded bits (0xFF 0x00 unstuffed). At a marker or the end of the data it supplies zero bits, and
    /// <see cref="Overrun"/> turns true once any of those is consumed: the data ended before the block did.
    /// </summary>
    internal ref struct BitReader(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private int _pos;
        private ulong _bits;
        private int _count;
        private int _padding;
        private bool _atMarker;

        public bool Overrun { get; private set; }

        public void Fill()
        {
            while (_count <= 56)
            {
                ulong b = 0;
                if (!_atMarker)
                {
                    if (_pos >= _data.Length)
                    {
                        _atMarker = true;
                    }
                    else if (_data[_pos] == 0xFF)
                    {
                        if (_pos + 1 < _data.Length && _data[_pos + 1] == 0x00)
                        {
                            b = 0xFF;
                            _pos += 2;
                        }
                        else
                        {
                            _atMarker = true;
                        }
                    }
                    else
                    {
                        b = _data[_pos++];
                    }
                }
                if (_atMarker)
                {
                    _padding += 8;
                }
                _bits |= b << (56 - _count);
                _count += 8;
            }
        }

        public readonly int Peek(int n) => (int)(_bits >> (64 - n));

        public void Skip(int n)
        {
            _bits <<= n;
            _count -= n;
            if (_count < _padding)
            {
                Overrun = true;
                _padding = _count;
            }
        }

        /// <summary>Reads <paramref name="n"/> (0–16) bits.</summary>
        public int Read(int n)
        {
            if (n == 0)
            {
                return 0;
            }
            Fill();
            var value = Peek(n);
            Skip(n);
            return value;
        }

        /// <summary>Drops the bits left in the byte and steps over the RSTn marker that must come now; false when another marker or the end comes instead.</summary>
        public bool Restart()
        {
            (_bits, _count, _padding, _atMarker) = (0, 0, 0, false);
            while (_pos + 1 < _data.Length && !(_data[_pos] == 0xFF && _data[_pos + 1] != 0x00))
            {
                _pos++; // stray bytes before the marker: tolerated, as decoders do
            }
            while (_pos + 1 < _data.Length && _data[_pos] == 0xFF && _data[_pos + 1] == 0xFF)
            {
                _pos++;
            }
            if (_pos + 1 < _data.Length && _data[_pos] == 0xFF && _data[_pos + 1] is >= 0xD0 and <= 0xD7)
            {
                _pos += 2;
                return true;
            }
            return false;
        }
    }
}
