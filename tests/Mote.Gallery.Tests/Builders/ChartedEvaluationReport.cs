using Mote.Core.Evaluation;
using Mote.Gallery.Tests.Evaluations;

namespace Mote.Gallery.Tests.Builders;

/// <summary>
/// An evaluation report with the curves the compliance PDF draws: DET curves of 21 points per kind and per gender
/// group of each kind, a three-setting balance sweep, and 30-bin score histograms of both kinds. Built on
/// <see cref="EvaluationRunTests.Report"/> (same run settings and headline figures).
/// </summary>
internal static class ChartedEvaluationReport
{
    public static EvaluationReport Build()
    {
        var baseline = EvaluationRunTests.Report();
        return baseline with
        {
            Recognition = baseline.Recognition.Select(k => k with { Det = Det(k.Kind == "model" ? 0.03 : 0.015) }).ToArray(),
            Fairness =
            [
                Fairness(baseline.Fairness[0], "model", 0.04, 0.025),
                Fairness(baseline.Fairness[0], "vector", 0.02, 0.012),
            ],
            Sweep =
            [
                Setting(0, 0.0008, 0.06, 0.0015, 0.03),
                Setting(0.5, 0.001, 0.05, 0.001, 0.035),
                Setting(1, 0.002, 0.04, 0.0008, 0.045),
            ],
            Distributions = [Histogram("model", -20, 10, genuineAt: 0.8, impostorAt: 0.25), Histogram("vector", -0.2, 1, genuineAt: 0.85, impostorAt: 0.3)],
        };
    }

    /// <summary>A DET curve FNMR = a · FMR^-0.3 (capped at 1) at FMR 1e-5 … 1 in quarter decades.</summary>
    private static ErrorPoint[] Det(double a) =>
        Enumerable.Range(0, 21).Select(i => Math.Pow(10, -5 + (i * 0.25)))
            .Select((fmr, i) => new ErrorPoint(1 - (i / 20.0), fmr, Math.Min(1, a * Math.Pow(fmr, -0.3)))).ToArray();

    private static AttributeFairness Fairness(AttributeFairness template, string kind, double female, double male) =>
        template with
        {
            Kind = kind,
            Groups = [template.Groups[0] with { Det = Det(female) }, template.Groups[1] with { Det = Det(male) }],
        };

    private static SweepSetting Setting(double share, double femaleFmr, double femaleFnmr, double maleFmr, double maleFnmr) =>
        new(share, 20, 0.5, new ErrorPoint(0.5, 0.001, (femaleFnmr + maleFnmr) / 2),
            [
                new GroupRates("female", 10, 40, 900, Interval(femaleFmr), Interval(femaleFnmr), [], null),
                new GroupRates("male", 10, 40, 900, Interval(maleFmr), Interval(maleFnmr), [], null),
            ],
            0.97, 0.2, 12);

    private static RateInterval Interval(double value) => new(value, value * 0.5, value * 1.6);

    /// <summary>Two bell-shaped histograms over 30 bins, centred at the given fractions of the range, each summing to 1.</summary>
    private static ScoreHistogram Histogram(string kind, double min, double max, double genuineAt, double impostorAt)
    {
        double[] Bell(double centre)
        {
            var raw = Enumerable.Range(0, 30).Select(i => Math.Exp(-Math.Pow((((i + 0.5) / 30) - centre) / 0.08, 2) / 2)).ToArray();
            var sum = raw.Sum();
            return raw.Select(v => v / sum).ToArray();
        }

        return new ScoreHistogram(kind, min, max, Bell(genuineAt), Bell(impostorAt));
    }
}
