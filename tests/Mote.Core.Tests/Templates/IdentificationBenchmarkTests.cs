using System.Diagnostics;
using Mote.Core.Templates;
using Xunit.Abstractions;

namespace Mote.Core.Tests.Templates;

/// <summary>Prints 1:N timings over 10,000 templates for model-templates and vectors in the same run (no assertion on time).</summary>
[Collection(BenchmarkCollection.Name)]
public sealed class IdentificationBenchmarkTests(ITestOutputHelper output)
{
    private const int GallerySize = 10_000;
    private const int Batches = 5;

    [Theory]
    [InlineData("default", 64)]
    [InlineData("default", 1)]
    [InlineData("compact", 64)]
    public void ScoreBatch_TenThousandTemplates_PrintsMedianPerProbeBesideCosineScan(string architecture, int batch)
    {
        var data = new SyntheticDescriptors(seed: 1);
        // 64 distinct jittered templates repeated to 10,000: the scorer copies each into its own stacked slot,
        // so the work and memory traffic are those of 10,000 different people.
        var distinct = Enumerable.Range(0, 64).Select(i => architecture == "default"
            ? RandomTemplates.CreateJittered(128, i)
            : RandomTemplates.Create(MlpArchitecture.Compact(128).WithJitter(10, new Random(i)), i)).ToArray();
        var models = Enumerable.Range(0, GallerySize).Select(i => distinct[i % distinct.Length]).ToArray();
        var vectors = data.Others(GallerySize).Select(v => new VectorTemplate(SyntheticDescriptors.Backbone, v)).ToArray();
        var modelScorer = new ModelTemplateScorer(models);
        var vectorScorer = new VectorTemplateScorer(vectors);
        var probes = data.Others(batch * Batches).SelectMany(p => p).ToArray();

        var (modelMs, modelCpuMs) = Measure(modelScorer, probes, batch);
        var (vectorMs, vectorCpuMs) = Measure(vectorScorer, probes, batch);

        output.WriteLine($"1:N over {GallerySize:N0} {architecture} model-templates ({models[0].Architecture} jittered, stacked {modelScorer.StackedBytes / 1e6:F0} MB), " +
            $"probe batch {batch}: median {modelMs:F2} ms per probe (CPU {modelCpuMs:F2} ms); " +
            $"cosine scan over {GallerySize:N0} vectors: {vectorMs:F3} ms per probe (CPU {vectorCpuMs:F3} ms); {Environment.ProcessorCount} cores, load average {LoadAverage()}");
        var check = new float[GallerySize];
        modelScorer.ScoreBatch(probes.AsSpan(0, 128), 1, check);
        Assert.Equal(models[1234].Score(probes.AsSpan(0, 128)), check[1234], 1e-5);
    }

    // Wall time suffers when other processes share the cores; CPU time (all threads) divided by the core
    // count is what the same work would take on an idle machine.
    private static (double WallMs, double CpuMs) Measure(ITemplateScorer scorer, float[] probes, int batch)
    {
        var scores = new float[batch * scorer.Count];
        var d = scorer.Dimension;
        scorer.ScoreBatch(probes.AsSpan(0, batch * d), batch, scores); // warm-up
        var perProbe = new double[Batches];
        var cpuPerProbe = new double[Batches];
        using var process = Process.GetCurrentProcess();
        for (var b = 0; b < Batches; b++)
        {
            process.Refresh();
            var cpu = process.TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            scorer.ScoreBatch(probes.AsSpan(b * batch * d, batch * d), batch, scores);
            perProbe[b] = clock.Elapsed.TotalMilliseconds / batch;
            process.Refresh();
            cpuPerProbe[b] = (process.TotalProcessorTime - cpu).TotalMilliseconds / batch;
        }

        return (perProbe.Order().ElementAt(Batches / 2), cpuPerProbe.Order().ElementAt(Batches / 2));
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";
}
