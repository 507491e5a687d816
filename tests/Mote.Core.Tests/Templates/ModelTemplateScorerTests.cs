using Mote.Core.Templates;

namespace Mote.Core.Tests.Templates;

public sealed class ModelTemplateScorerTests
{
    [Fact]
    public void ScoreBatch_JitteredGallery_EqualsEachTemplateAlone()
    {
        var templates = Enumerable.Range(0, 150).Select(i => RandomTemplates.CreateJittered(128, i)).ToArray();
        // 70 probes: one 64-probe block (feature-major kernel) and a block of 6 (row dot-product kernel).
        var probes = new SyntheticDescriptors(seed: 1).Others(70);
        var scorer = new ModelTemplateScorer(templates);

        var scores = new float[probes.Length * templates.Length];
        scorer.ScoreBatch(probes.SelectMany(p => p).ToArray(), probes.Length, scores);

        Assert.Equal(1, scorer.GroupCount);
        for (var p = 0; p < probes.Length; p++)
        {
            for (var t = 0; t < templates.Length; t++)
            {
                Assert.Equal(templates[t].Score(probes[p]), scores[p * templates.Length + t], 1e-5);
            }
        }
    }

    [Fact]
    public void ScoreBatch_ZeroPaddedWidths_SameLogitsAsExactShapeGroups()
    {
        var templates = Enumerable.Range(0, 40).Select(i => RandomTemplates.CreateJittered(128, 100 + i)).ToArray();
        var probes = new SyntheticDescriptors(seed: 2).Others(9);
        var flat = probes.SelectMany(p => p).ToArray();
        var padded = new ModelTemplateScorer(templates, padWidths: true);
        var exact = new ModelTemplateScorer(templates, padWidths: false);

        var paddedScores = new float[probes.Length * templates.Length];
        var exactScores = new float[probes.Length * templates.Length];
        padded.ScoreBatch(flat, probes.Length, paddedScores);
        exact.ScoreBatch(flat, probes.Length, exactScores);

        Assert.Equal(1, padded.GroupCount);
        Assert.True(exact.GroupCount > 30, $"{exact.GroupCount} exact-shape groups");
        Assert.True(padded.StackedBytes > templates.Sum(t => (long)t.Architecture.ParameterCount * 4));
        for (var i = 0; i < paddedScores.Length; i++)
        {
            Assert.Equal(exactScores[i], paddedScores[i], 1e-5);
        }
    }

    [Fact]
    public void ScoreBatch_MixedDepths_UsesOneGroupPerDepthAndStillMatches()
    {
        var templates = Enumerable.Range(0, 20)
            .Select(i => RandomTemplates.Create(i % 2 == 0 ? MlpArchitecture.Default(128) : MlpArchitecture.Compact(128), i)).ToArray();
        var probe = new SyntheticDescriptors(seed: 3).Centre();
        var scorer = new ModelTemplateScorer(templates);

        var scores = new float[templates.Length];
        scorer.ScoreBatch(probe, 1, scores);

        Assert.Equal(2, scorer.GroupCount);
        for (var t = 0; t < templates.Length; t++)
        {
            Assert.Equal(templates[t].Score(probe), scores[t], 1e-5);
        }
    }

    [Fact]
    public void Constructor_TemplatesFromTwoBackbones_ThrowsBackboneMismatch()
    {
        var templates = new[]
        {
            RandomTemplates.Create(MlpArchitecture.Compact(128), 1),
            RandomTemplates.Create(MlpArchitecture.Compact(128), 2, SyntheticDescriptors.OtherBackbone),
        };

        Assert.Throws<BackboneMismatchException>(() => new ModelTemplateScorer(templates));
    }

    [Fact]
    public void Identify_TrainedGallery_FindsThePersonAndSaysNoMatchForAStranger()
    {
        var data = new SyntheticDescriptors(seed: 4);
        var centres = Enumerable.Range(0, 4).Select(_ => data.Centre()).ToArray();
        var trainer = new TemplateTrainer(TemplateTrainerOptions.Compact with { MaxEpochs = 30 });
        var templates = centres.Select((c, i) => trainer.Train(data.TrainingSetFor(c, 100, 200), i, SyntheticDescriptors.Provenance)).ToArray();
        var scorer = TemplateScorers.Create(templates);
        var probes = new[] { data.Around(centres[2]), data.Around(centres[0]), data.Around(data.Centre()) };

        var results = Identification.Identify(scorer, SyntheticDescriptors.Backbone, probes.SelectMany(p => p).ToArray(), probes.Length, [0.5f], topK: 3);

        Assert.Equal(2, results[0].Candidates[0].TemplateIndex);
        Assert.Equal(0, results[1].Candidates[0].TemplateIndex);
        Assert.All(results.Take(2), r => Assert.Single(r.Candidates));
        Assert.True(results[2].IsNoMatch);
        Assert.Throws<BackboneMismatchException>(() =>
            Identification.Identify(scorer, SyntheticDescriptors.OtherBackbone, probes[0], 1, [0.5f]));
    }

    [Fact]
    public void Identify_PerTemplateThresholds_RanksBestFirstAndHonoursEachThreshold()
    {
        var templates = Enumerable.Range(0, 30).Select(i => RandomTemplates.CreateJittered(128, 300 + i)).ToArray();
        var probe = new SyntheticDescriptors(seed: 5).Centre();
        var scores = templates.Select(t => t.Score(probe)).ToArray();
        var thresholds = scores.Select((s, i) => i % 3 == 0 ? s + 1e-3f : s - 1e-3f).ToArray();
        var scorer = new ModelTemplateScorer(templates);

        var result = Identification.Identify(scorer, SyntheticDescriptors.Backbone, probe, 1, thresholds, topK: 5)[0];

        var expected = Enumerable.Range(0, 30).Where(i => i % 3 != 0).OrderByDescending(i => scores[i]).Take(5).ToArray();
        Assert.Equal(expected, result.Candidates.Select(c => c.TemplateIndex));
    }
}
