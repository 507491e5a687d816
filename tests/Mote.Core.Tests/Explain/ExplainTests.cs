using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using Mote.Core.Explain;
using Mote.Core.Models;
using Mote.Core.Models.FaceApi;
using Mote.Core.Tests.Models;
using Mote.Core.Templates;
using Mote.Core.Tests.Templates;
using TorchSharp;
using Xunit.Abstractions;

namespace Mote.Core.Tests.Explain;

/// <summary>Explanations on real faces: executor equivalence, map shape, faithfulness, occlusion agreement, score context.</summary>
[Collection(ModelPackCollection.Name)]
public sealed class ExplainTests(ModelPackFixture models, ITestOutputHelper output)
{
    private const int Region = 12;

    private ExplainFixture F => ExplainFixture.Get(models);

    [Fact]
    public void TorchForward_RealFaceCrops_EqualsOnnxRuntimeDescriptor()
    {
        var f = F;
        var crops = f.Faces.Take(12).Select(x => x.Crop).ToList();
        using var factory = new OnnxSessionFactory();
        using var session = factory.Create(f.Pack[FaceRecognitionRecipe.ModelId]);
        float[] expected;
        float[] actual;
        using (var scope = torch.NewDisposeScope())
        {
            var input = DlibResNetTorch.ToInput(crops);
            var nhwc = input.data<float>().ToArray();
            using var ortInput = OrtValue.CreateTensorValueFromMemory(nhwc, [crops.Count, 150, 150, 3]);
            using var outputs = session.Run(new RunOptions(), [FaceRecognitionNetOnnx.InputName], [ortInput], [FaceRecognitionNetOnnx.OutputName]);
            expected = outputs[0].GetTensorDataAsSpan<float>().ToArray();
            lock (DlibResNetTorch.Gate)
            {
                using var noGrad = torch.no_grad();
                actual = f.Net.Forward(input).Descriptor.data<float>().ToArray();
            }
        }

        // Relative difference per descriptor: max |torch − onnx| over the descriptor's largest |onnx| component.
        var worst = 0.0;
        for (var i = 0; i < crops.Count; i++)
        {
            var e = expected.AsSpan(i * 128, 128);
            var a = actual.AsSpan(i * 128, 128);
            var scale = 0f;
            var diff = 0f;
            for (var k = 0; k < 128; k++)
            {
                scale = Math.Max(scale, Math.Abs(e[k]));
                diff = Math.Max(diff, Math.Abs(e[k] - a[k]));
            }
            worst = Math.Max(worst, diff / scale);
        }
        output.WriteLine($"{crops.Count} real face crops: max relative difference TorchSharp vs ONNX Runtime {worst:E2}");
        Assert.InRange(worst, 0, 1e-4);
    }

    [Fact]
    public void GradCam_MatchesTemplateLogitAndGivesNormalisedMapsAtNativeResolution()
    {
        var f = F;
        var template = f.TemplateOf(0);
        var result = GradCamPlusPlus.Compute(f.Net, template, f.Faces[0].Crop, [DlibResNetTorch.LastConvBlock, "conv128_2"]);

        Assert.Equal(2, result.Maps.Count);
        Assert.Equal((2, 2), (result.Maps[0].Width, result.Maps[0].Height));
        Assert.Equal((8, 8), (result.Maps[1].Width, result.Maps[1].Height));
        Assert.All(result.Maps, m => Assert.All(m.Values, v => Assert.InRange(v, 0f, 1f)));
        Assert.All(result.Maps, m => Assert.Equal(1f, m.Values.Max()));
        // The TorchSharp path explains the same logit the C# scorer computes on the ONNX descriptor.
        Assert.Equal(template.Logit(f.Faces[0].Descriptor), result.Logit, 0.01f);
    }

    [Fact]
    public void Occlusion_RealFace_7x7MapNormalisedWithMaximumOne()
    {
        var f = F;
        var template = f.TemplateOf(0);
        var result = OcclusionSensitivity.Compute(f.Pipeline.Describer, template, f.Faces[0].Crop);

        Assert.Equal((7, 7, 49), (result.Map.Width, result.Map.Height, result.Map.Values.Length));
        Assert.All(result.Map.Values, v => Assert.InRange(v, 0f, 1f));
        Assert.Equal(1f, result.Map.Values.Max());
        Assert.Equal(template.Logit(f.Faces[0].Descriptor), result.BaseEvidence, 1e-3f);
        var top = Array.IndexOf(result.Drops, result.Drops.Max());
        Assert.Equal(1f, result.Map.Values[top]);
    }

    [Fact]
    public void Occlusion_BothEnds_AddsEachCellsGainShownAloneOnGreyToItsDrop()
    {
        // A rejected probe, as the explainer computes it for rejected decisions: same drops as hidden alone, plus the gain
        // of each cell shown alone on an all-grey crop, checked here against that crop computed by hand.
        var f = F;
        var template = f.TemplateOf(1);
        var crop = f.Faces[9].Crop;
        var hidden = OcclusionSensitivity.Compute(f.Pipeline.Describer, template, crop);
        var both = OcclusionSensitivity.Compute(f.Pipeline.Describer, template, crop, new OcclusionOptions { Variant = OcclusionSensitivity.BothEnds });

        Assert.Equal(OcclusionSensitivity.HiddenAlone, hidden.Variant);
        Assert.Null(hidden.Gains);
        Assert.Equal(OcclusionSensitivity.BothEnds, both.Variant);
        Assert.Equal(OcclusionSensitivity.BothEnds, OcclusionSensitivity.VariantFor(accepted: false));
        Assert.Equal(OcclusionSensitivity.HiddenAlone, OcclusionSensitivity.VariantFor(accepted: true));
        Assert.Equal(hidden.Drops, both.Drops, (a, b) => Math.Abs(a - b) < 1e-3f);
        var gains = Assert.IsType<float[]>(both.Gains);
        var cells = Enumerable.Range(0, 49).Select(i => CropGrid.Cell(crop.Width, crop.Height, 7, 7, i % 7, i / 7)).ToArray();
        var top = Array.IndexOf(gains, gains.Max());
        var descriptors = f.Pipeline.Describer.Describe([CropGrid.Fill(crop, cells, 128), CropGrid.Fill(crop, cells.Where((_, j) => j != top), 128)]);
        Assert.Equal(template.Logit(descriptors[1]) - template.Logit(descriptors[0]), gains[top], 1e-2f);
        var sums = both.Drops.Zip(gains, (d, g) => d + g).ToArray();
        Assert.Equal(ExplanationMap.Normalized(OcclusionSensitivity.Method, 7, 7, sums).Values, both.Map.Values, (a, b) => Math.Abs(a - b) < 1e-5f);
        Assert.NotEqual(hidden.Map.Values, both.Map.Values);
        Assert.Throws<ArgumentException>(() => OcclusionSensitivity.Compute(f.Pipeline.Describer, template, crop, new OcclusionOptions { Variant = "sideways" }));
    }

    [Fact]
    public void ExplanationMap_Normalized_NoPositiveEvidence_AllZerosNotNaN()
    {
        var map = ExplanationMap.Normalized("occlusion", 2, 2, [-1f, -2f, 0f, float.NaN]);
        Assert.All(map.Values, v => Assert.Equal(0f, v));
        Assert.Throws<ArgumentException>(() => ExplanationMap.Normalized("occlusion", 2, 2, [1f]));
    }

    [Fact]
    public void MostImportantRegion_OccludedLowersEvidenceMoreThanLeastImportant_ForMostDecisions()
    {
        // Genuine decisions (each enrolled face against itself re-cropped) and impostor decisions (other faces).
        var f = F;
        var wins = new Dictionary<string, int> { ["occlusion"] = 0, ["gradcam++"] = 0, ["gradcam++@conv128_2"] = 0 };
        var decisions = 0;
        for (var person = 0; person < 6; person++)
        {
            var template = f.TemplateOf(person);
            foreach (var probe in new[] { person, (person + 5) % f.Faces.Count })
            {
                var crop = f.Faces[probe].Crop;
                var occlusion = OcclusionSensitivity.Compute(f.Pipeline.Describer, template, crop).Map;
                var cams = GradCamPlusPlus.Compute(f.Net, template, crop, [DlibResNetTorch.LastConvBlock, "conv128_2"]).Maps;
                decisions++;
                foreach (var map in cams.Prepend(occlusion))
                {
                    // Occlude the most vs the least important quarter (12 of 49 cells; a 2x2 map has quarters as cells), black (the map was made with grey).
                    var grid = map.Resampled(7, 7).Values;
                    var order = Enumerable.Range(0, 49).OrderByDescending(i => grid[i]).ThenBy(i => i).ToArray();
                    var most = CropGrid.Fill(crop, order.Take(Region).Select(i => CropGrid.Cell(150, 150, 7, 7, i % 7, i / 7)), 0);
                    var least = CropGrid.Fill(crop, order.TakeLast(Region).Select(i => CropGrid.Cell(150, 150, 7, 7, i % 7, i / 7)), 0);
                    var d = f.Pipeline.Describer.Describe([most, least]);
                    if (template.Logit(d[0]) < template.Logit(d[1]))
                    {
                        wins[map.Method]++;
                    }
                }
            }
        }
        foreach (var (method, count) in wins)
        {
            output.WriteLine($"{method}: occluding the most important region lowered the logit more in {count}/{decisions} decisions ({100.0 * count / decisions:0} %)");
        }
        // Occlusion and Grad-CAM++ at the last conv block (the paper's layer) must point at what matters in most
        // decisions; the 8x8 map at conv128_2 is printed only (measured 6/12 on 2026-11-29). Grad-CAM++ itself is weak here: 7/12 (58 %)
        // against occlusion's 12/12 — its 2x2 maps of a net whose last receptive fields span the whole face localise little.
        Assert.True(wins["occlusion"] * 2 > decisions, $"occlusion: {wins["occlusion"]}/{decisions}");
        Assert.True(wins["gradcam++"] * 2 > decisions, $"gradcam++: {wins["gradcam++"]}/{decisions}");
    }

    [Fact]
    public void Faithfulness_OcclusionMap_BeatsSeededRandomMapOnDeletion()
    {
        var f = F;
        var template = f.TemplateOf(1);
        var crop = f.Faces[1].Crop;
        var map = OcclusionSensitivity.Compute(f.Pipeline.Describer, template, crop).Map;
        var result = Faithfulness.Compute(f.Pipeline.Describer, template, crop, map);
        var again = Faithfulness.Compute(f.Pipeline.Describer, template, crop, map);

        output.WriteLine($"deletion AUC {result.DeletionAuc:0.000} (random {result.RandomDeletionAuc:0.000}); insertion AUC {result.InsertionAuc:0.000} (random {result.RandomInsertionAuc:0.000})");
        Assert.Equal(8, result.Deletion.Length);
        Assert.Equal(result.RandomDeletionAuc, again.RandomDeletionAuc);
        Assert.True(result.DeletionAuc < result.RandomDeletionAuc);
        Assert.InRange(Faithfulness.Auc([1f, 1f, 0f]), 0.75, 0.75);
        // The curves read the logit the map measures: the whole crop's point is the template's logit, not its 0…1 score.
        Assert.Equal(FaithfulnessResult.LogitEvidence, result.Evidence);
        // The baseline averages 8 random rankings; one ranking alone is a noisier baseline and differs from the mean.
        Assert.Equal(8, result.RandomMaps);
        var single = Faithfulness.Compute(f.Pipeline.Describer, template, crop, map, new FaithfulnessOptions { RandomMaps = 1 });
        Assert.Equal(result.DeletionAuc, single.DeletionAuc, 3);
        Assert.NotEqual(result.RandomDeletionAuc, single.RandomDeletionAuc, 3);
        Assert.Throws<ArgumentException>(() => Faithfulness.Compute(f.Pipeline.Describer, template, crop, map, new FaithfulnessOptions { RandomMaps = 0 }));
        Assert.Equal(((ModelTemplate)template).Logit(f.Faces[1].Descriptor), result.Deletion[0], 2);
    }

    [Fact]
    public void Faithfulness_ImpostorProbe_CurvesMoveOnTheLogit_MapToldApartFromRandom()
    {
        // A rejected probe: its sigmoid score is ~0 whatever is greyed, so on the 0…1 score every map tied the random one.
        var f = F;
        var template = f.TemplateOf(1);
        var crop = f.Faces[9].Crop;
        var map = OcclusionSensitivity.Compute(f.Pipeline.Describer, template, crop).Map;

        var result = Faithfulness.Compute(f.Pipeline.Describer, template, crop, map);

        output.WriteLine($"impostor: score {template.Score(f.Faces[9].Descriptor):G3}; deletion AUC {result.DeletionAuc:0.000} (random {result.RandomDeletionAuc:0.000}); insertion AUC {result.InsertionAuc:0.000} (random {result.RandomInsertionAuc:0.000})");
        Assert.True(template.Score(f.Faces[9].Descriptor) < 1e-3);
        Assert.True(result.Deletion.Max() - result.Deletion.Min() > 1, "the deletion curve moves by more than one log-odds unit");
        Assert.True(result.Insertion.Max() - result.Insertion.Min() > 1, "the insertion curve moves by more than one log-odds unit");
        // Whether the map beats the random one on a rejection is measured, not assumed (`mote explain survey`, docs/explanations.md);
        // here the two must at least be told apart.
        Assert.NotEqual(result.RandomDeletionAuc, result.DeletionAuc, 2);
        Assert.NotEqual(result.RandomInsertionAuc, result.InsertionAuc, 2);
    }

    [Fact]
    public void ScoreContext_GenuineProbe_HighGenuinePercentileAndSentence()
    {
        var f = F;
        var template = f.TemplateOf(2);
        var score = template.Score(f.Faces[2].Descriptor);
        var context = ScoreContext.Sample(template, f.Population, f.Faces[2].Descriptor, null, score, 0.5f, seed: 3, f.Faces[2].Descriptor);
        var same = ScoreContext.Sample(template, f.Population, f.Faces[2].Descriptor, null, score, 0.5f, seed: 3, f.Faces[2].Descriptor);
        var impostor = template.Score(f.Faces[9].Descriptor);
        var impostorContext = ScoreContext.Sample(template, f.Population, f.Faces[2].Descriptor, null, impostor, 0.5f, seed: 3, f.Faces[9].Descriptor);

        output.WriteLine(context.Sentence);
        output.WriteLine(impostorContext.Sentence);
        Assert.Equal(500, context.GenuineHistogram.Sum());
        Assert.Equal(1000, context.ImpostorHistogram.Sum());
        Assert.Equal(context.GenuineBelow, same.GenuineBelow);
        Assert.Contains("accepted", context.Sentence);
        Assert.True(context.ImpostorsAtOrAbove < 0.01);
        Assert.Contains("rejected", impostorContext.Sentence);
        Assert.True(impostorContext.GenuineBelow < 0.05);
        // Written in log-odds, as the page and the API's readable scale write them (issue 16: "its score 1.293E-07 is 0.8199
        // below the threshold 0.8199"): the probe's logit, the distance, the threshold's logit.
        var probeLogit = template.Logit(f.Faces[9].Descriptor);
        var expected = $"its score (log-odds {ReadableScore.Signed(probeLogit)}) is {Math.Abs(probeLogit - CalibratedScale.LogOdds(0.5f)).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture)} below the threshold (log-odds {ReadableScore.Signed(0)})";
        Assert.Contains(expected, impostorContext.Sentence, StringComparison.Ordinal);
        Assert.DoesNotContain("E-", impostorContext.Sentence, StringComparison.Ordinal);
        // The enrolled face itself sits well inside its synthetic genuine cloud (ranked by logit, not tied at 1.000).
        Assert.InRange(context.GenuineBelow!.Value, 0.05, 1.0);
    }

    [Fact]
    [Trait("Category", "Benchmark")]
    public void Benchmark_GradCamAndOcclusion_PrintsMedians()
    {
        var f = F;
        var template = f.TemplateOf(0);
        var crop = f.Faces[0].Crop;
        GradCamPlusPlus.Compute(f.Net, template, crop);
        OcclusionSensitivity.Compute(f.Pipeline.Describer, template, crop);
        var cam = new List<double>();
        var occ = new List<double>();
        var faith = new List<double>();
        for (var i = 0; i < 7; i++)
        {
            cam.Add(GradCamPlusPlus.Compute(f.Net, template, crop).ElapsedMs);
            var o = OcclusionSensitivity.Compute(f.Pipeline.Describer, template, crop);
            occ.Add(o.ElapsedMs);
            var watch = Stopwatch.StartNew();
            Faithfulness.Compute(f.Pipeline.Describer, template, crop, o.Map);
            faith.Add(watch.Elapsed.TotalMilliseconds);
        }
        output.WriteLine($"Grad-CAM++ median {Median(cam):0} ms (target ≤ 300); 7x7 occlusion median {Median(occ):0} ms (target ≤ 500); faithfulness (32 crops) median {Median(faith):0} ms; torch threads {torch.get_num_threads()}; load {File.ReadAllText("/proc/loadavg").Trim()}");
        Assert.All(cam.Concat(occ), t => Assert.True(t > 0));
    }

    private static double Median(List<double> values)
    {
        var s = values.Order().ToArray();
        return s[s.Length / 2];
    }
}

/// <summary>The occlusion-agreement rate on lfw-dev: enrolled from one photo, probed with another of the same person and with a stranger.</summary>
[Collection(ModelPackCollection.Name)]
public sealed class LfwExplainTests(ModelPackFixture models, ITestOutputHelper output)
{
    [DatasetFact("lfw-dev")]
    public void MostImportantRegion_LfwPairs_OccludedLowersEvidenceMoreForMostDecisions()
    {
        var f = ExplainFixture.Get(models);
        var root = Path.Combine(TestDatasets.Find("lfw-dev")!, "images");
        // The first 8 identities (ordinal order) with at least two photos; seeded, deterministic.
        var people = Directory.GetDirectories(root).Order(StringComparer.Ordinal)
            .Select(d => Directory.GetFiles(d, "*.jpg").Order(StringComparer.Ordinal).ToArray())
            .Where(files => files.Length >= 2).Take(8).ToArray();
        var wins = new Dictionary<string, int> { ["occlusion"] = 0, ["gradcam++"] = 0 };
        var decisions = 0;
        for (var i = 0; i < people.Length; i++)
        {
            var enrolled = f.Pipeline.Analyze(File.ReadAllBytes(people[i][0])).BestFace(requireAccepted: false);
            var genuine = f.Pipeline.Analyze(File.ReadAllBytes(people[i][1])).BestFace(requireAccepted: false);
            var stranger = f.Pipeline.Analyze(File.ReadAllBytes(people[(i + 1) % people.Length][0])).BestFace(requireAccepted: false);
            if (enrolled is null || genuine is null || stranger is null)
            {
                continue;
            }
            var sample = new Mote.Core.Population.Sampling.TrainingSetSampler(f.Population).Sample(enrolled.Descriptor, null, seed: i);
            var template = new TemplateTrainer(TemplateTrainerOptions.Default with { MaxEpochs = 30 }).Train(
                Mote.Core.Templates.TrainingSet.FromRows(sample.Positives, sample.Negatives), i,
                new ModelTemplateProvenance(new BackboneIdentity(f.Pipeline.Describer.BackboneId, f.Pipeline.Describer.BackboneHash), "test", []));
            foreach (var crop in new[] { genuine.AlignedCrop!, stranger.AlignedCrop! })
            {
                decisions++;
                var maps = new[] { OcclusionSensitivity.Compute(f.Pipeline.Describer, template, crop).Map }
                    .Concat(GradCamPlusPlus.Compute(f.Net, template, crop).Maps);
                foreach (var map in maps)
                {
                    var grid = map.Resampled(7, 7).Values;
                    var order = Enumerable.Range(0, 49).OrderByDescending(k => grid[k]).ThenBy(k => k).ToArray();
                    var most = CropGrid.Fill(crop, order.Take(12).Select(k => CropGrid.Cell(150, 150, 7, 7, k % 7, k / 7)), 0);
                    var least = CropGrid.Fill(crop, order.TakeLast(12).Select(k => CropGrid.Cell(150, 150, 7, 7, k % 7, k / 7)), 0);
                    var d = f.Pipeline.Describer.Describe([most, least]);
                    if (template.Logit(d[0]) < template.Logit(d[1]))
                    {
                        wins[map.Method]++;
                    }
                }
            }
        }
        foreach (var (method, count) in wins)
        {
            output.WriteLine($"lfw-dev {method}: most important quarter occluded lowered the logit more in {count}/{decisions} decisions ({100.0 * count / decisions:0} %)");
        }
        Assert.True(decisions >= 10, $"only {decisions} decisions");
        Assert.True(wins["occlusion"] * 2 > decisions, $"occlusion {wins["occlusion"]}/{decisions}");
    }
}
