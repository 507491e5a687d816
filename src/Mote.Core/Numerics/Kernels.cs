using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Mote.Core.Numerics;

/// <summary>
/// Hand-vectorised float kernels for scoring without TorchSharp. Every dot product accumulates in the same
/// lane order (8-wide chunks, fixed horizontal reduction, scalar tail) whether it is computed alone or in a
/// block, so single and batched scoring agree bit for bit on equal layouts.
/// </summary>
internal static class Kernels
{
    /// <summary>Largest block of rows one call to the dense kernel processes together.</summary>
    private const int RowBlock = 4;

    public static void EnsureLength(ReadOnlySpan<float> values, int expected, string what)
    {
        if (values.Length != expected)
        {
            throw new ArgumentException($"The {what} has {values.Length} values; {expected} were expected.", what);
        }
    }

    public static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var n = Math.Min(a.Length, b.Length);
        ref var ra = ref MemoryMarshal.GetReference(a);
        ref var rb = ref MemoryMarshal.GetReference(b);
        var acc = Vector256<float>.Zero;
        var i = 0;
        for (; i + 8 <= n; i += 8)
        {
            acc = MulAdd(acc, Load(ref ra, i), Load(ref rb, i));
        }

        var sum = HorizontalSum(acc);
        for (; i < n; i++)
        {
            sum += Unsafe.Add(ref ra, i) * Unsafe.Add(ref rb, i);
        }

        return sum;
    }

    /// <summary>Divides by the L2 norm in place; false (and untouched) when the norm is zero or not finite.</summary>
    public static bool NormalizeInPlace(Span<float> values)
    {
        var norm = MathF.Sqrt(Dot(values, values));
        if (!(norm > 0) || !float.IsFinite(norm))
        {
            return false;
        }

        for (var i = 0; i < values.Length; i++)
        {
            values[i] /= norm;
        }

        return true;
    }

    /// <summary>
    /// <c>y[p·outCount + r] = act(Σ_i w[r·inCount + i] · x[p·inCount + i] + b[r])</c> for <paramref name="batch"/> inputs,
    /// with ReLU when <paramref name="relu"/>. Writes only <paramref name="y"/>.
    /// </summary>
    public static void Dense(
        ReadOnlySpan<float> w, ReadOnlySpan<float> b, int outCount, int inCount,
        ReadOnlySpan<float> x, int batch, Span<float> y, bool relu)
    {
        ref var rw = ref MemoryMarshal.GetReference(w);
        ref var rx = ref MemoryMarshal.GetReference(x);
        var r = 0;
        for (; r + RowBlock <= outCount; r += RowBlock)
        {
            var p = 0;
            for (; p + 2 <= batch; p += 2)
            {
                Block4x2(ref rw, r, ref rx, p, inCount, out var s00, out var s01, out var s10, out var s11, out var s20, out var s21, out var s30, out var s31);
                var o0 = p * outCount + r;
                var o1 = o0 + outCount;
                y[o0] = Act(s00 + b[r], relu);
                y[o0 + 1] = Act(s10 + b[r + 1], relu);
                y[o0 + 2] = Act(s20 + b[r + 2], relu);
                y[o0 + 3] = Act(s30 + b[r + 3], relu);
                y[o1] = Act(s01 + b[r], relu);
                y[o1 + 1] = Act(s11 + b[r + 1], relu);
                y[o1 + 2] = Act(s21 + b[r + 2], relu);
                y[o1 + 3] = Act(s31 + b[r + 3], relu);
            }

            for (; p < batch; p++)
            {
                for (var k = 0; k < RowBlock; k++)
                {
                    y[p * outCount + r + k] = Act(RowDot(ref rw, r + k, ref rx, p, inCount) + b[r + k], relu);
                }
            }
        }

        for (; r < outCount; r++)
        {
            for (var p = 0; p < batch; p++)
            {
                y[p * outCount + r] = Act(RowDot(ref rw, r, ref rx, p, inCount) + b[r], relu);
            }
        }
    }

    /// <summary>Probe lanes per transposed-kernel step: two 8-float vectors.</summary>
    public const int ProbeLanes = 16;

    /// <summary>
    /// The same layer over a block of probes held transposed (feature-major): <c>xT[i·lanes + p]</c> in,
    /// <c>yT[r·lanes + p]</c> out, <paramref name="lanes"/> a multiple of <see cref="ProbeLanes"/>. Probes are the
    /// vector lanes, so there are no horizontal sums and the output is already the next layer's input layout;
    /// each weight is broadcast once per 16 probes. Writes only <paramref name="yT"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void DenseTransposed(
        ReadOnlySpan<float> w, ReadOnlySpan<float> b, int outCount, int inCount,
        ReadOnlySpan<float> xT, int lanes, Span<float> yT, bool relu)
    {
        ref var rw = ref MemoryMarshal.GetReference(w);
        ref var rx = ref MemoryMarshal.GetReference(xT);
        ref var ry = ref MemoryMarshal.GetReference(yT);
        var r = 0;
        for (; r + 4 <= outCount; r += 4)
        {
            ref var w0 = ref Unsafe.Add(ref rw, r * inCount);
            ref var w1 = ref Unsafe.Add(ref w0, inCount);
            ref var w2 = ref Unsafe.Add(ref w1, inCount);
            ref var w3 = ref Unsafe.Add(ref w2, inCount);
            for (var p = 0; p < lanes; p += ProbeLanes)
            {
                Vector256<float> a00 = default, a01 = default, a10 = default, a11 = default, a20 = default, a21 = default, a30 = default, a31 = default;
                for (var i = 0; i < inCount; i++)
                {
                    var x0 = Load(ref rx, (i * lanes) + p);
                    var x1 = Load(ref rx, (i * lanes) + p + 8);
                    var u = Vector256.Create(Unsafe.Add(ref w0, i));
                    a00 = MulAdd(a00, u, x0);
                    a01 = MulAdd(a01, u, x1);
                    u = Vector256.Create(Unsafe.Add(ref w1, i));
                    a10 = MulAdd(a10, u, x0);
                    a11 = MulAdd(a11, u, x1);
                    u = Vector256.Create(Unsafe.Add(ref w2, i));
                    a20 = MulAdd(a20, u, x0);
                    a21 = MulAdd(a21, u, x1);
                    u = Vector256.Create(Unsafe.Add(ref w3, i));
                    a30 = MulAdd(a30, u, x0);
                    a31 = MulAdd(a31, u, x1);
                }

                Store(ref ry, (r * lanes) + p, a00, a01, b[r], relu);
                Store(ref ry, ((r + 1) * lanes) + p, a10, a11, b[r + 1], relu);
                Store(ref ry, ((r + 2) * lanes) + p, a20, a21, b[r + 2], relu);
                Store(ref ry, ((r + 3) * lanes) + p, a30, a31, b[r + 3], relu);
            }
        }

        for (; r < outCount; r++)
        {
            ref var w0 = ref Unsafe.Add(ref rw, r * inCount);
            for (var p = 0; p < lanes; p += ProbeLanes)
            {
                Vector256<float> a00 = default, a01 = default;
                for (var i = 0; i < inCount; i++)
                {
                    var u = Vector256.Create(Unsafe.Add(ref w0, i));
                    a00 = MulAdd(a00, u, Load(ref rx, (i * lanes) + p));
                    a01 = MulAdd(a01, u, Load(ref rx, (i * lanes) + p + 8));
                }

                Store(ref ry, (r * lanes) + p, a00, a01, b[r], relu);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(ref float destination, int offset, Vector256<float> low, Vector256<float> high, float bias, bool relu)
    {
        var bv = Vector256.Create(bias);
        low += bv;
        high += bv;
        if (relu)
        {
            low = Vector256.Max(low, Vector256<float>.Zero);
            high = Vector256.Max(high, Vector256<float>.Zero);
        }

        low.StoreUnsafe(ref destination, (nuint)offset);
        high.StoreUnsafe(ref destination, (nuint)(offset + 8));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Act(float v, bool relu) => relu && !(v > 0) ? 0f : v;

    private static float RowDot(ref float rw, int row, ref float rx, int probe, int n)
    {
        ref var a = ref Unsafe.Add(ref rw, row * n);
        ref var c = ref Unsafe.Add(ref rx, probe * n);
        var acc = Vector256<float>.Zero;
        var i = 0;
        for (; i + 8 <= n; i += 8)
        {
            acc = MulAdd(acc, Load(ref a, i), Load(ref c, i));
        }

        var sum = HorizontalSum(acc);
        for (; i < n; i++)
        {
            sum += Unsafe.Add(ref a, i) * Unsafe.Add(ref c, i);
        }

        return sum;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Block4x2(
        ref float rw, int row, ref float rx, int probe, int n,
        out float s00, out float s01, out float s10, out float s11, out float s20, out float s21, out float s30, out float s31)
    {
        ref var w0 = ref Unsafe.Add(ref rw, row * n);
        ref var w1 = ref Unsafe.Add(ref w0, n);
        ref var w2 = ref Unsafe.Add(ref w1, n);
        ref var w3 = ref Unsafe.Add(ref w2, n);
        ref var x0 = ref Unsafe.Add(ref rx, probe * n);
        ref var x1 = ref Unsafe.Add(ref x0, n);
        Vector256<float> a00 = default, a01 = default, a10 = default, a11 = default, a20 = default, a21 = default, a30 = default, a31 = default;
        var i = 0;
        for (; i + 8 <= n; i += 8)
        {
            var v0 = Load(ref x0, i);
            var v1 = Load(ref x1, i);
            var u = Load(ref w0, i);
            a00 = MulAdd(a00, u, v0);
            a01 = MulAdd(a01, u, v1);
            u = Load(ref w1, i);
            a10 = MulAdd(a10, u, v0);
            a11 = MulAdd(a11, u, v1);
            u = Load(ref w2, i);
            a20 = MulAdd(a20, u, v0);
            a21 = MulAdd(a21, u, v1);
            u = Load(ref w3, i);
            a30 = MulAdd(a30, u, v0);
            a31 = MulAdd(a31, u, v1);
        }

        s00 = HorizontalSum(a00);
        s01 = HorizontalSum(a01);
        s10 = HorizontalSum(a10);
        s11 = HorizontalSum(a11);
        s20 = HorizontalSum(a20);
        s21 = HorizontalSum(a21);
        s30 = HorizontalSum(a30);
        s31 = HorizontalSum(a31);
        for (; i < n; i++)
        {
            float c0 = Unsafe.Add(ref x0, i), c1 = Unsafe.Add(ref x1, i);
            s00 += Unsafe.Add(ref w0, i) * c0;
            s01 += Unsafe.Add(ref w0, i) * c1;
            s10 += Unsafe.Add(ref w1, i) * c0;
            s11 += Unsafe.Add(ref w1, i) * c1;
            s20 += Unsafe.Add(ref w2, i) * c0;
            s21 += Unsafe.Add(ref w2, i) * c1;
            s30 += Unsafe.Add(ref w3, i) * c0;
            s31 += Unsafe.Add(ref w3, i) * c1;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Load(ref float source, int offset) => Vector256.LoadUnsafe(ref source, (nuint)offset);

    // FMA where the CPU has it (one rounding instead of two, half the instructions). Single and batched
    // scoring both come through here, so they agree exactly on one machine; across machines results may
    // differ in the last bits, which is why comparisons with TorchSharp use a tolerance.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> MulAdd(Vector256<float> acc, Vector256<float> a, Vector256<float> b) =>
        Fma.IsSupported ? Fma.MultiplyAdd(a, b, acc) : acc + (a * b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float HorizontalSum(Vector256<float> v)
    {
        var s = v.GetLower() + v.GetUpper();
        return (s.GetElement(0) + s.GetElement(2)) + (s.GetElement(1) + s.GetElement(3));
    }
}
