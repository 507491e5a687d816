namespace Mote.Core.Population.Densities;

/// <summary>The kinds of density a population pack can hold (values are written to files; never renumber).</summary>
public enum DensityKind
{
    /// <summary>Gaussian kernel density: stores its kernel centres, i.e. the real input vectors.</summary>
    GaussianKde = 1,

    /// <summary>Mixture of shrinkage-covariance Gaussians: stores only weights, means and covariances.</summary>
    GaussianMixture = 2,

    /// <summary>
    /// Not a kind of density but a storage form of <see cref="GaussianMixture"/> (a serializer tag only): each covariance's
    /// lower triangle in float32, a quarter of the full double matrix, used from <see cref="DensitySerializer.PackedFromDimension"/>
    /// dimensions on (a 512-d backbone's pack: 13 MB instead of 52 MB).
    /// </summary>
    GaussianMixturePacked = 3,
}

/// <summary>
/// A fitted probability density over d-dimensional vectors. Immutable once fitted: sampling mutates only the
/// <see cref="Random"/> passed in, so a seed fixes the draws.
/// </summary>
public interface IDensity
{
    /// <summary>The kind, as written to files.</summary>
    DensityKind Kind { get; }

    /// <summary>The vector dimension d.</summary>
    int Dimension { get; }

    /// <summary>True when the density keeps input vectors themselves (a KDE's kernel centres).</summary>
    bool StoresRawVectors { get; }

    /// <summary>Fit diagnostics and parameters (bandwidth, component count, held-out scores…), invariant-culture strings.</summary>
    IReadOnlyDictionary<string, string> Parameters { get; }

    /// <summary>Draws <paramref name="count"/> vectors; advances <paramref name="random"/> and nothing else.</summary>
    float[][] Sample(int count, Random random);

    /// <summary>Natural-log density at <paramref name="point"/> (length <see cref="Dimension"/>).</summary>
    double LogLikelihood(ReadOnlySpan<float> point);

    /// <summary>Every vector the density stores (centres, means, covariance rows), for audits such as "is any input vector kept?".</summary>
    IEnumerable<double[]> StoredVectors();

    /// <summary>Writes the density's body (not its kind tag; see <see cref="DensitySerializer"/>).</summary>
    void WriteBody(BinaryWriter writer);
}

/// <summary>Fits one kind of <see cref="IDensity"/> to points.</summary>
public interface IDensityEstimator
{
    /// <summary>The kind of density produced.</summary>
    DensityKind Kind { get; }

    /// <summary>
    /// Fits a density to <paramref name="points"/> (all of one length; not mutated). <paramref name="random"/> drives
    /// fold and initialisation choices, so a seed fixes the result. Throws <see cref="InsufficientDataException"/>
    /// when there are too few points for this estimator.
    /// </summary>
    IDensity Fit(IReadOnlyList<float[]> points, Random random);

    /// <summary>The estimator's settings, recorded in a pack's provenance.</summary>
    IReadOnlyDictionary<string, string> Settings { get; }
}
