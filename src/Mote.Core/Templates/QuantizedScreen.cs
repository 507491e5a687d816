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
/// copy <c>s_r·q_r</c> with <c>max_i |W_ri − s_r·q_ri| = e_r</c>, and <c>‖W_r‖₁ = L_r</c>. The layer's input is coded
/// as <c>σ·u_i</c>, and <c>ε_i</c> bounds the distance from the exact path's input <c>a_i</c> to <c>σ·u_i</c>
/// (earlier errors plus this coding's rounding). Our pre-activation is <c>ẑ_r = s_r·σ·(q_r·u) + b_r</c>, and</para>
/// <para><c>|z_r − ẑ_r| ≤ Σ_i |W_ri|·ε_i + e_r·σ·Σ_i |u_i| + κ_n·((L_r + n·e_r)·(max|a| + max ε) + |b_r|)</c>,</para>
/// <para>with <c>Σ_i |W_ri|·ε_i ≤ s_r·Σ_i |q_ri|·ε_i + e_r·Σ_i ε_i</c>, computed by a second integer pass over
/// <c>|q|</c> with ε coded upwards to 7 bits. The last term covers float rounding in the exact path (at most
/// <c>n·2⁻²⁴</c> relative for n inputs) and in ours, taken 8× larger: <c>κ_n = (n + 8)·2⁻²⁰</c>. ReLU: a neuron whose
/// interval lies below zero is exactly 0 on both paths (error 0), one whose estimate is ≤ 0 is off by at most
/// <c>max(0, ẑ + Δ)</c>, any other by at most Δ. The final radius is widened by 1e-4 relative for rounding in
/// the bound's own arithmetic. Layer 0 has exact inputs; its coding error is bounded by <c>L_r·ρ</c>.</para>
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

    private const int MetaPerRow = 4; // scale, L1 norm (rounded up), max quantisation error (rounded up), bias

    private readonly byte[] weights;
    private readonly float[] meta;
    private readonly int[] rowSums; // Σq per row of layer 0, to undo the probe's code offset
    private readonly int[] inputs;   // real input count per layer
    private readonly int[] outputs;  // real output count per layer
    private readonly int[] inPad;    // padded input count per layer
    private readonly int[] outPad;   // padded output count per layer
    private readonly int[] weightOffset;
    private readonly int[] metaOffset;

    public QuantizedTemplate(ModelTemplate template)
    {
        var layers = template.Layers;
        var count = layers.Count;
        inputs = new int[count];
        outputs = new int[count];
        inPad = new int[count];
        outPad = new int[count];
        weightOffset = new int[count + 1];
        metaOffset = new int[count + 1];
        for (var l = 0; l < count; l++)
        {
            inputs[l] = layers[l].Inputs;
            outputs[l] = layers[l].Outputs;
            inPad[l] = l == 0 ? RoundUp(inputs[l], InputGroup) : outPad[l - 1];
            outPad[l] = RoundUp(outputs[l], RowBlock);
            weightOffset[l + 1] = weightOffset[l] + (inPad[l] * outPad[l]);
            metaOffset[l + 1] = metaOffset[l] + (outputs[l] * MetaPerRow);
        }

        weights = new byte[weightOffset[count]];
        meta = new float[metaOffset[count]];
        rowSums = new int[outputs[0]];
        for (var l = 0; l < count; l++)
        {
            Quantize(layers[l], l);
        }
    }

    /// <summary>Bytes held: int8 weights, per-row scale, L1 norm, error and bias, and layer 0's row sums.</summary>
    public int Bytes => weights.Length + (meta.Length * sizeof(float)) + (rowSums.Length * sizeof(int));

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
                weights[at] = (byte)(sbyte)q;
            }

            var m = metaOffset[l] + (r * MetaPerRow);
            meta[m] = scale;
            meta[m + 1] = Up(l1);
            meta[m + 2] = Up(error);
            meta[m + 3] = layer.Bias[r];
            if (l == 0)
            {
                rowSums[r] = sum;
            }
        }
    }

    // Stored bounds must not shrink when narrowed from double to float.
    private static float Up(double value)
    {
        var f = (float)value;
        return f < value ? MathF.BitIncrement(f) : f;
    }

    /// <summary>
    /// The estimate and radius of the logit for a coded probe. Uses only <paramref name="scratch"/> (sized by
    /// <see cref="MaxPaddedWidth"/>); thread-safe across different scratches.
    /// </summary>
    public (float Estimate, float Radius) Bound(QuantizedProbe probe, Scratch scratch)
    {
        var accA = scratch.AccumulatorsA;
        var accB = scratch.AccumulatorsB;
        var values = scratch.Values;
        var errors = scratch.Errors;
        var last = LayerCount - 1;

        // Layer 0: the probe's 14-bit codes (offset to be non-negative) arrive as high and low 7-bit halves.
        Dot(weights.AsSpan(weightOffset[0], weightOffset[1]), outPad[0], inPad[0], probe.High, probe.Low, accA, accB, absoluteB: false);
        var n = inputs[0];
        var kappa = Kappa(n);
        float step = probe.Step, rho = probe.Residual, sumCodes = probe.SumAbsCodes, inputMax = probe.MaxAbs + probe.Residual;
        for (var r = 0; r < outputs[0]; r++)
        {
            ref var row = ref meta[r * MetaPerRow];
            var dot = ((long)accA[r] * QuantizedProbe.HighWeight) + accB[r] - ((long)QuantizedProbe.Offset * rowSums[r]);
            var z = (row * step * dot) + Unsafe.Add(ref row, 3);
            var radius = (Unsafe.Add(ref row, 1) * rho) + (Unsafe.Add(ref row, 2) * step * sumCodes) + Slack(ref row, kappa, n, inputMax);
            if (last == 0)
            {
                return (z, radius * 1.0001f);
            }

            Activate(z, radius, values, errors, r);
        }

        for (var l = 1; ; l++)
        {
            // Code the previous layer's activations (7 bits) and their error bounds (7 bits, rounded up).
            var width = outputs[l - 1];
            var (valueStep, valueSum, valueMax) = CodeValues(values, errors, width, scratch.CodesA, outPad[l - 1]);
            var (errorStep, errorSum, errorMax) = CodeErrors(errors, width, scratch.CodesB, outPad[l - 1]);
            Dot(weights.AsSpan(weightOffset[l], weightOffset[l + 1] - weightOffset[l]), outPad[l], inPad[l], scratch.CodesA, scratch.CodesB, accA, accB, absoluteB: true);
            n = inputs[l];
            kappa = Kappa(n);
            inputMax = valueMax + errorMax;
            ref var m = ref meta[metaOffset[l]];
            for (var r = 0; r < outputs[l]; r++)
            {
                ref var row = ref Unsafe.Add(ref m, r * MetaPerRow);
                float scale = row, error = Unsafe.Add(ref row, 2);
                var z = (scale * valueStep * accA[r]) + Unsafe.Add(ref row, 3);
                var radius = (scale * errorStep * accB[r]) + (error * errorStep * errorSum) + (error * valueStep * valueSum) + Slack(ref row, kappa, n, inputMax);
                if (l == last)
                {
                    return (z, radius * 1.0001f);
                }

                Activate(z, radius, values, errors, r);
            }
        }
    }

    private static float Kappa(int n) => (n + 8) * (1f / (1 << 20));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Slack(ref float row, float kappa, int n, float inputMax)
    {
        float l1 = Unsafe.Add(ref row, 1), error = Unsafe.Add(ref row, 2), bias = Unsafe.Add(ref row, 3);
        return kappa * (((l1 + (n * error)) * inputMax) + MathF.Abs(bias));
    }

    // ReLU on the estimate; the exact activation is within errors[r] of values[r].
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Activate(float z, float radius, float[] values, float[] errors, int r)
    {
        if (z > 0)
        {
            values[r] = z;
            errors[r] = radius;
        }
        else
        {
            values[r] = 0;
            errors[r] = MathF.Max(0, z + radius);
        }
    }

    // Codes values to u = round(v / step) ≤ 127 and adds each rounding residual to its error bound.
    private static (float Step, float Sum, float Max) CodeValues(float[] values, float[] errors, int width, byte[] codes, int padded)
    {
        var max = 0f;
        for (var i = 0; i < width; i++)
        {
            max = MathF.Max(max, values[i]);
        }

        Array.Clear(codes, 0, padded);
        if (!(max > 0))
        {
            return (0, 0, 0);
        }

        var step = max / CodeMax;
        var inverse = 1f / step;
        var sum = 0;
        for (var i = 0; i < width; i++)
        {
            var c = Math.Clamp((int)MathF.Round(values[i] * inverse), 0, CodeMax);
            codes[i] = (byte)c;
            sum += c;
            errors[i] += MathF.Abs(values[i] - (step * c));
        }

        return (step, sum, max);
    }

    // Codes error bounds upwards: errors[i] ≤ step · code[i].
    private static (float Step, float Sum, float Max) CodeErrors(float[] errors, int width, byte[] codes, int padded)
    {
        var max = 0f;
        for (var i = 0; i < width; i++)
        {
            max = MathF.Max(max, errors[i]);
        }

        Array.Clear(codes, 0, padded);
        if (!(max > 0))
        {
            return (0, 0, 0);
        }

        // A step a little over max/127 keeps every code ≤ 127 after rounding up, and the 1 + 2⁻²⁰ factor keeps
        // step · code ≥ error despite the rounding of the product.
        var step = max / CodeMax * (1 + (1f / (1 << 18)));
        var inverse = 1f / step;
        var sum = 0;
        for (var i = 0; i < width; i++)
        {
            var c = Math.Min(CodeMax, (int)MathF.Ceiling(errors[i] * inverse * (1 + (1f / (1 << 20)))));
            codes[i] = (byte)c;
            sum += c;
        }

        return (step, sum, max);
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

/// <summary>
/// A probe coded once for the screen: <c>x_i ≈ Step·q_i</c> with q in −8191…8191, stored as
/// <c>q + 8192 = 128·High + Low</c> (two 7-bit halves for the u8×s8 kernel).
/// </summary>
internal sealed class QuantizedProbe
{
    public const int Offset = 8192;
    public const int HighWeight = 128;
    private const int Levels = 8191;

    public QuantizedProbe(ReadOnlySpan<float> probe, int paddedLength)
    {
        High = new byte[paddedLength];
        Low = new byte[paddedLength];
        Array.Fill(High, (byte)(Offset / HighWeight)); // padding codes q = 0; its weights are 0 anyway
        var max = 0f;
        foreach (var v in probe)
        {
            max = MathF.Max(max, MathF.Abs(v));
        }

        MaxAbs = max;
        Step = max / Levels;
        double residual = 0;
        var sum = 0;
        if (Step > 0)
        {
            var inverse = 1f / Step;
            for (var i = 0; i < probe.Length; i++)
            {
                var q = Math.Clamp((int)MathF.Round(probe[i] * inverse), -Levels, Levels);
                var code = q + Offset;
                High[i] = (byte)(code / HighWeight);
                Low[i] = (byte)(code % HighWeight);
                sum += Math.Abs(q);
                residual = Math.Max(residual, Math.Abs(probe[i] - ((double)Step * q)));
            }
        }

        SumAbsCodes = sum;
        var up = (float)residual;
        Residual = up < residual ? MathF.BitIncrement(up) : up;
    }

    public byte[] High { get; }

    public byte[] Low { get; }

    public float Step { get; }

    /// <summary>max_i |x_i − Step·q_i|, rounded up.</summary>
    public float Residual { get; }

    public float MaxAbs { get; }

    public int SumAbsCodes { get; }
}
