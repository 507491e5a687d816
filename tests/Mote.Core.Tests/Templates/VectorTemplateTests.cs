using Mote.Core.Templates;

namespace Mote.Core.Tests.Templates;

public sealed class VectorTemplateTests
{
    [Fact]
    public void Score_IsCosineSimilarityRegardlessOfScale()
    {
        var template = new VectorTemplate(SyntheticDescriptors.Backbone, [3, 4, 0]);

        Assert.Equal(1f, template.Score([6, 8, 0]), 1e-6);
        Assert.Equal(0f, template.Score([0, 0, 5]), 1e-6);
        Assert.Equal(-0.6f, template.Score([-1, 0, 0]), 1e-6);
        Assert.Equal(12, template.StorageBytes);
    }

    [Fact]
    public void Constructor_AllZeros_Throws()
    {
        Assert.Throws<ArgumentException>(() => new VectorTemplate(SyntheticDescriptors.Backbone, new float[128]));
    }

    [Fact]
    public void ScoreBatch_EqualsEachTemplateAlone()
    {
        var data = new SyntheticDescriptors(seed: 1);
        var templates = data.Others(700).Select(v => new VectorTemplate(SyntheticDescriptors.Backbone, v)).ToArray();
        var probes = data.Others(5).Select(p => p.Select(x => x * 3).ToArray()).ToArray();
        ITemplateScorer scorer = TemplateScorers.Create(templates);

        var scores = new float[probes.Length * templates.Length];
        scorer.ScoreBatch(probes.SelectMany(p => p).ToArray(), probes.Length, scores);

        Assert.IsType<VectorTemplateScorer>(scorer);
        for (var p = 0; p < probes.Length; p++)
        {
            for (var t = 0; t < templates.Length; t++)
            {
                Assert.Equal(templates[t].Score(probes[p]), scores[p * templates.Length + t], 1e-5);
            }
        }
    }
}
