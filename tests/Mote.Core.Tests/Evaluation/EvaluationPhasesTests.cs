using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mote.Core.Evaluation;
using Mote.Core.Faces;
using Mote.Core.Faces.Descriptors;
using Mote.Core.Faces.Pipeline;
using Mote.Core.Population.Packs;
using Mote.Core.Population.Sampling;
using Mote.Core.Templates;
using Mote.Core.Tests.Models;

namespace Mote.Core.Tests.Evaluation;

/// <summary>
/// Guards the split of <see cref="EvaluationRunner"/> into phases: a tiny run with every phase on (6 LFW identities × 2
/// photos, 12 UTKFace impostor photos, sweep, privacy with width jitter, calibrated thresholds with an estimator) must
/// give the same report twice for a seed, and each phase run by hand must give exactly what the report carries.
/// Determinism, measured before the split on two 6-identity runs: every field is byte-identical between same-seed runs
/// except the <c>Stopwatch</c> timings of the costs and, rarely, the warning that a libtorch failure was retried
/// (the retry reuses the seed, so the template is the same); both are left out of the comparison.
/// </summary>
[Collection(ModelPackCollection.Name)]
public sealed class EvaluationPhasesTests(ModelPackFixture models) : IDisposable
{
    private const string PackId = "test-pack";
    private static readonly string[] Cells = ["female,white,adult", "male,white,adult", "male,black,adult"];
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    private readonly string root = Path.Combine(Path.GetTempPath(), $"mote-phases-{Guid.NewGuid():N}");
    private readonly Dictionary<string, float[]?> described = new(StringComparer.Ordinal);

    private static EvaluationOptions Options => new()
    {
        Seed = 5,
        TrainingSet = TrainingSetOptions.Engine with { Positives = 100, Negatives = 200 },
        Trainer = TemplateTrainerOptions.Engine with { MaxEpochs = 4, CorrectionCap = 2 },
        SweepFemaleShares = [0, 1],
        SweepIdentities = 4,
        PrivacyPerClass = 5,
        CalibrationImpostorsPerGroup = 20,
        BootstrapReplicates = 20,
        ImpostorTemplatesPerCell = 2,
        Parallelism = 2,
    };

    public void Dispose()
    {
        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [DatasetFact("lfw-dev", "utkface-part1")]
    public void Run_SameSeedTwice_GivesTheSameReportFieldByField()
    {
        var (data, impostors, backbone, pack, describe) = Arrange();
        var firstProgress = new Recorder();
        var secondProgress = new Recorder();

        var first = new EvaluationRunner(Options, new FixedTime()).Run(data, describe, null, backbone, pack, PackId, impostors, "test", "commit", firstProgress, estimateAttributes: Estimate);
        var second = new EvaluationRunner(Options, new FixedTime()).Run(data, describe, null, backbone, pack, PackId, impostors, "test", "commit", secondProgress, estimateAttributes: Estimate);

        var a = Comparable(first);
        var b = Comparable(second);
        Assert.Equal(a.Select(p => p.Key), b.Select(p => p.Key));
        foreach (var (field, value) in a)
        {
            Assert.True(JsonNode.DeepEquals(value, b[field]), $"report field '{field}' differs between same-seed runs:\n{value?.ToJsonString()}\n{b[field]?.ToJsonString()}");
        }

        Assert.Equal(firstProgress.Phases, secondProgress.Phases);
        Assert.Equal(["describe", "enroll", "score", "metrics", "personal-thresholds", "sweep", "privacy", "costs", "impostors"], first.PhaseSeconds.Select(p => p.Phase));
        Assert.All(first.PhaseSeconds, p => Assert.Equal(0, p.Seconds));
    }

    [DatasetFact("lfw-dev", "utkface-part1")]
    public void Phases_RunOneByOne_GiveWhatTheReportCarries()
    {
        var (data, impostors, backbone, pack, describe) = Arrange();
        var report = new EvaluationRunner(Options, new FixedTime()).Run(data, describe, null, backbone, pack, PackId, impostors, estimateAttributes: Estimate);

        var context = new EvaluationContext(Options, new FixedTime(), backbone, pack, PackId, null, CancellationToken.None);
        var descriptors = DescribePhase.Run(context, data.Identities.SelectMany(i => i.Photos).ToArray(), describe, null, "describe");
        var enrollment = EnrollPhase.Run(context, data, descriptors);
        var scores = ScorePhase.Run(context, data, descriptors, enrollment);
        var metrics = MetricsPhase.Run(context, enrollment, scores);
        var personal = PersonalThresholdsPhase.Run(context, enrollment, scores);
        var calibrated = CalibratedThresholdsPhase.Run(context, enrollment, scores, Estimate);
        var sweep = SweepPhase.Run(context, enrollment, descriptors);
        var privacy = PrivacyPhase.Run(context, enrollment);
        var costs = CostsPhase.Run(enrollment, scores);
        var impostorPrivacy = new List<AttackResult>();
        var impostorAnalysis = ImpostorPhase.Run(context, impostors, describe, null, metrics.GlobalThresholds, impostorPrivacy);

        Assert.Equal((data.Identities.Count, enrollment.Identities.Length, enrollment.FailedToEnroll), (report.Data.Identities, report.Data.Enrolled, report.Data.FailedToEnroll));
        Assert.Equal((scores.Owners.Length + scores.FailedProbes, scores.FailedProbes), (report.Data.Probes, report.Data.FailedProbes));
        Assert.Equal((metrics.ModelSet.Genuine.Length, metrics.ModelSet.Impostor.Length), (report.Data.GenuinePairs, report.Data.ImpostorPairs));
        Assert.Equal(scores.Owners.Length * (enrollment.Identities.Length - 1), metrics.ModelSet.Impostor.Length);
        Same(metrics.Recognition, report.Recognition);
        Same(metrics.Fairness, report.Fairness);
        Assert.Equal(metrics.GlobalThresholds["model"], report.Fairness.First(f => f.Kind == "model").Threshold);
        Same(personal.Personal, report.PersonalThresholds);
        Same(personal.Variation, report.Variation);
        Same(calibrated, report.CalibratedThresholds);
        Assert.Contains(calibrated!, c => c.Policy == EvaluationRunner.BoundedPolicy);
        Same(sweep, report.Sweep);
        Assert.Equal([0.0, 1.0], sweep.Select(s => s.FemaleShare));
        Same(privacy.Concat(impostorPrivacy).ToArray(), report.Privacy);
        Same(impostorAnalysis, report.Impostors);
        Assert.Equal(costs.Select(c => (c.Kind, c.BytesPerPerson, c.GallerySize)), report.Costs.Select(c => (c.Kind, c.BytesPerPerson, c.GallerySize)));
        Assert.Equal(WithoutRetries(context.Warnings), WithoutRetries(report.Warnings));
        Assert.NotEmpty(report.Warnings);
    }

    private static AttributeEstimate? Estimate(byte[] photo) =>
        new("female", 0.9, 30, "18-59", 0.9, "white", 0.8, new Dictionary<string, double> { ["white"] = 0.8 });

    private (EvaluationDataset Data, ImpostorDataset Impostors, BackboneIdentity Backbone, PopulationPack Pack, Func<byte[], float[]?> Describe) Arrange()
    {
        var data = EvaluationDataset.Open(EvaluationTestData.LinkLfw(root, TestDatasets.Find("lfw-dev")!, 6, 2));
        var impostors = ImpostorDataset.Open(EvaluationTestData.LinkUtkCells(root, TestDatasets.Find("utkface-part1")!, Cells, 4));
        var pipeline = new FacePipeline(new FacePipelineOptions { Backbone = DlibResNetDescriber.Id }, models.Pack);
        var backbone = new BackboneIdentity(pipeline.Describer.BackboneId, pipeline.Describer.BackboneHash);
        var pack = PopulationPackFile.Load(Path.Combine(AppContext.BaseDirectory, "population", "dlib-resnet.motepop"));
        // Each photo is described once per test (by content), so the repeated runs cost only their training.
        float[]? Describe(byte[] photo)
        {
            var key = Convert.ToHexString(SHA256.HashData(photo));
            if (!described.TryGetValue(key, out var descriptor))
            {
                descriptor = pipeline.Analyze(photo).BestFace(requireAccepted: false)?.Descriptor;
                described[key] = descriptor;
            }

            return descriptor;
        }

        // Every photo described up front, so the pipeline can be disposed before the runs.
        foreach (var photo in data.Identities.SelectMany(i => i.Photos).Concat(impostors.Photos.Select(p => p.Path)))
        {
            Describe(File.ReadAllBytes(photo));
        }

        pipeline.Dispose();
        return (data, impostors, backbone, pack, photo => described[Convert.ToHexString(SHA256.HashData(photo))]);
    }

    /// <summary>The report's fields as JSON, without what differs between identical runs (see the class comment).</summary>
    private static Dictionary<string, JsonNode?> Comparable(EvaluationReport report)
    {
        var json = JsonNode.Parse(EvaluationReportWriter.ToJson(report))!.AsObject();
        foreach (var cost in json["costs"]!.AsArray())
        {
            foreach (var timing in new[] { "enrollMsMedian", "enrollMsP90", "verifyUsMedian", "identifyMsMedian" })
            {
                cost!.AsObject().Remove(timing);
            }
        }

        json["warnings"] = new JsonArray(WithoutRetries(report.Warnings).Select(w => (JsonNode?)JsonValue.Create(w)).ToArray());
        return json.ToDictionary(p => p.Key, p => p.Value?.DeepClone(), StringComparer.Ordinal);
    }

    private static string[] WithoutRetries(IEnumerable<string> warnings) =>
        warnings.Where(w => !w.Contains("failed once in libtorch", StringComparison.Ordinal)).ToArray();

    private static void Same<T>(T phaseOutput, T reportField) =>
        Assert.Equal(JsonSerializer.Serialize(phaseOutput, EvaluationReportWriter.Json), JsonSerializer.Serialize(reportField, EvaluationReportWriter.Json));

    private sealed class FixedTime : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => Now;

        public override long GetTimestamp() => 0;
    }

    private sealed class Recorder : IProgress<EvaluationProgress>
    {
        public List<string> Phases { get; } = [];

        public void Report(EvaluationProgress value)
        {
            lock (Phases)
            {
                Phases.Add($"{value.Phase} {value.Done}/{value.Total}");
            }
        }
    }
}
