using System.Buffers.Binary;
using System.Security.Cryptography;
using Mote.Core.Numerics;
using Mote.Core.Templates;

namespace Mote.Core.Tests.Templates;

public sealed class TemplateAnchorTests
{
    private static readonly TemplateTrainerOptions Anchored = TemplateTrainerOptions.Default with { AnchorScale = 20, AnchorCosine = 0.9, MaxEpochs = 8 };

    [Fact]
    public void Train_Anchored_StoredMlpEqualsAnchorPlusCorrection()
    {
        var data = new SyntheticDescriptors(seed: 11);
        var centre = data.Centre();
        var template = new TemplateTrainer(Anchored).Train(data.TrainingSetFor(centre, 200, 400), seed: 3, SyntheticDescriptors.Provenance, centre);

        Assert.Equal(new TemplateAnchor(20, 0.9f), template.Anchor);
        Assert.Equal([128, 129, 65, 17, 1], template.Architecture.Widths);
        // The folded MLP's carrier unit must reproduce the cosine exactly: strip the correction (zero its output weights
        // in the last layer and its bias), and the logit is 20·(cos − 0.9).
        var last = template.Layers[^1];
        var w = new float[last.Inputs];
        w[^1] = last.Weights[^1];
        var stripped = template.Layers.Take(template.Layers.Count - 1)
            .Append(new DenseLayer(last.Inputs, 1, w, [-20f * (2f + 0.9f)])).ToArray();
        var anchorOnly = new ModelTemplate(template.Provenance, template.Seed, stripped, template.Training);
        foreach (var probe in data.Others(20).Concat(data.Around(centre, 20)))
        {
            var cosine = Kernels.Dot(probe, centre);
            Assert.Equal(20 * (cosine - 0.9), anchorOnly.Logit(probe), 3);
        }
    }

    [Fact]
    public void Train_Anchored_TorchForwardAgreesWithStoredMlp()
    {
        var data = new SyntheticDescriptors(seed: 12);
        var centre = data.Centre();
        var template = new TemplateTrainer(Anchored).Train(data.TrainingSetFor(centre, 200, 400), seed: 4, SyntheticDescriptors.Provenance, centre);
        var probes = data.Others(10).Concat(data.Around(centre, 10)).ToArray();

        var torch = TemplateTrainer.TorchLogits(template, probes.SelectMany(p => p).ToArray(), probes.Length);

        for (var i = 0; i < probes.Length; i++)
        {
            Assert.Equal(torch[i], template.Logit(probes[i]), 3);
        }
    }

    [Fact]
    public void Train_Anchored_SeparatesHeldOutLikeThePlainMlp()
    {
        var data = new SyntheticDescriptors(seed: 13);
        var centre = data.Centre();
        var template = new TemplateTrainer(Anchored).Train(data.TrainingSetFor(centre, 300, 600), seed: 5, SyntheticDescriptors.Provenance, centre);

        Assert.True(data.Around(centre, 100).All(p => template.Logit(p) > 0), "every held-out positive above 0");
        Assert.True(data.Others(200).All(p => template.Logit(p) < 0), "every held-out negative below 0");
    }

    [Fact]
    public void Train_CorrectionCap_NoProbeScoresAboveItsAnchorPlusTheCap()
    {
        var data = new SyntheticDescriptors(seed: 15);
        var centre = data.Centre();
        var set = data.TrainingSetFor(centre, 200, 400);
        var capped = new TemplateTrainer(Anchored with { CorrectionCap = 0.5 }).Train(set, seed: 7, SyntheticDescriptors.Provenance, centre);

        Assert.Equal([128, 129, 65, 17, 3, 1], capped.Architecture.Widths);
        Assert.NotEqual(Anchored.Signature, (Anchored with { CorrectionCap = 0.5 }).Signature);
        double Anchor(float[] x) => 20 * (Kernels.Dot(x, centre) - 0.9);
        var probes = data.Others(100).Concat(data.Around(centre, 100)).ToArray();
        var atCap = probes.Count(p => Math.Abs(capped.Logit(p) - (Anchor(p) + 0.5)) < 1e-3);
        Assert.All(probes, p => Assert.True(capped.Logit(p) <= Anchor(p) + 0.5 + 1e-3, $"logit {capped.Logit(p)} above anchor {Anchor(p)} + 0.5"));
        Assert.InRange(atCap, 1, probes.Length);
        var torch = TemplateTrainer.TorchLogits(capped, probes.SelectMany(p => p).ToArray(), probes.Length);
        for (var i = 0; i < probes.Length; i++)
        {
            Assert.Equal(torch[i], capped.Logit(probes[i]), 2e-3);
        }
    }

    [Fact]
    public void FoldCap_LogitIsAnchorPlusCorrectionCapped()
    {
        var data = new SyntheticDescriptors(seed: 16);
        var centre = data.Centre();
        var plain = new TemplateTrainer(Anchored).Train(data.TrainingSetFor(centre, 200, 400), seed: 8, SyntheticDescriptors.Provenance, centre);
        double Anchor(float[] x) => 20 * (Kernels.Dot(x, centre) - 0.9);
        var probes = data.Others(100).Concat(data.Around(centre, 100)).ToArray();
        // Cap at the median correction of these probes: it acts on half of them and leaves the rest unchanged.
        var median = probes.Select(p => plain.Logit(p) - Anchor(p)).Order().ElementAt(probes.Length / 2);
        var halved = new ModelTemplate(plain.Provenance, plain.Seed, plain.Anchor!.FoldCap(plain.Layers, (float)median), plain.Training, anchor: plain.Anchor);
        var cut = 0;
        foreach (var probe in probes)
        {
            var g = plain.Logit(probe) - Anchor(probe);
            cut += g > median + 0.01 ? 1 : 0;
            Assert.Equal(Anchor(probe) + Math.Min(g, median), halved.Logit(probe), 2e-3);
        }

        Assert.InRange(cut, probes.Length / 3, probes.Length);
    }

    [Fact]
    public void Format_AnchoredTemplate_RoundTripsWithItsAnchor()
    {
        var data = new SyntheticDescriptors(seed: 14);
        var centre = data.Centre();
        var template = new TemplateTrainer(Anchored with { MaxEpochs = 2 }).Train(data.TrainingSetFor(centre, 50, 100), seed: 6, SyntheticDescriptors.Provenance, centre);

        var read = ModelTemplate.Read(template.ToBytes());

        Assert.Equal(template.Anchor, read.Anchor);
        Assert.Equal(template.ToBytes().Length, template.StorageBytes);
        var probe = data.Around(centre);
        Assert.Equal(template.Logit(probe), read.Logit(probe));
    }

    [Fact]
    public void Read_Version1Template_ReadsAsPlainMlp()
    {
        var template = RandomTemplates.Create(MlpArchitecture.Compact(128), seed: 9);
        var v2 = template.ToBytes();
        // Version 1 is version 2 without the trailing anchor flag byte: rebuild it and its checksum.
        var body = v2.AsSpan(0, v2.Length - 32 - 1).ToArray();
        BinaryPrimitives.WriteUInt16LittleEndian(body.AsSpan(8), 1);
        BinaryPrimitives.WriteUInt32LittleEndian(body.AsSpan(10), (uint)(body.Length + 32));
        var v1 = body.Concat(SHA256.HashData(body)).ToArray();

        var read = ModelTemplate.Read(v1);

        Assert.Null(read.Anchor);
        var probe = new SyntheticDescriptors(seed: 9).Centre();
        Assert.Equal(template.Logit(probe), read.Logit(probe));
    }

    [Fact]
    public void Options_NegativeAnchorScale_Refused()
    {
        Assert.Throws<ArgumentException>(() => new TemplateTrainer(TemplateTrainerOptions.Default with { AnchorScale = -1 }));
    }

    [Fact]
    public void EngineFor_FacepluginFrAndFused_TheirOwnAnchors_EverythingElseTheEngines()
    {
        var faceplugin = TemplateTrainerOptions.EngineFor("faceplugin-fr");
        var fused = TemplateTrainerOptions.EngineFor("fused");

        Assert.Equal((4.0, 0.35), (faceplugin.AnchorScale, faceplugin.AnchorCosine));
        Assert.Equal(TemplateTrainerOptions.Engine with { AnchorScale = 4, AnchorCosine = 0.35 }, faceplugin);
        Assert.NotEqual(TemplateTrainerOptions.Engine.Signature, faceplugin.Signature);
        Assert.Same(TemplateTrainerOptions.Engine, TemplateTrainerOptions.EngineFor("dlib-resnet"));
        Assert.Same(TemplateTrainerOptions.Engine, TemplateTrainerOptions.EngineFor("custom"));

        // The fused cosine is the mean of its parts' cosines: its anchor cosine is the mean of theirs, and its cap of 2 log-odds
        // spans the mean of their cap widths in cosine units (2/20 and 2/4).
        Assert.Equal((0.9 + 0.35) / 2, fused.AnchorCosine, 9);
        Assert.Equal((2 / 20.0 + 2 / 4.0) / 2, 2 / fused.AnchorScale, 3);
        Assert.Equal(TemplateTrainerOptions.Engine with { AnchorScale = fused.AnchorScale, AnchorCosine = fused.AnchorCosine }, fused);
    }
}
