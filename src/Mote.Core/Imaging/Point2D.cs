namespace Mote.Core.Imaging;

/// <summary>
/// A point in pixel coordinates: x to the right, y down, integer values at pixel centres (the
/// OpenCV/InsightFace convention, in which the published templates are given).
/// </summary>
/// <param name="X">Column coordinate in pixels.</param>
/// <param name="Y">Row coordinate in pixels.</param>
public readonly record struct Point2D(double X, double Y)
{
    /// <summary>Euclidean distance to <paramref name="other"/>.</summary>
    public double DistanceTo(Point2D other) => Math.Sqrt(((X - other.X) * (X - other.X)) + ((Y - other.Y) * (Y - other.Y)));
}
