using System.Diagnostics;
using Mote.Core.Templates;
using Xunit.Abstractions;

namespace Mote.Core.Tests.Templates;

/// <summary>Prints enrollment timings (no assertion on time: machines differ).</summary>
[Trait("Category", "Benchmark")]
[Collection(BenchmarkCollection.Name)]
public sealed class TemplateTrainerBenchmarkTests(ITestOutputHelper output)
{
    [Fact]
    public void Train_PaperSizedSet_PrintsMedianDuration()
    {
        // 1:2 as in the paper: 2,000 positives (reference + variations) and 4,000 negatives, d = 128.
        var data = new SyntheticDescriptors(seed: 20, noise: 0.1);
        var sets = Enumerable.Range(0, 5).Select(_ => data.TrainingSetFor(data.Centre(), 2000, 4000)).ToArray();
        var trainer = new TemplateTrainer();
        trainer.Train(sets[0], 0, SyntheticDescriptors.Provenance); // warm-up: native load, JIT

        using var process = Process.GetCurrentProcess();
        var runs = sets.Select((set, i) =>
        {
            process.Refresh();
            var cpu = process.TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            var template = trainer.Train(set, i, SyntheticDescriptors.Provenance);
            var seconds = clock.Elapsed.TotalSeconds;
            process.Refresh();
            return (Seconds: seconds, CpuSeconds: (process.TotalProcessorTime - cpu).TotalSeconds, template.Training);
        }).ToArray();

        foreach (var run in runs)
        {
            output.WriteLine($"{run.Seconds:F3} s wall, {run.CpuSeconds:F3} s CPU  {run.Training}");
        }

        var median = runs.Select(r => r.Seconds).Order().ElementAt(runs.Length / 2);
        var epochs = runs.Select(r => r.Training.EpochsRun).Order().ElementAt(runs.Length / 2);
        output.WriteLine($"enrollment median {median:F3} s over {runs.Length} runs (median {epochs} epochs), torch threads {TorchSharp.torch.get_num_threads()}, {Environment.ProcessorCount} cores, load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
        Assert.All(runs, r => Assert.True(r.Training.BestValidationLoss < 0.3f, $"validation loss {r.Training.BestValidationLoss}"));
    }
}
