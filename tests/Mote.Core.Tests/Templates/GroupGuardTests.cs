using Mote.Core.Numerics;
using Mote.Core.Templates;

namespace Mote.Core.Tests.Templates;

public sealed class GroupGuardTests
{
    private const int D = 64;

    private static float[] Unit(int dimension, Random random)
    {
        var v = Enumerable.Range(0, dimension).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        Kernels.NormalizeInPlace(v);
        return v;
    }

    private static ModelTemplate Folded(ModelTemplate template, IReadOnlyList<GroupGuard> guards) =>
        new(template.Provenance, template.Seed, GroupGuard.Fold(template.Layers, guards), template.Training, template.Precision, template.Anchor);

    [Fact]
    public void Fold_LogitIsTheTemplatesMinusEachMarginTimesItsClampedDetector()
    {
        var template = RandomTemplates.CreateJittered(D, seed: 3);
        var random = new Random(5);
        // Detectors scaled so that some probes fall below 0, some inside the ramp and some above 1.
        var guards = new[]
        {
            new GroupGuard("a", Unit(D, random).Select(v => v * 4f).ToArray(), 0.3f, 2.5f),
            new GroupGuard("b", Unit(D, random).Select(v => v * 6f).ToArray(), -0.2f, 1.25f),
        };
        var folded = Folded(template, guards);
        Assert.Equal(template.Layers.Count, folded.Layers.Count);
        Assert.Equal(template.Layers[0].Outputs + 4, folded.Layers[0].Outputs);

        var seen = new HashSet<string>();
        for (var i = 0; i < 300; i++)
        {
            var probe = Unit(D, random);
            var expected = template.Logit(probe) - guards.Sum(g => g.Margin * g.Activation(probe));
            Assert.Equal(expected, folded.Logit(probe), 3);
            foreach (var g in guards)
            {
                var a = g.Activation(probe);
                seen.Add(a <= 0 ? "below" : a >= 1 ? "above" : "ramp");
            }
        }

        // The check covered all three pieces of the clamp, not only one.
        Assert.Equal(new[] { "above", "below", "ramp" }, seen.Order().ToArray());
    }

    [Fact]
    public void Fold_NoGuards_ReturnsTheLayersUnchanged()
    {
        var template = RandomTemplates.CreateJittered(D, seed: 4);
        Assert.Same(template.Layers, GroupGuard.Fold(template.Layers, []));
    }

    [Fact]
    public void Fold_RejectsAGuardOfAnotherDimensionOrANonPositiveMargin()
    {
        var template = RandomTemplates.CreateJittered(D, seed: 4);
        var wrongSize = new GroupGuard("a", new float[D + 1], 0, 1);
        var zeroMargin = new GroupGuard("a", new float[D], 0, 0);
        Assert.Contains("weights", Assert.Throws<ArgumentException>(() => GroupGuard.Fold(template.Layers, [wrongSize])).Message);
        Assert.Contains("positive", Assert.Throws<ArgumentException>(() => GroupGuard.Fold(template.Layers, [zeroMargin])).Message);
    }
}
