using Mote.Core.Imaging;

namespace Mote.Core.Faces.Alignment;

/// <summary>
/// A 2-D similarity transform (uniform scale, rotation, translation; no reflection, no shear):
/// <c>x' = A·x − B·y + Tx</c>, <c>y' = B·x + A·y + Ty</c>, i.e. multiplication by the complex number
/// <c>A + iB</c> followed by a shift.
/// </summary>
/// <param name="A">Scale times cosine of the rotation.</param>
/// <param name="B">Scale times sine of the rotation (positive turns +x towards +y, clockwise on screen).</param>
/// <param name="Tx">Translation in x.</param>
/// <param name="Ty">Translation in y.</param>
public readonly record struct SimilarityTransform(double A, double B, double Tx, double Ty)
{
    /// <summary>The transform that leaves every point where it is.</summary>
    public static SimilarityTransform Identity => new(1, 0, 0, 0);

    /// <summary>Uniform scale factor.</summary>
    public double Scale => Math.Sqrt((A * A) + (B * B));

    /// <summary>Rotation in radians, in (−π, π].</summary>
    public double RotationRadians => Math.Atan2(B, A);

    /// <summary>Builds a transform from scale, rotation (radians) and translation.</summary>
    public static SimilarityTransform FromParameters(double scale, double rotationRadians, double tx, double ty) =>
        new(scale * Math.Cos(rotationRadians), scale * Math.Sin(rotationRadians), tx, ty);

    /// <summary>Maps <paramref name="point"/>.</summary>
    public Point2D Apply(Point2D point) => new((A * point.X) - (B * point.Y) + Tx, (B * point.X) + (A * point.Y) + Ty);

    /// <summary>The inverse transform.</summary>
    /// <exception cref="InvalidOperationException">The scale is zero.</exception>
    public SimilarityTransform Invert()
    {
        var s2 = (A * A) + (B * B);
        if (s2 == 0 || !double.IsFinite(s2))
        {
            throw new InvalidOperationException($"A similarity transform with scale {Math.Sqrt(s2)} cannot be inverted.");
        }

        var a = A / s2;
        var b = -B / s2;
        return new SimilarityTransform(a, b, -((a * Tx) - (b * Ty)), -((b * Tx) + (a * Ty)));
    }

    /// <summary>The transform that applies this one first, then <paramref name="next"/>.</summary>
    public SimilarityTransform Then(SimilarityTransform next) => new(
        (next.A * A) - (next.B * B),
        (next.B * A) + (next.A * B),
        (next.A * Tx) - (next.B * Ty) + next.Tx,
        (next.B * Tx) + (next.A * Ty) + next.Ty);

    /// <summary>
    /// The least-squares similarity transform mapping <paramref name="source"/> onto
    /// <paramref name="target"/> (Umeyama 1991, reflection excluded): minimises
    /// <c>Σ |T(source_i) − target_i|²</c>.
    /// </summary>
    /// <remarks>
    /// In 2-D, Umeyama's SVD solution with the reflection excluded reduces to a closed form: with centred
    /// points p, q written as complex numbers, the scaled rotation is <c>Σ conj(p)·q / Σ |p|²</c> and the
    /// translation maps the source centroid onto the target centroid. It solves the same problem as
    /// scikit-image's <c>SimilarityTransform.estimate</c> (Umeyama with reflection excluded), which
    /// InsightFace's <c>norm_crop</c> uses.
    /// </remarks>
    /// <exception cref="ArgumentException">
    /// Fewer than two points, different counts, a non-finite coordinate, or all source points in one place.
    /// </exception>
    public static SimilarityTransform Estimate(IReadOnlyList<Point2D> source, IReadOnlyList<Point2D> target)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        if (source.Count != target.Count)
        {
            throw new ArgumentException($"Source has {source.Count} points but target has {target.Count}; they must correspond one to one.", nameof(target));
        }

        if (source.Count < 2)
        {
            throw new ArgumentException($"A similarity transform needs at least 2 point pairs; {source.Count} were given.", nameof(source));
        }

        var n = source.Count;
        double spx = 0, spy = 0, sqx = 0, sqy = 0;
        for (var i = 0; i < n; i++)
        {
            if (!double.IsFinite(source[i].X) || !double.IsFinite(source[i].Y) || !double.IsFinite(target[i].X) || !double.IsFinite(target[i].Y))
            {
                throw new ArgumentException($"Point pair {i} has a non-finite coordinate ({source[i]} → {target[i]}).", nameof(source));
            }

            spx += source[i].X;
            spy += source[i].Y;
            sqx += target[i].X;
            sqy += target[i].Y;
        }

        var mpx = spx / n;
        var mpy = spy / n;
        var mqx = sqx / n;
        var mqy = sqy / n;

        double variance = 0, re = 0, im = 0;
        for (var i = 0; i < n; i++)
        {
            var px = source[i].X - mpx;
            var py = source[i].Y - mpy;
            var qx = target[i].X - mqx;
            var qy = target[i].Y - mqy;
            variance += (px * px) + (py * py);
            re += (px * qx) + (py * qy);
            im += (px * qy) - (py * qx);
        }

        // Relative test: source points closer together than 1e-9 of their magnitude define no scale.
        var magnitude = Math.Max(1.0, (mpx * mpx) + (mpy * mpy));
        if (variance <= 1e-18 * magnitude * n)
        {
            throw new ArgumentException("All source points coincide; a scale and rotation cannot be estimated from them.", nameof(source));
        }

        var a = re / variance;
        var b = im / variance;
        return new SimilarityTransform(a, b, mqx - ((a * mpx) - (b * mpy)), mqy - ((b * mpx) + (a * mpy)));
    }

    /// <summary>Root-mean-square distance between the mapped <paramref name="source"/> points and <paramref name="target"/>.</summary>
    /// <exception cref="ArgumentException">The lists differ in length or are empty.</exception>
    public double RootMeanSquareError(IReadOnlyList<Point2D> source, IReadOnlyList<Point2D> target)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        if (source.Count != target.Count || source.Count == 0)
        {
            throw new ArgumentException($"Need the same non-zero number of points; got {source.Count} and {target.Count}.", nameof(target));
        }

        double sum = 0;
        for (var i = 0; i < source.Count; i++)
        {
            var d = Apply(source[i]).DistanceTo(target[i]);
            sum += d * d;
        }

        return Math.Sqrt(sum / source.Count);
    }
}
