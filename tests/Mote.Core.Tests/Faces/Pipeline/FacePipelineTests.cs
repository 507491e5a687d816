using Mote.Core.Faces.Descriptors;
using Mote.Core.Faces.Pipeline;
using Mote.Core.Imaging;
using Mote.Core.Models;
using Mote.Core.Tests.Models;

namespace Mote.Core.Tests.Faces.Pipeline;

/// <summary>The whole pipeline on the face-api demo photos.</summary>
[Collection(ModelPackCollection.Name)]
public sealed class FacePipelineTests : IDisposable
{
    private readonly FacePipeline _pipeline;
    private readonly ModelPackFixture _models;

    public FacePipelineTests(ModelPackFixture models)
    {
        _models = models;
        _pipeline = new FacePipeline(new FacePipelineOptions { Backbone = DlibResNetDescriber.Id, KeepAlignedCrops = true }, models.Pack);
    }

    [Fact]
    public async Task Analyze_GroupPhoto_EveryFaceHasUnitDescriptorCropAndVerdict()
    {
        var analysis = _pipeline.Analyze(await DemoBytesAsync("sample5.jpg"));

        Assert.Equal(5, analysis.Faces.Count);
        Assert.Equal(DlibResNetDescriber.Id, analysis.BackboneId);
        Assert.All(analysis.Faces, f =>
        {
            Assert.Equal(128, f.Descriptor.Length);
            Assert.Equal(1.0, Math.Sqrt(f.Descriptor.Sum(v => (double)v * v)), 4);
            Assert.Equal(150, f.AlignedCrop!.Width);
            Assert.Equal(f.Quality.Issues.Count, f.Quality.Reasons.Count);
        });
        // The two women looking at the camera pass; the verdicts are not all rejections.
        Assert.True(analysis.Faces.Count(f => f.Quality.IsAccepted) >= 3);
        Assert.True(analysis.Timings.InferenceMs > 0 && analysis.Timings.InferenceMs <= analysis.Timings.TotalMs);
    }

    [Fact]
    public async Task Describe_SamePersonInTwoCropsOfOnePhoto_MoreSimilarThanAnyOtherPerson()
    {
        using var decoder = new ImageDecoder();
        var photo = decoder.Decode(await DemoBytesAsync("sample1.jpg"));
        // Two different crops holding the left-hand woman (box about 423,412 188x187): other framing, other scale.
        var wide = ImageRegion.Copy(photo, 200, 200, 700, 700);
        var tight = ImageRegion.Copy(photo, 330, 330, 380, 360);
        var a = FacePipeline.RequireBest(_pipeline.Analyze(wide));
        var b = FacePipeline.RequireBest(_pipeline.Analyze(tight));
        var others = _pipeline.Analyze(photo).Faces.Where(f => f.Box.X > 700).ToArray();

        var same = DescriptorMath.Cosine(a.Descriptor, b.Descriptor);

        Assert.Equal(2, others.Length);
        Assert.InRange(same, 0.97, 1.0);
        // Measured: same 0.999, the other two women 0.884 and 0.900; the LFW decision threshold lies between.
        Assert.All(others, o => Assert.InRange(DescriptorMath.Cosine(a.Descriptor, o.Descriptor), -1, Mote.Core.Faces.Benchmark.VerificationThresholds.DlibResNet));
    }

    [Fact]
    public void DescribeBestFace_BlankImage_ThrowsNoFace()
    {
        var png = EncodePng(RgbImage.Create(320, 240, p => p.Fill(200)));

        var e = Assert.Throws<FaceNotFoundException>(() => _pipeline.DescribeBestFace(png));

        Assert.Equal(FaceRejectionReason.NoFace, e.Reason);
        Assert.Contains("320x240", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DescribeBestFace_FaceTooSmallForEnrollment_ThrowsQualityRejectedWithReason()
    {
        using var decoder = new ImageDecoder();
        var photo = decoder.Decode(await DemoBytesAsync("sample1.jpg"));
        // The left-hand woman alone, shrunk so her face is about 60 px wide: fine for a probe, below enrollment's 80.
        var face = ImageRegion.Copy(photo, 300, 300, 420, 420);
        var small = ImageResizer.Resize(face, 140, 140).Image;

        var e = Assert.Throws<FaceNotFoundException>(() => _pipeline.DescribeBestFace(EncodePng(small), Mote.Core.Faces.Quality.QualityPurpose.Enrollment));

        Assert.Equal(FaceRejectionReason.QualityRejected, e.Reason);
        Assert.Contains(Mote.Core.Faces.Quality.FaceQualityIssue.TooSmall, e.Verdict!.Issues);
    }

    [Fact]
    public void Analyze_NotAnImage_ThrowsImageRejected()
    {
        var e = Assert.Throws<ImageRejectedException>(() => _pipeline.Analyze("definitely not a photo"u8));

        Assert.Equal(ImageRejectionReason.NotAnImage, e.Reason);
    }

    [Fact]
    public async Task AnalyzeMany_BadPhotoAmongGoodOnes_ReportsItsErrorInPlace()
    {
        var good = await DemoBytesAsync("sample1.jpg");

        var results = _pipeline.AnalyzeMany([good, [1, 2, 3], good]).ToArray();

        Assert.Equal(3, results[0].Analysis!.Faces.Count);
        Assert.IsType<ImageRejectedException>(results[1].Error);
        Assert.Equal(3, results[2].Analysis!.Faces.Count);
    }

    [Fact]
    public async Task Analyze_MobileFaceBackbone_Gives256dDescriptorsOn112Crops()
    {
        using var mobile = new FacePipeline(new FacePipelineOptions { Backbone = MobileFaceDescriber.Id, KeepAlignedCrops = true }, _models.Pack);

        var face = FacePipeline.RequireBest(mobile.Analyze(await DemoBytesAsync("sample1.jpg")));

        Assert.Equal(256, face.Descriptor.Length);
        Assert.Equal(112, face.AlignedCrop!.Width);
        Assert.Equal(_models.Pack["mobileface"].Manifest.OnnxSha256, mobile.Describer.BackboneHash);
    }

    [Fact]
    public async Task Analyze_FromFourThreadsAtOnce_SameDescriptorsAsOneAtATime()
    {
        var photos = await Task.WhenAll(new[] { "sample1.jpg", "sample5.jpg", "sample6.jpg", "sample4.jpg" }.Select(DemoBytesAsync));
        var sequential = photos.Select(p => _pipeline.Analyze(p)).ToArray();

        var parallel = await Task.WhenAll(photos.Select(p => Task.Run(() => _pipeline.Analyze(p))));

        for (var i = 0; i < photos.Length; i++)
        {
            Assert.Equal(sequential[i].Faces.Count, parallel[i].Faces.Count);
            for (var f = 0; f < sequential[i].Faces.Count; f++)
            {
                Assert.Equal(1.0, Mote.Core.Faces.Descriptors.DescriptorMath.Cosine(sequential[i].Faces[f].Descriptor, parallel[i].Faces[f].Descriptor), 5);
            }
        }
    }

    [Fact]
    public void Constructor_UnknownBackbone_ThrowsListingKnownOnes()
    {
        var e = Assert.Throws<ArgumentException>(() => new FacePipeline(new FacePipelineOptions { Backbone = "arcface" }, _models.Pack));

        Assert.Contains("dlib-resnet", e.Message, StringComparison.Ordinal);
        Assert.Contains("Mote:Faces:Backbone", e.Message, StringComparison.Ordinal);
    }

    private static async Task<byte[]> DemoBytesAsync(string file) =>
        await File.ReadAllBytesAsync(Path.Combine(await PinnedPackageCache.GetAsync(PinnedPackages.FaceApi), "demo", file));

    private static byte[] EncodePng(RgbImage image) => ImageEncoding.ToPng(image);

    public void Dispose() => _pipeline.Dispose();
}
