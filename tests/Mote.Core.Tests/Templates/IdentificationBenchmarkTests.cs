using System.Diagnostics;
using Mote.Core.Templates;
using Xunit.Abstractions;

namespace Mote.Core.Tests.Templates;

/// <summary>
/// Prints 1:N timings over 10,000 templates in one run: the screened single-probe identifier, the stacked fp32
/// scorer for one probe and for batches of 64, and a 10,000-vector cosine scan, for default and compact
/// model-templates, with ratios and bytes per template. No assertion on time (the machine is shared); it does
/// assert that the screened answers equal scoring each template alone. Run:
/// <c>dotnet test tests/Mote.Core.Tests --filter "FullyQualifiedName~IdentificationBenchmark" --logger "console;verbosity=detailed"</c>.
/// </summary>
/// <remarks>
/// The gallery holds 10,000 different people made from 16 trained model-templates: person j is a trained
/// template for centre c composed with the reflection <c>Q_j = I − 2vvᵀ</c> that swaps c with a new random
/// centre <c>t_j</c> (first layer <c>W·Q_j</c>), i.e. the same classifier moved to the person at <c>t_j</c>. Its weights have trained statistics and,
/// as synthetic impostors are isotropic, its calibrated threshold is the base template's. Training 10,000
/// templates (≈1 s each) would take hours; repeating identical copies would make every genuine probe match
/// hundreds of people. Random-weight templates are shown as the screen's worst case: their logits for all
/// probes lie within about ±0.2 of each other, so no bound can set anyone aside.
/// </remarks>
[Trait("Category", "Benchmark")]
[Collection(BenchmarkCollection.Name)]
public sealed class IdentificationBenchmarkTests(ITestOutputHelper output)
{
    private const int GallerySize = 10_000;
    private const int BaseTemplates = 16;
    private const int SingleProbes = 21;
    private const int Batch = 64;
    private const int Batches = 3;

    [Fact]
    public void OneToN_TenThousandTemplates_PrintsSingleAndBatchedBesideCosineScan()
    {
        var data = new SyntheticDescriptors(seed: 1);
        var lines = new List<string>
        {
            $"1:N over {GallerySize:N0} templates, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, load average before: {LoadAverage()}",
            "  times are medians of wall-clock ms per probe; CPU = process CPU time per probe ÷ cores (what an idle machine would take)",
        };

        var cosine = MeasureCosine(data, lines);
        var summary = new List<string>();
        foreach (var (name, options) in new[] { ("default", TemplateTrainerOptions.Default), ("compact", TemplateTrainerOptions.Compact) })
        {
            var (templates, thresholds, centres) = TrainedGallery(data, options);
            var single = MeasureModels($"{name} trained", templates, thresholds, centres, data, lines);
            summary.Add($"  {name}: screened single probe / cosine scan single probe = {single / cosine.Single:F1}x");
        }

        var randomBase = Enumerable.Range(0, 64).Select(i => RandomTemplates.CreateJittered(Dimension, i)).ToArray();
        var randomImpostors = data.Others(2000);
        var randomThresholds = randomBase.Select(t => ThresholdCalibration.ForTemplate(t, randomImpostors)).ToArray();
        var reflections = new Random(4);
        var randomTemplates = Enumerable.Range(0, GallerySize)
            .Select(i => TemplateReflection.Reflect(randomBase[i % 64], Unit(Enumerable.Range(0, Dimension).Select(_ => (float)(reflections.NextDouble() - 0.5)).ToArray())))
            .ToArray();
        MeasureScreenOnly("default random-weight (worst case)", randomTemplates, Enumerable.Range(0, GallerySize).Select(i => randomThresholds[i % 64]).ToArray(), data, lines);

        lines.Add($"  cosine scan over {GallerySize:N0} vectors: single probe {cosine.Single:F3} ms, batch {Batch} {cosine.Batched:F3} ms per probe; {Dimension * sizeof(float)} B per template");
        lines.AddRange(summary);
        lines.Add($"  load average after: {LoadAverage()}");
        foreach (var line in lines)
        {
            output.WriteLine(line);
        }
    }

    private const int Dimension = 128;

    private static (ModelTemplate[] Templates, float[] Thresholds, float[][] Centres) TrainedGallery(SyntheticDescriptors data, TemplateTrainerOptions options)
    {
        var trainer = new TemplateTrainer(options);
        var baseCentres = Enumerable.Range(0, BaseTemplates).Select(_ => data.Centre()).ToArray();
        var trained = baseCentres.Select((c, i) => trainer.Train(data.TrainingSetFor(c, 100, 200), i, SyntheticDescriptors.Provenance)).ToArray();
        var impostors = data.Others(2000);
        var baseThresholds = trained.Select(t => ThresholdCalibration.ForTemplate(t, impostors)).ToArray();
        var random = new Random(2);
        var templates = new ModelTemplate[GallerySize];
        var thresholds = new float[GallerySize];
        var centres = new float[GallerySize][];
        for (var j = 0; j < GallerySize; j++)
        {
            var b = j % BaseTemplates;
            // The reflection that swaps the base centre with a new random centre t: v = (c − t)/‖c − t‖.
            var t = data.Centre();
            var v = Unit(baseCentres[b].Zip(t, (x, y) => x - y).ToArray());
            templates[j] = TemplateReflection.Reflect(trained[b], v);
            thresholds[j] = baseThresholds[b];
            centres[j] = t;
        }

        return (templates, thresholds, centres);
    }

    private double MeasureModels(string name, ModelTemplate[] templates, float[] thresholds, float[][] centres, SyntheticDescriptors data, List<string> lines)
    {
        var identifier = new ModelTemplateIdentifier(templates);
        var random = new Random(3);
        var genuine = Enumerable.Range(0, SingleProbes).Select(_ => data.Around(centres[random.Next(GallerySize)])).ToArray();
        var strangers = data.Others(SingleProbes);
        var (genuineMs, genuineCpu, genuineStats) = MeasureScreened(identifier, genuine, thresholds);
        var (strangerMs, strangerCpu, strangerStats) = MeasureScreened(identifier, strangers, thresholds);
        AssertSameAsAlone(identifier, templates, genuine[0], thresholds);
        AssertSameAsAlone(identifier, templates, strangers[0], thresholds);

        double stackedSingle, stackedBatched;
        long stackedBytes;
        {
            var stacked = new ModelTemplateScorer(templates);
            stackedBytes = stacked.StackedBytes;
            stackedSingle = MeasureScorer(stacked, genuine.Take(7).SelectMany(p => p).ToArray(), 1, 7);
            stackedBatched = MeasureScorer(stacked, data.Others(Batch * Batches).SelectMany(p => p).ToArray(), Batch, Batches);
        }

        var median = Median([genuineMs, strangerMs]);
        lines.Add($"  {name} model-templates ({templates[0].Architecture}, {identifier.ExactBytes / GallerySize:N0} B fp32 + {identifier.ScreenBytes / GallerySize:N0} B int8 screen per template):");
        lines.Add($"    screened single probe, enrolled person: {genuineMs:F2} ms (CPU {genuineCpu:F2}); {genuineStats}");
        lines.Add($"    screened single probe, stranger:        {strangerMs:F2} ms (CPU {strangerCpu:F2}); {strangerStats}");
        lines.Add($"    stacked fp32 single probe (before):     {stackedSingle:F2} ms;  stacked fp32 batch {Batch}: {stackedBatched:F2} ms per probe ({stackedBytes / GallerySize:N0} B per template)");
        lines.Add($"    speed-up of the screened single probe over stacked fp32 single probe: {stackedSingle / median:F1}x");
        return median;
    }

    private void MeasureScreenOnly(string name, ModelTemplate[] templates, float[] thresholds, SyntheticDescriptors data, List<string> lines)
    {
        var identifier = new ModelTemplateIdentifier(templates);
        var (ms, cpu, stats) = MeasureScreened(identifier, data.Others(7), thresholds);
        lines.Add($"  {name}: screened single probe {ms:F2} ms (CPU {cpu:F2}); {stats}");
    }

    private static (double Ms, double CpuMs, string Stats) MeasureScreened(ModelTemplateIdentifier identifier, float[][] probes, float[] thresholds)
    {
        identifier.Identify(SyntheticDescriptors.Backbone, probes[0], thresholds); // warm-up
        var times = new List<double>();
        int candidates = 0, rescored = 0, matches = 0;
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        var cpu = process.TotalProcessorTime;
        foreach (var probe in probes)
        {
            var clock = Stopwatch.StartNew();
            var report = identifier.IdentifyWithReport(SyntheticDescriptors.Backbone, probe, thresholds);
            times.Add(clock.Elapsed.TotalMilliseconds);
            candidates += report.Candidates;
            rescored += report.Rescored;
            matches += report.Result.IsNoMatch ? 0 : 1;
        }

        process.Refresh();
        var cpuMs = (process.TotalProcessorTime - cpu).TotalMilliseconds / probes.Length / Environment.ProcessorCount;
        return (Median(times), cpuMs, $"mean {candidates / (double)probes.Length:F1} candidates, {rescored / (double)probes.Length:F1} rescored exactly; {matches}/{probes.Length} matched");
    }

    private static (double Single, double Batched) MeasureCosine(SyntheticDescriptors data, List<string> lines)
    {
        var vectors = new VectorTemplateScorer(data.Others(GallerySize).Select(v => new VectorTemplate(SyntheticDescriptors.Backbone, v)).ToArray());
        var single = MeasureScorer(vectors, data.Others(SingleProbes).SelectMany(p => p).ToArray(), 1, SingleProbes);
        var batched = MeasureScorer(vectors, data.Others(Batch * Batches).SelectMany(p => p).ToArray(), Batch, Batches);
        lines.Add($"  cosine scan measured first: single {single:F3} ms, batch {Batch} {batched:F3} ms per probe");
        return (single, batched);
    }

    // Median wall ms per probe of ScoreBatch plus the top-k selection, over `count` batches of `batch` probes.
    private static double MeasureScorer(ITemplateScorer scorer, float[] probes, int batch, int count)
    {
        var d = scorer.Dimension;
        Identification.Identify(scorer, SyntheticDescriptors.Backbone, probes.AsSpan(0, batch * d), batch, [0.5f]); // warm-up
        var perProbe = new List<double>();
        for (var b = 0; b < count; b++)
        {
            var clock = Stopwatch.StartNew();
            Identification.Identify(scorer, SyntheticDescriptors.Backbone, probes.AsSpan(b * batch * d, batch * d), batch, [0.5f]);
            perProbe.Add(clock.Elapsed.TotalMilliseconds / batch);
        }

        return Median(perProbe);
    }

    private static void AssertSameAsAlone(ModelTemplateIdentifier identifier, ModelTemplate[] templates, float[] probe, float[] thresholds)
    {
        var scores = templates.Select(t => t.Score(probe)).ToArray();
        var expected = Enumerable.Range(0, templates.Length).Where(i => scores[i] >= thresholds[i])
            .OrderByDescending(i => scores[i]).ThenBy(i => i).Take(3).ToArray();
        var actual = identifier.Identify(SyntheticDescriptors.Backbone, probe, thresholds, topK: 3).Candidates;
        Assert.Equal(expected, actual.Select(c => c.TemplateIndex));
        Assert.Equal(expected.Select(i => scores[i]), actual.Select(c => c.Score));
    }

    private static float[] Unit(float[] v)
    {
        var norm = MathF.Sqrt(v.Sum(x => x * x));
        return v.Select(x => x / norm).ToArray();
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
}
