using System.Globalization;
using Mote.Core.Numerics;

namespace Mote.Core.Population.Packs;

/// <summary>One measured point of a group's real-impostor curve: the smallest score that accepts at most <c>Fmr</c> of the group's impostor pairs.</summary>
/// <param name="Fmr">The false-match rate (a grid value).</param>
/// <param name="Threshold">The threshold, in the calibration's <see cref="RealImpostorCalibration.Unit"/>.</param>
public sealed record CalibrationPoint(double Fmr, double Threshold);

/// <summary>A group's real-impostor curve.</summary>
/// <param name="Group">Group id (<c>all</c>, <c>female</c>, <c>female|white</c>, …).</param>
/// <param name="People">Distinct people of the group.</param>
/// <param name="Pairs">Same-group impostor pairs measured (each unordered pair once).</param>
/// <param name="Points">Thresholds at the grid rates that have at least 10/FMR pairs, highest rate first.</param>
public sealed record CalibrationGroup(string Group, int People, long Pairs, IReadOnlyList<CalibrationPoint> Points);

/// <summary>
/// How often real strangers reach a given cosine, measured when a pack is built on photos of distinct people who are
/// not among the pack's variation identities, per demographic group (same-group pairs: the impostors that look most
/// alike). Scalars only — thresholds at a grid of false-match rates — never a descriptor. The Gallery sets each person's
/// threshold from it, and reads any score back as "the false-match rate expected at this score" (the readable score).
/// It holds for populations like the one it was measured on: <see cref="Source"/> says which.
/// </summary>
/// <param name="Source">Where the people came from, in words (dataset, which photos).</param>
/// <param name="People">Distinct people measured.</param>
/// <param name="Groups">The curves, <c>all</c> first.</param>
/// <param name="Unit"><c>cosine</c> (descriptor pairs: vector templates) or <c>logit</c> (model-templates trained on some of the
/// people and scored on the others).</param>
/// <param name="Trainer">For <c>logit</c>: the trainer settings the templates were trained with (<see cref="Templates.TemplateTrainerOptions.Signature"/>);
/// the curve applies only to templates trained the same way. Null for <c>cosine</c>.</param>
public sealed record RealImpostorCalibration(string Source, int People, IReadOnlyList<CalibrationGroup> Groups, string Unit = RealImpostorCalibration.CosineUnit, string? Trainer = null)
{
    /// <summary>The unit of descriptor-pair calibrations.</summary>
    public const string CosineUnit = "cosine";

    /// <summary>The unit of model-template calibrations.</summary>
    public const string LogitUnit = "logit";

    /// <summary>The false-match rates thresholds are measured at.</summary>
    public static IReadOnlyList<double> Grid { get; } = [1e-1, 5e-2, 2e-2, 1e-2, 5e-3, 2e-3, 1e-3, 5e-4, 2e-4, 1e-4, 5e-5, 2e-5, 1e-5];

    /// <summary>Groups with fewer people are not measured (their rates would rest on a handful of faces).</summary>
    public const int MinimumPeople = 30;

    /// <summary>
    /// Measures the curves. Each person contributes one unit-normalised descriptor and the group ids they belong to
    /// (<c>all</c> is added for everyone). Every unordered pair of people is an impostor pair; a group's curve uses the pairs
    /// whose two people are both in it. Deterministic; nothing passed in is mutated.
    /// </summary>
    /// <param name="people">One row per distinct person.</param>
    /// <param name="source">Recorded as <see cref="Source"/>.</param>
    /// <param name="datasets">Optional: the dataset each person comes from. Pairs across datasets are then left out: two
    /// datasets can photograph the same person (UTKFace holds web photos of celebrities, LFW is celebrities), and such a
    /// pair is a true match, not an impostor.</param>
    /// <exception cref="ArgumentException">Fewer than <see cref="MinimumPeople"/> people, or descriptors of mixed length.</exception>
    public static RealImpostorCalibration Measure(IReadOnlyList<(float[] Unit, IReadOnlyList<string> Groups)> people, string source, IReadOnlyList<int>? datasets = null)
    {
        ArgumentNullException.ThrowIfNull(people);
        if (people.Count < MinimumPeople)
        {
            throw new ArgumentException($"A real-impostor calibration needs at least {MinimumPeople} distinct people; got {people.Count}.", nameof(people));
        }

        var d = people[0].Unit.Length;
        if (people.Any(p => p.Unit.Length != d))
        {
            throw new ArgumentException("The calibration descriptors have mixed lengths.", nameof(people));
        }

        CheckDatasets(datasets, people.Count);
        var memberships = Memberships(people.Select(p => p.Groups).ToArray());
        var groups = new List<CalibrationGroup>();
        foreach (var group in GroupIds(memberships))
        {
            var members = Enumerable.Range(0, people.Count).Where(i => memberships[i].Contains(group, StringComparer.Ordinal)).ToArray();
            var scores = new float[(long)members.Length * (members.Length - 1) / 2];
            long k = 0;
            for (var a = 0; a < members.Length; a++)
            {
                var x = people[members[a]].Unit;
                for (var b = a + 1; b < members.Length; b++)
                {
                    if (datasets is null || datasets[members[a]] == datasets[members[b]])
                    {
                        scores[k++] = Kernels.Dot(x, people[members[b]].Unit);
                    }
                }
            }

            Array.Resize(ref scores, (int)k);
            if (Curve(group, members.Length, scores) is { } curve)
            {
                groups.Add(curve);
            }
        }

        return new RealImpostorCalibration(source, people.Count, groups);
    }

    /// <summary>
    /// Measures logit curves of model-templates: <paramref name="logits"/>[t][p] is template t's logit for person p's photo
    /// (t indexes <paramref name="templatePeople"/>, p every person; pairs with t's own person are skipped). A group's curve
    /// uses pairs whose template and probe person are both in it; with <paramref name="datasets"/>, only pairs from one
    /// dataset (as <see cref="Measure"/>).
    /// </summary>
    public static RealImpostorCalibration MeasureLogits(
        IReadOnlyList<IReadOnlyList<string>> groupsOfPeople, IReadOnlyList<int> templatePeople, float[][] logits, string source, string trainer,
        IReadOnlyList<int>? datasets = null)
    {
        ArgumentNullException.ThrowIfNull(groupsOfPeople);
        ArgumentNullException.ThrowIfNull(templatePeople);
        ArgumentNullException.ThrowIfNull(logits);
        CheckDatasets(datasets, groupsOfPeople.Count);
        var memberships = Memberships(groupsOfPeople);
        var groups = new List<CalibrationGroup>();
        foreach (var group in GroupIds(memberships))
        {
            var scores = new List<float>();
            var templates = 0;
            for (var t = 0; t < templatePeople.Count; t++)
            {
                if (!memberships[templatePeople[t]].Contains(group, StringComparer.Ordinal))
                {
                    continue;
                }

                templates++;
                for (var p = 0; p < memberships.Length; p++)
                {
                    if (p != templatePeople[t] && memberships[p].Contains(group, StringComparer.Ordinal)
                        && (datasets is null || datasets[p] == datasets[templatePeople[t]]))
                    {
                        scores.Add(logits[t][p]);
                    }
                }
            }

            if (templates >= 5 && Curve(group, templates, scores.ToArray()) is { } curve)
            {
                groups.Add(curve);
            }
        }

        return new RealImpostorCalibration(source, groupsOfPeople.Count, groups, LogitUnit, trainer);
    }

    private static void CheckDatasets(IReadOnlyList<int>? datasets, int people)
    {
        if (datasets is not null && datasets.Count != people)
        {
            throw new ArgumentException($"One dataset index per person is needed; got {datasets.Count} for {people} people.", nameof(datasets));
        }
    }

    private static string[][] Memberships(IReadOnlyList<IReadOnlyList<string>> groups) =>
        groups.Select(g => g.Prepend(DemographicGroup.AllId).Distinct(StringComparer.Ordinal).ToArray()).ToArray();

    private static string[] GroupIds(string[][] memberships) =>
        memberships.SelectMany(m => m).Distinct(StringComparer.Ordinal)
            .Where(g => memberships.Count(m => m.Contains(g, StringComparer.Ordinal)) >= MinimumPeople)
            .OrderBy(g => g == DemographicGroup.AllId ? 0 : 1).ThenBy(g => g, StringComparer.Ordinal).ToArray();

    private static CalibrationGroup? Curve(string group, int people, float[] scores)
    {
        Array.Sort(scores);
        Array.Reverse(scores);
        var points = new List<CalibrationPoint>();
        foreach (var fmr in Grid)
        {
            if (scores.Length < 10 / fmr)
            {
                break;
            }

            // Just above the (⌊fmr·n⌋+1)-th highest score, as ThresholdCalibration does: never more than fmr·n accepted.
            var index = (long)Math.Floor(fmr * scores.Length);
            points.Add(new CalibrationPoint(fmr, MathF.BitIncrement(scores[Math.Min(index, scores.Length - 1)])));
        }

        return points.Count > 0 ? new CalibrationGroup(group, people, scores.Length, points) : null;
    }

    /// <summary>The group's curve, or null when it was not measured.</summary>
    public CalibrationGroup? Find(string group) => Groups.FirstOrDefault(g => string.Equals(g.Group, group, StringComparison.Ordinal));

    /// <summary>
    /// The most specific measured group for a person that reaches <paramref name="fmr"/>: gender|ethnicity|age band, then
    /// gender|ethnicity, gender, and finally <c>all</c>. Unknown parts are skipped.
    /// </summary>
    public CalibrationGroup GroupFor(Gender? gender, Ethnicity? ethnicity, AgeBand? ageBand, double fmr)
    {
        var candidates = new[]
        {
            new DemographicGroup(gender, ethnicity, ageBand),
            new DemographicGroup(gender, ethnicity, null),
            new DemographicGroup(gender, null, null),
        };
        foreach (var candidate in candidates)
        {
            if (candidate == DemographicGroup.All)
            {
                continue;
            }

            if (Find(candidate.Id) is { } found && ThresholdAt(found, fmr) is not null)
            {
                return found;
            }
        }

        return Find(DemographicGroup.AllId) ?? Groups[0];
    }

    /// <summary>The threshold policies (see <see cref="ThresholdFor"/>).</summary>
    public static IReadOnlyList<string> Policies { get; } = ["own group", "worst group"];

    /// <summary>
    /// A person's threshold at <paramref name="fmr"/> under <paramref name="policy"/>: <c>own group</c>, the person's most
    /// specific measured group (<see cref="GroupFor"/>); <c>worst group</c>, the highest over every group
    /// (<see cref="WorstThresholdAt"/>). Null when the calibration cannot reach the rate.
    /// </summary>
    public double? ThresholdFor(string policy, Gender? gender, Ethnicity? ethnicity, AgeBand? ageBand, double fmr) =>
        policy == "worst group" ? WorstThresholdAt(fmr) : ThresholdAt(GroupFor(gender, ethnicity, ageBand, fmr), fmr);

    /// <summary>The largest threshold over every measured group that reaches <paramref name="fmr"/> (the worst-group policy), or null.</summary>
    public double? WorstThresholdAt(double fmr) =>
        Groups.Select(g => ThresholdAt(g, fmr)).Where(c => c is not null).Max();

    /// <summary>
    /// The threshold at <paramref name="fmr"/> for <paramref name="group"/>, interpolated linearly in log FMR between
    /// grid points; null when the rate is below the group's lowest measured point (too few pairs to know).
    /// </summary>
    public static double? ThresholdAt(CalibrationGroup group, double fmr)
    {
        ArgumentNullException.ThrowIfNull(group);
        if (!(fmr > 0 && fmr < 1) || group.Points.Count == 0)
        {
            return null;
        }

        var points = group.Points;
        if (fmr >= points[0].Fmr)
        {
            return points[0].Threshold;
        }

        for (var i = 1; i < points.Count; i++)
        {
            if (fmr >= points[i].Fmr)
            {
                var t = (Math.Log(fmr) - Math.Log(points[i - 1].Fmr)) / (Math.Log(points[i].Fmr) - Math.Log(points[i - 1].Fmr));
                return points[i - 1].Threshold + (t * (points[i].Threshold - points[i - 1].Threshold));
            }
        }

        return null;
    }

    /// <summary>
    /// The false-match rate expected at score <paramref name="cosine"/> (in the calibration's unit) for <paramref name="group"/> (log-linear between grid
    /// points). Above the highest measured threshold it returns the group's lowest measured rate with
    /// <paramref name="atMost"/> = true (the rate is at most that); below the lowest threshold, the highest grid rate.
    /// </summary>
    public static double FmrAt(CalibrationGroup group, double cosine, out bool atMost)
    {
        ArgumentNullException.ThrowIfNull(group);
        atMost = false;
        var points = group.Points;
        if (points.Count == 0)
        {
            atMost = true;
            return 1;
        }

        if (cosine <= points[0].Threshold)
        {
            return points[0].Fmr;
        }

        for (var i = 1; i < points.Count; i++)
        {
            if (cosine <= points[i].Threshold)
            {
                var span = points[i].Threshold - points[i - 1].Threshold;
                var t = span > 0 ? (cosine - points[i - 1].Threshold) / span : 1;
                return Math.Exp(Math.Log(points[i - 1].Fmr) + (t * (Math.Log(points[i].Fmr) - Math.Log(points[i - 1].Fmr))));
            }
        }

        atMost = true;
        return points[^1].Fmr;
    }

    /// <summary>One line per group for logs and the pack's description.</summary>
    public override string ToString() => string.Join("; ", Groups.Select(g => string.Create(CultureInfo.InvariantCulture,
        $"{g.Group}: {g.People} people, {g.Pairs:N0} pairs, {Unit} {ThresholdAt(g, 1e-3)?.ToString("F3", CultureInfo.InvariantCulture) ?? "–"} at FMR 1e-3")));
}
