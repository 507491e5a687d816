using System.Security.Cryptography;
using Mote.Core.Population.Packs;

namespace Mote.Core.Tests.Population.Packs;

public sealed class PopulationPackFileTests
{
    [Theory]
    [InlineData("mixture")]
    [InlineData("kde")]
    public void SaveLoad_RoundTrip_SameDensitiesProvenanceAndBytes(string kind)
    {
        var pack = kind == "kde" ? PackTestData.Kde() : PackTestData.Mixture();
        var path = Path.Combine(Path.GetTempPath(), $"mote-pack-{Guid.NewGuid():N}.motepop");
        try
        {
            PopulationPackFile.Save(pack, path);
            var loaded = PopulationPackFile.Load(path);
            Assert.Equal(File.ReadAllBytes(path), PopulationPackFile.ToBytes(loaded));
            Assert.Equal((pack.BackboneId, pack.BackboneManifestHash, pack.Dimension, pack.DensityKind), (loaded.BackboneId, loaded.BackboneManifestHash, loaded.Dimension, loaded.DensityKind));
            Assert.Equal(pack.Negatives.Keys, loaded.Negatives.Keys);
            Assert.Equal(pack.Variation.Keys, loaded.Variation.Keys);
            var probe = PackTestData.Samples()[3].Descriptor;
            foreach (var group in pack.Negatives.Keys)
            {
                Assert.Equal(pack.NegativeDensity(group).LogLikelihood(probe), loaded.NegativeDensity(group).LogLikelihood(probe));
                Assert.Equal(pack.NegativeDensity(group).Sample(5, new Random(1)), loaded.NegativeDensity(group).Sample(5, new Random(1)));
                Assert.Equal(pack.NegativeDensity(group).Parameters, loaded.NegativeDensity(group).Parameters);
            }
            Assert.Equal(pack.Provenance.CommandLine, loaded.Provenance.CommandLine);
            Assert.Equal(pack.Provenance.CreatedUtc, loaded.Provenance.CreatedUtc);
            Assert.Equal(pack.Provenance.Datasets[0].NegativeGroupCounts, loaded.Provenance.Datasets[0].NegativeGroupCounts);
            Assert.Equal(pack.Provenance.EstimatorSettings, loaded.Provenance.EstimatorSettings);
            Assert.Equal(pack.ContainsRawVectors, loaded.ContainsRawVectors);
            Assert.Empty(Directory.GetFiles(Path.GetTempPath(), Path.GetFileName(path) + ".tmp-*"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void FromBytes_AnyFlippedByte_RefusedByChecksum()
    {
        var bytes = PopulationPackFile.ToBytes(PackTestData.Mixture());
        var random = new Random(3);
        for (var trial = 0; trial < 20; trial++)
        {
            var damaged = (byte[])bytes.Clone();
            var at = 8 + random.Next(damaged.Length - 8);
            damaged[at] ^= 0x10;
            var e = Assert.Throws<PopulationPackFormatException>(() => PopulationPackFile.FromBytes(damaged, "pack.motepop"));
            Assert.Contains("'pack.motepop'", e.Message, StringComparison.Ordinal);
            Assert.Contains("checksum", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void FromBytes_Truncated_Refused()
    {
        var bytes = PopulationPackFile.ToBytes(PackTestData.Mixture());
        Assert.Throws<PopulationPackFormatException>(() => PopulationPackFile.FromBytes(bytes.AsSpan(0, bytes.Length - 1)));
        Assert.Throws<PopulationPackFormatException>(() => PopulationPackFile.FromBytes(bytes.AsSpan(0, 20)));
    }

    [Fact]
    public void FromBytes_WrongMagic_RefusedAsNotAPack()
    {
        var e = Assert.Throws<PopulationPackFormatException>(() => PopulationPackFile.FromBytes("{\"json\":true}........................................"u8));
        Assert.Contains("magic", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromBytes_FutureVersionWithValidChecksum_RefusedNamingVersion()
    {
        var bytes = PopulationPackFile.ToBytes(PackTestData.Mixture());
        BitConverter.GetBytes(2).CopyTo(bytes, 8);
        Rehash(bytes);
        var e = Assert.Throws<PopulationPackFormatException>(() => PopulationPackFile.FromBytes(bytes));
        Assert.Contains("format version 2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromBytes_ManifestWithUnknownGroupAndValidChecksum_Refused()
    {
        var bytes = PopulationPackFile.ToBytes(PackTestData.Mixture());
        var text = System.Text.Encoding.UTF8.GetBytes("female|black");
        var at = bytes.AsSpan().IndexOf(text);
        System.Text.Encoding.UTF8.GetBytes("female|green").CopyTo(bytes, at);
        Rehash(bytes);
        var e = Assert.Throws<PopulationPackFormatException>(() => PopulationPackFile.FromBytes(bytes));
        Assert.Contains("green", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MissingFile_ThrowsFileNotFoundNamingPath()
    {
        var path = Path.Combine(Path.GetTempPath(), "no-such-pack.motepop");
        var e = Assert.Throws<FileNotFoundException>(() => PopulationPackFile.Load(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }

    private static void Rehash(byte[] bytes)
    {
        var hash = SHA256.HashData(bytes.AsSpan(0, bytes.Length - 32));
        hash.CopyTo(bytes, bytes.Length - 32);
    }
}
