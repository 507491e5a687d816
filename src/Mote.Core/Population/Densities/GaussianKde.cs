using System.Globalization;

namespace Mote.Core.Population.Densities;

/// <summary>
/// Isotropic Gaussian kernel density estimate. <b>It stores its kernel centres, which are the real input vectors</b>
/// (after optional per-dimension standardisation, which is invertible): a pack of KDEs holds raw descriptors of real
/// people. Use <see cref="GaussianMixture"/> where that is not acceptable.
/// Density: p(x) = (1/n) Σ_i N(z(x); c_i, h²I) · Π_j 1/s_j with z(x) = (x − m)/s (m = 0, s = 1 when not standardised).
/// </summary>
public sealed class GaussianKde : IDensity
{
    private readonly float[][] _centres;
    private readonly double[] _shift;
    private readonly double[] _scale;
    private readonly double _logNormaliser;
    private readonly Dictionary<string, string> _parameters;

    internal GaussianKde(float[][] centres, double bandwidth, double[] shift, double[] scale, IDictionary<string, string> parameters)
    {
        if (centres.Length == 0)
        {
            throw new ArgumentException("A kernel density needs at least one centre.", nameof(centres));
        }
        if (!(bandwidth > 0) || !double.IsFinite(bandwidth))
        {
            throw new ArgumentOutOfRangeException(nameof(bandwidth), bandwidth, "The bandwidth must be positive and finite.");
        }
        Dimension = centres[0].Length;
        if (shift.Length != Dimension || scale.Length != Dimension || centres.Any(c => c.Length != Dimension) || scale.Any(s => !(s > 0)))
        {
            throw new ArgumentException("Kernel centres, shift and scale disagree in length, or a scale is not positive.");
        }
        _centres = centres;
        _shift = shift;
        _scale = scale;
        Bandwidth = bandwidth;
        _parameters = new Dictionary<string, string>(parameters, StringComparer.Ordinal)
        {
            ["bandwidth"] = bandwidth.ToString("R", CultureInfo.InvariantCulture),
            ["centres"] = centres.Length.ToString(CultureInfo.InvariantCulture),
        };
        var logScaleSum = scale.Sum(Math.Log);
        _logNormaliser = -Math.Log(centres.Length) - 0.5 * Dimension * (DensityMath.Log2Pi + 2 * Math.Log(bandwidth)) - logScaleSum;
    }

    /// <inheritdoc />
    public DensityKind Kind => DensityKind.GaussianKde;

    /// <inheritdoc />
    public int Dimension { get; }

    /// <summary>Always true: the kernel centres are the input vectors.</summary>
    public bool StoresRawVectors => true;

    /// <summary>The kernel standard deviation h, in (standardised) data units.</summary>
    public double Bandwidth { get; }

    /// <summary>Number of kernel centres (= input points).</summary>
    public int CentreCount => _centres.Length;

    /// <summary>Whether the data were standardised per dimension before the kernel was applied.</summary>
    public bool Standardised => _scale.Any(s => s != 1.0) || _shift.Any(m => m != 0.0);

    /// <inheritdoc />
    public IReadOnlyDictionary<string, string> Parameters => _parameters;

    /// <inheritdoc />
    public float[][] Sample(int count, Random random)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentNullException.ThrowIfNull(random);
        var result = new float[count][];
        for (var s = 0; s < count; s++)
        {
            var c = _centres[random.Next(_centres.Length)];
            var x = new float[Dimension];
            for (var j = 0; j < Dimension; j++)
            {
                x[j] = (float)(_shift[j] + _scale[j] * (c[j] + Bandwidth * random.NextGaussian()));
            }
            result[s] = x;
        }
        return result;
    }

    /// <inheritdoc />
    public double LogLikelihood(ReadOnlySpan<float> point)
    {
        PointChecks.CheckPoint(point, Dimension);
        var z = new float[Dimension];
        for (var j = 0; j < Dimension; j++)
        {
            z[j] = (float)((point[j] - _shift[j]) / _scale[j]);
        }
        var terms = new double[_centres.Length];
        var factor = -0.5 / (Bandwidth * Bandwidth);
        for (var i = 0; i < _centres.Length; i++)
        {
            terms[i] = factor * DensityMath.SquaredDistance(z, _centres[i]);
        }
        return DensityMath.LogSumExp(terms) + _logNormaliser;
    }

    /// <inheritdoc />
    public IEnumerable<double[]> StoredVectors()
    {
        foreach (var c in _centres)
        {
            var x = new double[Dimension];
            for (var j = 0; j < Dimension; j++)
            {
                x[j] = _shift[j] + _scale[j] * c[j];
            }
            yield return x;
        }
        yield return (double[])_shift.Clone();
        yield return (double[])_scale.Clone();
    }

    /// <inheritdoc />
    public void WriteBody(BinaryWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(Dimension);
        writer.Write(_centres.Length);
        writer.Write(Bandwidth);
        foreach (var v in _shift)
        {
            writer.Write(v);
        }
        foreach (var v in _scale)
        {
            writer.Write(v);
        }
        foreach (var c in _centres)
        {
            foreach (var v in c)
            {
                writer.Write(v);
            }
        }
        DensitySerializer.WriteParameters(writer, _parameters);
    }

    internal static GaussianKde ReadBody(BinaryReader reader)
    {
        var d = DensitySerializer.ReadCount(reader, "dimension", 1 << 16);
        var n = DensitySerializer.ReadCount(reader, "centre count", 1 << 24);
        DensitySerializer.CheckRemaining(reader, sizeof(double) * (1 + 2L * d) + sizeof(float) * (long)n * d, "kernel centres");
        var h = reader.ReadDouble();
        var shift = DensitySerializer.ReadDoubles(reader, d);
        var scale = DensitySerializer.ReadDoubles(reader, d);
        var centres = new float[n][];
        for (var i = 0; i < n; i++)
        {
            var c = new float[d];
            for (var j = 0; j < d; j++)
            {
                c[j] = reader.ReadSingle();
            }
            centres[i] = c;
        }
        var parameters = DensitySerializer.ReadParameters(reader);
        return new GaussianKde(centres, h, shift, scale, parameters);
    }
}
