using Mote.Core.Faces.Descriptors;
using Mote.Core.Faces.Pipeline;
using Mote.Core.Faces.Quality;
using Mote.Core.Imaging;
using Mote.Core.Tests.Models;
using Xunit.Abstractions;

namespace Mote.Core.Tests.Faces.Quality;

/// <summary>
/// The blur check on real photos (when <c>../shared/datasets/lfw-dev</c> is present): sharp LFW photos pass at their
/// own size, at half size and upscaled 2x, while strongly blurred copies are refused as blurred. Prints the rates.
/// </summary>
[Collection(ModelPackCollection.Name)]
public sealed class SharpnessOnLfwTests(ModelPackFixture models, ITestOutputHelper output)
{
    private const int Photos = 80;

    [DatasetFact("lfw-dev")]
    public void Assess_LfwPhotos_SharpPassAtAnySizeBlurredRefused()
    {
        using var pipeline = new FacePipeline(new FacePipelineOptions { Backbone = DlibResNetDescriber.Id }, models.Pack);
        var rng = new Random(4);
        var files = Directory.GetFiles(Path.Combine(TestDatasets.Find("lfw-dev")!, "images"), "*.jpg", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal)
            .OrderBy(_ => rng.Next())
            .Take(Photos)
            .ToArray();
        using var decoder = new ImageDecoder();
        int sharp = 0, half = 0, doubled = 0, blurred = 0, faces = 0;
        foreach (var file in files)
        {
            var photo = decoder.Decode(File.ReadAllBytes(file));
            bool? IsBlurred(RgbImage image) => pipeline.Analyze(image).BestFace(requireAccepted: false) is { } best
                ? best.Quality.Issues.Contains(FaceQualityIssue.Blurred)
                : null;
            if (IsBlurred(photo) is not { } original)
            {
                continue;
            }

            faces++;
            sharp += original ? 0 : 1;
            half += IsBlurred(ImageResizer.Resize(photo, photo.Width / 2, photo.Height / 2).Image) == false ? 1 : 0;
            doubled += IsBlurred(ImageResizer.Resize(photo, photo.Width * 2, photo.Height * 2).Image) == false ? 1 : 0;
            // Three 7x7 box passes: σ ≈ 3.5 source pixels on a face about 110 px wide.
            blurred += IsBlurred(QualityTestData.BoxBlur(photo, radius: 3, passes: 3)) == true ? 1 : 0;
        }

        output.WriteLine($"{faces} faces: passed sharp {sharp}, half size {half}, 2x {doubled}; blurred refused {blurred}");
        Assert.True(faces >= Photos * 95 / 100, $"only {faces} of {Photos} photos had a face");
        Assert.True(sharp >= faces * 98 / 100, $"{faces - sharp} of {faces} sharp photos refused as blurred");
        Assert.True(half >= faces * 95 / 100, $"{faces - half} of {faces} half-size photos refused as blurred");
        Assert.True(doubled >= faces * 95 / 100, $"{faces - doubled} of {faces} 2x photos refused as blurred");
        Assert.True(blurred >= faces * 95 / 100, $"only {blurred} of {faces} blurred photos refused");
    }
}
