using Mote.Core.Faces;
using Mote.Core.Numerics;
using Mote.Core.Population;
using Mote.Core.Population.Packs;
using Mote.Core.Population.Sampling;
using Mote.Core.Templates;

namespace Mote.Core.Evaluation;

/// <summary>
/// The MOTE evaluation protocol, side by side with vector templates. Every identity with ≥ 2 photos enrolls its first
/// photo (sorted by name) as a model-template and a vector template; every other photo of every identity is a probe
/// against every enrolled identity (the enrollment photo is never a probe). Genuine and impostor scores are pooled per
/// kind; the global threshold is set at the target FMR on the real impostor scores. Then: per-group rates with
/// identity-bootstrap intervals, a balance sweep, attribute-inference attacks, and costs. Each step is a phase class in
/// this namespace (<c>*Phase</c>, internal) with its own output record; this class runs them in order, times them and assembles the report.
/// </summary>
public sealed class EvaluationRunner
{
    private readonly EvaluationOptions options;
    private readonly TimeProvider time;

    /// <summary>Creates a runner.</summary>
    public EvaluationRunner(EvaluationOptions? options = null, TimeProvider? time = null)
    {
        this.options = options ?? new EvaluationOptions();
        this.time = time ?? TimeProvider.System;
        ArgumentOutOfRangeException.ThrowIfLessThan(this.options.Parallelism, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(this.options.BootstrapReplicates, 2);
    }

    /// <summary>Runs the whole protocol. Writes only to <paramref name="cache"/> (new descriptors).</summary>
    /// <param name="data">The dataset.</param>
    /// <param name="describe">Photo bytes → the best face's descriptor, or null when there is none.</param>
    /// <param name="cache">Descriptor cache (optional).</param>
    /// <param name="backbone">The backbone behind <paramref name="describe"/>.</param>
    /// <param name="pack">The population pack (must match the backbone).</param>
    /// <param name="packId">The pack's id as stored in templates.</param>
    /// <param name="impostors">A second dataset without identities for the impostor-only analysis by
    /// gender × ethnicity × age band (optional).</param>
    /// <param name="command">The command line, recorded in the settings.</param>
    /// <param name="commit">The source commit, recorded in the settings.</param>
    /// <param name="progress">Progress per phase.</param>
    /// <param name="ct">Stops between steps.</param>
    /// <param name="estimateAttributes">Photo bytes → the attribute estimator's guess for the best face (optional). The
    /// calibrated thresholds then use, as enrollment does, each person's labelled attributes and the estimate for those
    /// the dataset does not label (lfw-dev labels no age and few ethnicities); without it only labels count.</param>
    public EvaluationReport Run(
        EvaluationDataset data, Func<byte[], float[]?> describe, DescriptorCache? cache, BackboneIdentity backbone,
        PopulationPack pack, string packId, ImpostorDataset? impostors = null, string? command = null, string? commit = null,
        IProgress<EvaluationProgress>? progress = null, CancellationToken ct = default, Func<byte[], AttributeEstimate?>? estimateAttributes = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(describe);
        ArgumentNullException.ThrowIfNull(backbone);
        ArgumentNullException.ThrowIfNull(pack);
        if (!string.Equals(pack.BackboneId, backbone.Id, StringComparison.Ordinal))
        {
            throw new ArgumentException($"The population pack is for backbone {pack.BackboneId}; the descriptors come from {backbone.Id}.");
        }

        var context = new EvaluationContext(options, time, backbone, pack, packId, progress, ct);
        var phases = new List<PhaseTime>();
        T Timed<T>(string phase, Func<T> step)
        {
            var started = time.GetTimestamp();
            var result = step();
            phases.Add(new PhaseTime(phase, Math.Round(time.GetElapsedTime(started).TotalSeconds, 2)));
            return result;
        }

        var descriptors = Timed("describe", () => DescribePhase.Run(context, data.Identities.SelectMany(i => i.Photos).ToArray(), describe, cache, "describe"));
        var enrollment = Timed("enroll", () => EnrollPhase.Run(context, data, descriptors));
        var scores = Timed("score", () => ScorePhase.Run(context, data, descriptors, enrollment));
        var metrics = Timed("metrics", () => MetricsPhase.Run(context, enrollment, scores));
        var (personal, calibrated) = Timed("personal-thresholds", () =>
            (PersonalThresholdsPhase.Run(context, enrollment, scores), CalibratedThresholdsPhase.Run(context, enrollment, scores, estimateAttributes)));
        var sweep = Timed("sweep", () => Guarded(context, "sweep", () => SweepPhase.Run(context, enrollment, descriptors)) ?? []);
        var privacy = Timed("privacy", () => options.Privacy ? Guarded(context, "privacy", () => PrivacyPhase.Run(context, enrollment)) ?? [] : []);
        var costs = Timed("costs", () => CostsPhase.Run(enrollment, scores));
        ImpostorAnalysis? impostorAnalysis = null;
        if (impostors is not null)
        {
            // The impostor set's own attacks join the privacy results, also those added before a failure.
            var impostorPrivacy = new List<AttackResult>();
            impostorAnalysis = Timed("impostors", () => Guarded(context, "impostors", () =>
                ImpostorPhase.Run(context, impostors, describe, cache, metrics.GlobalThresholds, impostorPrivacy)));
            privacy = [.. privacy, .. impostorPrivacy];
        }

        var settings = new EvaluationSettings(
            data.Root, backbone.Id, backbone.Sha256Hex, packId, options.Seed, data.IdentityLimit, "equal over the pack's groups",
            options.TrainingSet.Positives, options.TrainingSet.Negatives, options.TrainingSet.VariationScale,
            string.Join("→", new[] { pack.Dimension }.Concat(options.Trainer.HiddenWidths).Append(1)), options.Trainer.WidthJitter,
            options.Trainer.MaxEpochs, options.TargetFmr, options.SweepFemaleShares, options.SweepIdentities, options.PrivacyPerClass,
            options.CalibrationImpostorsPerGroup, options.BootstrapReplicates, options.Parallelism, command, commit);
        var summary = new DataSummary(
            data.IdentitiesInFolder, data.Identities.Count, enrollment.Identities.Length, enrollment.FailedToEnroll,
            scores.Owners.Length + scores.FailedProbes, scores.FailedProbes, metrics.ModelSet.Genuine.Length, metrics.ModelSet.Impostor.Length,
            Count(enrollment.Genders), Count(enrollment.Ethnicities));
        var distributions = new[] { Histogram(TemplateKind.Model.ReportName(), metrics.ModelSet, 60), Histogram(TemplateKind.Vector.ReportName(), metrics.VectorSet, 60) };
        return new EvaluationReport(EvaluationReport.CurrentSchemaVersion, time.GetUtcNow(), settings, summary, metrics.Recognition, personal.Personal,
            personal.Variation, metrics.Fairness, sweep, privacy, costs, distributions, phases.ToArray(), context.Warnings.ToArray(), impostorAnalysis, calibrated);
    }

    /// <summary>The bounded own-group policy's name (<see cref="CalibratedScale.CosineBound"/>).</summary>
    public const string BoundedPolicy = CalibratedScale.BoundedPolicy;

    /// <summary>Builds the balance that gives female groups <paramref name="share"/> of the weight (split equally among
    /// them) and male groups the rest, for negatives and variation alike; groups without a gender get none.</summary>
    public static Balance FemaleShare(PopulationPack pack, double share)
    {
        ArgumentNullException.ThrowIfNull(pack);
        if (!(share >= 0 && share <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(share), share, "The female share must be in [0, 1].");
        }

        static Dictionary<DemographicGroup, double> Weights(IEnumerable<DemographicGroup> groups, double share)
        {
            var list = groups.ToArray();
            var female = list.Count(g => g.Gender == Gender.Female);
            var male = list.Count(g => g.Gender == Gender.Male);
            return list.ToDictionary(g => g, g => g.Gender switch
            {
                Gender.Female => female == 0 ? 0 : share / female,
                Gender.Male => male == 0 ? 0 : (1 - share) / male,
                _ => 0,
            });
        }

        return new Balance(Weights(pack.Negatives.Keys, share), Weights(pack.Variation.Keys, share));
    }

    /// <summary>
    /// The descriptor an evaluation uses for a photo: the best face's, quality not required (an evaluation measures
    /// recognition on every face found, as <c>mote faces bench</c> does); null when there is no face or the image is refused.
    /// </summary>
    public static float[]? BestFaceDescriptor(Faces.Pipeline.FacePipeline pipeline, byte[] photo)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        try
        {
            return pipeline.Analyze(photo).BestFace(requireAccepted: false)?.Descriptor;
        }
        catch (Imaging.ImageRejectedException)
        {
            return null;
        }
    }

    /// <summary>The attribute name of an intersection of attributes ("gender × ethnicity").</summary>
    public static string IntersectionOf(params string[] attributes) => string.Join(" × ", attributes);

    /// <summary>The model's logits for a block of probes (row-major), through the engine's dense kernel in blocks of 256 probes. Mutates nothing.</summary>
    public static float[] Logits(ModelTemplate model, float[] probes, int probeCount)
    {
        const int Block = 256;
        var width = model.Architecture.Widths.Max();
        var a = new float[Block * width];
        var b = new float[Block * width];
        var result = new float[probeCount];
        var d = model.Dimension;
        for (var start = 0; start < probeCount; start += Block)
        {
            var count = Math.Min(Block, probeCount - start);
            probes.AsSpan(start * d, count * d).CopyTo(a);
            for (var l = 0; l < model.Layers.Count; l++)
            {
                var layer = model.Layers[l];
                Kernels.Dense(layer.Weights, layer.Bias, layer.Outputs, layer.Inputs, a.AsSpan(0, count * layer.Inputs), count, b.AsSpan(0, count * layer.Outputs), relu: l < model.Layers.Count - 1);
                (a, b) = (b, a);
            }

            a.AsSpan(0, count).CopyTo(result.AsSpan(start));
        }

        return result;
    }

    private static Dictionary<string, int> Count(string?[] labels) =>
        labels.GroupBy(l => l ?? "unknown").OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);

    private static ScoreHistogram Histogram(string kind, ScoreSet set, int bins)
    {
        // Range from the 0.1st to the 99.9th percentile of both sets, so a few extreme logits do not squash the plot.
        var lo = Math.Min(set.Genuine[(int)(set.Genuine.Length * 0.001)], set.Impostor[(int)(set.Impostor.Length * 0.001)]);
        var hi = Math.Max(set.Genuine[Math.Min(set.Genuine.Length - 1, (int)(set.Genuine.Length * 0.999))], set.Impostor[Math.Min(set.Impostor.Length - 1, (int)(set.Impostor.Length * 0.999))]);
        if (!(hi > lo))
        {
            hi = lo + 1;
        }

        double[] Bin(ReadOnlySpan<float> values)
        {
            var counts = new double[bins];
            foreach (var v in values)
            {
                var b = (int)Math.Floor((v - lo) / (hi - lo) * bins);
                counts[Math.Clamp(b, 0, bins - 1)]++;
            }

            var n = (double)values.Length;
            return counts.Select(c => c / n).ToArray();
        }

        return new ScoreHistogram(kind, lo, hi, Bin(set.Genuine), Bin(set.Impostor));
    }

    /// <summary>Runs an optional phase; a failure becomes a warning, so the recognition results of a long run are not lost.</summary>
    private static T? Guarded<T>(EvaluationContext context, string phase, Func<T> action)
        where T : class
    {
        try
        {
            return action();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            context.Warnings.Add($"{phase} failed and is missing from this report: {e.GetType().Name}: {e.Message.Split('\n')[0]}");
            return null;
        }
    }
}
