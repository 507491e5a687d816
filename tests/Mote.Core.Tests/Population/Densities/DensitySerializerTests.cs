using Mote.Core.Population.Densities;

namespace Mote.Core.Tests.Population.Densities;

public sealed class DensitySerializerTests
{
    [Fact]
    public void Read_UnknownKind_ThrowsInvalidData()
    {
        using var reader = new BinaryReader(new MemoryStream(BitConverter.GetBytes(99)));
        var e = Assert.Throws<InvalidDataException>(() => DensitySerializer.Read(reader));
        Assert.Contains("kind 99", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_KdeDeclaringMoreCentresThanTheStreamHolds_RefusedBeforeAllocating()
    {
        var stream = new MemoryStream();
        using (var w = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            w.Write((int)DensityKind.GaussianKde);
            w.Write(128);
            w.Write(1 << 24); // 16 M centres × 128 floats = 8 GiB declared
            w.Write(0.1);
        }
        stream.Position = 0;
        using var reader = new BinaryReader(stream);
        var e = Assert.Throws<InvalidDataException>(() => DensitySerializer.Read(reader));
        Assert.Contains("kernel centres", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WriteRead_Mixture_SameParametersAndLikelihood()
    {
        var points = PopulationTestData.GaussianPoints(100, [0, 1, 2], null, 0.5, seed: 1);
        var mixture = new GaussianMixtureEstimator().Fit(points, new Random(1));
        var stream = new MemoryStream();
        using (var w = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            DensitySerializer.Write(mixture, w);
        }
        stream.Position = 0;
        using var reader = new BinaryReader(stream);
        var back = DensitySerializer.Read(reader);
        Assert.Equal(mixture.StoredVectors(), back.StoredVectors());
        Assert.Equal(mixture.Parameters, back.Parameters);
        Assert.Equal(mixture.LogLikelihood(points[0]), back.LogLikelihood(points[0]));
    }

    [Fact]
    public void WriteRead_MixtureOfHighDimension_PackedToAQuarter_SameLikelihoodWithinFloatRounding_SameDraws()
    {
        const int d = DensitySerializer.PackedFromDimension;
        var mean = Enumerable.Range(0, d).Select(i => Math.Sin(i)).ToArray();
        var points = PopulationTestData.GaussianPoints(400, mean, null, 0.5, seed: 2);
        var mixture = new GaussianMixtureEstimator().Fit(points, new Random(2));
        var packed = Serialize(mixture);
        var back = DensitySerializer.Read(new BinaryReader(new MemoryStream(packed)));

        Assert.Equal((int)DensityKind.GaussianMixturePacked, BitConverter.ToInt32(packed, 0));
        Assert.Equal(DensityKind.GaussianMixture, back.Kind);
        var components = int.Parse(mixture.Parameters["components"], System.Globalization.CultureInfo.InvariantCulture);
        var full = components * (long)d * d * sizeof(double);
        Assert.InRange(packed.Length, full / 4, full / 4 + components * (d + 1) * sizeof(double) + 1024);
        Assert.Equal(mixture.Parameters, back.Parameters);
        // Covariances within float32 rounding: the log-likelihood of a fitted point moves by far less than one nat.
        Assert.Equal(mixture.LogLikelihood(points[0]), back.LogLikelihood(points[0]), 1e-2);
        // A seed draws the same samples, to float32 rounding of the covariance.
        var a = mixture.Sample(5, new Random(7));
        var b = back.Sample(5, new Random(7));
        Assert.Equal(a.Length, b.Length);
        for (var i = 0; i < a.Length; i++)
        {
            for (var j = 0; j < d; j++)
            {
                Assert.Equal(a[i][j], b[i][j], 1e-4);
            }
        }
    }

    [Fact]
    public void Write_MixtureBelowThePackedDimension_KeepsTheFullForm_ReadsBackExactly()
    {
        var points = PopulationTestData.GaussianPoints(200, Enumerable.Range(0, 128).Select(i => Math.Cos(i)).ToArray(), null, 0.5, seed: 3);
        var mixture = new GaussianMixtureEstimator().Fit(points, new Random(3));
        var bytes = Serialize(mixture);

        Assert.Equal((int)DensityKind.GaussianMixture, BitConverter.ToInt32(bytes, 0));
        var back = DensitySerializer.Read(new BinaryReader(new MemoryStream(bytes)));
        Assert.Equal(mixture.LogLikelihood(points[1]), back.LogLikelihood(points[1]));
    }

    private static byte[] Serialize(IDensity density)
    {
        var stream = new MemoryStream();
        using (var w = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            DensitySerializer.Write(density, w);
        }
        return stream.ToArray();
    }
}
