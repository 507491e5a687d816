using Mote.Core.Population;
using Mote.Core.Population.Densities;
using Mote.Core.Population.Packs;

namespace Mote.Core.Tests.Population.Packs;

public sealed class PopulationPackBuilderTests
{
    [Fact]
    public void Build_FourGroups_NegativeAndVariationDensitiesWithProvenance()
    {
        var pack = PackTestData.Mixture();
        Assert.Equal(PackTestData.Dimension, pack.Dimension);
        Assert.Equal(DensityKind.GaussianMixture, pack.DensityKind);
        Assert.Equal(PackTestData.Groups.Select(g => g.Id), pack.Negatives.Keys.Select(g => g.Id));
        Assert.Equal(["female", "male"], pack.Variation.Keys.Select(g => g.Id));
        var p = pack.Provenance;
        Assert.Equal("mote population build --test", p.CommandLine);
        Assert.Equal(PackTestData.BuildTime, p.CreatedUtc);
        Assert.Equal("dlib-resnet-128", pack.BackboneId);
        Assert.Equal("sha256:0123abcd", pack.BackboneManifestHash);
        var dataset = Assert.Single(p.Datasets);
        Assert.Equal(("synthetic", 480, 160), (dataset.Name, dataset.Descriptors, dataset.IdentitiesWithTwoOrMore));
        Assert.All(PackTestData.Groups, g => Assert.Equal(120, dataset.NegativeGroupCounts[g.Id]));
        Assert.Equal(240, dataset.VariationGroupCounts["female"]);
        Assert.Equal("gaussian-mixture", p.EstimatorSettings["kind"]);
        Assert.Empty(p.SkippedGroups);
    }

    [Fact]
    public void Build_GroupBelowMinimum_ReportedAndLeftOut()
    {
        var samples = PackTestData.Samples();
        // Keep only 10 identities × 3 images = 30 descriptors of female|black.
        var femaleBlack = PopulationTestData.G("female|black");
        var kept = 0;
        samples = samples.Where(s => DemographicGroup.Of(s.Label, GroupDimensions.Gender | GroupDimensions.Ethnicity) != femaleBlack || kept++ < 30).ToList();
        var pack = PackTestData.Build(new GaussianMixtureEstimator(maxComponents: 1), samples);
        Assert.DoesNotContain(femaleBlack, pack.Negatives.Keys);
        var skipped = Assert.Single(pack.Provenance.SkippedGroups);
        Assert.Equal(("female|black", "negatives", 30), (skipped.GroupId, skipped.Purpose, skipped.Count));
        Assert.Contains("30 < minimum 50", skipped.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_NoIdentities_ThrowsInsufficientDataListingCounts()
    {
        var samples = PackTestData.Samples().Select(s => (s.Descriptor, s.Label with { Identity = null }));
        var e = Assert.Throws<InsufficientDataException>(() => PackTestData.Build(new GaussianMixtureEstimator(), samples));
        Assert.Contains("0 variation groups", e.Message, StringComparison.Ordinal);
        Assert.Contains("female|black=120", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_ResidualsPerIdentity_AverageToZeroAndAreSmallerThanDescriptors()
    {
        // Variation densities model descriptor − identity mean: their mean is ~0 and spread ≈ the 0.1 within-identity
        // noise (before normalisation of ~unit-length descriptors), far below the between-identity spread of 0.3.
        var pack = PackTestData.Mixture();
        var variation = (GaussianMixture)pack.VariationDensity(PopulationTestData.G("female"));
        for (var c = 0; c < variation.ComponentCount; c++)
        {
            Assert.All(variation.Mean(c), v => Assert.InRange(v, -0.02, 0.02));
        }
        var draws = variation.Sample(2000, new Random(1));
        var rms = Math.Sqrt(draws.Average(d => d.Sum(v => (double)v * v)));
        var negatives = pack.NegativeDensity(PopulationTestData.G("female|white")).Sample(2000, new Random(1));
        var (mean, _) = PopulationTestData.Moments(negatives);
        var negativeRms = Math.Sqrt(negatives.Average(d => d.Select((v, j) => (v - mean[j]) * (v - mean[j])).Sum()));
        Assert.True(rms < 0.6 * negativeRms, $"residual rms {rms:F3}, descriptor spread {negativeRms:F3}");
    }

    [Fact]
    public void Build_TwoDatasets_NegativesFromBothVariationFromIdentitiesOnly()
    {
        var lfwLike = PackTestData.Samples(identitiesPerGroup: 20, imagesPerIdentity: 3, seed: 2);
        var utkLike = PopulationTestData.LabelledPopulation(PackTestData.Groups, 60, 1, PackTestData.Dimension, seed: 3, dataset: "utk-like")
            .Select(s => (s.Descriptor, s.Label with { Identity = null, AgeBand = AgeBand.Adult18To59 })).ToList();
        var pack = PackTestData.Build(new GaussianMixtureEstimator(maxComponents: 1), lfwLike.Concat(utkLike));
        Assert.Equal(["synthetic", "utk-like"], pack.Provenance.Datasets.Select(d => d.Name));
        var utk = pack.Provenance.Datasets[1];
        Assert.Equal((240, 0), (utk.Descriptors, utk.IdentitiesWithTwoOrMore));
        Assert.Empty(utk.VariationGroupCounts);
        Assert.All(PackTestData.Groups, g => Assert.Equal(60, utk.NegativeGroupCounts[g.Id]));
        // 60 from each dataset per group: every negative group reaches 50 only because both contribute.
        Assert.Equal(4, pack.Negatives.Count);
        Assert.Equal(120, pack.Provenance.Datasets[0].VariationGroupCounts["male"]);
    }

    [Fact]
    public void Build_GroupRemoved_OtherGroupsDensitiesUnchanged()
    {
        // Each group's fit is seeded from the seed and its id, so dropping one group leaves the others bit-identical.
        var all = PackTestData.Mixture();
        var withoutOne = PackTestData.Build(new GaussianMixtureEstimator(maxComponents: 2),
            PackTestData.Samples().Where(s => !(s.Label.Gender == Gender.Female && s.Label.Ethnicity == Ethnicity.Black)));
        Assert.Equal(3, withoutOne.Negatives.Count);
        foreach (var (group, density) in withoutOne.Negatives)
        {
            Assert.Equal(all.NegativeDensity(group).StoredVectors(), density.StoredVectors());
        }
    }

    [Fact]
    public void Build_SameSeed_SameFile()
    {
        var a = PopulationPackFile.ToBytes(PackTestData.Mixture());
        var b = PopulationPackFile.ToBytes(PackTestData.Mixture());
        Assert.Equal(a, b);
    }

    [Fact]
    public void Build_MixedDescriptorLengths_ThrowsNamingImage()
    {
        var samples = PackTestData.Samples();
        samples[7] = (new float[3], samples[7].Label);
        var e = Assert.Throws<ArgumentException>(() => PackTestData.Build(new GaussianMixtureEstimator(), samples));
        Assert.Contains(samples[7].Label.ImagePath, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ContainsRawVectors_KdeTrueMixtureFalse()
    {
        Assert.True(PackTestData.Kde().ContainsRawVectors);
        Assert.False(PackTestData.Mixture().ContainsRawVectors);
    }

    [Fact]
    public void MixturePack_NoStoredArrayEqualsAnyTrainingPointOrResidual()
    {
        var samples = PackTestData.Samples();
        var pack = PackTestData.Mixture();
        var inputs = TrainingVectors(samples);
        foreach (var density in pack.Negatives.Values.Concat(pack.Variation.Values))
        {
            foreach (var stored in density.StoredVectors())
            {
                Assert.DoesNotContain(inputs, p => p.Length == stored.Length && p.Zip(stored).All(t => Math.Abs(t.First - t.Second) < 1e-6));
            }
        }
        // And at the byte level: no input vector's float32 or float64 image occurs anywhere in the file.
        var bytes = PopulationPackFile.ToBytes(pack);
        Assert.Equal(0, CountVectorsInBytes(bytes, inputs));
    }

    [Fact]
    public void KdePack_ByteScanFindsTheTrainingPoints()
    {
        // The control for the test above: the same scan does find raw vectors in a KDE pack.
        var samples = PackTestData.Samples();
        var inputs = TrainingVectors(samples);
        var bytes = PopulationPackFile.ToBytes(PackTestData.Kde());
        Assert.Equal(inputs.Count, CountVectorsInBytes(bytes, inputs));
    }

    /// <summary>The vectors a pack is fitted to: normalised descriptors and their per-identity residuals.</summary>
    private static List<float[]> TrainingVectors(List<(float[] Descriptor, LabelRecord Label)> samples)
    {
        var normalised = samples.Select(s =>
        {
            var n = Math.Sqrt(s.Descriptor.Sum(v => (double)v * v));
            return (Vector: s.Descriptor.Select(v => (float)(v * (1.0 / n))).ToArray(), s.Label);
        }).ToList();
        var result = normalised.Select(s => s.Vector).ToList();
        foreach (var identity in normalised.GroupBy(s => s.Label.Identity))
        {
            var members = identity.ToArray();
            var mean = Enumerable.Range(0, PackTestData.Dimension).Select(j => members.Sum(m => (double)m.Vector[j])).ToArray();
            result.AddRange(members.Select(m => m.Vector.Select((v, j) => (float)(v - mean[j] / members.Length)).ToArray()));
        }
        return result;
    }

    private static int CountVectorsInBytes(byte[] haystack, List<float[]> vectors)
    {
        var found = 0;
        foreach (var v in vectors)
        {
            var f32 = v.SelectMany(BitConverter.GetBytes).ToArray();
            var f64 = v.SelectMany(x => BitConverter.GetBytes((double)x)).ToArray();
            if (haystack.AsSpan().IndexOf(f32) >= 0 || haystack.AsSpan().IndexOf(f64) >= 0)
            {
                found++;
            }
        }
        return found;
    }
}
