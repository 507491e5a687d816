using Mote.Core.Templates;
using Xunit.Abstractions;

namespace Mote.Core.Tests.Templates;

/// <summary>Model-templates and vector templates through the same interfaces, calibrated and decided the same way.</summary>
public sealed class SideBySideTests(ITestOutputHelper output)
{
    [Fact]
    public void VerifyAndIdentify_BothKinds_CalibratedPerPersonAcceptGenuineAndRejectImpostors()
    {
        var data = new SyntheticDescriptors(seed: 9, noise: 0.08);
        var centres = Enumerable.Range(0, 3).Select(_ => data.Centre()).ToArray();
        var trainer = new TemplateTrainer(TemplateTrainerOptions.Compact);
        var references = centres.Select(c => data.Around(c)).ToArray();
        var kinds = new Dictionary<string, ITemplate[]>
        {
            ["model"] = centres.Select((c, i) => (ITemplate)trainer.Train(
                TrainingSet.FromRows(data.Around(c, 99).Prepend(references[i]).ToArray(), data.Others(200)), i, SyntheticDescriptors.Provenance)).ToArray(),
            ["vector"] = references.Select(r => (ITemplate)new VectorTemplate(SyntheticDescriptors.Backbone, r)).ToArray(),
        };
        var calibrationImpostors = data.Others(1000);
        var testImpostors = data.Others(300);

        foreach (var (kind, templates) in kinds)
        {
            var thresholds = templates.Select(t => ThresholdCalibration.ForTemplate(t, calibrationImpostors, 0.01)).ToArray();
            var genuineAccepted = templates.Select((t, i) => data.Around(centres[i], 100)
                .Count(p => TemplateDecision.Verify(t, SyntheticDescriptors.Backbone, p, thresholds[i]).Accepted)).Sum();
            var impostorsAccepted = templates.Select((t, i) => testImpostors
                .Count(p => TemplateDecision.Verify(t, SyntheticDescriptors.Backbone, p, thresholds[i]).Accepted)).Sum();
            var identified = Identification.Identify(TemplateScorers.Create(templates), SyntheticDescriptors.Backbone,
                data.Around(centres[1]), 1, thresholds)[0];
            output.WriteLine($"{kind}: thresholds [{string.Join(", ", thresholds.Select(t => t.ToString("G4")))}], genuine accepted {genuineAccepted}/300, impostors accepted {impostorsAccepted}/900");

            Assert.True(genuineAccepted >= 285, $"{kind}: only {genuineAccepted}/300 genuine probes accepted");
            Assert.True(impostorsAccepted <= 27, $"{kind}: {impostorsAccepted}/900 impostors accepted at FMR 1e-2");
            Assert.Equal(1, identified.Candidates[0].TemplateIndex);
        }
    }
}
