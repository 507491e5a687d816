using Mote.Core.Templates;

namespace Mote.Core.Tests.Templates;

/// <summary>
/// The screened single-probe identifier must answer exactly as scoring each template alone: same ids, same
/// scores bit for bit, same "no match". The reference here is written out plainly (score every template with
/// <see cref="ModelTemplate.Score"/>, keep those ≥ threshold, best first, ties by template order).
/// </summary>
public sealed class ModelTemplateIdentifierTests
{
    [Fact]
    public void Bounds_RandomAndAdversarialTemplates_ContainEveryExactLogit()
    {
        var templates = Gallery(seed: 10).Concat(Adversarial()).ToArray();
        var identifier = new ModelTemplateIdentifier(templates);
        var data = new SyntheticDescriptors(seed: 11);
        var probes = data.Others(40).Concat(Odd(data)).ToArray();
        var estimates = new float[templates.Length];
        var radii = new float[templates.Length];
        var slack = new List<double>();

        foreach (var probe in probes)
        {
            identifier.Bounds(probe, estimates, radii);
            for (var t = 0; t < templates.Length; t++)
            {
                var exact = templates[t].Logit(probe);
                Assert.True(Math.Abs(exact - estimates[t]) <= radii[t],
                    $"template {t} ({templates[t].Architecture}): exact logit {exact:R} outside {estimates[t]:R} ± {radii[t]:R}");
                slack.Add(radii[t]);
            }
        }

        // The bound must also be useful: a screen that passes everyone would be exact but pointless.
        var median = slack.Order().ElementAt(slack.Count / 2);
        Assert.True(median < 1.0, $"median radius {median} logits");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(10)]
    public void Identify_RandomGalleryWithNearThresholdPeople_EqualsScoringEachTemplateAlone(int topK)
    {
        var templates = Gallery(seed: 20);
        var identifier = new ModelTemplateIdentifier(templates);
        var data = new SyntheticDescriptors(seed: 21);
        foreach (var probe in data.Others(12))
        {
            var scores = templates.Select(t => t.Score(probe)).ToArray();
            // Adversarial thresholds: a third exactly at the person's score (passes), a third one float above
            // (fails by one unit in the last place), a third one float below; the rest at a high global level.
            var thresholds = scores.Select((s, i) => (i % 7) switch
            {
                0 => s,
                1 => MathF.BitIncrement(s),
                2 => MathF.BitDecrement(s),
                _ => Quantile(scores, 0.9),
            }).ToArray();

            AssertSameAsAlone(identifier, templates, probe, thresholds, topK);
            AssertSameAsAlone(identifier, templates, probe, [Quantile(scores, 0.95)], topK);
            AssertSameAsAlone(identifier, templates, probe, [MathF.BitIncrement(scores.Max())], topK); // no match
            AssertSameAsAlone(identifier, templates, probe, [scores.Max()], topK); // exactly one at the top
        }
    }

    [Fact]
    public void Identify_BuiltFromAPreviousIdentifier_SameAnswersAsBuiltFromNothing()
    {
        // A gallery rebuilt after one person changed and one joined (GalleryIndex): the kept templates' screens are reused.
        var before = Gallery(seed: 30);
        var previous = new ModelTemplateIdentifier(before);
        var after = before.Take(20).Append(RandomTemplates.CreateJittered(128, 3_001)).Concat(before.Skip(21)).Append(RandomTemplates.CreateJittered(128, 3_002)).ToArray();
        var reused = new ModelTemplateIdentifier(after, previous);
        var fresh = new ModelTemplateIdentifier(after);
        Assert.Equal(fresh.ScreenBytes, reused.ScreenBytes);
        foreach (var probe in new SyntheticDescriptors(seed: 31).Others(12))
        {
            var scores = after.Select(t => t.Score(probe)).ToArray();
            float[] thresholds = [Quantile(scores, 0.8)];
            var a = fresh.IdentifyWithReport(SyntheticDescriptors.Backbone, probe, thresholds, topK: 5);
            var b = reused.IdentifyWithReport(SyntheticDescriptors.Backbone, probe, thresholds, topK: 5);
            Assert.Equal(a.Result.Candidates.Select(c => (c.TemplateIndex, BitConverter.SingleToInt32Bits(c.Score))), b.Result.Candidates.Select(c => (c.TemplateIndex, BitConverter.SingleToInt32Bits(c.Score))));
            Assert.Equal((a.Candidates, a.Rescored), (b.Candidates, b.Rescored));
            AssertSameAsAlone(reused, after, probe, thresholds, 5);
        }
    }

    [Fact]
    public void Identify_DuplicateTemplates_TiesKeepTemplateOrder()
    {
        var one = RandomTemplates.CreateJittered(128, 5);
        var other = RandomTemplates.CreateJittered(128, 6);
        var templates = new[] { other, one, other, one, one };
        var identifier = new ModelTemplateIdentifier(templates);
        var probe = new SyntheticDescriptors(seed: 7).Centre();

        AssertSameAsAlone(identifier, templates, probe, [0f], topK: 4);
        var result = identifier.Identify(SyntheticDescriptors.Backbone, probe, [0f], topK: 5);
        Assert.Equal(5, result.Candidates.Count);
    }

    [Fact]
    public void Identify_TrainedTemplates_FindsThePersonExactlyAndRescoresFew()
    {
        var data = new SyntheticDescriptors(seed: 30);
        var centres = Enumerable.Range(0, 6).Select(_ => data.Centre()).ToArray();
        var trainer = new TemplateTrainer(TemplateTrainerOptions.Compact with { MaxEpochs = 20 });
        var trained = centres.Select((c, i) => trainer.Train(data.TrainingSetFor(c, 100, 200), i, SyntheticDescriptors.Provenance)).ToArray();
        // 300 people: the six trained templates repeated, as copies in different slots.
        var templates = Enumerable.Range(0, 300).Select(i => trained[i % trained.Length]).ToArray();
        var impostors = data.Others(500);
        var thresholds = templates.Select(t => ThresholdCalibration.ForTemplate(t, impostors)).ToArray();
        var identifier = new ModelTemplateIdentifier(templates);

        var genuine = identifier.IdentifyWithReport(SyntheticDescriptors.Backbone, data.Around(centres[2]), thresholds, topK: 3);
        var stranger = identifier.IdentifyWithReport(SyntheticDescriptors.Backbone, data.Around(data.Centre()), thresholds, topK: 3);

        Assert.Equal([2, 8, 14], genuine.Result.Candidates.Select(c => c.TemplateIndex));
        Assert.True(stranger.Result.IsNoMatch);
        // Each of the six people has 50 copies, so a screen that lets one person through rescores 50.
        Assert.True(stranger.Rescored <= 50, $"{stranger.Rescored} of 300 rescored for a stranger");
        foreach (var probe in new[] { data.Around(centres[2]), data.Around(centres[5]), data.Around(data.Centre()) })
        {
            AssertSameAsAlone(identifier, templates, probe, thresholds, 3);
            AssertSameAsAlone(identifier, templates, probe, [0.5f], 1);
        }
    }

    [Fact]
    public void Identify_BadInput_ClearErrors()
    {
        var templates = Gallery(seed: 40).Take(5).ToArray();
        var identifier = new ModelTemplateIdentifier(templates);
        var probe = new SyntheticDescriptors(seed: 41).Centre();

        Assert.Throws<BackboneMismatchException>(() => identifier.Identify(SyntheticDescriptors.OtherBackbone, probe, [0.5f]));
        Assert.Contains("per-template thresholds", Assert.Throws<ArgumentException>(() => identifier.Identify(SyntheticDescriptors.Backbone, probe, [0.5f, 0.5f])).Message);
        Assert.Contains("NaN", Assert.Throws<ArgumentException>(() => identifier.Identify(SyntheticDescriptors.Backbone, probe, [float.NaN])).Message);
        var bad = (float[])probe.Clone();
        bad[3] = float.PositiveInfinity;
        Assert.Contains("infinite", Assert.Throws<ArgumentException>(() => identifier.Identify(SyntheticDescriptors.Backbone, bad, [0.5f])).Message);
        Assert.Throws<ArgumentException>(() => identifier.Identify(SyntheticDescriptors.Backbone, probe.AsSpan(1), [0.5f]));
        Assert.Throws<ArgumentOutOfRangeException>(() => identifier.Identify(SyntheticDescriptors.Backbone, probe, [0.5f], topK: 0));
    }

    [Fact]
    public void Identify_ThresholdsAtTheEdges_AsScoringAlone()
    {
        var templates = Gallery(seed: 50);
        var identifier = new ModelTemplateIdentifier(templates);
        var probe = new SyntheticDescriptors(seed: 51).Centre();

        foreach (var threshold in new[] { -1f, 0f, float.Epsilon, 1e-30f, 0.5f, 1f - 1e-7f, 1f, 1.5f, float.PositiveInfinity, float.NegativeInfinity })
        {
            AssertSameAsAlone(identifier, templates, probe, [threshold], 4);
        }
    }

    [Fact]
    public void Kernel_AvxAndScalarPaths_GiveTheSameIntegers()
    {
        var random = new Random(60);
        const int rows = 24, inputs = 132;
        var w = new byte[rows * inputs];
        random.NextBytes(w);
        for (var i = 0; i < w.Length; i++)
        {
            w[i] = (byte)(sbyte)Math.Clamp((sbyte)w[i], (sbyte)-127, (sbyte)127);
        }

        var codesA = Enumerable.Range(0, inputs).Select(_ => (byte)random.Next(0, 128)).ToArray();
        var codesB = Enumerable.Range(0, inputs).Select(_ => (byte)random.Next(0, 128)).ToArray();
        codesA[0] = codesB[0] = 127;
        w[0] = unchecked((byte)(sbyte)-127); // the most negative product pair must not saturate
        w[1] = 127;
        codesA[1] = codesB[1] = 127;
        var fastA = new int[rows];
        var fastB = new int[rows];
        var slowA = new int[rows];
        var slowB = new int[rows];

        QuantizedTemplate.Dot(w, rows, inputs, codesA, codesB, fastA, fastB, absoluteB: true);
        QuantizedTemplate.DotScalar(w, rows, inputs, codesA, slowA, absolute: false);
        QuantizedTemplate.DotScalar(w, rows, inputs, codesB, slowB, absolute: true);

        Assert.Equal(slowA, fastA);
        Assert.Equal(slowB, fastB);
        Assert.Contains(slowB, v => v > 0);
    }

    private static ModelTemplate[] Gallery(int seed) =>
        Enumerable.Range(0, 60).Select(i => (i % 3) switch
        {
            0 => RandomTemplates.CreateJittered(128, seed * 100 + i),
            1 => RandomTemplates.Create(MlpArchitecture.Compact(128).WithJitter(10, new Random(i)), seed * 100 + i),
            _ => RandomTemplates.Create(MlpArchitecture.Default(128), seed * 100 + i),
        }).ToArray();

    // Templates that stress the bound: huge and tiny weights, one large weight per row among small ones
    // (coarse int8 step), an all-zero layer, a large bias, and fp16-rounded weights.
    private static IEnumerable<ModelTemplate> Adversarial()
    {
        var random = new Random(99);
        var architecture = new MlpArchitecture([128, 20, 9, 1]);
        foreach (var kind in Enumerable.Range(0, 6))
        {
            var layers = new DenseLayer[architecture.LayerCount];
            for (var l = 0; l < layers.Length; l++)
            {
                int n = architecture.Widths[l], m = architecture.Widths[l + 1];
                var w = Enumerable.Range(0, n * m).Select(i => kind switch
                {
                    0 => (float)(random.NextDouble() - 0.5) * 2000f,
                    1 => (float)(random.NextDouble() - 0.5) * 1e-6f,
                    2 => i % n == 0 ? 50f : (float)(random.NextDouble() - 0.5) * 0.01f,
                    3 => l == 1 ? 0f : (float)(random.NextDouble() - 0.5),
                    _ => (float)(random.NextDouble() - 0.3) * 0.5f,
                }).ToArray();
                var b = Enumerable.Range(0, m).Select(_ => kind == 4 ? 30f : (float)(random.NextDouble() - 0.5)).ToArray();
                layers[l] = new DenseLayer(n, m, w, b);
            }

            var template = new ModelTemplate(SyntheticDescriptors.Provenance, kind, layers, new TrainingSummary(1, 1, 0f, 0f, TimeSpan.Zero));
            yield return kind == 5 ? template.WithPrecision(WeightPrecision.Float16) : template;
        }
    }

    // Probes off the unit sphere: zero, one-hot, large, tiny, all-equal.
    private static IEnumerable<float[]> Odd(SyntheticDescriptors data)
    {
        yield return new float[128];
        var hot = new float[128];
        hot[17] = 1f;
        yield return hot;
        yield return data.Centre().Select(v => v * 1000f).ToArray();
        yield return data.Centre().Select(v => v * 1e-20f).ToArray();
        yield return Enumerable.Repeat(-0.3f, 128).ToArray();
    }

    private static float Quantile(float[] values, double q) => values.Order().ElementAt((int)(q * (values.Length - 1)));

    private static void AssertSameAsAlone(ModelTemplateIdentifier identifier, ModelTemplate[] templates, float[] probe, float[] thresholds, int topK)
    {
        var expected = templates
            .Select((t, i) => (Index: i, Score: t.Score(probe), Threshold: thresholds.Length == 1 ? thresholds[0] : thresholds[i]))
            .Where(x => x.Score >= x.Threshold)
            .OrderByDescending(x => x.Score).ThenBy(x => x.Index)
            .Take(topK)
            .ToArray();

        var actual = identifier.Identify(SyntheticDescriptors.Backbone, probe, thresholds, topK).Candidates;

        Assert.Equal(expected.Select(x => x.Index), actual.Select(c => c.TemplateIndex));
        // Bit-for-bit: compare the raw bits, not within a tolerance.
        Assert.Equal(expected.Select(x => BitConverter.SingleToInt32Bits(x.Score)), actual.Select(c => BitConverter.SingleToInt32Bits(c.Score)));
        Assert.Equal(expected.Select(x => x.Threshold), actual.Select(c => c.Threshold));
    }
}
