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
}
