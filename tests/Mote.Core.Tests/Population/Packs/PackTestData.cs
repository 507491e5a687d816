using Mote.Core.Population;
using Mote.Core.Population.Densities;
using Mote.Core.Population.Packs;

namespace Mote.Core.Tests.Population.Packs;

/// <summary>Builds small synthetic packs (16-d, four gender|ethnicity groups) with a fixed clock.</summary>
internal static class PackTestData
{
    public const int Dimension = 16;

    public static readonly DateTimeOffset BuildTime = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);

    public static readonly DemographicGroup[] Groups =
        [PopulationTestData.G("female|black"), PopulationTestData.G("female|white"), PopulationTestData.G("male|black"), PopulationTestData.G("male|white")];

    public static List<(float[] Descriptor, LabelRecord Label)> Samples(int identitiesPerGroup = 40, int imagesPerIdentity = 3, int seed = 1) =>
        PopulationTestData.LabelledPopulation(Groups, identitiesPerGroup, imagesPerIdentity, Dimension, seed);

    public static PopulationPack Build(IDensityEstimator estimator, IEnumerable<(float[] Descriptor, LabelRecord Label)>? samples = null, PopulationPackOptions? options = null) =>
        new PopulationPackBuilder(estimator, options, new FixedTime(BuildTime))
            .Build(samples ?? Samples(), "dlib-resnet-128", "sha256:0123abcd", seed: 5, commandLine: "mote population build --test");

    public static PopulationPack Mixture() => Build(new GaussianMixtureEstimator(maxComponents: 2));

    public static PopulationPack Kde() => Build(new GaussianKdeEstimator());

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
