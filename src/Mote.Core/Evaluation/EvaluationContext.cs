using System.Diagnostics;
using Mote.Core.Faces;
using Mote.Core.Numerics;
using Mote.Core.Population;
using Mote.Core.Population.Packs;
using Mote.Core.Population.Sampling;
using Mote.Core.Templates;

namespace Mote.Core.Evaluation;

/// <summary>
/// What every phase of one evaluation run shares: the settings, the clock, the backbone and pack, progress and
/// cancellation, and the run's warnings, plus the steps several phases repeat (training, score matrices, the global
/// threshold). One per <see cref="EvaluationRunner.Run"/>; phases run one after another on the caller's thread, so only
/// <see cref="Warnings"/> is mutated, and only between parallel loops.
/// </summary>
internal sealed class EvaluationContext(
    EvaluationOptions options, TimeProvider time, BackboneIdentity backbone, PopulationPack pack, string packId,
    IProgress<EvaluationProgress>? progress, CancellationToken ct)
{
    public EvaluationOptions Options { get; } = options;

    public TimeProvider Time { get; } = time;

    public BackboneIdentity Backbone { get; } = backbone;

    public PopulationPack Pack { get; } = pack;

    public string PackId { get; } = packId;

    public IProgress<EvaluationProgress>? Progress { get; } = progress;

    public CancellationToken Ct { get; } = ct;

    /// <summary>The report's warnings, in the order the phases add them.</summary>
    public List<string> Warnings { get; } = [];

    /// <summary>Whether the run's model-templates can carry <see cref="CalibratedScale.CosineBound"/>: anchored, capped, and a cosine calibration to bound by.</summary>
    public bool HasCosineBound(ModelTemplate[] models) =>
        models[0].Anchor is not null && Options.Trainer.CorrectionCap is not null && Pack.Calibration is not null;

    /// <summary>Trains one model-template per reference (person i seeded with <c>seed · 1,000,003 + i</c>), in parallel.</summary>
    /// <param name="references">The reference descriptors.</param>
    /// <param name="balance">Everyone's balance.</param>
    /// <param name="trainerOptions">The trainer's settings.</param>
    /// <param name="seed">The seed the per-person seeds derive from.</param>
    /// <param name="enrollMs">Receives each training's milliseconds (optional).</param>
    /// <param name="phase">The progress phase; also names the warning when libtorch needed a retry.</param>
    public ModelTemplate[] Enroll(float[][] references, Balance balance, TemplateTrainerOptions trainerOptions, int seed, double[]? enrollMs, string phase)
    {
        var trainer = new TemplateTrainer(trainerOptions, Time);
        var sampler = new TrainingSetSampler(Pack);
        var entries = balance.Negatives.Keys.Union(balance.Variation.Keys)
            .Select(g => new BalanceEntry(g.Id, (float)balance.Negatives.GetValueOrDefault(g), (float)balance.Variation.GetValueOrDefault(g)))
            .ToArray();
        var provenance = new ModelTemplateProvenance(Backbone, PackId, entries);
        var models = new ModelTemplate[references.Length];
        var done = 0;
        var retriedBefore = trainer.RetriedAfterTorchFailure;
        Parallel.For(0, references.Length, new ParallelOptions { MaxDegreeOfParallelism = Options.Parallelism, CancellationToken = Ct }, i =>
        {
            var personSeed = unchecked(seed * 1_000_003 + i);
            var clock = Stopwatch.StartNew();
            var sample = sampler.Sample(references[i], balance, personSeed, Options.TrainingSet);
            var set = Templates.TrainingSet.FromRows(sample.Positives, sample.Negatives);
            // TemplateTrainer.Train retries a rare libtorch failure itself (deterministic by seed); see the warning below.
            models[i] = trainer.Train(set, personSeed, provenance, references[i], ct: Ct);
            if (enrollMs is not null)
            {
                enrollMs[i] = clock.Elapsed.TotalMilliseconds;
            }

            var now = Interlocked.Increment(ref done);
            if (now % 20 == 0 || now == references.Length)
            {
                Progress?.Report(new EvaluationProgress(phase, now, references.Length));
            }
        });
        if (trainer.RetriedAfterTorchFailure - retriedBefore is > 0 and var retried)
        {
            Warnings.Add($"{phase}: {retried} training(s) failed once in libtorch and were retried (same seed, same template)");
        }
        return models;
    }

    /// <summary>Logits of every probe under every model, template-major: <c>[t][p]</c>; reports progress under <paramref name="phase"/> unless it is null.</summary>
    public float[][] LogitMatrix(ModelTemplate[] models, float[] probes, int probeCount, string? phase)
    {
        var matrix = new float[models.Length][];
        var done = 0;
        Parallel.For(0, models.Length, new ParallelOptions { MaxDegreeOfParallelism = Options.Parallelism, CancellationToken = Ct }, t =>
        {
            matrix[t] = EvaluationRunner.Logits(models[t], probes, probeCount);
            var now = Interlocked.Increment(ref done);
            if (phase is not null && (now % 100 == 0 || now == models.Length))
            {
                Progress?.Report(new EvaluationProgress(phase, now, models.Length));
            }
        });
        return matrix;
    }

    /// <summary>Cosines of every probe with every vector template, template-major: <c>[t][p]</c>.</summary>
    public float[][] CosineMatrix(VectorTemplate[] vectors, float[] probes, int probeCount)
    {
        var d = vectors[0].Dimension;
        var units = new float[probes.Length];
        probes.CopyTo(units, 0);
        for (var p = 0; p < probeCount; p++)
        {
            Kernels.NormalizeInPlace(units.AsSpan(p * d, d));
        }

        var matrix = new float[vectors.Length][];
        Parallel.For(0, vectors.Length, new ParallelOptions { MaxDegreeOfParallelism = Options.Parallelism }, t =>
        {
            var row = new float[probeCount];
            for (var p = 0; p < probeCount; p++)
            {
                row[p] = Kernels.Dot(vectors[t].UnitVector, units.AsSpan(p * d, d));
            }

            matrix[t] = row;
        });
        return matrix;
    }

    /// <summary>The threshold at the target FMR; with fewer than 10/FMR impostor scores (a small run) still the
    /// threshold that accepts at most ⌊FMR·n⌋ of them, with a warning that it rests on few scores.</summary>
    public double GlobalThreshold(ScoreSet set, string what)
    {
        if (set.ThresholdAtFmr(Options.TargetFmr) is { } threshold)
        {
            return threshold;
        }

        Warnings.Add($"{what}: only {set.Impostor.Length} impostor scores, fewer than 10/FMR; the FMR {Options.TargetFmr:G} threshold is the highest impostor score");
        return set.ThresholdAtFmr(Options.TargetFmr, 0)!.Value;
    }

    /// <summary>Genuine scores (each probe under its owner's template) and impostor scores (under every other template) of a matrix.</summary>
    public static ScoreSet Pool(float[][] matrix, int[] owners)
    {
        var genuine = new float[owners.Length];
        var impostor = new float[(long)owners.Length * (matrix.Length - 1)];
        long k = 0;
        for (var p = 0; p < owners.Length; p++)
        {
            genuine[p] = matrix[owners[p]][p];
        }

        for (var t = 0; t < matrix.Length; t++)
        {
            var row = matrix[t];
            for (var p = 0; p < owners.Length; p++)
            {
                if (owners[p] != t)
                {
                    impostor[k++] = row[p];
                }
            }
        }

        return new ScoreSet(genuine, impostor);
    }

    /// <summary>Rows laid end to end (row-major).</summary>
    public static float[] Flatten(float[][] rows, int dimension)
    {
        var flat = new float[rows.Length * dimension];
        for (var i = 0; i < rows.Length; i++)
        {
            rows[i].CopyTo(flat, i * dimension);
        }

        return flat;
    }

    /// <summary>Up to <paramref name="perClass"/> female and as many male identities (indices), seeded, sorted.</summary>
    public static int[] BalancedSubset(string?[] genders, int perClass, int seed)
    {
        var random = new Random(seed);
        var chosen = new List<int>();
        foreach (var gender in new[] { "female", "male" })
        {
            var members = Enumerable.Range(0, genders.Length).Where(i => genders[i] == gender).ToArray();
            random.Shuffle(members);
            chosen.AddRange(members.Take(perClass));
        }

        chosen.Sort();
        return chosen.ToArray();
    }

    public static Gender? ParseGender(string? id) => id is null ? null : DemographicVocabulary.TryParseGender(id, out var g) ? g : null;

    public static Ethnicity? ParseEthnicity(string? id) => id is null ? null : DemographicVocabulary.TryParseEthnicity(id, out var e) ? e : null;
}
