using Mote.Core.Evaluation;
using Mote.Core.Faces.Pipeline;
using Mote.Core.Models;
using Mote.Core.Population;
using Mote.Core.Population.Labels;
using Mote.Core.Population.Packs;
using Mote.Core.Population.Sampling;
using Mote.Core.Templates;

namespace Mote.Gallery.Engine;

/// <summary>What a calibration measured.</summary>
public sealed record PopulationCalibrationResult(PopulationPack Pack, int People, int NoFace);

/// <summary>
/// <c>mote population calibrate</c>: measures a pack's <see cref="RealImpostorCalibration"/> on photos of distinct people
/// and returns the pack with it (densities unchanged). In a dataset with identities only the people with exactly one
/// photo are used — never the identities with ≥ 2 photos that the pack's variation and the evaluation protocol use — so a
/// calibration measured on lfw-dev is checked by <c>mote evaluate</c> on other people. In a dataset without identities
/// (UTKFace style) every photo counts as a person. An engine tool for the terminal: it writes only the pack file.
/// </summary>
public sealed class CalibratePopulationPack(GalleryEngine engine)
{
    /// <summary>Describes the people (best face; cached in <paramref name="cacheFolder"/>), measures and returns the calibrated pack.</summary>
    /// <param name="pack">The pack to calibrate (its backbone must be the pipeline's).</param>
    /// <param name="modelPack">The provisioned model pack.</param>
    /// <param name="datasetDirs">One or more labelled datasets.</param>
    /// <param name="cacheFolder">Descriptor cache folder.</param>
    /// <param name="progress">Photos done / total.</param>
    /// <param name="templates">Model-templates to train (engine trainer, equal balance) on that many people (seeded choice, stratified
    /// by most specific group with a floor per group: <see cref="StratifiedChoice"/>) and
    /// score on every other person for the logit calibration; 0 skips it.</param>
    /// <param name="seed">Seed of the template choice and trainings.</param>
    /// <param name="parallelism">Concurrent trainings.</param>
    /// <param name="ct">Stops between photos.</param>
    /// <param name="groupFloor">Templates at least per most specific group (or all of its members).</param>
    public PopulationCalibrationResult Execute(
        PopulationPack pack, ModelPack modelPack, IReadOnlyList<string> datasetDirs, string cacheFolder, IProgress<(int Done, int Total)>? progress, CancellationToken ct,
        int templates = 0, int seed = 1, int parallelism = 1, int groupFloor = 30)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(groupFloor);
        ArgumentNullException.ThrowIfNull(pack);
        ArgumentNullException.ThrowIfNull(datasetDirs);
        var records = new List<(LabelRecord Record, int Dataset)>();
        var sources = new List<string>();
        foreach (var dir in datasetDirs)
        {
            try
            {
                var read = DatasetLabelReader.ReadFolder(dir);
                var withIdentities = read.Any(r => r.Identity is not null);
                var dataset = sources.Count;
                records.AddRange((withIdentities
                    ? read.Where(r => r.Identity is not null).GroupBy(r => r.Identity!, StringComparer.Ordinal).Where(g => g.Count() == 1).Select(g => g.First())
                    : read).Select(r => (r, dataset)));
                sources.Add(Path.GetFileName(dir.TrimEnd('/', '\\')) + (withIdentities ? " (identities with exactly one photo)" : " (every photo)"));
            }
            catch (Exception e) when (e is LabelFormatException or IOException)
            {
                throw new GalleryException($"Cannot read the dataset at {dir}: {e.Message}");
            }
        }

        using var pipeline = new FacePipeline(new FacePipelineOptions { Backbone = pack.BackboneId }, modelPack);
        if (pipeline.Describer.BackboneId != pack.BackboneId)
        {
            throw new GalleryException($"The pack is for backbone {pack.BackboneId}; the pipeline gives {pipeline.Describer.BackboneId}.");
        }

        using var cache = DescriptorCache.Open(cacheFolder, pipeline.Describer.BackboneId, pipeline.Describer.BackboneHash, pack.Dimension);
        var people = new List<(float[] Unit, IReadOnlyList<string> Groups)>();
        var datasets = new List<int>();
        var noFace = 0;
        for (var i = 0; i < records.Count; i++)
        {
            ct.ThrowIfCancellationRequested();
            var (record, dataset) = records[i];
            var descriptor = cache.GetOrAdd(File.ReadAllBytes(record.ImagePath), photo => EvaluationRunner.BestFaceDescriptor(pipeline, photo));

            if (descriptor is null)
            {
                noFace++;
            }
            else
            {
                var groups = new[] { GroupDimensions.Gender, GroupDimensions.Gender | GroupDimensions.Ethnicity, GroupDimensions.All }
                    .Select(d => DemographicGroup.Of(record, d)?.Id).OfType<string>().ToArray();
                people.Add((Normalised(descriptor), groups));
                datasets.Add(dataset);
            }

            if ((i + 1) % 100 == 0 || i + 1 == records.Count)
            {
                cache.Flush();
                progress?.Report((i + 1, records.Count));
            }
        }

        // Pairs across datasets are left out (the same person can be in two datasets); within one, every pair counts.
        var source = string.Join(" + ", sources) + (sources.Count > 1 ? "; pairs within each dataset" : "");
        try
        {
            var calibration = RealImpostorCalibration.Measure(people, source, datasets);
            var model = templates > 0 ? MeasureModels(pack, people, datasets, source, templates, groupFloor, seed, parallelism, progress, ct) : null;
            return new PopulationCalibrationResult(pack.WithCalibration(calibration, model), people.Count, noFace);
        }
        catch (ArgumentException e)
        {
            throw new GalleryException(e.Message);
        }
    }

    /// <summary>Trains templates for a seeded choice of people exactly as enrollment does and scores every other person.</summary>
    private RealImpostorCalibration MeasureModels(
        PopulationPack pack, List<(float[] Unit, IReadOnlyList<string> Groups)> people, List<int> datasets, string source, int templates, int groupFloor, int seed, int parallelism,
        IProgress<(int Done, int Total)>? progress, CancellationToken ct)
    {
        var options = engine.TrainerOptionsFor(pack.BackboneId);
        var trainer = new TemplateTrainer(options);
        var sampler = new TrainingSetSampler(pack);
        var balance = Balance.EqualOver(pack);
        var chosen = StratifiedChoice(people.Select(p => p.Groups.Count > 0 ? p.Groups[^1] : DemographicGroup.AllId).ToArray(), templates, seed, groupFloor);
        var probes = new float[people.Count * pack.Dimension];
        for (var p = 0; p < people.Count; p++)
        {
            people[p].Unit.CopyTo(probes, p * pack.Dimension);
        }

        var provenance = new ModelTemplateProvenance(new BackboneIdentity(pack.BackboneId, pack.BackboneManifestHash), "calibration", []);
        var logits = new float[chosen.Length][];
        var done = 0;
        Parallel.For(0, chosen.Length, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallelism), CancellationToken = ct }, t =>
        {
            var personSeed = unchecked((seed * 1_000_003) + chosen[t]);
            var reference = people[chosen[t]].Unit;
            var sample = sampler.Sample(reference, balance, personSeed, engine.SamplingOptions);
            var model = trainer.Train(Core.Templates.TrainingSet.FromRows(sample.Positives, sample.Negatives), personSeed, provenance, reference);
            logits[t] = EvaluationRunner.Logits(model, probes, people.Count);
            progress?.Report((Interlocked.Increment(ref done), chosen.Length));
        });
        return RealImpostorCalibration.MeasureLogits(people.Select(p => p.Groups).ToArray(), chosen, logits,
            $"{source}; {chosen.Length} model-templates trained on some of these people, scored on the others", engine.TemplateSignatureFor(pack.BackboneId), datasets);
    }

    /// <summary>
    /// A seeded choice of people, stratified by most specific group (e.g. female|asian|0-17): each group gets its
    /// proportional share of <paramref name="count"/>, but never fewer than <paramref name="floor"/> (or all its members), so
    /// that small groups get templates too — a group's logit curve needs templates of its own members, and a plain random
    /// choice of 600 from lfw-dev and UTKFace leaves most gender × ethnicity × age cells with under 5. The floors can make
    /// the choice larger than <paramref name="count"/>. Returns indices in ascending order.
    /// </summary>
    internal static int[] StratifiedChoice(IReadOnlyList<string> finestGroups, int count, int seed, int floor = 30)
    {
        var random = new Random(seed);
        var total = finestGroups.Count;
        return Enumerable.Range(0, total).GroupBy(i => finestGroups[i], StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .SelectMany(g =>
            {
                var members = g.ToArray();
                random.Shuffle(members);
                var share = (int)Math.Round(count * (double)members.Length / total, MidpointRounding.AwayFromZero);
                return members.Take(Math.Min(members.Length, Math.Max(share, floor)));
            })
            .Order()
            .ToArray();
    }

    private static float[] Normalised(float[] v)
    {
        var norm = Math.Sqrt(v.Sum(x => (double)x * x));
        return v.Select(x => (float)(x / norm)).ToArray();
    }
}
