using Mote.Core.Templates;

namespace Mote.Core.Tests.Templates;

/// <summary>
/// Test-data builder: descriptors as noisy unit vectors around per-identity centres in d dimensions, the
/// shape real face descriptors have (identities are clusters). Seeded; nothing random is shared.
/// </summary>
internal sealed class SyntheticDescriptors
{
    public static readonly BackboneIdentity Backbone = new("test-backbone-128", new string('a', 64));
    public static readonly BackboneIdentity OtherBackbone = new("test-backbone-other", new string('b', 64));

    private readonly Random random;

    public SyntheticDescriptors(int seed, int dimension = 128, double noise = 0.05)
    {
        random = new Random(seed);
        Dimension = dimension;
        Noise = noise;
    }

    public int Dimension { get; }

    public double Noise { get; }

    public static ModelTemplateProvenance Provenance { get; } = new(Backbone, "test-pack-1",
        [new BalanceEntry("group-a", 0.5f, 0.5f), new BalanceEntry("group-b", 0.5f, 0.5f)]);

    public float[] Centre() => Unit(Enumerable.Range(0, Dimension).Select(_ => Gaussian()).ToArray());

    /// <summary>A sample of the identity around <paramref name="centre"/>, re-normalised like a real descriptor.</summary>
    public float[] Around(float[] centre) => Unit(centre.Select(c => c + (float)(Noise * Gaussian())).ToArray());

    public float[][] Around(float[] centre, int count) => Enumerable.Range(0, count).Select(_ => Around(centre)).ToArray();

    /// <summary><paramref name="count"/> samples of fresh random identities (impostors / population).</summary>
    public float[][] Others(int count) => Enumerable.Range(0, count).Select(_ => Around(Centre())).ToArray();

    public TrainingSet TrainingSetFor(float[] centre, int positives, int negatives) =>
        TrainingSet.FromRows(Around(centre, positives), Others(negatives));

    private static float[] Unit(float[] v)
    {
        var norm = MathF.Sqrt(v.Sum(x => x * x));
        return v.Select(x => x / norm).ToArray();
    }

    private float Gaussian() => (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
}
