using System.Globalization;

namespace Mote.Core.Evaluation;

/// <summary>
/// The axis mapping of every DET plot we draw (the portal's SVG chart and the compliance PDF): FMR and FNMR both on
/// log10 axes from <see cref="MinRate"/> to 1, so the two renderings of one run read the same. A rate of 0 (no error
/// at that threshold) or below <see cref="MinRate"/> sits on the axis's low edge.
/// </summary>
public static class DetAxis
{
    /// <summary>
    /// The low end of both axes, 1e-5 (the portal chart's range since it was first drawn): about the finest FMR the
    /// 100-identity lfw-dev run resolves (one of its 66,627 impostor pairs is 1.5e-5); finer rates sit on the edge.
    /// </summary>
    public const double MinRate = 1e-5;

    /// <summary>The gridlines and tick labels, one per decade from <see cref="MinRate"/> to 1.</summary>
    public static IReadOnlyList<double> Decades { get; } = [1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1];

    /// <summary>Where <paramref name="rate"/> sits along an axis: 0 at <see cref="MinRate"/> (and below), 1 at a rate of 1.</summary>
    public static double Position(double rate) =>
        Math.Clamp((Math.Log10(Math.Max(rate, MinRate)) - Math.Log10(MinRate)) / -Math.Log10(MinRate), 0, 1);

    /// <summary>A decade's tick label: "1", "0.1", "0.01", "0.001", then "1e-4", "1e-5".</summary>
    public static string Label(double decade) =>
        decade >= 1 ? "1"
        : decade.ToString("0.#####", CultureInfo.InvariantCulture) is { Length: <= 5 } s ? s
        : string.Create(CultureInfo.InvariantCulture, $"1e{Math.Log10(decade):0}");
}
