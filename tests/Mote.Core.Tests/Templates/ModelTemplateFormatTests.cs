using Mote.Core.Templates;
using Xunit.Abstractions;

namespace Mote.Core.Tests.Templates;

public sealed class ModelTemplateFormatTests(ITestOutputHelper output)
{
    [Fact]
    public void Read_OfToBytes_RoundTripsEveryFieldAndScore()
    {
        var template = RandomTemplates.CreateJittered(128, seed: 1);
        var probes = new SyntheticDescriptors(seed: 1).Others(20);

        var bytes = template.ToBytes();
        var read = ModelTemplate.Read(bytes);

        Assert.Equal(template.StorageBytes, bytes.Length);
        Assert.Equal(template.Backbone, read.Backbone);
        Assert.Equal(template.Provenance.PopulationPackId, read.Provenance.PopulationPackId);
        Assert.Equal(template.Provenance.Balance, read.Provenance.Balance);
        Assert.Equal(template.Seed, read.Seed);
        Assert.Equal(template.Architecture, read.Architecture);
        Assert.Equal(template.Training, read.Training);
        Assert.Equal(WeightPrecision.Float32, read.Precision);
        Assert.All(probes, p => Assert.Equal(template.Score(p), read.Score(p)));
        Assert.Equal(bytes, read.ToBytes());
    }

    [Fact]
    public void Read_Float16Weights_ScoresWithinToleranceAndHalfTheSize()
    {
        var template = RandomTemplates.Create(MlpArchitecture.Default(128), seed: 2);
        var probes = new SyntheticDescriptors(seed: 2).Others(200);

        var half = ModelTemplate.Read(template.WithPrecision(WeightPrecision.Float16).ToBytes());

        Assert.Equal(WeightPrecision.Float16, half.Precision);
        var worst = probes.Max(p => Math.Abs(template.Score(p) - half.Score(p)));
        var worstLogit = probes.Max(p => Math.Abs(template.Logit(p) - half.Logit(p)) / Math.Max(1, Math.Abs(template.Logit(p))));
        output.WriteLine($"fp16: {half.StorageBytes} B vs fp32 {template.StorageBytes} B; worst score change {worst:E2}, worst relative logit change {worstLogit:E2}");
        // Half precision keeps 11 significant bits (relative rounding ≤ 4.9e-4 a weight); measured here the
        // worst score change over 200 probes was 2.7e-5 (relative logit change 1.1e-4); 1e-3 leaves margin.
        Assert.True(worst < 1e-3, $"worst score change {worst}");
        Assert.True(half.StorageBytes < 0.52 * template.StorageBytes);
    }

    [Fact]
    public void Read_OneFlippedByte_ThrowsChecksumMismatch()
    {
        var bytes = RandomTemplates.Create(MlpArchitecture.Compact(128), seed: 3).ToBytes();
        bytes[bytes.Length / 2] ^= 0x01; // a weight bit

        var e = Assert.Throws<TemplateFormatException>(() => ModelTemplate.Read(bytes));

        Assert.Equal(TemplateFormatError.ChecksumMismatch, e.Error);
        Assert.Contains("checksum", e.Message);
    }

    [Fact]
    public void Read_FlippedChecksumByte_ThrowsChecksumMismatch()
    {
        var bytes = RandomTemplates.Create(MlpArchitecture.Compact(128), seed: 3).ToBytes();
        bytes[^1] ^= 0x80;

        Assert.Equal(TemplateFormatError.ChecksumMismatch, Assert.Throws<TemplateFormatException>(() => ModelTemplate.Read(bytes)).Error);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(100)]
    [InlineData(0.5)]
    public void Read_Truncated_ThrowsTruncated(double keepFraction)
    {
        var bytes = RandomTemplates.Create(MlpArchitecture.Compact(128), seed: 4).ToBytes();
        var keep = keepFraction <= 1 ? (int)(bytes.Length * keepFraction) - 1 : (int)keepFraction;

        var e = Assert.Throws<TemplateFormatException>(() => ModelTemplate.Read(bytes.AsSpan(0, keep)));

        Assert.Equal(TemplateFormatError.Truncated, e.Error);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void Read_WrongMagic_ThrowsBadMagic()
    {
        var bytes = RandomTemplates.Create(MlpArchitecture.Compact(128), seed: 5).ToBytes();
        bytes[0] = (byte)'X';

        Assert.Equal(TemplateFormatError.BadMagic, Assert.Throws<TemplateFormatException>(() => ModelTemplate.Read(bytes)).Error);
        Assert.Equal(TemplateFormatError.BadMagic, Assert.Throws<TemplateFormatException>(() => ModelTemplate.Read("{\"json\": 1}"u8)).Error);
    }

    [Fact]
    public void Read_FutureVersion_ThrowsUnsupportedVersionNamingIt()
    {
        var bytes = RandomTemplates.Create(MlpArchitecture.Compact(128), seed: 6).ToBytes();
        bytes[8] = 3; // little-endian u16 version right after the 8-byte magic

        var e = Assert.Throws<TemplateFormatException>(() => ModelTemplate.Read(bytes));

        Assert.Equal(TemplateFormatError.UnsupportedVersion, e.Error);
        Assert.Contains("version 3", e.Message);
    }

    [Fact]
    public void Verify_ProbeFromAnotherBackbone_ThrowsBackboneMismatch()
    {
        var template = ModelTemplate.Read(RandomTemplates.Create(MlpArchitecture.Compact(128), seed: 7).ToBytes());
        var probe = new SyntheticDescriptors(seed: 7).Centre();

        var e = Assert.Throws<BackboneMismatchException>(() => TemplateDecision.Verify(template, SyntheticDescriptors.OtherBackbone, probe, 0.5f));

        Assert.Contains("test-backbone-128", e.Message);
        Assert.Contains("test-backbone-other", e.Message);
        Assert.NotNull(TemplateDecision.Verify(template, SyntheticDescriptors.Backbone, probe, 0.5f));
    }

    [Fact]
    public void StorageBytes_PerPerson_PrintedBesideAVectorTemplate()
    {
        var vector = new VectorTemplate(SyntheticDescriptors.Backbone, new SyntheticDescriptors(seed: 8).Centre());
        var sizes = new[]
        {
            ("default fp32", RandomTemplates.Create(MlpArchitecture.Default(128), 8)),
            ("default fp16", RandomTemplates.Create(MlpArchitecture.Default(128), 8).WithPrecision(WeightPrecision.Float16)),
            ("compact fp32", RandomTemplates.Create(MlpArchitecture.Compact(128), 8)),
            ("compact fp16", RandomTemplates.Create(MlpArchitecture.Compact(128), 8).WithPrecision(WeightPrecision.Float16)),
        };

        output.WriteLine($"vector template (128 x float32): {vector.StorageBytes} B");
        foreach (var (name, template) in sizes)
        {
            output.WriteLine($"model-template {name} ({template.Architecture}, {template.Architecture.ParameterCount} parameters): {template.StorageBytes} B = {template.StorageBytes / (double)vector.StorageBytes:F1}x the vector");
            Assert.Equal(template.ToBytes().Length, template.StorageBytes);
        }

        Assert.Equal(512, vector.StorageBytes);
    }
}
