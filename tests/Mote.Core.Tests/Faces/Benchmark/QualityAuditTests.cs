using Mote.Core.Faces.Descriptors;
using Mote.Core.Faces.Benchmark;
using Mote.Core.Faces.Pipeline;
using Mote.Core.Faces.Quality;
using Mote.Core.Imaging;
using Mote.Core.Tests.Models;

namespace Mote.Core.Tests.Faces.Benchmark;

/// <summary>
/// <see cref="QualityAudit"/> on a small dataset written to a temp folder from lfw-dev photos: one fine, one shrunk below
/// enrollment's minimum face width, one without a face; only the first photo of each identity is checked.
/// </summary>
[Collection(ModelPackCollection.Name)]
public sealed class QualityAuditTests(ModelPackFixture models)
{
    [DatasetFact("lfw-dev")]
    public void Run_FinePhotoSmallFaceAndNoFace_RefusesTheLastTwoWithReasons()
    {
        using var temp = new TempDirectory();
        using var decoder = new ImageDecoder();
        var merkel = decoder.Decode(File.ReadAllBytes(Path.Combine(TestDatasets.Find("lfw-dev")!, "images", "Angela_Merkel", "Angela_Merkel_0001.jpg")));
        Write(temp, "A_Fine", "A_Fine_0001.jpg", merkel);
        // A second photo of the same identity is never checked: only the first counts.
        Write(temp, "A_Fine", "A_Fine_0002.jpg", RgbImage.Create(200, 200, p => p.Fill(128)));
        Write(temp, "B_Small", "B_Small_0001.jpg", ImageResizer.Resize(merkel, 125, 125).Image);
        Write(temp, "C_Blank", "C_Blank_0001.jpg", RgbImage.Create(200, 200, p => p.Fill(200)));
        using var pipeline = new FacePipeline(new FacePipelineOptions { Backbone = DlibResNetDescriber.Id }, models.Pack);

        var report = QualityAudit.Run(pipeline, BenchDataset.Open(temp.Path));

        Assert.Equal(3, report.Photos);
        Assert.Equal(1, report.NoFace);
        Assert.Equal(["B_Small", "C_Blank"], report.Refusals.Select(r => r.Identity));
        Assert.Equal([FaceQualityIssue.TooSmall], report.Refusals[0].Issues);
        Assert.StartsWith("face too small", report.Refusals[0].Reasons[0], StringComparison.Ordinal);
        Assert.Equal(["no face was found"], report.Refusals[1].Reasons);
        Assert.Null(report.Refusals[1].Measures);
        Assert.Equal(1, report.IssueCounts[FaceQualityIssue.TooSmall]);
        Assert.Equal(2 / 3.0, report.RefusalRate, 9);
        Assert.Equal(1, QualityAudit.Run(pipeline, BenchDataset.Open(temp.Path), limit: 1).Photos);
    }

    [DatasetFact("lfw-dev")]
    public void Run_WithRecognition_ScoresEachCheckedFaceAgainstTheSecondPhoto_ByVerdictAndSharpness()
    {
        using var temp = new TempDirectory();
        using var decoder = new ImageDecoder();
        var lfw = Path.Combine(TestDatasets.Find("lfw-dev")!, "images");
        var merkel = decoder.Decode(File.ReadAllBytes(Path.Combine(lfw, "Angela_Merkel", "Angela_Merkel_0001.jpg")));
        var merkelAgain = decoder.Decode(File.ReadAllBytes(Path.Combine(lfw, "Angela_Merkel", "Angela_Merkel_0002.jpg")));
        var bush = decoder.Decode(File.ReadAllBytes(Path.Combine(lfw, "George_W_Bush", "George_W_Bush_0001.jpg")));
        Write(temp, "A_Same", "A_Same_0001.jpg", merkel);
        Write(temp, "A_Same", "A_Same_0002.jpg", merkelAgain);
        Write(temp, "B_Small", "B_Small_0001.jpg", ImageResizer.Resize(merkel, 125, 125).Image);
        Write(temp, "B_Small", "B_Small_0002.jpg", merkelAgain);
        // Another person's photo as the "second photo": a genuine pair that must not match.
        Write(temp, "C_Other", "C_Other_0001.jpg", merkel);
        Write(temp, "C_Other", "C_Other_0002.jpg", bush);
        Write(temp, "D_Single", "D_Single_0001.jpg", merkel);
        using var pipeline = new FacePipeline(new FacePipelineOptions { Backbone = DlibResNetDescriber.Id }, models.Pack);

        var report = QualityAudit.Run(pipeline, BenchDataset.Open(temp.Path), recognition: true);

        var recognition = Assert.IsType<QualityAuditRecognition>(report.Recognition);
        Assert.Equal(DlibResNetDescriber.Id, recognition.Backbone);
        Assert.Equal(VerificationThresholds.AtFar1e3For(DlibResNetDescriber.Id), recognition.Threshold);
        Assert.Equal(new QualityAuditMatches(2, 1), recognition.Accepted);
        Assert.Equal(1, recognition.Refused.Pairs);
        Assert.Equal(1, recognition.ByIssue[FaceQualityIssue.TooSmall].Pairs);
        Assert.Equal(4, recognition.SharpnessBands.Sum(b => b.Faces));
        Assert.Equal(1, recognition.SharpnessBands.Sum(b => b.Refused));
        Assert.Equal(3, recognition.SharpnessBands.Sum(b => b.Recognised.Pairs));
        // Every face against every other identity's second photo (A, C: 2 each, D: 3). Merkel's second photo stands under A and
        // under B, so the accepted Merkel faces "falsely" match it there (A→B, C→A, C→B, D→A, D→B), as A's genuine pair matched.
        Assert.Equal(new QualityAuditMatches(7, 5), recognition.AcceptedFalseMatches);
        Assert.Equal(2, recognition.RefusedFalseMatches.Pairs);
        Assert.Equal(9, recognition.SharpnessBands.Sum(b => b.FalseMatches.Pairs));
        Assert.Null(QualityAudit.Run(pipeline, BenchDataset.Open(temp.Path), limit: 1).Recognition);

        // The first photos degraded (σ 2 blur), the second photos as they are: the refused small face reads less sharp.
        var blurred = QualityAudit.Run(pipeline, BenchDataset.Open(temp.Path), recognition: true, condition: RobustnessCondition.StrongBlur);
        Assert.Equal("blur2", blurred.Condition);
        Assert.Equal("none", report.Condition);
        var small = report.Refusals.Single(r => r.Identity == "B_Small").Measures!.Sharpness;
        var smallBlurred = blurred.Refusals.Single(r => r.Identity == "B_Small").Measures!.Sharpness;
        Assert.True(smallBlurred < small * 0.8, $"sharpness {smallBlurred:0.0} blurred vs {small:0.0}");
        Assert.Equal(3, blurred.Recognition!.SharpnessBands.Sum(b => b.Recognised.Pairs));
    }

    [Fact]
    public void AtFar1e3For_CustomBackbone_NoMeasuredThreshold_Refused()
    {
        Assert.Throws<ArgumentException>(() => VerificationThresholds.AtFar1e3For("custom"));
        Assert.Equal(0.314, VerificationThresholds.AtFar1e3For(FacepluginDescriber.Id));
    }

    private static void Write(TempDirectory temp, string identity, string file, RgbImage image)
    {
        Directory.CreateDirectory(temp.Combine("images", identity));
        File.WriteAllBytes(temp.Combine("images", identity, file), ImageEncoding.ToJpeg(image, 95));
    }
}
