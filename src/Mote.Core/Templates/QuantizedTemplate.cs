using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Mote.Core.Templates;

/// <summary>
/// An int8 copy of one model-template for screening, with what is needed to bound its error rigorously.
/// Each weight row is quantised to int8 with its own scale; the probe is coded to 14 bits and hidden activations
/// to 7 bits, so every dot product is an exact integer sum. The logit estimate comes with a radius <c>Δ</c> such
/// that the template's exact fp32 logit (<see cref="ModelTemplate.Logit"/>) lies in <c>[estimate − Δ, estimate + Δ]</c>.
/// Immutable.
/// </summary>
/// <remarks>
/// <para>The bound is interval arithmetic, neuron by neuron. Row r of a layer has weights <c>W_r</c>, their int8
/// copy <c>s_r·q_r</c> with <c>max_i |W_ri − s_r·q_ri| ≤ e_r = s_r/2</c> (rounding to nearest), and <c>‖W_r‖₁ ≤ L</c>,
/// the layer's largest row norm. The layer's input is coded
/// as <c>σ·u_i</c>, and <c>ε_i</c> bounds the distance from the exact path's input <c>a_i</c> to <c>σ·u_i</c>
/// (earlier errors plus this coding's rounding). Our pre-activation is <c>ẑ_r = s_r·σ·(q_r·u) + b_r</c>, and</para>
/// <para><c>|z_r − ẑ_r| ≤ Σ_i |W_ri|·ε_i + e_r·σ·Σ_i |u_i| + κ_n·((L + n·e_r)·(max|a| + max ε) + |b_r|)</c>,</para>
/// <para>with <c>Σ_i |W_ri|·ε_i ≤ s_r·Σ_i |q_ri|·ε_i + e_r·Σ_i ε_i</c>, computed by a second integer pass over
/// <c>|q|</c> with ε coded upwards to 7 bits. The last term covers float rounding in the exact path (at most
/// <c>n·2⁻²⁴</c> relative for n inputs) and in ours, taken 8× larger: <c>κ_n = (n + 8)·2⁻²⁰</c>. ReLU: a neuron whose
/// interval lies below zero is exactly 0 on both paths (error 0), one whose estimate is ≤ 0 is off by at most
/// <c>max(0, ẑ + Δ)</c>, any other by at most Δ. The final radius is widened by 1e-4 relative for rounding in
/// the bound's own arithmetic. Layer 0 has exact inputs; its coding error is bounded by <c>L·ρ</c>.</para>
/// <para>Layout for the kernel: rows padded to blocks of 8, inputs to groups of 4; a block of 8 rows × 4 inputs
/// is 32 contiguous bytes (one 256-bit vector), so one broadcast of 4 codes feeds 8 rows and no horizontal
/// sums are needed. Padded rows and inputs are zero and add nothing.</para>
/// </remarks>
internal sealed class QuantizedTemplate
{
    /// <summary>Rows per kernel block (8 int32 lanes of a 256-bit vector).</summary>
    public const int RowBlock = 8;

    /// <summary>Inputs per group (4 bytes feed one int32 lane).</summary>
    public const int InputGroup = 4;

    /// <summary>Largest code: 7 bits keep <c>2·127·127 = 32,258</c> under the int16 limit of vpmaddubsw.</summary>
    public const int CodeMax = 127;

    // Per layer, two runs of outPad floats: scale and bias; padded rows are zero, so eight rows are handled
    // at once with no tail. A row's quantisation error is at most half its scale (checked when built), and
    // its L1 norm, needed only for the tiny rounding terms, is replaced by the layer's largest: 2 floats a
    // row instead of 4 saved 2.1 KB (7%) of a default template's screen.
    private const int MetaRuns = 2;

    /// <summary>Rounding to the nearest code is off by at most half a step; widened for the double arithmetic.</summary>
    private const float HalfStep = 0.5f * (1 + (1f / (1 << 20)));

    // Everything one template needs sits in one array, read front to back: int8 weights, then (32-byte
    // aligned) scale and bias runs, layer 0's row sums (Σq, to undo the probe's code offset) and each layer's
    // largest row L1 norm. The shape arrays are shared by all templates of one architecture, so they stay
    // in cache. With ten small arrays a template instead, each a dependent cache miss, the screen took
    // 3.6 µs of CPU a default template over 10,000 (CPU 17–18 ms a probe ÷ 2 cores at load 11).
    private readonly byte[] data;
    private readonly int[] inputs;   // real input count per layer (shared)
    private readonly int[] outputs;  // real output count per layer (shared)
    private readonly int[] inPad;    // padded input count per layer (shared)
    private readonly int[] outPad;   // padded output count per layer (shared)
    private readonly int[] weightOffset; // byte offset of each layer's weights (shared)
    private readonly int[] metaOffset;   // float index of each layer's scale run within the metadata (shared)
    private readonly int metaStart;
    private readonly int rowSumStart;
    private readonly int l1Start;

    public QuantizedTemplate(ModelTemplate template, Shape shape)
    {
        var layers = template.Layers;
        var count = layers.Count;
        (inputs, outputs, inPad, outPad, weightOffset, metaOffset) = (shape.Inputs, shape.Outputs, shape.InPad, shape.OutPad, shape.WeightOffset, shape.MetaOffset);
        metaStart = RoundUp(weightOffset[count], 32);
        rowSumStart = metaStart + (metaOffset[count] * sizeof(float));
        l1Start = rowSumStart + (outPad[0] * sizeof(int));
        data = new byte[l1Start + (count * sizeof(float))];
        for (var l = 0; l < count; l++)
        {
            Quantize(layers[l], l);
        }
    }

    /// <summary>Bytes held: int8 weights, per-row scale and bias, layer 0's row sums and per-layer L1 norms.</summary>
    public int Bytes => data.Length;

    private ref float Meta(int index) => ref Unsafe.As<byte, float>(ref data[metaStart + (index * sizeof(float))]);

    private ref int RowSum(int row) => ref Unsafe.As<byte, int>(ref data[rowSumStart + (row * sizeof(int))]);

    private ref float MaxL1(int layer) => ref Unsafe.As<byte, float>(ref data[l1Start + (layer * sizeof(float))]);

    /// <summary>Widths and layout of one architecture, shared by its templates' screens.</summary>
    internal sealed class Shape
    {
        public Shape(MlpArchitecture architecture)
        {
            var count = architecture.LayerCount;
            Inputs = new int[count];
            Outputs = new int[count];
            InPad = new int[count];
            OutPad = new int[count];
            WeightOffset = new int[count + 1];
            MetaOffset = new int[count + 1];
            for (var l = 0; l < count; l++)
            {
                Inputs[l] = architecture.Widths[l];
                Outputs[l] = architecture.Widths[l + 1];
                InPad[l] = l == 0 ? RoundUp(Inputs[l], InputGroup) : OutPad[l - 1];
                OutPad[l] = RoundUp(Outputs[l], RowBlock);
                WeightOffset[l + 1] = WeightOffset[l] + (InPad[l] * OutPad[l]);
                MetaOffset[l + 1] = MetaOffset[l] + (OutPad[l] * MetaRuns);
            }
        }

        public int[] Inputs { get; }

        public int[] Outputs { get; }

        public int[] InPad { get; }

        public int[] OutPad { get; }

        public int[] WeightOffset { get; }

        public int[] MetaOffset { get; }
    }

    public int LayerCount => inputs.Length;

    /// <summary>Largest padded width, for scratch buffers.</summary>
    public int MaxPaddedWidth => Math.Max(inPad.Max(), outPad.Max());

    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;

    private void Quantize(DenseLayer layer, int l)
    {
        var w = layer.Weights;
        var n = layer.Inputs;
        var groups = inPad[l] / InputGroup;
        for (var r = 0; r < layer.Outputs; r++)
        {
            var row = w.Slice(r * n, n);
            double max = 0, l1 = 0;
            foreach (var v in row)
            {
                max = Math.Max(max, Math.Abs((double)v));
                l1 += Math.Abs((double)v);
            }

            var scale = (float)(max / CodeMax);
            double error = 0;
            var sum = 0;
            for (var i = 0; i < n; i++)
            {
                var q = scale > 0 ? (int)Math.Clamp(Math.Round(row[i] / (double)scale), -CodeMax, CodeMax) : 0;
                error = Math.Max(error, Math.Abs(row[i] - ((double)scale * q)));
                sum += q;
                // Block r / 8, group i / 4: 32 bytes = 8 rows × 4 inputs; lane r % 8, byte i % 4.
                var at = weightOffset[l] + ((((r / RowBlock) * groups) + (i / InputGroup)) * RowBlock * InputGroup) + ((r % RowBlock) * InputGroup) + (i % InputGroup);
                data[at] = (byte)(sbyte)q;
            }

            var m = metaOffset[l] + r;
            if (error > (double)scale * HalfStep)
            {
                throw new InvalidOperationException($"Row {r} of layer {l} rounds off by {error}, over half its step {scale}.");
            }

            Meta(m) = scale;
            Meta(m + outPad[l]) = layer.Bias[r];
            MaxL1(l) = Math.Max(MaxL1(l), Up(l1));
            if (l == 0)
            {
                RowSum(r) = sum;
            }
        }
    }

    // Stored bounds must not shrink when narrowed from double to float.
    private static float Up(double value)
    {
        var f = (float)value;
        return f < value ? MathF.BitIncrement(f) : f;
    }

    /// <summary>Upper bounds <c>estimate + radius</c> for templates <paramref name="start"/>…<paramref name="end"/> − 1 into <paramref name="uppers"/>.</summary>
    /// <remarks>Software prefetch of the next template's block (Sse.Prefetch1) was tried twice, issued before
    /// and after the current template's first layer: 3.9 and 4.1 µs a template streaming from memory against
    /// 3.2–3.3 µs without, on one loaded core, so the hardware prefetcher is left to it.</remarks>
    public static void UpperBounds(QuantizedTemplate[] screens, int start, int end, QuantizedProbe probe, Scratch scratch, float[] uppers)
    {
        for (var t = start; t < end; t++)
        {
            var (estimate, radius) = screens[t].Bound(probe, scratch);
            uppers[t] = estimate + radius;
        }
    }

    /// <summary>
    /// The estimate and radius of the logit for a coded probe. Uses only <paramref name="scratch"/> (sized by
    /// <see cref="MaxPaddedWidth"/>); thread-safe across different scratches.
    /// </summary>
    // Full optimisation from the first call: with tiering, a gallery screen runs its first calls as tier-0
    // code. Rows go eight at a time, branch-free: a scalar per-row loop with a ReLU branch cost about 3.5 µs
    // a default template (mispredicted signs), more than the integer dot products (about 1 µs).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public (float Estimate, float Radius) Bound(QuantizedProbe probe, Scratch scratch)
    {
        var accA = scratch.AccumulatorsA;
        var accB = scratch.AccumulatorsB;
        var values = scratch.Values;
        var errors = scratch.Errors;
        var last = LayerCount - 1;

        // Layer 0: the probe's 14-bit codes (offset to be non-negative) arrive as high and low 7-bit halves.
        Dot(data.AsSpan(weightOffset[0], weightOffset[1]), outPad[0], inPad[0], probe.High, probe.Low, accA, accB, absoluteB: false);
        for (var r = 0; r < outPad[0]; r += RowBlock)
        {
            // |dot| ≤ 144·127·8191 and the parts stay below 2³¹: exact in int32.
            var dot = (Vector256.LoadUnsafe(ref accA[r]) * QuantizedProbe.HighWeight) + Vector256.LoadUnsafe(ref accB[r]) - (Vector256.LoadUnsafe(ref RowSum(r)) * QuantizedProbe.Offset);
            var (z, radius) = Row(0, r, Vector256.ConvertToSingle(dot), probe.Step, default, 0, 0, probe.Residual, probe.SumAbsCodes * probe.Step, probe.MaxAbs + probe.Residual);
            if (last == 0)
            {
                return (z.ToScalar(), radius.ToScalar() * 1.0001f);
            }

            Activate(z, radius, values, errors, r);
        }

        for (var l = 1; ; l++)
        {
            // Code the previous layer's activations (7 bits) and their error bounds (7 bits, rounded up).
            var width = outPad[l - 1];
            var (valueStep, valueSum, valueMax) = CodeValues(values, errors, width, scratch.CodesA);
            var (errorStep, errorSum, errorMax) = CodeErrors(errors, width, scratch.CodesB);
            Dot(data.AsSpan(weightOffset[l], weightOffset[l + 1] - weightOffset[l]), outPad[l], inPad[l], scratch.CodesA, scratch.CodesB, accA, accB, absoluteB: true);
            for (var r = 0; r < outPad[l]; r += RowBlock)
            {
                var propagated = Vector256.ConvertToSingle(Vector256.LoadUnsafe(ref accB[r]));
                var (z, radius) = Row(l, r, Vector256.ConvertToSingle(Vector256.LoadUnsafe(ref accA[r])), valueStep, propagated, errorStep, errorStep * errorSum, 0, valueStep * valueSum, valueMax + errorMax);
                if (l == last)
                {
                    return (z.ToScalar(), radius.ToScalar() * 1.0001f);
                }

                Activate(z, radius, values, errors, r);
            }
        }
    }

    /// <summary>
    /// Eight rows' estimates and radii: <c>ẑ = s·σ·dot + b</c> and
    /// <c>Δ = s·σ_ε·Σ|q|c + e·(σ_ε·Σc + σ·Σ|u|) + L·ρ + κ_n·((L + n·e)·max|a| + |b|)</c> (ρ only on layer 0, where
    /// the input error is uniform; later layers carry it in the coded ε).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private (Vector256<float> Z, Vector256<float> Radius) Row(
        int l, int r, Vector256<float> dot, float step, Vector256<float> propagated, float errorStep, float errorMass, float rho, float valueMass, float inputMax)
    {
        ref var m = ref Meta(metaOffset[l] + r);
        var pad = outPad[l];
        var scale = Vector256.LoadUnsafe(ref m);
        var bias = Vector256.LoadUnsafe(ref m, (nuint)pad);
        var error = scale * HalfStep;
        var l1 = Vector256.Create(MaxL1(l));
        var n = inputs[l];
        var kappa = (n + 8) * (1f / (1 << 20));
        var z = (scale * step * dot) + bias;
        var radius = (scale * errorStep * propagated) + (error * (errorMass + valueMass)) + (l1 * rho)
            + (kappa * (((l1 + (error * n)) * inputMax) + Vector256.Abs(bias)));
        return (z, radius);
    }

    // ReLU on the estimate; the exact activation is within errors[r] of values[r]. A neuron whose estimate is
    // not positive gets 0, exact to within max(0, ẑ + Δ) (0 when its whole interval is negative).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Activate(Vector256<float> z, Vector256<float> radius, float[] values, float[] errors, int r)
    {
        var on = Vector256.GreaterThan(z, Vector256<float>.Zero);
        Vector256.ConditionalSelect(on, z, Vector256<float>.Zero).StoreUnsafe(ref values[r]);
        Vector256.ConditionalSelect(on, radius, Vector256.Max(Vector256<float>.Zero, z + radius)).StoreUnsafe(ref errors[r]);
    }

    // Codes values to u = round(v / step) ≤ 127 and adds each rounding residual to its error bound.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (float Step, float Sum, float Max) CodeValues(float[] values, float[] errors, int width, byte[] codes)
    {
        var max = Vector256<float>.Zero;
        for (var i = 0; i < width; i += RowBlock)
        {
            max = Vector256.Max(max, Vector256.LoadUnsafe(ref values[i]));
        }

        var top = HorizontalMax(max);
        if (!(top > 0))
        {
            Array.Clear(codes, 0, width);
            return (0, 0, 0);
        }

        var step = top / CodeMax;
        var inverse = Vector256.Create(1f / step);
        var stepV = Vector256.Create(step);
        var sum = Vector256<float>.Zero;
        for (var i = 0; i < width; i += RowBlock)
        {
            var v = Vector256.LoadUnsafe(ref values[i]);
            var c = Vector256.Min(Vector256.Round(v * inverse), Vector256.Create((float)CodeMax));
            (Vector256.LoadUnsafe(ref errors[i]) + Vector256.Abs(v - (stepV * c))).StoreUnsafe(ref errors[i]);
            sum += c;
            StoreCodes(c, codes, i);
        }

        return (step, Vector256.Sum(sum), top);
    }

    // Codes error bounds upwards: errors[i] ≤ step · code[i].
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (float Step, float Sum, float Max) CodeErrors(float[] errors, int width, byte[] codes)
    {
        var max = Vector256<float>.Zero;
        for (var i = 0; i < width; i += RowBlock)
        {
            max = Vector256.Max(max, Vector256.LoadUnsafe(ref errors[i]));
        }

        var top = HorizontalMax(max);
        if (!(top > 0))
        {
            Array.Clear(codes, 0, width);
            return (0, 0, 0);
        }

        // A step a little over max/127 keeps every code ≤ 127 after rounding up, and the 1 + 2⁻²⁰ factor keeps
        // step · code ≥ error despite the rounding of the quotient.
        var step = top / CodeMax * (1 + (1f / (1 << 18)));
        var inverse = Vector256.Create(1f / step * (1 + (1f / (1 << 20))));
        var sum = Vector256<float>.Zero;
        for (var i = 0; i < width; i += RowBlock)
        {
            var c = Vector256.Min(Vector256.Ceiling(Vector256.LoadUnsafe(ref errors[i]) * inverse), Vector256.Create((float)CodeMax));
            sum += c;
            StoreCodes(c, codes, i);
        }

        return (step, Vector256.Sum(sum), top);
    }

    private static float HorizontalMax(Vector256<float> v)
    {
        var m = 0f;
        for (var k = 0; k < Vector256<float>.Count; k++)
        {
            m = MathF.Max(m, v.GetElement(k));
        }

        return m;
    }

    // Eight whole codes 0…127 (as floats) to eight bytes.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreCodes(Vector256<float> codes, byte[] destination, int at)
    {
        var ints = Vector256.ConvertToInt32(codes);
        var shorts = Vector256.Narrow(ints, Vector256<int>.Zero);
        var bytes = Vector256.Narrow(shorts, Vector256<short>.Zero).AsByte();
        Unsafe.WriteUnaligned(ref destination[at], bytes.AsUInt64().ToScalar());
    }

    /// <summary>
    /// Exact integer dot products over the blocked layout: <c>a[r] = Σ_i q[r,i]·codesA[i]</c> and
    /// <c>b[r] = Σ_i q'[r,i]·codesB[i]</c> with <c>q' = |q|</c> when <paramref name="absoluteB"/>, else q. Each weight
    /// vector is loaded once for both. The AVX2 and scalar paths give the same integers (codes ≤ 127, |q| ≤ 127:
    /// each int16 pair sum ≤ 32,258, no saturation).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Dot(ReadOnlySpan<byte> w, int rows, int inputCount, byte[] codesA, byte[] codesB, int[] a, int[] b, bool absoluteB)
    {
        if (!Avx2.IsSupported)
        {
            DotScalar(w, rows, inputCount, codesA, a, absolute: false);
            DotScalar(w, rows, inputCount, codesB, b, absoluteB);
            return;
        }

        var groups = inputCount / InputGroup;
        ref var rw = ref MemoryMarshal.GetReference(w);
        ref var ca = ref MemoryMarshal.GetArrayDataReference(codesA);
        ref var cb = ref MemoryMarshal.GetArrayDataReference(codesB);
        var ones = Vector256.Create((short)1);
        for (var block = 0; block < rows / RowBlock; block++)
        {
            ref var start = ref Unsafe.Add(ref rw, block * groups * 32);
            Vector256<int> sa = default, sb = default;
            for (var g = 0; g < groups; g++)
            {
                var q = Vector256.LoadUnsafe(ref start, (nuint)(g * 32)).AsSByte();
                var xa = Vector256.Create(Unsafe.ReadUnaligned<int>(ref Unsafe.Add(ref ca, g * 4))).AsByte();
                var xb = Vector256.Create(Unsafe.ReadUnaligned<int>(ref Unsafe.Add(ref cb, g * 4))).AsByte();
                var qb = absoluteB ? Avx2.Abs(q).AsSByte() : q;
                sa += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(xa, q), ones);
                sb += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(xb, qb), ones);
            }

            sa.StoreUnsafe(ref MemoryMarshal.GetArrayDataReference(a), (nuint)(block * RowBlock));
            sb.StoreUnsafe(ref MemoryMarshal.GetArrayDataReference(b), (nuint)(block * RowBlock));
        }
    }

    internal static void DotScalar(ReadOnlySpan<byte> w, int rows, int inputCount, byte[] codes, int[] acc, bool absolute)
    {
        var groups = inputCount / InputGroup;
        for (var r = 0; r < rows; r++)
        {
            var sum = 0;
            for (var i = 0; i < inputCount; i++)
            {
                var at = ((((r / RowBlock) * groups) + (i / InputGroup)) * RowBlock * InputGroup) + ((r % RowBlock) * InputGroup) + (i % InputGroup);
                var q = (int)(sbyte)w[at];
                sum += (absolute ? Math.Abs(q) : q) * codes[i];
            }

            acc[r] = sum;
        }
    }

    /// <summary>Per-thread working memory for <see cref="Bound"/>.</summary>
    internal sealed class Scratch(int width)
    {
        public byte[] CodesA { get; } = new byte[width];

        public byte[] CodesB { get; } = new byte[width];

        public int[] AccumulatorsA { get; } = new int[width];

        public int[] AccumulatorsB { get; } = new int[width];

        public float[] Values { get; } = new float[width];

        public float[] Errors { get; } = new float[width];
    }
}
