using System.Numerics;
using System.Runtime.InteropServices;

namespace Mote.Core.Population.Densities;

/// <summary>Vectorised kernels shared by the densities (SIMD through <see cref="Vector{T}"/>).</summary>
internal static class DensityMath
{
    public const double Log2Pi = 1.8378770664093453;

    /// <summary>Σ (a−b)² computed directly (no |a|²+|b|²−2a·b cancellation for near points).</summary>
    public static float SquaredDistance(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var sum = Vector<float>.Zero;
        var i = 0;
        var va = MemoryMarshal.Cast<float, Vector<float>>(a);
        var vb = MemoryMarshal.Cast<float, Vector<float>>(b);
        for (var k = 0; k < va.Length && k < vb.Length; k++)
        {
            var d = va[k] - vb[k];
            sum += d * d;
            i += Vector<float>.Count;
        }
        var total = Vector.Sum(sum);
        for (; i < a.Length; i++)
        {
            var d = a[i] - b[i];
            total += d * d;
        }
        return total;
    }

    /// <summary>y += alpha·x, vectorised.</summary>
    public static void AddScaled(Span<double> y, ReadOnlySpan<double> x, double alpha)
    {
        var vy = MemoryMarshal.Cast<double, Vector<double>>(y);
        var vx = MemoryMarshal.Cast<double, Vector<double>>(x);
        var va = new Vector<double>(alpha);
        var i = 0;
        for (var k = 0; k < vy.Length && k < vx.Length; k++)
        {
            vy[k] += va * vx[k];
            i += Vector<double>.Count;
        }
        for (; i < y.Length; i++)
        {
            y[i] += alpha * x[i];
        }
    }

    /// <summary>Σ x_i·y_i in double.</summary>
    public static double Dot(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        var vx = MemoryMarshal.Cast<double, Vector<double>>(x);
        var vy = MemoryMarshal.Cast<double, Vector<double>>(y);
        var sum = Vector<double>.Zero;
        var i = 0;
        for (var k = 0; k < vx.Length && k < vy.Length; k++)
        {
            sum += vx[k] * vy[k];
            i += Vector<double>.Count;
        }
        var total = Vector.Sum(sum);
        for (; i < x.Length; i++)
        {
            total += x[i] * y[i];
        }
        return total;
    }

    /// <summary>log Σ exp(v_i), stable for large magnitudes; −∞ for an empty or all −∞ input.</summary>
    public static double LogSumExp(ReadOnlySpan<double> values)
    {
        var max = double.NegativeInfinity;
        foreach (var v in values)
        {
            max = Math.Max(max, v);
        }
        if (double.IsNegativeInfinity(max))
        {
            return max;
        }
        var sum = 0.0;
        foreach (var v in values)
        {
            sum += Math.Exp(v - max);
        }
        return max + Math.Log(sum);
    }

    /// <summary>A standard normal draw by Box–Muller from two uniform draws of <paramref name="random"/> (one value per call, so the stream is simple to reason about).</summary>
    public static double NextGaussian(this Random random)
    {
        var u1 = 1.0 - random.NextDouble(); // (0, 1]: keeps the log finite
        var u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>
    /// In-place lower Cholesky factor of a symmetric positive definite d×d row-major matrix (upper triangle is zeroed).
    /// Returns false if a pivot is not positive.
    /// </summary>
    public static bool TryCholesky(double[] a, int d)
    {
        for (var j = 0; j < d; j++)
        {
            var rowJ = a.AsSpan(j * d, j);
            var diag = a[j * d + j] - Dot(rowJ, rowJ);
            if (!(diag > 0) || double.IsNaN(diag))
            {
                return false;
            }
            var ljj = Math.Sqrt(diag);
            a[j * d + j] = ljj;
            for (var i = j + 1; i < d; i++)
            {
                var s = a[i * d + j] - Dot(a.AsSpan(i * d, j), rowJ);
                a[i * d + j] = s / ljj;
            }
        }
        for (var i = 0; i < d; i++)
        {
            for (var j = i + 1; j < d; j++)
            {
                a[i * d + j] = 0;
            }
        }
        return true;
    }

    /// <summary>Solves L·y = b in place (forward substitution) for a lower-triangular row-major L.</summary>
    public static void ForwardSolve(double[] l, int d, Span<double> b)
    {
        for (var i = 0; i < d; i++)
        {
            var s = b[i] - Dot(l.AsSpan(i * d, i), b[..i]);
            b[i] = s / l[i * d + i];
        }
    }
}
