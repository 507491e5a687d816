using Mote.Core.Faces.Quality;
using Mote.Core.Imaging;
using Mote.Gallery.Engine;
using Mote.Gallery.People;
using Mote.Gallery.Tests.People;

namespace Mote.Gallery.Tests.Engine;

/// <summary>
/// A photo above <see cref="PhotoPolicy.AnalysisPixels"/> is analysed scaled down (issue 14 item 13: 20 concurrent 12-Mpx
/// verifications took 67 s and 2.5 GB), yet every position goes out in the photo's own pixels and the face reads the same.
/// </summary>
public sealed class PipelineFaceAnalyzerScalingTests(EngineGallery gallery) : IClassFixture<EngineGallery>
{
    [Fact]
    public void Analyze_PhotoOverTheAnalysisSize_BoxesAndLandmarksInThePhotosPixelsAndTheSameDescriptor()
    {
        // sample1.jpg (1920x1280) and the same photo scaled up 2.2x: 4224x2816 = 11.9 Mpx, analysed at about 3 Mpx.
        var original = gallery.Photo("sample1.jpg");
        using var decoder = new ImageDecoder();
        var image = decoder.Decode(original);
        var large = ImageEncoding.ToJpeg(ImageResizer.Resize(image, 4224, 2816).Image, 92);
        Assert.True(4224L * 2816 > PhotoPolicy.AnalysisPixels);

        var small = gallery.Analyzer.Analyze(original, QualityPurpose.Detection);
        var big = gallery.Analyzer.Analyze(large, QualityPurpose.Detection);

        Assert.Equal((1920, 1280), (small.ImageWidth, small.ImageHeight));
        Assert.Equal((4224, 2816), (big.ImageWidth, big.ImageHeight));
        // The middle person (face #1, about 173 px wide at 1920 px): found in both, 2.2x as large and at 2.2x the position.
        var face = small.Faces[1];
        var match = big.Faces.MinBy(f => Math.Abs(f.Box.X - (face.Box.X * 2.2)) + Math.Abs(f.Box.Y - (face.Box.Y * 2.2)))!;
        // Tolerance: the detector sees the scaled photo at 2048/1920 of the original's size, so boxes move by a few pixels.
        Assert.InRange(match.Box.X, (face.Box.X * 2.2) - 25, (face.Box.X * 2.2) + 25);
        Assert.InRange(match.Box.Y, (face.Box.Y * 2.2) - 25, (face.Box.Y * 2.2) + 25);
        Assert.InRange(match.Box.Width / face.Box.Width, 2.0, 2.4);
        Assert.InRange(match.Landmarks[0].X / face.Landmarks[0].X, 2.1, 2.3);
        var cosine = face.Descriptor.Zip(match.Descriptor, (a, b) => a * b).Sum();
        Assert.True(cosine > 0.95f, $"descriptor cosine {cosine} between the photo and its scaled-up copy");
    }

    [Fact]
    public void DecodeWithin_PhotoUnderTheAnalysisSize_NotScaled()
    {
        var photo = PhotoPolicy.Decoder.DecodeWithin(gallery.Photo("sample6.jpg"), PhotoPolicy.AnalysisPixels);

        Assert.False(photo.IsScaled);
        Assert.Equal((1920, 1537), (photo.Image.Width, photo.Image.Height));
    }
}
