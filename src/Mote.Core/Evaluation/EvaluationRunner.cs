using System.Collections.Concurrent;
using System.Diagnostics;
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
/// identity-bootstrap intervals, a balance sweep, attribute-inference attacks, and costs.
/// </summary>
public sealed class EvaluationRunner
{
    private readonly EvaluationOptions options;
    private readonly TimeProvider time;
    private readonly List<PhaseTime> phases = [];
    private readonly List<string> warnings = [];

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

        // 1. Descriptors.
        var started = time.GetTimestamp();
        var photos = data.Identities.SelectMany(i => i.Photos).ToArray();
        var descriptors = DescribeAll(photos, describe, cache, "describe", progress, ct);
        Phase("describe", started);

        // 2. Enrollment.
        started = time.GetTimestamp();
        var enrolled = data.Identities.Where(i => descriptors[i.Photos[0]] is not null).ToArray();
        var failedToEnroll = data.Identities.Count - enrolled.Length;
        if (enrolled.Length < 2)
        {
            throw new ArgumentException($"Only {enrolled.Length} enrollment photo(s) gave a face; an evaluation needs at least 2.");
        }

        var references = enrolled.Select(i => descriptors[i.Photos[0]]!).ToArray();
        var vectors = references.Select(r => new VectorTemplate(backbone, r)).ToArray();
        var balance = Balance.EqualOver(pack);
        var enrollMs = new double[enrolled.Length];
        var models = Enroll(references, balance, pack, packId, backbone, options.Trainer, options.Seed, enrollMs, "enroll", progress, ct);
        Phase("enroll", started);

        // 3. Scores: every probe against every template.
        started = time.GetTimestamp();
        var probeList = new List<(float[] Descriptor, int Owner)>();
        var failedProbes = 0;
        for (var t = 0; t < enrolled.Length; t++)
        {
            foreach (var photo in enrolled[t].Photos.Skip(1))
            {
                if (descriptors[photo] is { } d)
                {
                    probeList.Add((d, t));
                }
                else
                {
                    failedProbes++;
                }
            }
        }

        failedProbes += data.Identities.Except(enrolled).Sum(i => i.Photos.Count - 1);
        var probes = Flatten(probeList.Select(p => p.Descriptor).ToArray(), pack.Dimension);
        var owners = probeList.Select(p => p.Owner).ToArray();
        progress?.Report(new EvaluationProgress("score", 0, models.Length));
        var modelScores = LogitMatrix(models, probes, owners.Length, "score", progress, ct);
        var vectorScores = CosineMatrix(vectors, probes, owners.Length);
        Phase("score", started);

        // 4. Metrics.
        started = time.GetTimestamp();
        var genders = enrolled.Select(i => i.Gender).ToArray();
        var ethnicities = enrolled.Select(i => i.Ethnicity).ToArray();
        var modelSet = Pool(modelScores, owners);
        var vectorSet = Pool(vectorScores, owners);
        var recognition = new[] { Recognition("model", "logit", modelSet), Recognition("vector", "cosine", vectorSet) };
        // Intersectional groups where both labels are known (on lfw-dev about 15 % of identities have an ethnicity).
        var intersections = enrolled.Select(i => i.Gender is { } g && i.Ethnicity is { } e ? $"{g}/{e}" : null).ToArray();
        var fairness = new List<AttributeFairness>();
        var globalThresholds = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (kind, matrix, set) in new[] { ("model", modelScores, modelSet), ("vector", vectorScores, vectorSet) })
        {
            var threshold = GlobalThreshold(set, kind);
            globalThresholds[kind] = threshold;
            fairness.Add(Fairness(kind, "gender", genders, matrix, owners, threshold, options.Seed));
            foreach (var (attribute, labels, seed) in new[] { ("ethnicity", ethnicities, options.Seed + 1), (IntersectionOf("gender", "ethnicity"), intersections, options.Seed + 2) })
            {
                var byGroup = Fairness(kind, attribute, labels, matrix, owners, threshold, seed);
                if (byGroup.Groups.Count >= 2)
                {
                    fairness.Add(byGroup);
                }
            }
        }

        Phase("metrics", started);

        // 5. Per-person thresholds from synthetic impostors, applied to real pairs.
        started = time.GetTimestamp();
        var personal = PersonalThresholds(models, modelScores, owners, pack, ct);
        var variation = CheckVariation(references, probeList, pack, balance);
        // The estimator runs only when a calibration can use what it guesses.
        var uncalibrated = pack.Calibration is null && pack.ModelCalibration is null;
        var thresholdGroups = ThresholdGroups(enrolled, uncalibrated ? null : estimateAttributes, progress, ct);
        var calibrated = CalibratedThresholds(models, modelScores, vectorScores, owners, genders, ethnicities, thresholdGroups, pack);
        Phase("personal-thresholds", started);

        // 6. Fairness sweep.
        started = time.GetTimestamp();
        var sweep = Guarded("sweep", () => Sweep(enrolled, references, descriptors, pack, packId, backbone, progress, ct)) ?? [];
        Phase("sweep", started);

        // 7. Privacy.
        started = time.GetTimestamp();
        var privacy = options.Privacy ? Guarded("privacy", () => Privacy(enrolled, references, vectors, models, pack, packId, backbone, progress, ct)) ?? [] : [];
        Phase("privacy", started);

        // 8. Costs.
        started = time.GetTimestamp();
        var costs = Costs(models, vectors, enrollMs, probes, owners.Length);
        Phase("costs", started);

        // 9. Impostor-only analysis on a dataset without identities.
        ImpostorAnalysis? impostorAnalysis = null;
        if (impostors is not null)
        {
            started = time.GetTimestamp();
            var impostorPrivacy = new List<AttackResult>();
            impostorAnalysis = Guarded("impostors", () => ImpostorOnly(impostors, describe, cache, pack, packId, backbone, globalThresholds, impostorPrivacy, progress, ct));
            privacy = [.. privacy, .. impostorPrivacy];
            Phase("impostors", started);
        }

        var settings = new EvaluationSettings(
            data.Root, backbone.Id, backbone.Sha256Hex, packId, options.Seed, data.IdentityLimit, "equal over the pack's groups",
            options.TrainingSet.Positives, options.TrainingSet.Negatives, options.TrainingSet.VariationScale,
            string.Join("→", new[] { pack.Dimension }.Concat(options.Trainer.HiddenWidths).Append(1)), options.Trainer.WidthJitter,
            options.Trainer.MaxEpochs, options.TargetFmr, options.SweepFemaleShares, options.SweepIdentities, options.PrivacyPerClass,
            options.CalibrationImpostorsPerGroup, options.BootstrapReplicates, options.Parallelism, command, commit);
        var summary = new DataSummary(
            data.IdentitiesInFolder, data.Identities.Count, enrolled.Length, failedToEnroll, owners.Length + failedProbes, failedProbes,
            modelSet.Genuine.Length, modelSet.Impostor.Length,
            Count(genders), Count(ethnicities));
        var distributions = new[] { Histogram("model", modelSet, 60), Histogram("vector", vectorSet, 60) };
        return new EvaluationReport(EvaluationReport.CurrentSchemaVersion, time.GetUtcNow(), settings, summary, recognition, personal,
            variation, fairness, sweep, privacy, costs, distributions, phases.ToArray(), warnings.ToArray(), impostorAnalysis, calibrated);
    }

    /// <summary>
    /// The group each template's calibrated threshold is read for, as the Gallery reads it for a person: labelled (declared)
    /// attributes first, the estimate of the enrollment photo for the rest.
    /// </summary>
    private static (Gender? Gender, Ethnicity? Ethnicity, AgeBand? AgeBand)[] ThresholdGroups(
        EvaluationIdentity[] enrolled, Func<byte[], AttributeEstimate?>? estimate, IProgress<EvaluationProgress>? progress, CancellationToken ct)
    {
        var groups = new (Gender?, Ethnicity?, AgeBand?)[enrolled.Length];
        for (var t = 0; t < enrolled.Length; t++)
        {
            ct.ThrowIfCancellationRequested();
            var identity = enrolled[t];
            var guess = estimate?.Invoke(File.ReadAllBytes(identity.Photos[0]));
            AgeBand? band = guess is not null && DemographicVocabulary.TryParseAgeBand(guess.AgeBand, out var b) ? b : null;
            groups[t] = (ParseGender(identity.Gender) ?? ParseGender(guess?.Gender), ParseEthnicity(identity.Ethnicity) ?? ParseEthnicity(guess?.Ethnicity), band);
            if (estimate is not null && ((t + 1) % 100 == 0 || t + 1 == enrolled.Length))
            {
                progress?.Report(new EvaluationProgress("estimate attributes", t + 1, enrolled.Length));
            }
        }

        return groups;
    }

    /// <summary>The bounded own-group policy's name (<see cref="CalibratedScale.CosineBound"/>).</summary>
    public const string BoundedPolicy = CalibratedScale.BoundedPolicy;

    /// <summary>Whether the run's model-templates can carry <see cref="CalibratedScale.CosineBound"/>: anchored, capped, and a cosine calibration to bound by.</summary>
    private bool HasCosineBound(ModelTemplate[] models, PopulationPack pack) =>
        models[0].Anchor is not null && options.Trainer.CorrectionCap is not null && pack.Calibration is not null;

    private List<CalibratedThresholdResult>? CalibratedThresholds(
        ModelTemplate[] models, float[][] modelScores, float[][] vectorScores, int[] owners, string?[] genders, string?[] ethnicities,
        (Gender? Gender, Ethnicity? Ethnicity, AgeBand? AgeBand)[] thresholdGroups, PopulationPack pack)
    {
        var results = new List<CalibratedThresholdResult>();
        var kinds = new List<(string Kind, float[][] Matrix, CalibratedScale? Scale)>
        {
            ("model", modelScores, CalibratedScale.ForKind(TemplateKind.Model, models[0].Anchor, pack, options.Trainer.SignatureWith(options.TrainingSet))),
            ("vector", vectorScores, CalibratedScale.ForKind(TemplateKind.Vector, null, pack, null)),
        };
        foreach (var (kind, matrix, scale) in kinds)
        {
            if (scale is null)
            {
                warnings.Add($"{kind}: no real-impostor calibration in the pack applies to these templates; only synthetic per-person thresholds were measured");
                continue;
            }

            // Capped, anchored model-templates: also the own-group threshold with the cosine bound.
            var policies = kind == "model" && HasCosineBound(models, pack) ? [.. RealImpostorCalibration.Policies, BoundedPolicy] : RealImpostorCalibration.Policies;
            foreach (var policy in policies)
            {
                var thresholds = new double[models.Length];
                var readFrom = new Dictionary<string, int>(StringComparer.Ordinal);
                var missing = false;
                for (var t = 0; t < models.Length; t++)
                {
                    var (gender, ethnicity, ageBand) = thresholdGroups[t];
                    var value = scale.Calibration.ThresholdFor(policy == BoundedPolicy ? "own group" : policy, gender, ethnicity, ageBand, options.TargetFmr);
                    var group = policy == "worst group" ? null : scale.Calibration.GroupFor(gender, ethnicity, ageBand, options.TargetFmr).Group;
                    if (value is null)
                    {
                        missing = true;
                        break;
                    }

                    thresholds[t] = scale.RawFromUnit(value.Value);
                    if (policy == BoundedPolicy
                        && scale.CosineBound(models[t].Anchor, options.Trainer.CorrectionCap, pack.Calibration, gender, ethnicity, ageBand, options.TargetFmr) is { } bound)
                    {
                        thresholds[t] = Math.Max(thresholds[t], bound.Raw);
                        group = $"{group} → bound by cosine {bound.CosineGroup}";
                    }
                    if (group is not null)
                    {
                        readFrom[group] = readFrom.GetValueOrDefault(group) + 1;
                    }
                }

                if (missing)
                {
                    warnings.Add($"{kind} calibrated thresholds ({policy}): the calibration has too few pairs to reach FMR {options.TargetFmr:G}");
                    continue;
                }

                long genuine = 0, falseNonMatch = 0, impostor = 0, falseMatch = 0;
                for (var t = 0; t < matrix.Length; t++)
                {
                    var row = matrix[t];
                    for (var p = 0; p < owners.Length; p++)
                    {
                        var accepted = row[p] >= thresholds[t];
                        if (owners[p] == t)
                        {
                            genuine++;
                            falseNonMatch += accepted ? 0 : 1;
                        }
                        else
                        {
                            impostor++;
                            falseMatch += accepted ? 1 : 0;
                        }
                    }
                }

                var groups = new List<GroupRates>();
                foreach (var (attribute, labels, seed) in new[] { ("gender", genders, options.Seed + 5), ("ethnicity", ethnicities, options.Seed + 6) })
                {
                    groups.AddRange(Fairness(kind, attribute, labels, matrix, owners, double.NaN, seed, t => thresholds[t], warn: false).Groups
                        .Select(g => g with { Group = $"{attribute}: {g.Group}", Det = [] }));
                }

                var fmr = impostor == 0 ? 0 : falseMatch / (double)impostor;
                var minimumPairs = 10 / options.TargetFmr;
                var reliable = groups.Where(g => g.Warning is null && g.ImpostorPairs >= minimumPairs).ToArray();
                double? worst = reliable.Length == 0 ? null : reliable.Max(g => g.Fmr.Value) / options.TargetFmr;
                var pooledRatio = fmr / options.TargetFmr;
                results.Add(new CalibratedThresholdResult(kind, policy, options.TargetFmr, $"{scale.Basis}: {scale.Calibration.Source}", fmr,
                    genuine == 0 ? 0 : falseNonMatch / (double)genuine, groups, pooledRatio, worst, pooledRatio <= 1.5 && (worst ?? 0) <= 2,
                    policy == "worst group" ? null : readFrom));
            }
        }

        return results.Count == 0 ? null : results;
    }

    private static Gender? ParseGender(string? id) => id is null ? null : DemographicVocabulary.TryParseGender(id, out var g) ? g : null;

    private static Ethnicity? ParseEthnicity(string? id) => id is null ? null : DemographicVocabulary.TryParseEthnicity(id, out var e) ? e : null;

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

    private Dictionary<string, float[]?> DescribeAll(string[] photos, Func<byte[], float[]?> describe, DescriptorCache? cache, string phase, IProgress<EvaluationProgress>? progress, CancellationToken ct)
    {
        var result = new Dictionary<string, float[]?>(StringComparer.Ordinal);
        for (var i = 0; i < photos.Length; i++)
        {
            ct.ThrowIfCancellationRequested();
            var bytes = File.ReadAllBytes(photos[i]);
            result[photos[i]] = cache is null ? describe(bytes) : cache.GetOrAdd(bytes, describe);
            if ((i + 1) % 100 == 0 || i + 1 == photos.Length)
            {
                cache?.Flush();
                progress?.Report(new EvaluationProgress(phase, i + 1, photos.Length));
            }
        }

        return result;
    }

    private ModelTemplate[] Enroll(
        float[][] references, Balance balance, PopulationPack pack, string packId, BackboneIdentity backbone, TemplateTrainerOptions trainerOptions,
        int seed, double[]? enrollMs, string phase, IProgress<EvaluationProgress>? progress, CancellationToken ct)
    {
        var trainer = new TemplateTrainer(trainerOptions, time);
        var sampler = new TrainingSetSampler(pack);
        var entries = balance.Negatives.Keys.Union(balance.Variation.Keys)
            .Select(g => new BalanceEntry(g.Id, (float)balance.Negatives.GetValueOrDefault(g), (float)balance.Variation.GetValueOrDefault(g)))
            .ToArray();
        var provenance = new ModelTemplateProvenance(backbone, packId, entries);
        var models = new ModelTemplate[references.Length];
        var done = 0;
        var retriedBefore = trainer.RetriedAfterTorchFailure;
        Parallel.For(0, references.Length, new ParallelOptions { MaxDegreeOfParallelism = options.Parallelism, CancellationToken = ct }, i =>
        {
            var personSeed = unchecked(seed * 1_000_003 + i);
            var clock = Stopwatch.StartNew();
            var sample = sampler.Sample(references[i], balance, personSeed, options.TrainingSet);
            var set = Templates.TrainingSet.FromRows(sample.Positives, sample.Negatives);
            // TemplateTrainer.Train retries a rare libtorch failure itself (deterministic by seed); see the warning below.
            models[i] = trainer.Train(set, personSeed, provenance, references[i], ct: ct);
            if (enrollMs is not null)
            {
                enrollMs[i] = clock.Elapsed.TotalMilliseconds;
            }

            var now = Interlocked.Increment(ref done);
            if (now % 20 == 0 || now == references.Length)
            {
                progress?.Report(new EvaluationProgress(phase, now, references.Length));
            }
        });
        if (trainer.RetriedAfterTorchFailure - retriedBefore is > 0 and var retried)
        {
            warnings.Add($"{phase}: {retried} training(s) failed once in libtorch and were retried (same seed, same template)");
        }
        return models;
    }

    /// <summary>Logits of every probe under every model, template-major: <c>[t][p]</c>.</summary>
    private float[][] LogitMatrix(ModelTemplate[] models, float[] probes, int probeCount, string? phase, IProgress<EvaluationProgress>? progress, CancellationToken ct)
    {
        var matrix = new float[models.Length][];
        var done = 0;
        Parallel.For(0, models.Length, new ParallelOptions { MaxDegreeOfParallelism = options.Parallelism, CancellationToken = ct }, t =>
        {
            matrix[t] = Logits(models[t], probes, probeCount);
            var now = Interlocked.Increment(ref done);
            if (phase is not null && (now % 100 == 0 || now == models.Length))
            {
                progress?.Report(new EvaluationProgress(phase, now, models.Length));
            }
        });
        return matrix;
    }

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

    /// <summary>The fixed synthetic descriptors every model is probed with in the response-pattern attack (equal over groups).</summary>
    private (float[] Flat, int Count) ResponseProbes(PopulationPack pack)
    {
        var probes = new TrainingSetSampler(pack).Sample(new float[pack.Dimension].Select((_, j) => j == 0 ? 1f : 0f).ToArray(), Balance.EqualOver(pack),
            options.Seed + 23, new TrainingSetOptions { Positives = 0, Negatives = options.ResponseProbes }).Negatives;
        return (Flatten(probes, pack.Dimension), probes.Length);
    }

    /// <summary>
    /// Each attribute inferred from the three stored forms of the same people: vector templates, flattened MOTE weights, and
    /// each model's responses to the fixed synthetic probes. <paramref name="suffix"/> names the template set in the source.
    /// </summary>
    private void AttackStoredForms(
        List<AttackResult> attacks, VectorTemplate[] vectors, ModelTemplate[] models, float[] responseFlat, int responseCount, string suffix,
        IEnumerable<(string Attribute, string?[] Labels)> attributes, IProgress<EvaluationProgress>? progress, CancellationToken ct)
    {
        var forms = new (string Source, float[][] Features)[]
        {
            ("vector templates", vectors.Select(v => v.UnitVector.ToArray()).ToArray()),
            ("MOTE weights", models.Select(m => FlattenWeights(m, null)).ToArray()),
            ("MOTE responses", models.Select(m => Logits(m, responseFlat, responseCount)).ToArray()),
        };
        foreach (var (attribute, labels) in attributes)
        {
            foreach (var (source, features) in forms)
            {
                RunAttack(attacks, attribute, source + suffix, features, labels, progress, ct);
            }
        }
    }

    private void RunAttack(List<AttackResult> attacks, string attribute, string source, IReadOnlyList<float[]> features, string?[] labels, IProgress<EvaluationProgress>? progress, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        progress?.Report(new EvaluationProgress($"privacy {attribute} from {source}", attacks.Count, 8));
        try
        {
            attacks.Add(AttributeInferenceAttack.Run(attribute, source, features, labels, options.Seed + 31));
        }
        catch (ArgumentException e)
        {
            warnings.Add($"privacy attack {attribute} from {source} skipped: {e.Message}");
        }
    }

    private float[][] CosineMatrix(VectorTemplate[] vectors, float[] probes, int probeCount)
    {
        var d = vectors[0].Dimension;
        var units = new float[probes.Length];
        probes.CopyTo(units, 0);
        for (var p = 0; p < probeCount; p++)
        {
            Kernels.NormalizeInPlace(units.AsSpan(p * d, d));
        }

        var matrix = new float[vectors.Length][];
        Parallel.For(0, vectors.Length, new ParallelOptions { MaxDegreeOfParallelism = options.Parallelism }, t =>
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

    private static ScoreSet Pool(float[][] matrix, int[] owners)
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

    private static KindRecognition Recognition(string kind, string unit, ScoreSet set)
    {
        static Dictionary<string, double> Quantiles(ReadOnlySpan<float> sorted)
        {
            var q = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (var p in new[] { 0.001, 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99, 0.999 })
            {
                q[p.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)] = sorted[(int)Math.Min(sorted.Length - 1, Math.Floor(p * sorted.Length))];
            }

            return q;
        }

        return new KindRecognition(kind, unit, set.Genuine.Length, set.Impostor.Length, set.RocAuc(), set.EqualErrorRate(),
            set.AtFmr(1e-3), set.AtFmr(1e-4), set.DetCurve(60), Quantiles(set.Genuine), Quantiles(set.Impostor));
    }

    private AttributeFairness Fairness(string kind, string attribute, string?[] labels, float[][] matrix, int[] owners, double threshold, int seed,
        Func<int, double>? perTemplate = null, bool warn = true)
    {
        var thresholdOf = perTemplate ?? (_ => threshold);
        var groups = new List<GroupRates>();
        foreach (var group in labels.Where(l => l is not null).Distinct().Order(StringComparer.Ordinal))
        {
            var members = Enumerable.Range(0, labels.Length).Where(t => labels[t] == group).ToArray();
            if (members.Length < 2)
            {
                continue;
            }

            var inGroup = members.ToHashSet();
            var probesInGroup = Enumerable.Range(0, owners.Length).Where(p => inGroup.Contains(owners[p])).ToArray();
            var counts = new IdentityCounts[members.Length];
            var genuine = new List<float>();
            var impostor = new List<float>();
            for (var m = 0; m < members.Length; m++)
            {
                var t = members[m];
                long g = 0, fn = 0, i = 0, fm = 0;
                foreach (var p in probesInGroup)
                {
                    var s = matrix[t][p];
                    if (owners[p] == t)
                    {
                        g++;
                        fn += s < thresholdOf(t) ? 1 : 0;
                        genuine.Add(s);
                    }
                    else
                    {
                        i++;
                        fm += s >= thresholdOf(t) ? 1 : 0;
                        impostor.Add(s);
                    }
                }

                counts[m] = new IdentityCounts(g, fn, i, fm);
            }

            if (genuine.Count == 0)
            {
                continue;
            }

            var (fmr, fnmr) = IdentityBootstrap.Rates(counts, options.BootstrapReplicates, seed);
            string? warning = genuine.Count < 30 ? $"only {genuine.Count} genuine pairs (< 30): rates are not reliable" : null;
            if (warning is not null && warn)
            {
                warnings.Add($"{kind} {attribute} {group}: {warning}");
            }

            groups.Add(new GroupRates(group!, members.Length, genuine.Count, impostor.Count, fmr, fnmr,
                new ScoreSet(genuine, impostor).DetCurve(40), warning));
        }

        // Summaries over the groups large enough to mean something (≥ 30 genuine pairs): a group of 2 people with
        // 2 genuine pairs drove GARBE to 1 in a 100-identity run.
        var reliable = groups.Where(g => g.Warning is null).ToArray();
        double? fdr = null, garbe = null, fmrRatio = null, fnmrRatio = null;
        if (reliable.Length >= 2)
        {
            var fmrs = reliable.Select(g => g.Fmr.Value).ToArray();
            var fnmrs = reliable.Select(g => g.Fnmr.Value).ToArray();
            fdr = FairnessMetrics.Fdr(fmrs, fnmrs);
            garbe = FairnessMetrics.Garbe(fmrs, fnmrs);
            fmrRatio = FairnessMetrics.MaxToGeometricMean(fmrs);
            fnmrRatio = FairnessMetrics.MaxToGeometricMean(fnmrs);
        }

        return new AttributeFairness(kind, attribute, threshold, options.TargetFmr, groups, fdr, garbe, fmrRatio, fnmrRatio);
    }

    private PersonalThresholdResult? PersonalThresholds(ModelTemplate[] models, float[][] matrix, int[] owners, PopulationPack pack, CancellationToken ct)
    {
        if (options.CalibrationImpostorsPerGroup <= 0)
        {
            return null;
        }

        var thresholds = CalibratedThresholds(models, pack, ct);
        long genuine = 0, falseNonMatch = 0, impostor = 0, falseMatch = 0;
        var perPersonFmr = new double[models.Length];
        for (var t = 0; t < models.Length; t++)
        {
            long ti = 0, tfm = 0;
            for (var p = 0; p < owners.Length; p++)
            {
                var accepted = matrix[t][p] >= thresholds[t];
                if (owners[p] == t)
                {
                    genuine++;
                    falseNonMatch += accepted ? 0 : 1;
                }
                else
                {
                    ti++;
                    tfm += accepted ? 1 : 0;
                }
            }

            impostor += ti;
            falseMatch += tfm;
            perPersonFmr[t] = ti == 0 ? 0 : tfm / (double)ti;
        }

        var sigmoid = thresholds.Select(l => 1.0 / (1.0 + Math.Exp(-l))).Order().ToArray();
        return new PersonalThresholdResult(options.TargetFmr, options.CalibrationImpostorsPerGroup,
            impostor == 0 ? 0 : falseMatch / (double)impostor, genuine == 0 ? 0 : falseNonMatch / (double)genuine,
            IdentityBootstrap.Percentile(sigmoid, 0.5), IdentityBootstrap.Percentile(sigmoid, 0.05), IdentityBootstrap.Percentile(sigmoid, 0.95),
            IdentityBootstrap.Percentile(perPersonFmr.Order().ToArray(), 0.5));
    }

    /// <summary>Each model's own threshold at the target FMR on synthetic impostors, as enrollment calibrates it.</summary>
    private float[] CalibratedThresholds(ModelTemplate[] models, PopulationPack pack, CancellationToken ct)
    {
        // One shared synthetic impostor set (enrollment draws one per person; sharing it changes nothing about the
        // question asked here and saves 1,196 draws).
        var sampler = new TrainingSetSampler(pack);
        var impostors = new List<float[]>();
        var k = 0;
        foreach (var group in pack.Negatives.Keys)
        {
            impostors.AddRange(sampler.SampleImpostors(group, options.CalibrationImpostorsPerGroup, unchecked(options.Seed * 31 + 7919 + k++)));
        }

        var flat = Flatten(impostors.ToArray(), pack.Dimension);
        var thresholds = new float[models.Length];
        Parallel.For(0, models.Length, new ParallelOptions { MaxDegreeOfParallelism = options.Parallelism, CancellationToken = ct }, t =>
        {
            thresholds[t] = ThresholdCalibration.FromImpostorScores(Logits(models[t], flat, impostors.Count), options.TargetFmr);
        });
        return thresholds;
    }

    /// <summary>The impostor-only analysis; with privacy on, adds the attribute-inference attacks on its templates to <paramref name="privacy"/>.</summary>
    private ImpostorAnalysis ImpostorOnly(
        ImpostorDataset data, Func<byte[], float[]?> describe, DescriptorCache? cache, PopulationPack pack, string packId,
        BackboneIdentity backbone, IReadOnlyDictionary<string, double> globalThresholds, List<AttackResult> privacy, IProgress<EvaluationProgress>? progress, CancellationToken ct)
    {
        var descriptors = DescribeAll(data.Photos.Select(p => p.Path).ToArray(), describe, cache, "impostor-describe", progress, ct);
        var usable = data.Photos.Where(p => descriptors[p.Path] is not null).ToArray();
        static string? Cell(LabelledPhoto p) => p.Gender is { } g && p.Ethnicity is { } e && p.AgeBand is { } a ? $"{g}/{e}/{a}" : null;

        // Templates: up to K photos per intersectional cell (seeded), so small cells get templates too; probes: the rest.
        var random = new Random(options.Seed + 41);
        var isTemplate = new bool[usable.Length];
        foreach (var cell in Enumerable.Range(0, usable.Length).Where(i => Cell(usable[i]) is not null).GroupBy(i => Cell(usable[i])!).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var members = cell.ToArray();
            random.Shuffle(members);
            foreach (var i in members.Take(options.ImpostorTemplatesPerCell))
            {
                isTemplate[i] = true;
            }
        }

        var templatePhotos = usable.Where((_, i) => isTemplate[i]).ToArray();
        var probePhotos = usable.Where((_, i) => !isTemplate[i]).ToArray();
        if (templatePhotos.Length < 2 || probePhotos.Length == 0)
        {
            throw new ArgumentException($"Dataset '{data.Root}' gave {templatePhotos.Length} template(s) and {probePhotos.Length} probe(s) with faces and full labels; the impostor analysis needs at least 2 and 1.");
        }

        var references = templatePhotos.Select(p => descriptors[p.Path]!).ToArray();
        var models = Enroll(references, Balance.EqualOver(pack), pack, packId, backbone, options.Trainer, options.Seed + 43, null, "impostor-enroll", progress, ct);
        var vectors = references.Select(r => new VectorTemplate(backbone, r)).ToArray();
        var probes = Flatten(probePhotos.Select(p => descriptors[p.Path]!).ToArray(), pack.Dimension);
        var modelScores = LogitMatrix(models, probes, probePhotos.Length, "impostor-score", progress, ct);
        var vectorScores = CosineMatrix(vectors, probes, probePhotos.Length);
        var personal = CalibratedThresholds(models, pack, ct);
        if (options.Privacy)
        {
            // Every template here has gender and ethnicity labels (drawn per cell): the ethnicity attack that lfw-dev's
            // few labels cannot support (5 classes of 93–120 people on UTKFace).
            var (responseFlat, responseCount) = ResponseProbes(pack);
            AttackStoredForms(privacy, vectors, models, responseFlat, responseCount, $", {System.IO.Path.GetFileName(data.Root.TrimEnd('/'))} templates",
                [("gender", templatePhotos.Select(p => p.Gender).ToArray()), ("ethnicity", templatePhotos.Select(p => p.Ethnicity).ToArray())], progress, ct);
        }

        var attributes = new (string Name, Func<LabelledPhoto, string?> Label)[]
        {
            ("gender", p => p.Gender),
            ("ethnicity", p => p.Ethnicity),
            ("age band", p => p.AgeBand),
            (IntersectionOf("gender", "ethnicity", "age band"), Cell),
        };
        var results = new List<ImpostorFairness>();
        var sources = new List<(string, float[][], string, Func<int, double>)>
        {
            ("model", modelScores, "global", _ => globalThresholds["model"]),
            ("model", modelScores, "personal", t => personal[t]),
            ("vector", vectorScores, "global", _ => globalThresholds["vector"]),
        };
        foreach (var (kind, matrix, scale) in new[]
        {
            ("model", modelScores, CalibratedScale.ForKind(TemplateKind.Model, models[0].Anchor, pack, options.Trainer.SignatureWith(options.TrainingSet))),
            ("vector", vectorScores, CalibratedScale.ForKind(TemplateKind.Vector, null, pack, null)),
        })
        {
            if (scale is not null)
            {
                // Each template's own calibrated group (gender × ethnicity × age band where the calibration has it).
                var groups = templatePhotos.Select(p => (Gender: ParseGender(p.Gender), Ethnicity: ParseEthnicity(p.Ethnicity),
                    AgeBand: p.AgeBand is { } a && DemographicVocabulary.TryParseAgeBand(a, out var band) ? band : (AgeBand?)null)).ToArray();
                var raw = groups.Select(g => scale.Calibration.ThresholdFor("own group", g.Gender, g.Ethnicity, g.AgeBand, options.TargetFmr) is { } v
                    ? scale.RawFromUnit(v) : double.PositiveInfinity).ToArray();
                sources.Add((kind, matrix, "calibrated", t => raw[t]));
                if (kind == "model" && HasCosineBound(models, pack))
                {
                    var bounded = groups.Select((g, t) => scale.CosineBound(models[t].Anchor, options.Trainer.CorrectionCap, pack.Calibration,
                        g.Gender, g.Ethnicity, g.AgeBand, options.TargetFmr) is { } b ? Math.Max(raw[t], b.Raw) : raw[t]).ToArray();
                    sources.Add((kind, matrix, "calibrated, cosine-bounded", t => bounded[t]));
                }
            }
        }

        foreach (var (kind, matrix, source, threshold) in sources)
        {
            foreach (var (name, label) in attributes)
            {
                var rows = SameGroupRates(templatePhotos.Select(label).ToArray(), probePhotos.Select(label).ToArray(), matrix, threshold,
                    options.TargetFmr, options.BootstrapReplicates, options.Seed + 100);
                if (kind == "vector")
                {
                    // Reliability depends on counts only, the same for every kind: warn once.
                    warnings.AddRange(rows.Where(r => r.Warning is not null).Select(r => $"impostors {name} {r.Group}: {r.Warning}"));
                }

                results.Add(ImpostorSummary(kind, source, source == "global" ? threshold(0) : null, name, rows));
            }
        }

        var byCell = templatePhotos.GroupBy(p => Cell(p)!).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        return new ImpostorAnalysis(data.Root, data.Photos.Count, data.Photos.Count - usable.Length, templatePhotos.Length, probePhotos.Length,
            options.ImpostorTemplatesPerCell, byCell, results);
    }

    /// <summary>Same-group FMR per group: each template of the group against every probe of the group, at each template's
    /// threshold; 95% intervals by resampling the group's templates.</summary>
    /// <param name="templateLabels">Group of each template (null: in no group).</param>
    /// <param name="probeLabels">Group of each probe.</param>
    /// <param name="matrix">Scores, template-major <c>[t][p]</c>.</param>
    /// <param name="threshold">Template index → its threshold (a score ≥ it is a match).</param>
    /// <param name="targetFmr">Sets the reliability floor: fewer than 10/FMR pairs (or 5 templates) gets a warning.</param>
    /// <param name="replicates">Bootstrap replicates.</param>
    /// <param name="seed">Bootstrap seed (the i-th group uses seed + i).</param>
    internal static List<ImpostorGroupRate> SameGroupRates(
        string?[] templateLabels, string?[] probeLabels, float[][] matrix, Func<int, double> threshold, double targetFmr, int replicates, int seed)
    {
        var rows = new List<ImpostorGroupRate>();
        var minimumPairs = (long)Math.Ceiling(10 / targetFmr);
        foreach (var group in templateLabels.OfType<string>().Distinct().Order(StringComparer.Ordinal))
        {
            var members = Enumerable.Range(0, templateLabels.Length).Where(t => templateLabels[t] == group).ToArray();
            var probesInGroup = Enumerable.Range(0, probeLabels.Length).Where(p => probeLabels[p] == group).ToArray();
            if (probesInGroup.Length == 0)
            {
                continue;
            }

            var counts = members.Select(t =>
            {
                var limit = threshold(t);
                var row = matrix[t];
                return new IdentityCounts(0, 0, probesInGroup.Length, probesInGroup.Count(p => row[p] >= limit));
            }).ToArray();
            var (fmr, _) = IdentityBootstrap.Rates(counts, replicates, seed + rows.Count);
            var pairs = (long)members.Length * probesInGroup.Length;
            var warning = members.Length < 5 || pairs < minimumPairs
                ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"only {members.Length} template(s) and {pairs:N0} pairs (< 5 or < 10/FMR): the rate is not reliable")
                : null;
            rows.Add(new ImpostorGroupRate(group, members.Length, probesInGroup.Length, pairs, fmr, warning));
        }

        return rows;
    }

    private static ImpostorFairness ImpostorSummary(string kind, string source, double? threshold, string attribute, List<ImpostorGroupRate> rows)
    {
        var fmrs = rows.Where(r => r.Warning is null).Select(r => r.Fmr.Value).ToArray();
        double? ratio = null, gini = null, maxToMin = null;
        if (fmrs.Length >= 2)
        {
            ratio = FairnessMetrics.MaxToGeometricMean(fmrs);
            gini = FairnessMetrics.Gini(fmrs);
            maxToMin = fmrs.Min() > 0 ? fmrs.Max() / fmrs.Min() : null;
        }

        return new ImpostorFairness(kind, source, threshold, attribute, rows, ratio, gini, maxToMin);
    }

    private VariationCheck CheckVariation(float[][] references, List<(float[] Descriptor, int Owner)> probes, PopulationPack pack, Balance balance)
    {
        var count = Math.Min(50, references.Length);
        var sampler = new TrainingSetSampler(pack);
        double synthetic = 0, real = 0;
        int syntheticN = 0, realN = 0;
        for (var t = 0; t < count; t++)
        {
            var unit = references[t].ToArray();
            Kernels.NormalizeInPlace(unit);
            var set = sampler.Sample(references[t], balance, unchecked(options.Seed * 1_000_003 + t),
                options.TrainingSet with { Negatives = 0, Positives = Math.Min(options.TrainingSet.Positives, 500), IncludeReference = false });
            foreach (var p in set.Positives)
            {
                synthetic += Kernels.Dot(unit, p);
                syntheticN++;
            }

            foreach (var (descriptor, owner) in probes)
            {
                if (owner == t)
                {
                    var probe = descriptor.ToArray();
                    Kernels.NormalizeInPlace(probe);
                    real += Kernels.Dot(unit, probe);
                    realN++;
                }
            }
        }

        return new VariationCheck(count, options.TrainingSet.VariationScale, syntheticN == 0 ? double.NaN : synthetic / syntheticN, realN == 0 ? double.NaN : real / realN);
    }

    private List<SweepSetting> Sweep(
        EvaluationIdentity[] enrolled, float[][] references, Dictionary<string, float[]?> descriptors, PopulationPack pack, string packId,
        BackboneIdentity backbone, IProgress<EvaluationProgress>? progress, CancellationToken ct)
    {
        var result = new List<SweepSetting>();
        if (options.SweepFemaleShares.Count == 0 || options.SweepIdentities < 4)
        {
            return result;
        }

        var subset = BalancedSubset(enrolled.Select(i => i.Gender).ToArray(), options.SweepIdentities / 2, options.Seed + 17);
        if (subset.Length < 4)
        {
            warnings.Add("sweep skipped: fewer than 2 labelled identities per gender");
            return result;
        }

        var subsetReferences = subset.Select(i => references[i]).ToArray();
        var probeList = new List<(float[] Descriptor, int Owner)>();
        for (var s = 0; s < subset.Length; s++)
        {
            foreach (var photo in enrolled[subset[s]].Photos.Skip(1))
            {
                if (descriptors[photo] is { } d)
                {
                    probeList.Add((d, s));
                }
            }
        }

        var probes = Flatten(probeList.Select(p => p.Descriptor).ToArray(), pack.Dimension);
        var owners = probeList.Select(p => p.Owner).ToArray();
        var genders = subset.Select(i => enrolled[i].Gender).ToArray();
        foreach (var share in options.SweepFemaleShares)
        {
            var started = time.GetTimestamp();
            var balance = FemaleShare(pack, share);
            var models = Enroll(subsetReferences, balance, pack, packId, backbone, options.Trainer, options.Seed, null,
                $"sweep {share:0.##}", progress, ct);
            var enrollSeconds = time.GetElapsedTime(started).TotalSeconds;
            var matrix = LogitMatrix(models, probes, owners.Length, null, null, ct);
            var set = Pool(matrix, owners);
            var threshold = GlobalThreshold(set, $"sweep {share}");
            var fairness = Fairness("model", "gender", genders, matrix, owners, threshold, options.Seed + 2);
            result.Add(new SweepSetting(share, subset.Length, threshold, set.AtFmr(options.TargetFmr, 1), fairness.Groups, fairness.Fdr, fairness.Garbe, enrollSeconds));
        }

        return result;
    }

    private List<AttackResult> Privacy(
        EvaluationIdentity[] enrolled, float[][] references, VectorTemplate[] vectors, ModelTemplate[] models, PopulationPack pack, string packId,
        BackboneIdentity backbone, IProgress<EvaluationProgress>? progress, CancellationToken ct)
    {
        var attacks = new List<AttackResult>();
        var genders = enrolled.Select(i => i.Gender).ToArray();
        var ethnicities = enrolled.Select(i => i.Ethnicity).ToArray();
        // Ethnicity classes with at least 20 identities; the rest are too small to balance against.
        var bigEthnicities = ethnicities.Where(e => e is not null).GroupBy(e => e).Where(g => g.Count() >= 20).Select(g => g.Key).ToHashSet();
        var ethnicityLabels = ethnicities.Select(e => e is not null && bigEthnicities.Contains(e) ? e : null).ToArray();

        var (responseFlat, responseCount) = ResponseProbes(pack);
        void Attack(string attribute, string source, IReadOnlyList<float[]> features, string?[] labels) =>
            RunAttack(attacks, attribute, source, features, labels, progress, ct);

        AttackStoredForms(attacks, vectors, models, responseFlat, responseCount, "", bigEthnicities.Count >= 2
            ? [("gender", genders), ("ethnicity", ethnicityLabels)] : [("gender", genders)], progress, ct);

        if (options.PrivacyPerClass >= 5 && options.PrivacyWidthJitter > 0)
        {
            // Width jitter changes each person's architecture: retrain a balanced subset with it; weights are
            // zero-padded to the widest layer sizes, as an attacker reading them would.
            var subset = BalancedSubset(genders, options.PrivacyPerClass, options.Seed + 29);
            var jittered = Enroll(subset.Select(i => references[i]).ToArray(), Balance.EqualOver(pack), pack, packId, backbone,
                options.Trainer with { WidthJitter = options.PrivacyWidthJitter }, options.Seed, null, "privacy jitter", progress, ct);
            var maxWidths = Enumerable.Range(0, jittered[0].Architecture.Widths.Count).Select(l => jittered.Max(m => m.Architecture.Widths[l])).ToArray();
            var subsetGenders = subset.Select(i => genders[i]).ToArray();
            Attack("gender", $"MOTE weights, width jitter ±{options.PrivacyWidthJitter}", jittered.Select(m => FlattenWeights(m, maxWidths)).ToArray(), subsetGenders);
            Attack("gender", $"MOTE responses, width jitter ±{options.PrivacyWidthJitter}", jittered.Select(m => Logits(m, responseFlat, responseCount)).ToArray(), subsetGenders);
        }

        return attacks;
    }

    private List<KindCosts> Costs(ModelTemplate[] models, VectorTemplate[] vectors, double[] enrollMs, float[] probes, int probeCount)
    {
        var d = vectors[0].Dimension;
        var sample = Math.Min(probeCount, 200);
        var probe = probes.AsSpan(0, d).ToArray();
        double Median(IEnumerable<double> values) => IdentityBootstrap.Percentile(values.Order().ToArray(), 0.5);

        double VerifyUs(ITemplate template)
        {
            var times = new double[7];
            for (var r = 0; r < times.Length; r++)
            {
                var clock = Stopwatch.StartNew();
                for (var k = 0; k < 1000; k++)
                {
                    template.Score(probe);
                }

                times[r] = clock.Elapsed.TotalMicroseconds / 1000;
            }

            return Median(times);
        }

        double IdentifyMs(ITemplateScorer scorer)
        {
            var scores = new float[scorer.Count];
            var times = new double[Math.Min(sample, 50)];
            for (var p = 0; p < times.Length; p++)
            {
                var clock = Stopwatch.StartNew();
                scorer.ScoreBatch(probes.AsSpan(p * d, d), 1, scores);
                times[p] = clock.Elapsed.TotalMilliseconds;
            }

            return Median(times);
        }

        var modelScorer = TemplateScorers.Create(models);
        var vectorScorer = TemplateScorers.Create(vectors);
        var vectorEnroll = new double[Math.Min(vectors.Length, 1000)];
        for (var i = 0; i < vectorEnroll.Length; i++)
        {
            var clock = Stopwatch.StartNew();
            _ = new VectorTemplate(vectors[i].Backbone, vectors[i].UnitVector);
            vectorEnroll[i] = clock.Elapsed.TotalMilliseconds;
        }

        var sortedEnroll = enrollMs.Order().ToArray();
        var sortedVectorEnroll = vectorEnroll.Order().ToArray();
        return
        [
            new KindCosts("model", Median(models.Select(m => (double)m.StorageBytes)), IdentityBootstrap.Percentile(sortedEnroll, 0.5),
                IdentityBootstrap.Percentile(sortedEnroll, 0.9), VerifyUs(models[0]), IdentifyMs(modelScorer), models.Length),
            new KindCosts("vector", Median(vectors.Select(v => (double)v.StorageBytes)), IdentityBootstrap.Percentile(sortedVectorEnroll, 0.5),
                IdentityBootstrap.Percentile(sortedVectorEnroll, 0.9), VerifyUs(vectors[0]), IdentifyMs(vectorScorer), vectors.Length),
        ];
    }

    /// <summary>Up to <paramref name="perClass"/> female and as many male identities (indices), seeded, sorted.</summary>
    private static int[] BalancedSubset(string?[] genders, int perClass, int seed)
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

    private static float[] FlattenWeights(ModelTemplate model, int[]? paddedWidths)
    {
        var widths = paddedWidths ?? model.Architecture.Widths.ToArray();
        var size = 0;
        for (var l = 0; l < widths.Length - 1; l++)
        {
            size += widths[l] * widths[l + 1] + widths[l + 1];
        }

        var flat = new float[size];
        var offset = 0;
        for (var l = 0; l < model.Layers.Count; l++)
        {
            var layer = model.Layers[l];
            int inputs = widths[l], outputs = widths[l + 1];
            for (var r = 0; r < layer.Outputs; r++)
            {
                layer.Weights.Slice(r * layer.Inputs, layer.Inputs).CopyTo(flat.AsSpan(offset + r * inputs, layer.Inputs));
            }

            offset += inputs * outputs;
            layer.Bias.CopyTo(flat.AsSpan(offset, layer.Outputs));
            offset += outputs;
        }

        return flat;
    }

    private static float[] Flatten(float[][] rows, int dimension)
    {
        var flat = new float[rows.Length * dimension];
        for (var i = 0; i < rows.Length; i++)
        {
            rows[i].CopyTo(flat, i * dimension);
        }

        return flat;
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

    /// <summary>The threshold at the target FMR; with fewer than 10/FMR impostor scores (a small run) still the
    /// threshold that accepts at most ⌊FMR·n⌋ of them, with a warning that it rests on few scores.</summary>
    private double GlobalThreshold(ScoreSet set, string what)
    {
        if (set.ThresholdAtFmr(options.TargetFmr) is { } threshold)
        {
            return threshold;
        }

        warnings.Add($"{what}: only {set.Impostor.Length} impostor scores, fewer than 10/FMR; the FMR {options.TargetFmr:G} threshold is the highest impostor score");
        return set.ThresholdAtFmr(options.TargetFmr, 0)!.Value;
    }

    /// <summary>Runs an optional phase; a failure becomes a warning, so the recognition results of a long run are not lost.</summary>
    private T? Guarded<T>(string phase, Func<T> action)
        where T : class
    {
        try
        {
            return action();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            warnings.Add($"{phase} failed and is missing from this report: {e.GetType().Name}: {e.Message.Split('\n')[0]}");
            return null;
        }
    }

    private void Phase(string name, long started) => phases.Add(new PhaseTime(name, Math.Round(time.GetElapsedTime(started).TotalSeconds, 2)));
}
