namespace Mote.Core.Population.Densities;

internal static class PointChecks
{
    /// <summary>Checks that all points share one length ≥ 1 and hold only finite values; returns the length.</summary>
    public static int Dimension(IReadOnlyList<float[]> points, string what)
    {
        ArgumentNullException.ThrowIfNull(points);
        if (points.Count == 0)
        {
            throw new InsufficientDataException($"No points to fit the {what} to.");
        }
        var d = points[0]?.Length ?? 0;
        if (d == 0)
        {
            throw new ArgumentException($"Point 0 for the {what} is null or empty.", nameof(points));
        }
        for (var i = 0; i < points.Count; i++)
        {
            var p = points[i];
            if (p is null || p.Length != d)
            {
                throw new ArgumentException($"Point {i} for the {what} has length {p?.Length ?? 0}, expected {d}.", nameof(points));
            }
            foreach (var v in p)
            {
                if (!float.IsFinite(v))
                {
                    throw new ArgumentException($"Point {i} for the {what} holds a non-finite value.", nameof(points));
                }
            }
        }
        return d;
    }

    public static void CheckPoint(ReadOnlySpan<float> point, int dimension)
    {
        if (point.Length != dimension)
        {
            throw new ArgumentException($"The point has length {point.Length}, the density has dimension {dimension}.", nameof(point));
        }
    }
}
