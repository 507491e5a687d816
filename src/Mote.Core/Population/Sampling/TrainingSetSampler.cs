using Mote.Core.Numerics;
using Mote.Core.Population.Densities;
using Mote.Core.Population.Packs;
using Mote.Core.Templates;

namespace Mote.Core.Population.Sampling;

/// <summary>
/// Draws synthetic training sets and impostors from a <see cref="PopulationPack"/>. Stateless apart from the pack;
/// every call builds its own <see cref="Random"/> from the seed, so equal inputs give equal outputs and calls can run
/// in parallel.
/// </summary>
public sealed class TrainingSetSampler
{
    private readonly PopulationPack _pack;

    /// <summary>Creates a sampler over <paramref name="pack"/>; throws <see cref="ArgumentNullException"/> when it is null.</summary>
    public TrainingSetSampler(PopulationPack pack)
    {
        _pack = pack ?? throw new ArgumentNullException(nameof(pack));
    }

    /// <summary>
    /// Positives = the reference (normalised) plus, for each further positive, reference + a residual drawn from the
    /// variation density of a group picked by the balance's variation weights, put back on the unit sphere.
    /// Negatives = draws from the descriptor density of a group picked by the negative weights, normalised.
    /// Each sample's group is drawn on its own (categorical over the weights), so groups come interleaved in draw order. The reference is not mutated.
    /// </summary>
    /// <param name="reference">The enrolment descriptor, length = pack dimension, non-zero.</param>
    /// <param name="balance">The person's mix; default <see cref="Balance.EqualOver"/> the pack. Validated.</param>
    /// <param name="seed">Fixes every draw.</param>
    /// <param name="options">Counts; default 2,000 positives and 4,000 negatives.</param>
    public TrainingSet Sample(ReadOnlySpan<float> reference, Balance? balance, int seed, TrainingSetOptions? options = null)
    {
        options ??= new TrainingSetOptions();
        ArgumentOutOfRangeException.ThrowIfNegative(options.Positives);
        ArgumentOutOfRangeException.ThrowIfNegative(options.Negatives);
        if (!(options.VariationScale >= 0 && double.IsFinite(options.VariationScale)))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.VariationScale, "The variation scale must be finite and ≥ 0.");
        }
        if (!(options.HardNegativeShare >= 0 && options.HardNegativeShare <= 1) || !(options.HardNegativeReach >= 1 && double.IsFinite(options.HardNegativeReach)))
        {
            throw new ArgumentOutOfRangeException(nameof(options), "The hard-negative share must be in [0, 1] and its reach finite and ≥ 1.");
        }
        var scale = (float)options.VariationScale;
        if (reference.Length != _pack.Dimension)
        {
            throw new ArgumentException($"The reference descriptor has length {reference.Length}; the population pack's backbone '{_pack.BackboneId}' gives {_pack.Dimension}.", nameof(reference));
        }
        var anchor = Normalised(reference.ToArray(), "reference descriptor");
        balance ??= Balance.EqualOver(_pack);
        balance.Validate(_pack);
        var random = new Random(seed);

        var includeReference = options.IncludeReference && options.Positives > 0;
        var residualCount = options.Positives - (includeReference ? 1 : 0);
        var (residuals, residualGroups) = Draw(_pack.Variation, balance.Variation, residualCount, random);
        var positives = new List<float[]>(options.Positives);
        var positiveGroups = new List<DemographicGroup?>(options.Positives);
        if (includeReference)
        {
            positives.Add(anchor);
            positiveGroups.Add(null);
        }
        for (var i = 0; i < residuals.Length; i++)
        {
            var p = new float[anchor.Length];
            for (var j = 0; j < p.Length; j++)
            {
                p[j] = anchor[j] + scale * residuals[i][j];
            }
            positives.Add(Normalised(p, "synthetic positive"));
            positiveGroups.Add(residualGroups[i]);
        }
        var negativeWeights = options.GuardedNegatives ? Capped(balance.Negatives, balance.ReferenceLevel(_pack)) : balance.Negatives;
        var (negatives, negativeGroups) = Draw(_pack.Negatives, negativeWeights, options.Negatives, random);
        foreach (var n in negatives)
        {
            Normalised(n, "synthetic negative");
        }
        var hard = (int)Math.Round(options.HardNegativeShare * negatives.Length);
        if (hard > 0 && residuals.Length > 0 && scale > 0)
        {
            // Groups come interleaved in draw order, so the first `hard` negatives are a fair sample of the mix.
            for (var i = 0; i < hard; i++)
            {
                var distance = scale * Norm(residuals[i % residuals.Length]) * (1 + (options.HardNegativeReach - 1) * random.NextDouble());
                negatives[i] = Towards(anchor, negatives[i], distance);
            }
        }
        return new TrainingSet(positives.ToArray(), positiveGroups.ToArray(), negatives, negativeGroups);
    }

    /// <summary>
    /// <paramref name="count"/> synthetic impostors of one group (normalised draws from its descriptor density), for
    /// an expected false-match rate per group. Throws <see cref="UnknownGroupException"/> if the pack lacks the group.
    /// </summary>
    public float[][] SampleImpostors(DemographicGroup group, int count, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var samples = _pack.NegativeDensity(group).Sample(count, new Random(seed));
        foreach (var s in samples)
        {
            Normalised(s, "synthetic impostor");
        }
        return samples;
    }

    private static Dictionary<DemographicGroup, double> Capped(IReadOnlyDictionary<DemographicGroup, double> weights, double level) =>
        weights.ToDictionary(w => w.Key, w => Math.Min(w.Value, level));

    private static (float[][] Samples, DemographicGroup[] Groups) Draw(
        IReadOnlyDictionary<DemographicGroup, IDensity> densities, IReadOnlyDictionary<DemographicGroup, double> weights, int count, Random random)
    {
        // Groups in the pack's (id) order, so the draw does not depend on how the caller built the balance.
        var groups = densities.Keys.Where(g => weights.GetValueOrDefault(g) > 0).ToArray();
        var cumulative = new double[groups.Length];
        var total = 0.0;
        for (var g = 0; g < groups.Length; g++)
        {
            total += weights[groups[g]];
            cumulative[g] = total;
        }
        var perGroup = new int[groups.Length];
        var assignment = new int[count];
        for (var i = 0; i < count; i++)
        {
            var u = random.NextDouble() * total;
            var g = 0;
            while (g < groups.Length - 1 && u >= cumulative[g])
            {
                g++;
            }
            assignment[i] = g;
            perGroup[g]++;
        }
        var drawn = new float[groups.Length][][];
        for (var g = 0; g < groups.Length; g++)
        {
            drawn[g] = densities[groups[g]].Sample(perGroup[g], random);
        }
        var next = new int[groups.Length];
        var samples = new float[count][];
        var labels = new DemographicGroup[count];
        for (var i = 0; i < count; i++)
        {
            var g = assignment[i];
            samples[i] = drawn[g][next[g]++];
            labels[i] = groups[g];
        }
        return (samples, labels);
    }

    /// <summary>The reference moved by <paramref name="distance"/> towards <paramref name="face"/>, on the unit sphere.</summary>
    private static float[] Towards(float[] reference, float[] face, double distance)
    {
        var step = new float[reference.Length];
        for (var j = 0; j < step.Length; j++)
        {
            step[j] = face[j] - reference[j];
        }
        var length = Norm(step);
        if (!(length > 1e-6))
        {
            return face;
        }
        var p = new float[reference.Length];
        for (var j = 0; j < p.Length; j++)
        {
            p[j] = (float)(reference[j] + distance * step[j] / length);
        }
        return Normalised(p, "hard negative");
    }

    private static double Norm(float[] v) => Math.Sqrt(Kernels.Dot(v, v));

    /// <summary>Scales <paramref name="v"/> to unit length in place and returns it.</summary>
    private static float[] Normalised(float[] v, string what)
    {
        double norm2 = 0;
        foreach (var x in v)
        {
            norm2 += (double)x * x;
        }
        if (!(norm2 > 0) || !double.IsFinite(norm2))
        {
            throw new ArgumentException($"The {what} has zero or non-finite norm and cannot be put on the unit sphere.");
        }
        var inv = 1.0 / Math.Sqrt(norm2);
        for (var j = 0; j < v.Length; j++)
        {
            v[j] = (float)(v[j] * inv);
        }
        return v;
    }
}
