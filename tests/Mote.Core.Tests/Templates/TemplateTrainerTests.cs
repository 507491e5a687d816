using Mote.Core.Templates;
using Xunit.Abstractions;

namespace Mote.Core.Tests.Templates;

public sealed class TemplateTrainerTests(ITestOutputHelper output)
{
    [Fact]
    public void Train_WellSeparatedClusters_HeldOutPositivesHighAndNegativesLow()
    {
        var data = new SyntheticDescriptors(seed: 1);
        var centre = data.Centre();
        var template = new TemplateTrainer().Train(data.TrainingSetFor(centre, 300, 600), seed: 7, SyntheticDescriptors.Provenance);

        var positives = data.Around(centre, 200).Select(p => template.Score(p)).ToArray();
        var negatives = data.Others(400).Select(p => template.Score(p)).ToArray();
        output.WriteLine($"{template.Training}; positives mean {positives.Average():F4} min {positives.Min():F4}; negatives mean {negatives.Average():F4} max {negatives.Max():F4}");

        Assert.True(positives.Average() > 0.9, $"held-out positives average {positives.Average()}");
        Assert.True(negatives.Average() < 0.1, $"held-out negatives average {negatives.Average()}");
        Assert.True(positives.Count(s => s >= 0.5f) + negatives.Count(s => s < 0.5f) >= 0.98 * 600);
        Assert.InRange(template.Training.BestEpoch, 1, template.Training.EpochsRun);
        Assert.True(template.Training.BestValidationLoss < 0.1f);
    }

    [Fact]
    public void Train_SameSeedTwice_BitIdenticalTemplates()
    {
        var data = new SyntheticDescriptors(seed: 2);
        var set = data.TrainingSetFor(data.Centre(), 200, 400);
        var trainer = new TemplateTrainer(TemplateTrainerOptions.Default with { MaxEpochs = 15, WidthJitter = 10 });

        var first = trainer.Train(set, seed: 42, SyntheticDescriptors.Provenance);
        var second = trainer.Train(set, seed: 42, SyntheticDescriptors.Provenance);
        var other = trainer.Train(set, seed: 43, SyntheticDescriptors.Provenance);

        Assert.Equal(StripDuration(first), StripDuration(second));
        Assert.NotEqual(StripDuration(first), StripDuration(other));
    }

    [Fact]
    public void Train_WithWidthJitter_HiddenWidthsMoveAtMostTen()
    {
        var data = new SyntheticDescriptors(seed: 3);
        var set = data.TrainingSetFor(data.Centre(), 50, 100);
        var trainer = new TemplateTrainer(TemplateTrainerOptions.Default with { MaxEpochs = 2, WidthJitter = 10 });

        var architectures = Enumerable.Range(0, 6).Select(s => trainer.Train(set, s, SyntheticDescriptors.Provenance).Architecture).ToArray();

        Assert.All(architectures, a =>
        {
            Assert.InRange(a.Widths[1], 118, 138);
            Assert.InRange(a.Widths[2], 54, 74);
            Assert.InRange(a.Widths[3], 6, 26);
        });
        Assert.True(architectures.Distinct().Count() > 1, "jitter produced the same shape for six seeds");
    }

    [Fact]
    public async Task Train_TwoConcurrentTrainings_SameAsSequential()
    {
        var data = new SyntheticDescriptors(seed: 4);
        var setA = data.TrainingSetFor(data.Centre(), 200, 400);
        var setB = data.TrainingSetFor(data.Centre(), 200, 400);
        var trainer = new TemplateTrainer(TemplateTrainerOptions.Default with { MaxEpochs = 15 });
        var sequentialA = trainer.Train(setA, 11, SyntheticDescriptors.Provenance);
        var sequentialB = trainer.Train(setB, 12, SyntheticDescriptors.Provenance);

        var concurrent = await Task.WhenAll(
            Task.Run(() => trainer.Train(setA, 11, SyntheticDescriptors.Provenance)),
            Task.Run(() => trainer.Train(setB, 12, SyntheticDescriptors.Provenance)));

        Assert.Equal(StripDuration(sequentialA), StripDuration(concurrent[0]));
        Assert.Equal(StripDuration(sequentialB), StripDuration(concurrent[1]));
    }

    [Fact]
    public void Logit_PureCSharpForward_EqualsTorchSharpForward()
    {
        var data = new SyntheticDescriptors(seed: 5);
        var centre = data.Centre();
        var template = new TemplateTrainer(TemplateTrainerOptions.Default with { MaxEpochs = 10, WidthJitter = 10 })
            .Train(data.TrainingSetFor(centre, 200, 400), seed: 3, SyntheticDescriptors.Provenance);
        var probes = data.Around(centre, 50).Concat(data.Others(50)).ToArray();

        var torchLogits = TemplateTrainer.TorchLogits(template, probes.SelectMany(p => p).ToArray(), probes.Length);

        for (var i = 0; i < probes.Length; i++)
        {
            var logit = template.Logit(probes[i]);
            // float32 sums in a different order: measured differences stay below 1e-5 of the magnitude.
            Assert.Equal(torchLogits[i], logit, 1e-5 * Math.Max(1, Math.Abs(torchLogits[i])));
        }
    }

    [Fact]
    public void Train_TooFewNegatives_ThrowsNamingTheCounts()
    {
        var data = new SyntheticDescriptors(seed: 6);
        var set = TrainingSet.FromRows(data.Around(data.Centre(), 10), data.Others(1));

        var e = Assert.Throws<ArgumentException>(() => new TemplateTrainer().Train(set, 1, SyntheticDescriptors.Provenance));

        Assert.Contains("got 10 and 1", e.Message);
    }

    private static byte[] StripDuration(ModelTemplate template) =>
        new ModelTemplate(template.Provenance, template.Seed, template.Layers, template.Training with { Duration = TimeSpan.Zero }, template.Precision).ToBytes();
}
