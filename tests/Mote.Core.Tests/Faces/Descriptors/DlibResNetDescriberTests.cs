using Mote.Core.Faces.Alignment;
using Mote.Core.Faces.Descriptors;
using Mote.Core.Imaging;
using Mote.Core.Models;
using Mote.Core.Tests.Models;

namespace Mote.Core.Tests.Faces.Descriptors;

[Collection(ModelPackCollection.Name)]
public sealed class DlibResNetDescriberTests : IDisposable
{
    private readonly OnnxSessionFactory _sessions = new();
    private readonly ModelPackFixture _models;
    private readonly DlibResNetDescriber _describer;

    public DlibResNetDescriberTests(ModelPackFixture models)
    {
        _models = models;
        _describer = new DlibResNetDescriber(models.Pack[DlibResNetDescriber.ModelId], _sessions);
    }

    [Fact]
    public void Properties_ComeFromTheManifestAndTemplate()
    {
        Assert.Equal("dlib-resnet", _describer.BackboneId);
        Assert.Equal(_models.Pack[DlibResNetDescriber.ModelId].Manifest.OnnxSha256, _describer.BackboneHash);
        Assert.Equal(128, _describer.Dimension);
        Assert.Same(FaceTemplates.Dlib150, _describer.Template);
    }

    [Fact]
    public void Describe_BatchOfThree_SameAsOneAtATimeAndUnitLength()
    {
        var crops = Enumerable.Range(0, 3).Select(Pattern).ToArray();

        var batched = _describer.Describe(crops);
        var single = crops.Select(c => _describer.Describe([c])[0]).ToArray();

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(1.0, Math.Sqrt(batched[i].Sum(v => (double)v * v)), 5);
            Assert.True(batched[i].Zip(single[i]).All(p => Math.Abs(p.First - p.Second) < 1e-5), $"crop {i} differs between batch and single run");
        }

        Assert.True(DescriptorMath.Cosine(batched[0], batched[1]) < 0.9999, "different crops give different descriptors");
    }

    [Fact]
    public void Describe_WrongCropSize_ThrowsNamingSizeAndTemplate()
    {
        var e = Assert.Throws<ArgumentException>(() => _describer.Describe([RgbImage.Create(112, 112, _ => { })]));

        Assert.Contains("150x150", e.Message, StringComparison.Ordinal);
        Assert.Contains("112x112", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Describe_Empty_ReturnsEmpty() => Assert.Empty(_describer.Describe([]));

    [Fact]
    public void Create_UnknownBackbone_ThrowsListingKnownOnes()
    {
        var e = Assert.Throws<ArgumentException>(() => FaceDescribers.Create("facenet", _models.Pack, _sessions));

        Assert.Contains("dlib-resnet, mobileface", e.Message, StringComparison.Ordinal);
    }

    private static RgbImage Pattern(int seed) => RgbImage.Create(150, 150, p =>
    {
        var random = new Random(seed);
        random.NextBytes(p);
    });

    public void Dispose()
    {
        _describer.Dispose();
        _sessions.Dispose();
    }
}
