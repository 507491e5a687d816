using Mote.Core.Faces.Descriptors;
using Mote.Core.Faces.Benchmark;
using Mote.Core.Faces.Pipeline;
using Mote.Core.Tests.Models;

namespace Mote.Core.Tests.Faces.Benchmark;

/// <summary>
/// A short LFW run (100 + 100 pairs) on <c>$MOTE_DATASETS/lfw-dev</c> or <c>../shared/datasets/lfw-dev</c>;
/// the full 3000-pair figure is a CLI run recorded in docs/faces.md.
/// </summary>
[Collection(ModelPackCollection.Name)]
public sealed class LfwBenchTests(ModelPackFixture models)
{
    [LfwFact]
    public void Run_Lfw100Pairs_DlibResNetAccuracyAtLeast095AndNoDetectionFailures()
    {
        using var pipeline = new FacePipeline(new FacePipelineOptions { Backbone = DlibResNetDescriber.Id }, models.Pack);

        var report = FaceBench.Run(pipeline, BenchDataset.Open(LfwFactAttribute.LfwPath!), pairs: 100, seed: 11);

        // 3000-pair run: 0.99 (docs/faces.md); 100 pairs per class leave a ±0.02 spread, hence 0.95.
        Assert.True(report.Accuracy.Mean >= 0.95, $"10-fold accuracy {report.Accuracy.Mean:F4} on 200 LFW pairs");
        Assert.True(report.FailureToDetectRate <= 0.01, $"{report.FailedToDetect} of {report.Images} photos without a face");
    }
}

/// <summary>A fact that is skipped, saying why and how to fix it, when LFW is not available.</summary>
public sealed class LfwFactAttribute : FactAttribute
{
    public LfwFactAttribute()
    {
        if (LfwPath is null)
        {
            Skip = "LFW is absent: set MOTE_DATASETS to the folder holding lfw-dev/, or place it at ../shared/datasets beside the repository.";
        }
    }

    /// <summary>The lfw-dev folder, or null when absent.</summary>
    public static string? LfwPath =>
        BenchDataset.LocateDatasets() is { } root && Directory.Exists(Path.Combine(root, "lfw-dev", "images")) ? Path.Combine(root, "lfw-dev") : null;
}
