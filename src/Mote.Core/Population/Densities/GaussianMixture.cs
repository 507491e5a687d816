using System.Globalization;

namespace Mote.Core.Population.Densities;

/// <summary>
/// A mixture of full-covariance Gaussians. It stores <b>only</b> component weights, means and covariances — no input
/// vector — and its estimator refuses any component whose responsibilities have an effective sample size under a
/// minimum (default 20), so no mean sits on one person's vector. Sampling draws a component by weight, then
/// μ + L·z with L the Cholesky factor of the covariance and z standard normal.
/// </summary>
public sealed class GaussianMixture : IDensity
{
    private readonly double[] _weights;
    private readonly double[][] _means;
    private readonly double[][] _covariances;
    private readonly double[][] _cholesky;
    private readonly double[] _logDet;
    private readonly Dictionary<string, string> _parameters;

    /// <summary>Creates a mixture; covariances are row-major d×d and must be symmetric positive definite.</summary>
    public GaussianMixture(double[] weights, double[][] means, double[][] covariances, IDictionary<string, string>? parameters = null)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(means);
        ArgumentNullException.ThrowIfNull(covariances);
        var k = weights.Length;
        if (k == 0 || means.Length != k || covariances.Length != k)
        {
            throw new ArgumentException($"A mixture needs ≥ 1 component with one weight, mean and covariance each (got {weights.Length}, {means.Length}, {covariances.Length}).");
        }
        var d = means[0].Length;
        if (d == 0 || means.Any(m => m.Length != d) || covariances.Any(c => c.Length != d * d))
        {
            throw new ArgumentException("Mixture means and covariances disagree in dimension.");
        }
        if (weights.Any(w => !(w > 0) || !double.IsFinite(w)) || means.Any(m => m.Any(v => !double.IsFinite(v))))
        {
            throw new ArgumentException("Mixture weights must be positive and means finite.");
        }
        var total = weights.Sum();
        Dimension = d;
        _weights = weights.Select(w => w / total).ToArray();
        // Copies: the caller's arrays must not be able to change a fitted density.
        _means = means.Select(m => (double[])m.Clone()).ToArray();
        _covariances = covariances.Select(c => (double[])c.Clone()).ToArray();
        _cholesky = new double[k][];
        _logDet = new double[k];
        for (var c = 0; c < k; c++)
        {
            var l = (double[])covariances[c].Clone();
            if (!DensityMath.TryCholesky(l, d))
            {
                throw new ArgumentException($"The covariance of mixture component {c} is not positive definite.", nameof(covariances));
            }
            _cholesky[c] = l;
            var logDet = 0.0;
            for (var j = 0; j < d; j++)
            {
                logDet += 2 * Math.Log(l[j * d + j]);
            }
            _logDet[c] = logDet;
        }
        _parameters = new Dictionary<string, string>(parameters ?? new Dictionary<string, string>(), StringComparer.Ordinal)
        {
            ["components"] = k.ToString(CultureInfo.InvariantCulture),
        };
    }

    /// <inheritdoc />
    public DensityKind Kind => DensityKind.GaussianMixture;

    /// <inheritdoc />
    public int Dimension { get; }

    /// <summary>Always false: only weights, means and covariances are stored.</summary>
    public bool StoresRawVectors => false;

    /// <summary>Number of components.</summary>
    public int ComponentCount => _weights.Length;

    /// <summary>Normalised component weights.</summary>
    public IReadOnlyList<double> Weights => _weights;

    /// <summary>Component means (copies).</summary>
    public double[] Mean(int component) => (double[])_means[component].Clone();

    /// <summary>Component covariance, row-major d×d (copy).</summary>
    public double[] Covariance(int component) => (double[])_covariances[component].Clone();

    /// <inheritdoc />
    public IReadOnlyDictionary<string, string> Parameters => _parameters;

    /// <inheritdoc />
    public float[][] Sample(int count, Random random)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentNullException.ThrowIfNull(random);
        var d = Dimension;
        var result = new float[count][];
        var zs = new double[d];
        for (var s = 0; s < count; s++)
        {
            var c = PickComponent(random.NextDouble());
            for (var j = 0; j < d; j++)
            {
                zs[j] = random.NextGaussian();
            }
            var l = _cholesky[c];
            var m = _means[c];
            var x = new float[d];
            for (var i = 0; i < d; i++)
            {
                x[i] = (float)(m[i] + DensityMath.Dot(l.AsSpan(i * d, i + 1), zs.AsSpan(0, i + 1)));
            }
            result[s] = x;
        }
        return result;
    }

    private int PickComponent(double u)
    {
        var acc = 0.0;
        for (var c = 0; c < _weights.Length - 1; c++)
        {
            acc += _weights[c];
            if (u < acc)
            {
                return c;
            }
        }
        return _weights.Length - 1;
    }

    /// <inheritdoc />
    public double LogLikelihood(ReadOnlySpan<float> point)
    {
        PointChecks.CheckPoint(point, Dimension);
        var x = new double[Dimension];
        for (var j = 0; j < Dimension; j++)
        {
            x[j] = point[j];
        }
        var terms = new double[_weights.Length];
        var buffer = new double[Dimension];
        for (var c = 0; c < _weights.Length; c++)
        {
            terms[c] = Math.Log(_weights[c]) + ComponentLogDensity(c, x, buffer);
        }
        return DensityMath.LogSumExp(terms);
    }

    /// <summary>log N(x; μ_c, Σ_c); <paramref name="buffer"/> (length d) is overwritten.</summary>
    internal double ComponentLogDensity(int c, ReadOnlySpan<double> x, Span<double> buffer)
    {
        var d = Dimension;
        var m = _means[c];
        for (var j = 0; j < d; j++)
        {
            buffer[j] = x[j] - m[j];
        }
        DensityMath.ForwardSolve(_cholesky[c], d, buffer);
        var maha = DensityMath.Dot(buffer, buffer);
        return -0.5 * (d * DensityMath.Log2Pi + _logDet[c] + maha);
    }

    /// <inheritdoc />
    public IEnumerable<double[]> StoredVectors()
    {
        yield return (double[])_weights.Clone();
        var d = Dimension;
        for (var c = 0; c < _weights.Length; c++)
        {
            yield return (double[])_means[c].Clone();
            for (var i = 0; i < d; i++)
            {
                yield return _covariances[c].AsSpan(i * d, d).ToArray();
            }
        }
    }

    /// <inheritdoc />
    public void WriteBody(BinaryWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(Dimension);
        writer.Write(_weights.Length);
        for (var c = 0; c < _weights.Length; c++)
        {
            writer.Write(_weights[c]);
            foreach (var v in _means[c])
            {
                writer.Write(v);
            }
            foreach (var v in _covariances[c])
            {
                writer.Write(v);
            }
        }
        DensitySerializer.WriteParameters(writer, _parameters);
    }

    internal static GaussianMixture ReadBody(BinaryReader reader)
    {
        var d = DensitySerializer.ReadCount(reader, "dimension", 1 << 12);
        var k = DensitySerializer.ReadCount(reader, "component count", 1 << 10);
        DensitySerializer.CheckRemaining(reader, (long)k * (1 + d + (long)d * d) * sizeof(double), "mixture parameters");
        return ReadComponents(reader, d, k, () => DensitySerializer.ReadDoubles(reader, d * d));
    }

    /// <summary>k components of weight, mean and covariance (read by <paramref name="readCovariance"/>), then the parameters.</summary>
    private static GaussianMixture ReadComponents(BinaryReader reader, int d, int k, Func<double[]> readCovariance)
    {
        var weights = new double[k];
        var means = new double[k][];
        var covs = new double[k][];
        for (var c = 0; c < k; c++)
        {
            weights[c] = reader.ReadDouble();
            means[c] = DensitySerializer.ReadDoubles(reader, d);
            covs[c] = readCovariance();
        }
        return new GaussianMixture(weights, means, covs, DensitySerializer.ReadParameters(reader));
    }

    /// <summary>
    /// Writes the body in the packed form (<see cref="DensityKind.GaussianMixturePacked"/>): weights and means as doubles, each
    /// covariance's lower triangle (row by row, diagonal included) as float32. Reading it back gives covariances within float32
    /// rounding (relative 6e-8) of these, still positive definite for the shrinkage covariances the estimator fits.
    /// </summary>
    internal void WritePackedBody(BinaryWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var d = Dimension;
        writer.Write(d);
        writer.Write(_weights.Length);
        for (var c = 0; c < _weights.Length; c++)
        {
            writer.Write(_weights[c]);
            foreach (var v in _means[c])
            {
                writer.Write(v);
            }
            var cov = _covariances[c];
            for (var i = 0; i < d; i++)
            {
                for (var j = 0; j <= i; j++)
                {
                    writer.Write((float)cov[i * d + j]);
                }
            }
        }
        DensitySerializer.WriteParameters(writer, _parameters);
    }

    internal static GaussianMixture ReadPackedBody(BinaryReader reader)
    {
        var d = DensitySerializer.ReadCount(reader, "dimension", 1 << 12);
        var k = DensitySerializer.ReadCount(reader, "component count", 1 << 10);
        var triangle = (long)d * (d + 1) / 2;
        DensitySerializer.CheckRemaining(reader, k * ((1 + (long)d) * sizeof(double) + triangle * sizeof(float)), "mixture parameters");
        return ReadComponents(reader, d, k, () =>
        {
            var cov = new double[d * d];
            for (var i = 0; i < d; i++)
            {
                for (var j = 0; j <= i; j++)
                {
                    cov[i * d + j] = cov[j * d + i] = reader.ReadSingle();
                }
            }
            return cov;
        });
    }
}
