using System.Globalization;
using System.Text;

namespace Mote.Core.Faces.Attributes;

/// <summary>Estimates whose confidence lies in [<paramref name="From"/>, <paramref name="To"/>) (the last bin includes 1).</summary>
/// <param name="From">Lower edge.</param>
/// <param name="To">Upper edge.</param>
/// <param name="Count">Estimates in the bin.</param>
/// <param name="Accuracy">Share of them that were right (NaN when empty).</param>
public sealed record ConfidenceBin(double From, double To, int Count, double Accuracy);

/// <summary>The estimates with confidence ≥ <paramref name="Cutoff"/>.</summary>
/// <param name="Cutoff">The candidate cutoff.</param>
/// <param name="Count">Estimates at or above it.</param>
/// <param name="Coverage">Their share of all estimates (how often the estimate would be used).</param>
/// <param name="Accuracy">Share of them that were right (NaN when none).</param>
public sealed record ConfidenceCut(double Cutoff, int Count, double Coverage, double Accuracy);

/// <summary>How an attribute's accuracy depends on the estimator's confidence, and the cutoff that reaches a target accuracy.</summary>
/// <param name="Attribute">The attribute.</param>
/// <param name="Total">Estimates measured.</param>
/// <param name="Accuracy">Accuracy over all of them.</param>
/// <param name="Bins">Accuracy by confidence, in tenths (empty bins included).</param>
/// <param name="Cuts">Accuracy and coverage of "confidence ≥ c" for each of <see cref="AttributeConfidenceCurve.Candidates"/>.</param>
/// <param name="Chosen">The smallest c whose estimates at or above it reach <see cref="AttributeConfidenceCurve.TargetAccuracy"/>
/// with at least <see cref="AttributeConfidenceCurve.MinimumCount"/> estimates; null when none does.</param>
public sealed record AttributeConfidenceCurve(
    EstimatedAttribute Attribute, int Total, double Accuracy, IReadOnlyList<ConfidenceBin> Bins, IReadOnlyList<ConfidenceCut> Cuts, ConfidenceCut? Chosen)
{
    /// <summary>The accuracy a cutoff must reach (<see cref="AttributeConfidence.TargetAccuracy"/>).</summary>
    public const double TargetAccuracy = AttributeConfidence.TargetAccuracy;

    /// <summary>Fewest estimates at or above a cutoff for it to be chosen: with fewer, a high accuracy is luck (30 right of 30 still leaves a 95 % interval down to 0.88).</summary>
    public const int MinimumCount = 30;

    /// <summary>
    /// The candidate cutoffs, smallest first: 0.00, 0.01, …, 0.99, then 0.991, …, 0.999 and 1 — gear's softmax puts many
    /// estimates above 0.99 (on 200 UTKFace faces 45 % of genders), so hundredths alone cannot tell them apart.
    /// </summary>
    public static IReadOnlyList<double> Candidates { get; } =
        [.. Enumerable.Range(0, 100).Select(h => h / 100.0), .. Enumerable.Range(991, 9).Select(t => t / 1000.0), 1.0];

    /// <summary>The cutoffs <see cref="Format"/> prints, besides the chosen one.</summary>
    public static IReadOnlyList<double> PrintedCutoffs { get; } = [0, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.97, 0.99, 0.995, 0.999];

    /// <summary>The curve of <paramref name="attribute"/> from (right, confidence) pairs (not modified).</summary>
    public static AttributeConfidenceCurve Of(EstimatedAttribute attribute, IReadOnlyList<(bool Right, double Confidence)> estimates)
    {
        ArgumentNullException.ThrowIfNull(estimates);
        var bins = new List<ConfidenceBin>(10);
        for (var i = 0; i < 10; i++)
        {
            var from = i / 10.0;
            var to = (i + 1) / 10.0;
            var inBin = estimates.Where(e => e.Confidence >= from && (e.Confidence < to || (i == 9 && e.Confidence <= to))).ToArray();
            bins.Add(new ConfidenceBin(from, to, inBin.Length, Share(inBin)));
        }

        var cuts = new List<ConfidenceCut>(Candidates.Count);
        ConfidenceCut? chosen = null;
        foreach (var c in Candidates)
        {
            var kept = estimates.Where(e => e.Confidence >= c).ToArray();
            var cut = new ConfidenceCut(c, kept.Length, estimates.Count == 0 ? double.NaN : kept.Length / (double)estimates.Count, Share(kept));
            cuts.Add(cut);
            if (chosen is null && cut.Count >= MinimumCount && cut.Accuracy >= TargetAccuracy)
            {
                chosen = cut;
            }
        }

        return new AttributeConfidenceCurve(attribute, estimates.Count, Share(estimates), bins, cuts, chosen);
    }

    /// <summary>
    /// The chosen cutoff's row within each true group (<c>gender=female</c>, <c>ethnicity=asian</c>, <c>age=60+</c>, …): how
    /// often the estimate would be used for that group's faces, and how often it is then right. Empty when none was chosen.
    /// </summary>
    public IReadOnlyList<(string Group, ConfidenceCut Cut)> ChosenByGroup { get; init; } = [];

    /// <summary>The curves of gender, ethnicity and age band over scored samples (not modified), with <see cref="ChosenByGroup"/>.</summary>
    public static IReadOnlyList<AttributeConfidenceCurve> Of(IReadOnlyList<(AttributeSample Truth, AttributeEstimate Estimate)> scored)
    {
        ArgumentNullException.ThrowIfNull(scored);
        return Enum.GetValues<EstimatedAttribute>().Select(attribute =>
        {
            var curve = Of(attribute, scored.Select(s => Judge(attribute, s)).ToArray());
            if (curve.Chosen is not { } chosen)
            {
                return curve;
            }

            var groups = new List<(string, Func<AttributeSample, bool>)>();
            groups.AddRange(AttributeVocabulary.Genders.Select(g => ($"gender={g}", (Func<AttributeSample, bool>)(t => t.Gender == g))));
            groups.AddRange(AttributeVocabulary.Ethnicities.Select(e => ($"ethnicity={e}", (Func<AttributeSample, bool>)(t => t.Ethnicity == e))));
            groups.AddRange(AttributeVocabulary.AgeBands.Select(b => ($"age={b}", (Func<AttributeSample, bool>)(t => AttributeVocabulary.AgeBandOf(t.AgeYears) == b))));
            return curve with
            {
                ChosenByGroup = groups.Select(g =>
                {
                    var inGroup = scored.Where(s => g.Item2(s.Truth)).Select(s => Judge(attribute, s)).ToArray();
                    var kept = inGroup.Where(e => e.Confidence >= chosen.Cutoff).ToArray();
                    return (g.Item1, new ConfidenceCut(chosen.Cutoff, kept.Length, inGroup.Length == 0 ? double.NaN : kept.Length / (double)inGroup.Length, Share(kept)));
                }).ToArray(),
            };
        }).ToArray();
    }

    private static (bool Right, double Confidence) Judge(EstimatedAttribute attribute, (AttributeSample Truth, AttributeEstimate Estimate) s) => attribute switch
    {
        EstimatedAttribute.Gender => (s.Truth.Gender == s.Estimate.Gender, s.Estimate.GenderProbability),
        EstimatedAttribute.Ethnicity => (s.Truth.Ethnicity == s.Estimate.Ethnicity, s.Estimate.EthnicityProbability),
        _ => (AttributeVocabulary.AgeBandOf(s.Truth.AgeYears) == s.Estimate.AgeBand, s.Estimate.AgeBandProbability),
    };

    /// <summary>The "confidence ≥ c" row of the candidate nearest <paramref name="cutoff"/>.</summary>
    public ConfidenceCut At(double cutoff) => Cuts.MinBy(c => Math.Abs(c.Cutoff - cutoff))!;

    /// <summary>Plain text: accuracy by confidence bin, then "confidence ≥ c" rows, then the chosen cutoff.</summary>
    public string Format()
    {
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.AppendLine(c, $"{Attribute}: n {Total}, accuracy {Accuracy:0.000}");
        text.AppendLine(c, $"  {"confidence",-12} {"n",6} {"accuracy",9}");
        foreach (var b in Bins.Where(b => b.Count > 0))
        {
            text.AppendLine(c, $"  {b.From:0.0}-{b.To:0.0}{"",5} {b.Count,6} {b.Accuracy,9:0.000}");
        }

        text.AppendLine(c, $"  {"conf. >= c",-12} {"n",6} {"accuracy",9} {"coverage",9}");
        var rows = PrintedCutoffs.Select(At).ToList();
        if (Chosen is not null && !rows.Contains(Chosen))
        {
            rows.Add(Chosen);
        }

        foreach (var r in rows.OrderBy(r => r.Cutoff))
        {
            text.AppendLine(c, $"  {r.Cutoff,-12:0.00#} {r.Count,6} {r.Accuracy,9:0.000} {r.Coverage,9:0.000}{(r == Chosen ? "  <- cutoff" : "")}");
        }

        text.AppendLine(Chosen is { } chosen
            ? string.Create(c, $"  smallest cutoff with accuracy >= {TargetAccuracy:0.00}: {chosen.Cutoff:0.00#} (accuracy {chosen.Accuracy:0.000}, coverage {chosen.Coverage:0.000}, n {chosen.Count})")
            : string.Create(c, $"  no cutoff reaches accuracy {TargetAccuracy:0.00} with at least {MinimumCount} estimates"));
        if (ChosenByGroup.Count > 0)
        {
            text.AppendLine(c, $"  at that cutoff, by true group: {"n >= c",7} {"accuracy",9} {"coverage",9}");
            foreach (var (group, cut) in ChosenByGroup)
            {
                text.AppendLine(c, $"  {group,-31} {cut.Count,7} {cut.Accuracy,9:0.000} {cut.Coverage,9:0.000}");
            }
        }
        return text.ToString();
    }

    private static double Share(IReadOnlyCollection<(bool Right, double Confidence)> estimates) =>
        estimates.Count == 0 ? double.NaN : estimates.Count(e => e.Right) / (double)estimates.Count;
}
