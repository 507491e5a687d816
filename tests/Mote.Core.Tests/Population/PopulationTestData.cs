using Mote.Core.Population;

namespace Mote.Core.Tests.Population;

/// <summary>Builders for synthetic, seeded test data (no real person's vector anywhere).</summary>
internal static class PopulationTestData
{
    /// <summary>Standard normal by Box–Muller (the test's own, independent of the code under test).</summary>
    public static double Gaussian(Random random)
    {
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Sin(2.0 * Math.PI * u2);
    }

    /// <summary>n points from N(mean, L·Lᵀ) with L lower-triangular row-major (null = identity scaled by <paramref name="sd"/>).</summary>
    public static float[][] GaussianPoints(int n, double[] mean, double[]? cholesky, double sd, int seed)
    {
        var random = new Random(seed);
        var d = mean.Length;
        var result = new float[n][];
        var z = new double[d];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < d; j++)
            {
                z[j] = Gaussian(random);
            }
            var x = new float[d];
            for (var a = 0; a < d; a++)
            {
                double v = mean[a];
                if (cholesky is null)
                {
                    v += sd * z[a];
                }
                else
                {
                    for (var b = 0; b <= a; b++)
                    {
                        v += cholesky[a * d + b] * z[b];
                    }
                }
                x[a] = (float)v;
            }
            result[i] = x;
        }
        return result;
    }

    /// <summary>Sample mean and (biased) covariance of points.</summary>
    public static (double[] Mean, double[] Covariance) Moments(IReadOnlyList<float[]> points)
    {
        var d = points[0].Length;
        var mean = new double[d];
        foreach (var p in points)
        {
            for (var j = 0; j < d; j++)
            {
                mean[j] += p[j] / (double)points.Count;
            }
        }
        var cov = new double[d * d];
        foreach (var p in points)
        {
            for (var a = 0; a < d; a++)
            {
                for (var b = 0; b < d; b++)
                {
                    cov[a * d + b] += (p[a] - mean[a]) * (p[b] - mean[b]) / points.Count;
                }
            }
        }
        return (mean, cov);
    }

    /// <summary>
    /// A labelled synthetic population: for each group, <paramref name="identitiesPerGroup"/> identities with
    /// <paramref name="imagesPerIdentity"/> descriptors each, around a group-specific direction; plus
    /// unlabelled-identity (UTKFace-like) descriptors. Dimension <paramref name="d"/>.
    /// </summary>
    public static List<(float[] Descriptor, LabelRecord Label)> LabelledPopulation(
        IReadOnlyList<DemographicGroup> groups, int identitiesPerGroup, int imagesPerIdentity, int d, int seed, string dataset = "synthetic")
    {
        var random = new Random(seed);
        var samples = new List<(float[], LabelRecord)>();
        for (var g = 0; g < groups.Count; g++)
        {
            var groupMean = new double[d];
            groupMean[g % d] = 1.0;
            for (var id = 0; id < identitiesPerGroup; id++)
            {
                var centre = groupMean.Select(m => m + 0.3 * Gaussian(random)).ToArray();
                var name = $"{groups[g].Id.Replace('|', '_')}_{id:D4}";
                for (var k = 0; k < imagesPerIdentity; k++)
                {
                    var x = centre.Select(c => (float)(c + 0.1 * Gaussian(random))).ToArray();
                    var label = new LabelRecord(dataset, $"/images/{name}/{name}_{k + 1:D4}.jpg", name, groups[g].Gender, groups[g].Ethnicity, groups[g].AgeBand);
                    samples.Add((x, label));
                }
            }
        }
        return samples;
    }

    public static DemographicGroup G(string id) => DemographicGroup.Parse(id);
}
