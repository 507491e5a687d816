using System.Collections.Concurrent;
using Mote.Core.Population;
using Mote.Core.Population.Packs;
using Mote.Core.Population.Sampling;
using Mote.Core.Templates;

namespace Mote.Core.Evaluation;

/// <summary>One person × group case of the balance-knob check.</summary>
/// <param name="Person">Index of the reference.</param>
/// <param name="Group">The raised negative group.</param>
/// <param name="BaselineFmr">FMR against held-out synthetic impostors of the group at the operating point, equal balance (by construction ≈ <see cref="BalanceKnobReport.OperatingFmr"/>).</param>
/// <param name="RaisedFmr">The same impostors and operating point, with the group's negative weight raised.</param>
/// <param name="BaselineMeanLogit">Mean logit of those impostors, equal balance.</param>
/// <param name="RaisedMeanLogit">Mean logit of those impostors, raised.</param>
/// <param name="Lowered">RaisedFmr &lt; BaselineFmr.</param>
/// <param name="Real">The same comparison on real impostors of the group, when the check was given some.</param>
public sealed record BalanceKnobCase(int Person, string Group, double BaselineFmr, double RaisedFmr, double BaselineMeanLogit, double RaisedMeanLogit, bool Lowered, BalanceKnobRealCase? Real = null);

/// <summary>One case measured on real faces of the raised group (not the pack's synthetic draws).</summary>
/// <param name="Impostors">Real impostors of the group scored.</param>
/// <param name="BaselineFmr">Their FMR at the logit where the equal-balance template accepts the operating share of them.</param>
/// <param name="RaisedFmr">Their FMR at the same logit, raised.</param>
/// <param name="Lowered">RaisedFmr &lt; BaselineFmr.</param>
public sealed record BalanceKnobRealCase(int Impostors, double BaselineFmr, double RaisedFmr, bool Lowered);

/// <summary>What the check found.</summary>
/// <param name="People">References checked.</param>
/// <param name="Groups">The groups raised (the pack's largest negative groups).</param>
/// <param name="Multiplier">How many times the equal weight the raised group gets.</param>
/// <param name="OperatingFmr">The operating point: the logit at which the equal-balance template accepts this share of the group's held-out impostors.</param>
/// <param name="ImpostorsPerGroup">Held-out synthetic impostors per group (a seed apart from training).</param>
/// <param name="Cases">Every person × group.</param>
public sealed record BalanceKnobReport(int People, IReadOnlyList<string> Groups, double Multiplier, double OperatingFmr, int ImpostorsPerGroup, IReadOnlyList<BalanceKnobCase> Cases)
{
    /// <summary>Share of cases where raising the group's weight lowered the person's FMR against it.</summary>
    public double LoweredShare => Cases.Count == 0 ? 0 : Cases.Count(c => c.Lowered) / (double)Cases.Count;

    /// <summary>Cases measured on real impostors of their group.</summary>
    public int RealCases => Cases.Count(c => c.Real is not null);

    /// <summary>Share of <see cref="RealCases"/> where raising lowered the FMR against real faces of the group (0 when none).</summary>
    public double RealLoweredShare => RealCases == 0 ? 0 : Cases.Count(c => c.Real is { Lowered: true }) / (double)RealCases;
}

/// <summary>
/// Does the per-person balance do what its label says? For each reference and each of the pack's largest negative groups,
/// a template is trained with the equal balance and one with that group's negative weight raised; both are scored on the
/// same held-out synthetic impostors of the group (and, when given, real faces of the group), at the logit where the equal-balance template accepts
/// <see cref="BalanceKnobReport.OperatingFmr"/> of them (a fixed operating point: the product's real-impostor threshold does
/// not depend on the balance, and synthetic impostors rarely reach it, so at that threshold both rates are usually 0).
/// Issue 17 asks that raising lowers the FMR in ≥ 80 % of ≥ 50 people × 3 groups.
/// </summary>
public static class BalanceKnobCheck
{
    /// <summary>Runs the check. Deterministic for a seed; trains 1 + groups templates per reference. A raised template gets
    /// the guards its balance asks for (<see cref="BalanceGuards"/>, <see cref="TemplateTrainerOptions.GuardStrength"/>), as
    /// the Gallery trains it. <c>realImpostors</c>: unit descriptors of real faces per group id (e.g. UTKFace photos labelled
    /// with the group), each scored as a second impostor set; groups not listed are checked on synthetic impostors only.</summary>
    public static BalanceKnobReport Run(
        IReadOnlyList<float[]> references, PopulationPack pack, TemplateTrainerOptions trainer, TrainingSetOptions? sampling = null, int groups = 3, double multiplier = 3,
        double operatingFmr = 0.01, int impostorsPerGroup = 2000, int seed = 1, int parallelism = 1, IProgress<(int Done, int Total)>? progress = null,
        IReadOnlyDictionary<string, float[][]>? realImpostors = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(references);
        ArgumentNullException.ThrowIfNull(pack);
        var largest = LargestGroups(pack, groups);
        var sampler = new TrainingSetSampler(pack);
        var impostors = largest.Select((g, k) => Flatten(sampler.SampleImpostors(g, impostorsPerGroup, seed * 7919 + 104_729 + k), pack.Dimension)).ToArray();
        var equal = Balance.EqualOver(pack);
        var model = new TemplateTrainer(trainer);
        var provenance = new ModelTemplateProvenance(new BackboneIdentity(pack.BackboneId, pack.BackboneManifestHash), "balance-knob", []);
        var cases = new ConcurrentBag<BalanceKnobCase>();
        var done = 0;
        Parallel.For(0, references.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallelism), CancellationToken = ct }, i =>
        {
            var personSeed = unchecked((seed * 1_000_003) + i);
            ModelTemplate Train(Balance balance)
            {
                var sample = sampler.Sample(references[i], balance, personSeed, sampling);
                return model.Train(Templates.TrainingSet.FromRows(sample.Positives, sample.Negatives), personSeed, provenance, references[i],
                    BalanceGuards.For(pack, balance, trainer.GuardStrength));
            }

            var baseline = Train(equal);
            for (var k = 0; k < largest.Length; k++)
            {
                var raised = Train(new Balance(equal.Negatives.ToDictionary(kv => kv.Key, kv => kv.Key == largest[k] ? kv.Value * multiplier : kv.Value), equal.Variation));
                var (before, after, fmrBefore, fmrAfter) = Compare(baseline, raised, impostors[k], impostorsPerGroup, operatingFmr);
                BalanceKnobRealCase? real = null;
                if (realImpostors?.GetValueOrDefault(largest[k].Id) is { Length: > 0 } faces)
                {
                    var (_, _, realBefore, realAfter) = Compare(baseline, raised, Flatten(faces, pack.Dimension), faces.Length, operatingFmr);
                    real = new BalanceKnobRealCase(faces.Length, realBefore, realAfter, realAfter < realBefore);
                }

                cases.Add(new BalanceKnobCase(i, largest[k].Id, fmrBefore, fmrAfter, before.Average(), after.Average(), fmrAfter < fmrBefore, real));
            }

            progress?.Report((Interlocked.Increment(ref done), references.Count));
        });
        return new BalanceKnobReport(references.Count, largest.Select(g => g.Id).ToArray(), multiplier, operatingFmr, impostorsPerGroup,
            cases.OrderBy(c => c.Person).ThenBy(c => c.Group, StringComparer.Ordinal).ToArray());
    }

    /// <summary>The pack's <paramref name="count"/> negative groups with the most source faces (ties by id): the groups the check raises.</summary>
    public static DemographicGroup[] LargestGroups(PopulationPack pack, int count)
    {
        ArgumentNullException.ThrowIfNull(pack);
        return pack.Negatives.Keys
            .OrderByDescending(g => pack.Provenance.Datasets.Sum(d => d.NegativeGroupCounts.GetValueOrDefault(g.Id)))
            .ThenBy(g => g.Id, StringComparer.Ordinal).Take(count).ToArray();
    }

    /// <summary>Both templates' logits on the impostors and their FMRs at the baseline's <paramref name="operatingFmr"/> point.</summary>
    private static (float[] Before, float[] After, double FmrBefore, double FmrAfter) Compare(ModelTemplate baseline, ModelTemplate raised, float[] impostors, int count, double operatingFmr)
    {
        var before = EvaluationRunner.Logits(baseline, impostors, count);
        var after = EvaluationRunner.Logits(raised, impostors, count);
        var operating = ThresholdCalibration.FromImpostorScores(before, operatingFmr);
        return (before, after, before.Count(l => l >= operating) / (double)count, after.Count(l => l >= operating) / (double)count);
    }

    private static float[] Flatten(float[][] rows, int d)
    {
        var flat = new float[rows.Length * d];
        for (var i = 0; i < rows.Length; i++)
        {
            rows[i].CopyTo(flat, i * d);
        }

        return flat;
    }
}
