using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Mote.Core.Numerics;
using Xunit.Abstractions;

namespace Mote.Core.Tests.Numerics;

public sealed class KernelsTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(5, 13, 3)]
    [InlineData(16, 128, 4)]
    [InlineData(7, 130, 5)]
    public void Dense_RandomInputs_MatchesDoublePrecisionReference(int outCount, int inCount, int batch)
    {
        output.WriteLine($"Avx {Avx.IsSupported}, Fma {Fma.IsSupported}, Vector256 accelerated {Vector256.IsHardwareAccelerated}");
        var random = new Random(outCount * 1000 + inCount);
        var w = Enumerable.Range(0, outCount * inCount).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        var b = Enumerable.Range(0, outCount).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        var x = Enumerable.Range(0, batch * inCount).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        var y = new float[batch * outCount];

        Kernels.Dense(w, b, outCount, inCount, x, batch, y, relu: true);

        for (var p = 0; p < batch; p++)
        {
            for (var r = 0; r < outCount; r++)
            {
                double sum = b[r];
                for (var i = 0; i < inCount; i++)
                {
                    sum += (double)w[r * inCount + i] * x[p * inCount + i];
                }

                Assert.Equal(Math.Max(0, sum), y[p * outCount + r], 1e-5);
            }
        }
    }
}

public sealed class KernelsTransposedTests
{
    [Theory]
    [InlineData(1, 128, 16)]
    [InlineData(7, 13, 32)]
    [InlineData(144, 128, 48)]
    public void DenseTransposed_RandomInputs_MatchesRowMajorDense(int outCount, int inCount, int lanes)
    {
        var random = new Random(outCount + inCount + lanes);
        var w = Enumerable.Range(0, outCount * inCount).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        var b = Enumerable.Range(0, outCount).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        var x = Enumerable.Range(0, lanes * inCount).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        var xT = new float[x.Length];
        for (var p = 0; p < lanes; p++)
        {
            for (var i = 0; i < inCount; i++)
            {
                xT[i * lanes + p] = x[p * inCount + i];
            }
        }

        var y = new float[lanes * outCount];
        var yT = new float[lanes * outCount];
        Kernels.Dense(w, b, outCount, inCount, x, lanes, y, relu: true);
        Kernels.DenseTransposed(w, b, outCount, inCount, xT, lanes, yT, relu: true);

        for (var p = 0; p < lanes; p++)
        {
            for (var r = 0; r < outCount; r++)
            {
                Assert.Equal(y[p * outCount + r], yT[r * lanes + p], 1e-5);
            }
        }
    }
}
