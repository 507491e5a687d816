using System.Globalization;
using Mote.Core.Population.Densities;

namespace Mote.Core.Population.Packs;

/// <summary>Settings of a pack build (immutable).</summary>
public sealed record PopulationPackOptions
{
    /// <summary>
    /// Dimensions of the negative (descriptor) groups. Default gender|ethnicity: UTKFace labels all three, but LFW has
    /// no ages, and one age split more would divide its small ethnic groups again.
    /// </summary>
    public GroupDimensions NegativeDimensions { get; init; } = GroupDimensions.Gender | GroupDimensions.Ethnicity;

    /// <summary>
    /// Dimensions of the variation (residual) groups. Default gender only: residuals need identities with ≥ 2 images,
    /// which only LFW has (1,196 identities in lfw-dev), and only about 15% of LFW identities carry an ethnicity.
    /// </summary>
    public GroupDimensions VariationDimensions { get; init; } = GroupDimensions.Gender;

    /// <summary>Groups with fewer descriptors (or residuals) than this are reported and left out (default 50).</summary>
    public int MinimumDescriptors { get; init; } = 50;

    /// <summary>
    /// L2-normalise each input descriptor before anything else (default true): the sampler's outputs and the
    /// classifier's inputs live on the unit sphere, so the densities should model normalised descriptors.
    /// </summary>
    public bool NormaliseDescriptors { get; init; } = true;
}

/// <summary>
/// Builds a <see cref="PopulationPack"/> from labelled descriptors. For every negative group with enough descriptors
/// it fits a density of the descriptors; for every variation group it fits a density of residuals (descriptor − that
/// identity's mean descriptor, over identities with ≥ 2 images, identity = dataset + identity name, group = the
/// identity's first record's labels). The estimator decides the density kind. Deterministic for a seed: each group is
/// fitted with its own <see cref="Random"/> seeded from the seed and the group id, so adding a group does not change
/// the others. Nothing passed in is mutated.
/// </summary>
public sealed class PopulationPackBuilder
{
    private readonly IDensityEstimator _estimator;
    private readonly PopulationPackOptions _options;
    private readonly TimeProvider _time;

    /// <param name="estimator">Fits each group's density (e.g. <see cref="GaussianMixtureEstimator"/>, which stores no raw vector).</param>
    /// <param name="options">Build settings; default <see cref="PopulationPackOptions"/>.</param>
    /// <param name="time">Clock for the provenance date; default <see cref="TimeProvider.System"/>.</param>
    public PopulationPackBuilder(IDensityEstimator estimator, PopulationPackOptions? options = null, TimeProvider? time = null)
    {
        _estimator = estimator ?? throw new ArgumentNullException(nameof(estimator));
        _options = options ?? new PopulationPackOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MinimumDescriptors, 2);
        _time = time ?? TimeProvider.System;
    }

    /// <summary>
    /// Builds the pack. Throws <see cref="InsufficientDataException"/> when no negative group or no variation group
    /// reaches the minimum (the message lists the counts seen), and <see cref="ArgumentException"/> for descriptors
    /// of mixed length, non-finite values or zero norm.
    /// </summary>
    /// <param name="samples">Descriptors with their labels; enumerated once.</param>
    /// <param name="backboneId">Backbone the descriptors come from.</param>
    /// <param name="backboneManifestHash">Hash of that backbone's model-pack manifest.</param>
    /// <param name="seed">Seed for every random choice of the fits.</param>
    /// <param name="commandLine">The command that ran the build, recorded in the provenance (default: this process's command line).</param>
    public PopulationPack Build(
        IEnumerable<(float[] Descriptor, LabelRecord Label)> samples,
        string backboneId,
        string backboneManifestHash,
        int seed,
        string? commandLine = null)
    {
        ArgumentNullException.ThrowIfNull(samples);
        var items = new List<(float[] Descriptor, LabelRecord Label)>();
        var dimension = -1;
        foreach (var (descriptor, label) in samples)
        {
            ArgumentNullException.ThrowIfNull(descriptor);
            ArgumentNullException.ThrowIfNull(label);
            if (dimension < 0)
            {
                dimension = descriptor.Length;
            }
            if (descriptor.Length != dimension || dimension == 0)
            {
                throw new ArgumentException($"Descriptor of '{label.ImagePath}' has length {descriptor.Length}, expected {dimension}.", nameof(samples));
            }
            items.Add((Prepare(descriptor, label), label));
        }

        var negativeSets = new Dictionary<DemographicGroup, List<float[]>>();
        foreach (var (descriptor, label) in items)
        {
            if (DemographicGroup.Of(label, _options.NegativeDimensions) is { } group)
            {
                Bucket(negativeSets, group).Add(descriptor);
            }
        }

        var variationSets = new Dictionary<DemographicGroup, List<float[]>>();
        var identitiesPerDataset = new Dictionary<string, int>(StringComparer.Ordinal);
        var variationCounts = new Dictionary<string, Dictionary<string, int>>(StringComparer.Ordinal);
        foreach (var identity in items.Where(i => i.Label.Identity is not null).GroupBy(i => (i.Label.Dataset, i.Label.Identity!)))
        {
            var members = identity.ToArray();
            if (members.Length < 2 || DemographicGroup.Of(members[0].Label, _options.VariationDimensions) is not { } group)
            {
                continue;
            }
            identitiesPerDataset[identity.Key.Dataset] = identitiesPerDataset.GetValueOrDefault(identity.Key.Dataset) + 1;
            var mean = new double[dimension];
            foreach (var m in members)
            {
                for (var j = 0; j < dimension; j++)
                {
                    mean[j] += m.Descriptor[j];
                }
            }
            var bucket = Bucket(variationSets, group);
            foreach (var m in members)
            {
                var residual = new float[dimension];
                for (var j = 0; j < dimension; j++)
                {
                    residual[j] = (float)(m.Descriptor[j] - mean[j] / members.Length);
                }
                bucket.Add(residual);
            }
            var counts = variationCounts.TryGetValue(identity.Key.Dataset, out var c) ? c : variationCounts[identity.Key.Dataset] = new(StringComparer.Ordinal);
            counts[group.Id] = counts.GetValueOrDefault(group.Id) + members.Length;
        }

        var skipped = new List<SkippedGroup>();
        var negatives = FitAll(negativeSets, "negatives", seed, skipped);
        var variation = FitAll(variationSets, "variation", seed, skipped);
        if (negatives.Count == 0 || variation.Count == 0)
        {
            throw new InsufficientDataException(
                $"No pack can be built: {negatives.Count} negative and {variation.Count} variation groups reach {_options.MinimumDescriptors} descriptors. "
                + $"Seen: negatives {Describe(negativeSets)}; variation {Describe(variationSets)}.");
        }

        var datasets = items.GroupBy(i => i.Label.Dataset, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => new DatasetSummary(
            g.Key,
            g.Count(),
            g.Select(i => DemographicGroup.Of(i.Label, _options.NegativeDimensions)?.Id).OfType<string>()
                .GroupBy(id => id, StringComparer.Ordinal).OrderBy(x => x.Key, StringComparer.Ordinal).ToDictionary(x => x.Key, x => x.Count(), StringComparer.Ordinal),
            variationCounts.TryGetValue(g.Key, out var vc) ? new SortedDictionary<string, int>(vc, StringComparer.Ordinal) : new Dictionary<string, int>(),
            identitiesPerDataset.GetValueOrDefault(g.Key))).ToArray();

        var provenance = new PopulationProvenance(
            datasets,
            commandLine ?? Environment.CommandLine,
            _time.GetUtcNow(),
            seed,
            _options.NegativeDimensions.ToString(),
            _options.VariationDimensions.ToString(),
            _options.MinimumDescriptors,
            _options.NormaliseDescriptors,
            new SortedDictionary<string, string>(_estimator.Settings.ToDictionary(), StringComparer.Ordinal),
            skipped);
        return new PopulationPack(backboneId, backboneManifestHash, _estimator.Kind, negatives, variation, provenance);
    }

    private float[] Prepare(float[] descriptor, LabelRecord label)
    {
        var copy = (float[])descriptor.Clone();
        double norm2 = 0;
        foreach (var v in copy)
        {
            if (!float.IsFinite(v))
            {
                throw new ArgumentException($"Descriptor of '{label.ImagePath}' holds a non-finite value.");
            }
            norm2 += (double)v * v;
        }
        if (_options.NormaliseDescriptors)
        {
            if (!(norm2 > 0))
            {
                throw new ArgumentException($"Descriptor of '{label.ImagePath}' has zero norm and cannot be normalised.");
            }
            var inv = 1.0 / Math.Sqrt(norm2);
            for (var j = 0; j < copy.Length; j++)
            {
                copy[j] = (float)(copy[j] * inv);
            }
        }
        return copy;
    }

    private Dictionary<DemographicGroup, IDensity> FitAll(Dictionary<DemographicGroup, List<float[]>> sets, string purpose, int seed, List<SkippedGroup> skipped)
    {
        var result = new Dictionary<DemographicGroup, IDensity>();
        foreach (var (group, points) in sets.OrderBy(s => s.Key.Id, StringComparer.Ordinal))
        {
            if (points.Count < _options.MinimumDescriptors)
            {
                skipped.Add(new SkippedGroup(group.Id, purpose, points.Count,
                    string.Create(CultureInfo.InvariantCulture, $"{points.Count} < minimum {_options.MinimumDescriptors}")));
                continue;
            }
            try
            {
                result[group] = _estimator.Fit(points, new Random(GroupSeed(seed, purpose, group.Id)));
            }
            catch (InsufficientDataException e)
            {
                skipped.Add(new SkippedGroup(group.Id, purpose, points.Count, e.Message));
            }
        }
        return result;
    }

    /// <summary>A stable (FNV-1a) mix of the seed, purpose and group id; string.GetHashCode is randomised per process.</summary>
    internal static int GroupSeed(int seed, string purpose, string groupId)
    {
        var hash = 2166136261u ^ (uint)seed;
        foreach (var ch in purpose + "/" + groupId)
        {
            hash = (hash ^ ch) * 16777619u;
        }
        return (int)(hash & 0x7fffffff);
    }

    private static List<float[]> Bucket(Dictionary<DemographicGroup, List<float[]>> sets, DemographicGroup group) =>
        sets.TryGetValue(group, out var list) ? list : sets[group] = [];

    private static string Describe(Dictionary<DemographicGroup, List<float[]>> sets) =>
        sets.Count == 0 ? "none" : string.Join(", ", sets.OrderBy(s => s.Key.Id, StringComparer.Ordinal).Select(s => $"{s.Key.Id}={s.Value.Count}"));
}
