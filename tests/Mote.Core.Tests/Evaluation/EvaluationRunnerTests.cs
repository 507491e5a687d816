using Mote.Core.Faces.Descriptors;
using Mote.Core.Evaluation;
using Mote.Core.Faces;
using Mote.Core.Faces.Pipeline;
using Mote.Core.Population.Packs;
using Mote.Core.Population.Sampling;
using Mote.Core.Templates;
using Mote.Core.Tests.Models;

namespace Mote.Core.Tests.Evaluation;

/// <summary>
/// The whole protocol on a handful of real LFW photos (6 identities × 3 photos, linked into a temp dataset, never
/// copied), with a small training budget: it must produce a report whose JSON reads back and whose numbers are
/// consistent with the data. Skipped, with the reason, when lfw-dev is absent.
/// </summary>
[Collection(ModelPackCollection.Name)]
public sealed class EvaluationRunnerTests(ModelPackFixture models) : IDisposable
{
    private readonly string root = Path.Combine(Path.GetTempPath(), $"mote-eval-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [DatasetFact("lfw-dev")]
    public void Run_HandfulOfRealPhotos_WritesAValidReport()
    {
        var data = EvaluationDataset.Open(LinkSmallDataset(TestDatasets.Find("lfw-dev")!, 6, 3));
        using var pipeline = new FacePipeline(new FacePipelineOptions { Backbone = DlibResNetDescriber.Id }, models.Pack);
        var backbone = new BackboneIdentity(pipeline.Describer.BackboneId, pipeline.Describer.BackboneHash);
        var pack = PopulationPackFile.Load(Path.Combine(AppContext.BaseDirectory, "population", "dlib-resnet.motepop"));
        using var cache = DescriptorCache.Open(Path.Combine(root, "cache"), backbone.Id, backbone.Sha256Hex, pack.Dimension);
        var options = new EvaluationOptions
        {
            TrainingSet = new TrainingSetOptions { Positives = 200, Negatives = 400 },
            Trainer = TemplateTrainerOptions.Default with { MaxEpochs = 8 },
            SweepFemaleShares = [0, 1],
            SweepIdentities = 4,
            PrivacyPerClass = 0,
            CalibrationImpostorsPerGroup = 20,
            BootstrapReplicates = 50,
        };
        var phases = new HashSet<string>();

        var report = new EvaluationRunner(options).Run(data, b => pipeline.Analyze(b).BestFace(requireAccepted: false)?.Descriptor,
            cache, backbone, pack, "test-pack", command: "test", progress: new Progress(phases));
        var json = EvaluationReportWriter.ToJson(report);
        var back = EvaluationReportWriter.FromJson(json);

        Assert.Equal(EvaluationReport.CurrentSchemaVersion, back.SchemaVersion);
        Assert.Equal(6, back.Data.Identities);
        Assert.Equal(6, back.Data.Enrolled + back.Data.FailedToEnroll);
        // Two probes per identity (the enrollment photo is never a probe).
        Assert.Equal(12, back.Data.Probes);
        var probes = back.Data.Probes - back.Data.FailedProbes;
        Assert.Equal(probes, back.Data.GenuinePairs);
        Assert.Equal((long)probes * (back.Data.Enrolled - 1), back.Data.ImpostorPairs);
        Assert.Equal(["model", "vector"], back.Recognition.Select(r => r.Kind));
        Assert.All(back.Recognition, r => Assert.InRange(r.RocAuc, 0.5, 1.0));
        // Real LFW photos of 6 people: cosine separates them (ROC-AUC measured 1.0 here).
        Assert.True(back.Recognition[1].RocAuc > 0.9, $"vector ROC-AUC {back.Recognition[1].RocAuc}");
        Assert.Contains(back.Fairness, f => f.Kind == "model" && f.Attribute == "gender");
        Assert.NotNull(back.Variation);
        Assert.InRange(back.Variation!.SyntheticPositiveCosine, 0.5, 1.0);
        Assert.InRange(back.Variation.RealProbeCosine, 0.5, 1.0);
        Assert.Equal([0.0, 1.0], back.Sweep.Select(s => s.FemaleShare));
        Assert.Equal(2, back.Costs.Count);
        Assert.Equal(128 * sizeof(float), back.Costs.Single(c => c.Kind == "vector").BytesPerPerson);
        Assert.True(back.Costs.Single(c => c.Kind == "model").BytesPerPerson > 20 * 128 * sizeof(float));
        Assert.Contains("describe", back.PhaseSeconds.Select(p => p.Phase));
        Assert.Contains("enroll", phases);
        Assert.Contains("## Recognition", EvaluationReportWriter.ToMarkdown(back));

        // A rerun reads every descriptor from the cache: the pipeline is not called again.
        var again = new EvaluationRunner(options with { SweepFemaleShares = [], Privacy = false }).Run(data, _ => throw new InvalidOperationException("not cached"),
            cache, backbone, pack, "test-pack");
        Assert.Equal(back.Data.GenuinePairs, again.Data.GenuinePairs);
    }

    [DatasetFact("lfw-dev", "utkface-part1")]
    public void Run_CappedAnchoredTemplates_CosineBoundKeepsEveryRateAtOrBelowTheVectors()
    {
        var data = EvaluationDataset.Open(LinkSmallDataset(TestDatasets.Find("lfw-dev")!, 6, 2));
        var impostors = ImpostorDataset.Open(LinkUtkCells(TestDatasets.Find("utkface-part1")!, ["female,white,adult", "male,white,adult", "male,black,adult"], 8));
        using var pipeline = new FacePipeline(new FacePipelineOptions { Backbone = DlibResNetDescriber.Id }, models.Pack);
        var backbone = new BackboneIdentity(pipeline.Describer.BackboneId, pipeline.Describer.BackboneHash);
        var pack = PopulationPackFile.Load(Path.Combine(AppContext.BaseDirectory, "population", "dlib-resnet.motepop"));
        var options = new EvaluationOptions
        {
            TrainingSet = TrainingSetOptions.Engine with { Positives = 200, Negatives = 400 },
            Trainer = TemplateTrainerOptions.Engine with { MaxEpochs = 6, CorrectionCap = 2 },
            SweepFemaleShares = [],
            PrivacyPerClass = 0,
            Privacy = false,
            CalibrationImpostorsPerGroup = 20,
            BootstrapReplicates = 20,
            ImpostorTemplatesPerCell = 4,
        };

        var report = EvaluationReportWriter.FromJson(EvaluationReportWriter.ToJson(new EvaluationRunner(options).Run(
            data, b => pipeline.Analyze(b).BestFace(requireAccepted: false)?.Descriptor, null, backbone, pack, "test-pack", impostors)));

        // The pack's model-template calibration belongs to the uncapped trainer, so capped templates read the cosine curves
        // through their anchor, and the bound (anchor(cosine threshold) + cap) applies to every one of them.
        var bounded = Assert.Single(report.CalibratedThresholds!, c => c.Policy == EvaluationRunner.BoundedPolicy);
        Assert.Equal("model", bounded.Kind);
        Assert.All(bounded.ThresholdGroups!.Keys, g => Assert.Contains("→ bound by cosine", g, StringComparison.Ordinal));
        var vector = report.CalibratedThresholds!.Single(c => c.Kind == "vector" && c.Policy == "own group");
        var ownGroup = report.CalibratedThresholds!.Single(c => c.Kind == "model" && c.Policy == "own group");
        Assert.True(bounded.Fmr <= vector.Fmr, $"bounded {bounded.Fmr} vs vector {vector.Fmr}");
        Assert.True(bounded.Fmr <= ownGroup.Fmr && bounded.Fnmr >= ownGroup.Fnmr, "the bound only ever raises a threshold");
        Assert.DoesNotContain(report.CalibratedThresholds!, c => c.Kind == "vector" && c.Policy == EvaluationRunner.BoundedPolicy);

        // On the impostor set, group by group: never above the vector's calibrated rate.
        var imp = Assert.IsType<ImpostorAnalysis>(report.Impostors);
        foreach (var attribute in imp.Results.Select(r => r.Attribute).Distinct())
        {
            var model = imp.Results.Single(r => r.Kind == "model" && r.Thresholds == "calibrated, cosine-bounded" && r.Attribute == attribute);
            var vectors = imp.Results.Single(r => r.Kind == "vector" && r.Thresholds == "calibrated" && r.Attribute == attribute);
            foreach (var g in model.Groups)
            {
                Assert.True(g.Fmr.Value <= vectors.Groups.Single(v => v.Group == g.Group).Fmr.Value, $"{attribute} {g.Group}");
            }
        }
    }

    [DatasetFact("lfw-dev", "utkface-part1")]
    public void Run_WithImpostorDataset_ReportsSameGroupFmrDownToIntersections()
    {
        var data = EvaluationDataset.Open(LinkSmallDataset(TestDatasets.Find("lfw-dev")!, 4, 2));
        var impostors = ImpostorDataset.Open(LinkUtkCells(TestDatasets.Find("utkface-part1")!, ["female,white,adult", "male,white,adult", "female,asian,child"], 6));
        using var pipeline = new FacePipeline(new FacePipelineOptions { Backbone = DlibResNetDescriber.Id }, models.Pack);
        var backbone = new BackboneIdentity(pipeline.Describer.BackboneId, pipeline.Describer.BackboneHash);
        var pack = PopulationPackFile.Load(Path.Combine(AppContext.BaseDirectory, "population", "dlib-resnet.motepop"));
        var options = new EvaluationOptions
        {
            TrainingSet = new TrainingSetOptions { Positives = 200, Negatives = 400 },
            Trainer = TemplateTrainerOptions.Default with { MaxEpochs = 8 },
            SweepFemaleShares = [],
            PrivacyPerClass = 0,
            CalibrationImpostorsPerGroup = 20,
            BootstrapReplicates = 50,
            ImpostorTemplatesPerCell = 5,
        };

        // An estimator that always guesses "female": labelled genders must win over it, as declared attributes do at enrollment.
        var estimates = 0;
        var report = EvaluationReportWriter.FromJson(EvaluationReportWriter.ToJson(new EvaluationRunner(options).Run(
            data, b => pipeline.Analyze(b).BestFace(requireAccepted: false)?.Descriptor, null, backbone, pack, "test-pack", impostors,
            estimateAttributes: _ =>
            {
                estimates++;
                return new AttributeEstimate("female", 0.9, 30, "18-59", 0.9, "white", 0.8, new Dictionary<string, double> { ["white"] = 0.8 });
            })));

        var imp = Assert.IsType<ImpostorAnalysis>(report.Impostors);
        Assert.Equal(18, imp.Photos);
        Assert.Equal(imp.Photos, imp.Templates + imp.Probes + imp.FailedToDetect);
        Assert.Equal(["female/asian/0-17", "female/white/18-59", "male/white/18-59"], imp.TemplatesByCell.Keys.Order(StringComparer.Ordinal));
        Assert.All(imp.TemplatesByCell.Values, n => Assert.InRange(n, 1, 5));
        // Three kinds of threshold (model global, model personal, vector global) × four attributes.
        // 3 kinds of threshold × 4 groupings, plus the vector's calibrated thresholds (the default pack carries a cosine
        // calibration); the paper's plain MLP trained here has no calibrated scale, so no calibrated model series.
        Assert.Equal(16, imp.Results.Count);
        Assert.Equal(4, imp.Results.Count(r => r.Kind == "vector" && r.Thresholds == "calibrated"));
        Assert.DoesNotContain(imp.Results, r => r.Kind == "model" && r.Thresholds == "calibrated");
        var calibrated = Assert.Single(report.CalibratedThresholds!, c => c.Policy == "own group");
        Assert.Equal("vector", calibrated.Kind);
        // Only a handful of impostor pairs here (2 same-gender pairs a gender): at the promised 1e-3 a single false match
        // among them would be a rate far beyond the target, and unlikely by chance. Measured: 0, so the requirement holds.
        Assert.Equal(0, calibrated.Fmr);
        Assert.True(calibrated.Holds);
        Assert.Equal(report.Data.Enrolled, estimates);
        // 2 labelled women and 2 labelled men: the label decides the gender (the guess says "female" for all), the guess the
        // age band (lfw-dev has none) and the ethnicity where the label has none; the default pack has curves that fine.
        Assert.Equal(new Dictionary<string, int> { ["female|white|18-59"] = 2, ["male|white|18-59"] = 2 }, calibrated.ThresholdGroups);
        Assert.Contains("vector, own group: thresholds read from", EvaluationReportWriter.ToMarkdown(report), StringComparison.Ordinal);
        Assert.Contains(report.Warnings, w => w.StartsWith("model: no real-impostor calibration", StringComparison.Ordinal));
        Assert.Equal(["age band", "ethnicity", "gender", "gender × ethnicity × age band"], imp.Results.Select(r => r.Attribute).Distinct().Order(StringComparer.Ordinal));
        var global = imp.Results.Where(r => r.Thresholds == "global").ToArray();
        Assert.All(global, r => Assert.Equal(report.Fairness.First(f => f.Kind == r.Kind).Threshold, r.Threshold));
        Assert.All(imp.Results.Where(r => r.Thresholds == "personal"), r => Assert.Null(r.Threshold));
        var cells = imp.Results.First(r => r.Kind == "vector" && r.Attribute.Contains('×', StringComparison.Ordinal));
        foreach (var g in cells.Groups)
        {
            Assert.Equal(imp.TemplatesByCell[g.Group], g.Templates);
            Assert.Equal((long)g.Templates * g.Probes, g.ImpostorPairs);
            Assert.InRange(g.Fmr.Value, g.Fmr.Low, g.Fmr.High);
            Assert.NotNull(g.Warning);
        }

        // Gender groups pool cells: the female group holds both female cells' templates.
        var female = imp.Results.First(r => r.Kind == "vector" && r.Attribute == "gender").Groups.Single(g => g.Group == "female");
        Assert.Equal(imp.TemplatesByCell["female/asian/0-17"] + imp.TemplatesByCell["female/white/18-59"], female.Templates);
        Assert.Contains("## Impostor-only analysis", EvaluationReportWriter.ToMarkdown(report), StringComparison.Ordinal);

        // The impostor dataset's templates all carry gender and ethnicity: both are attacked in all three stored forms.
        var onTemplates = report.Privacy.Where(a => a.Source.EndsWith(", utk templates", StringComparison.Ordinal)).ToArray();
        Assert.Equal(
            ["ethnicity/MOTE responses", "ethnicity/MOTE weights", "ethnicity/vector templates", "gender/MOTE responses", "gender/MOTE weights", "gender/vector templates"],
            onTemplates.Select(a => $"{a.Attribute}/{a.Source[..^", utk templates".Length]}").Order(StringComparer.Ordinal));
        Assert.Equal(["asian", "white"], onTemplates.First(a => a.Attribute == "ethnicity").Classes);
        Assert.All(onTemplates, a => Assert.InRange(a.Accuracy, a.AccuracyLow, a.AccuracyHigh));
    }

    [Fact]
    public void SameGroupRates_CountsSameGroupPairsAtEachTemplatesThreshold()
    {
        string?[] templates = ["a", "a", "b", null];
        string?[] probes = ["a", "b", "b", "a"];
        float[][] scores =
        [
            [0.9f, 0.99f, 0.99f, 0.1f], // a, threshold 0.5: p0 matches, p3 not; b probes do not count
            [0.6f, 0.99f, 0.99f, 0.7f], // a, threshold 0.65: p3 matches
            [0.99f, 0.2f, 0.8f, 0.99f], // b, threshold 0.8: p2 matches (≥)
            [1f, 1f, 1f, 1f],           // unlabelled: in no group
        ];
        double[] thresholds = [0.5, 0.65, 0.8, 0];

        var rows = ImpostorPhase.SameGroupRates(templates, probes, scores, t => thresholds[t], 1e-3, 200, seed: 3);

        Assert.Equal(["a", "b"], rows.Select(r => r.Group));
        Assert.Equal((2, 2, 4L, 0.5), (rows[0].Templates, rows[0].Probes, rows[0].ImpostorPairs, rows[0].Fmr.Value));
        Assert.Equal((1, 2, 2L, 0.5), (rows[1].Templates, rows[1].Probes, rows[1].ImpostorPairs, rows[1].Fmr.Value));
        // Both a-templates match exactly one of their two probes: every resample gives 0.5.
        Assert.Equal((0.5, 0.5), (rows[0].Fmr.Low, rows[0].Fmr.High));
        Assert.All(rows, r => Assert.Contains("not reliable", r.Warning, StringComparison.Ordinal));
        Assert.Equal(rows.Select(r => r.Fmr), ImpostorPhase.SameGroupRates(templates, probes, scores, t => thresholds[t], 1e-3, 200, seed: 3).Select(r => r.Fmr));
    }

    [Fact]
    public void FemaleShare_SplitsWeightByGender()
    {
        var pack = PopulationPackFile.Load(Path.Combine(AppContext.BaseDirectory, "population", "dlib-resnet.motepop"));

        var balance = EvaluationRunner.FemaleShare(pack, 0.25);

        Assert.Equal(0.25, balance.Negatives.Where(p => p.Key.Gender == global::Mote.Core.Population.Gender.Female).Sum(p => p.Value), 9);
        Assert.Equal(0.75, balance.Negatives.Where(p => p.Key.Gender == global::Mote.Core.Population.Gender.Male).Sum(p => p.Value), 9);
        Assert.Equal(0.25, balance.Variation.Where(p => p.Key.Gender == global::Mote.Core.Population.Gender.Female).Sum(p => p.Value), 9);
        balance.Validate(pack);
        Assert.Throws<ArgumentOutOfRangeException>(() => EvaluationRunner.FemaleShare(pack, 1.5));
    }

    private string LinkSmallDataset(string lfw, int identities, int photos) => EvaluationTestData.LinkLfw(root, lfw, identities, photos);

    private string LinkUtkCells(string utk, string[] cells, int perCell) => EvaluationTestData.LinkUtkCells(root, utk, cells, perCell);

    private sealed class Progress(HashSet<string> phases) : IProgress<EvaluationProgress>
    {
        public void Report(EvaluationProgress value)
        {
            lock (phases)
            {
                phases.Add(value.Phase);
            }
        }
    }
}
