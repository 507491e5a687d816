using Mote.Core.Faces.Benchmark;
using Mote.Core.Faces.Descriptors;
using Mote.Core.Faces.Pipeline;
using Mote.Core.Models;
using Mote.Core.Tests.Models;

namespace Mote.Core.Tests.Faces.Descriptors;

/// <summary>The <c>fused</c> backbone: its arithmetic, and through the pipeline on face-api's demo photos against both parts run alone.</summary>
[Collection(ModelPackCollection.Name)]
public sealed class FusedFaceDescriberTests(ModelPackFixture models)
{
    [Fact]
    public void Fuse_TwoUnitParts_CosineIsMeanOfPartCosines()
    {
        var random = new Random(3);
        float[] Vector(int n) => DescriptorMath.Normalize(Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray());
        for (var trial = 0; trial < 20; trial++)
        {
            var (a1, b1, a2, b2) = (Vector(128), Vector(512), Vector(128), Vector(512));

            var fused = DescriptorMath.Cosine(FusedFaceDescriber.Fuse([a1, b1]), FusedFaceDescriber.Fuse([a2, b2]));

            // Concatenation and score-level mean fusion are one decision rule (ADR 0014).
            Assert.Equal((DescriptorMath.Cosine(a1, a2) + DescriptorMath.Cosine(b1, b2)) / 2, fused, 6);
        }
    }

    [Fact]
    public void Fuse_PartsOfDifferentNorms_EachWeighedEqually()
    {
        float[] a = [3, 4];
        float[] b = [0, 0, 10];

        var fused = FusedFaceDescriber.Fuse([a, b]);

        var half = (float)Math.Sqrt(0.5);
        Assert.Equal([0.6f * half, 0.8f * half, 0, 0, half], fused, new FloatTolerance(1e-6f));
        Assert.Throws<ArgumentException>(() => FusedFaceDescriber.Fuse([a, new float[3]]));
    }

    [Fact]
    public async Task Pipeline_Fused_EachSliceIsThatBackboneAloneAndScoreIsTheirMean()
    {
        var photo = await File.ReadAllBytesAsync(Path.Combine(await PinnedPackageCache.GetAsync(PinnedPackages.FaceApi), "demo", "sample1.jpg"));
        using var fusedPipeline = new FacePipeline(new FacePipelineOptions { Backbone = FusedFaceDescriber.Id }, models.Pack);
        using var dlibPipeline = new FacePipeline(new FacePipelineOptions { Backbone = DlibResNetDescriber.Id }, models.Pack);
        using var facepluginPipeline = new FacePipeline(new FacePipelineOptions { Backbone = FacepluginDescriber.Id }, models.Pack);

        var fused = fusedPipeline.Analyze(photo);
        var dlib = dlibPipeline.Analyze(photo);
        var faceplugin = facepluginPipeline.Analyze(photo);
        var describer = Assert.IsType<FusedFaceDescriber>(fusedPipeline.Describer);

        Assert.Equal(FusedFaceDescriber.Id, fused.BackboneId);
        Assert.Equal(640, describer.Dimension);
        Assert.Equal([DlibResNetDescriber.Id, FacepluginDescriber.Id], describer.PartIds);
        Assert.True(fused.Faces.Count >= 3);
        Assert.Equal(fused.Faces.Count, dlib.Faces.Count);
        for (var i = 0; i < fused.Faces.Count; i++)
        {
            var f = fused.Faces[i].Descriptor;
            Assert.Equal(1.0, Math.Sqrt(f.Sum(v => (double)v * v)), 5);
            Assert.True(DescriptorMath.Cosine(describer.Part(f, 0), dlib.Faces[i].Descriptor) > 0.99999);
            Assert.True(DescriptorMath.Cosine(describer.Part(f, 1), faceplugin.Faces[i].Descriptor) > 0.99999);
        }

        var (x, y) = (fused.Faces[0], fused.Faces[1]);
        var mean = (DescriptorMath.Cosine(dlib.Faces[0].Descriptor, dlib.Faces[1].Descriptor) + DescriptorMath.Cosine(faceplugin.Faces[0].Descriptor, faceplugin.Faces[1].Descriptor)) / 2;
        Assert.Equal(mean, DescriptorMath.Cosine(x.Descriptor, y.Descriptor), 5);
        Assert.NotNull(fused.Timings.PartMs);
        Assert.All(fused.Timings.PartMs!, ms => Assert.True(ms > 0));
    }

    [Fact]
    public async Task Describe_CropsOfFirstTemplateOnly_CloseToThePipelinesDescriptor()
    {
        // Explanations pass crops of the first template only; the second part's crop is then warped from it.
        var photo = await File.ReadAllBytesAsync(Path.Combine(await PinnedPackageCache.GetAsync(PinnedPackages.FaceApi), "demo", "sample1.jpg"));
        using var pipeline = new FacePipeline(new FacePipelineOptions { Backbone = FusedFaceDescriber.Id, KeepAlignedCrops = true }, models.Pack);
        var faces = pipeline.Analyze(photo).Faces;

        var again = pipeline.Describer.Describe(faces.Select(f => f.AlignedCrop!).ToArray());

        for (var i = 0; i < faces.Count; i++)
        {
            Assert.Equal(150, faces[i].AlignedCrop!.Width);
            // The dlib half is identical; the faceplugin half is warped from the 150-px dlib crop, one more resampling.
            Assert.InRange(DescriptorMath.Cosine(again[i], faces[i].Descriptor), 0.95, 1.0);
        }
    }

    [Fact]
    public void Thresholds_FusedHasItsOwnBenchThreshold()
    {
        Assert.Equal(VerificationThresholds.Fused, VerificationThresholds.For(FusedFaceDescriber.Id));
        Assert.NotEqual(VerificationThresholds.DlibResNet, VerificationThresholds.Fused);
    }

    private sealed class FloatTolerance(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(float obj) => 0;
    }
}
