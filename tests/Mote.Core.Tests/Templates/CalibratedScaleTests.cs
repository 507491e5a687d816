using Mote.Core.Population;
using Mote.Core.Population.Packs;
using Mote.Core.Templates;

namespace Mote.Core.Tests.Templates;

public sealed class CalibratedScaleTests
{
    private const string Trainer = "capped trainer";
    private static readonly TemplateAnchor Anchor = new(20f, 0.9f);

    private static readonly RealImpostorCalibration Cosines = new("test cosines", 500,
    [
        Curve("all", 0.60), Curve("male", 0.62), Curve("male|white", 0.63), Curve("male|black", 0.70),
    ]);

    // Model-template curves: men, and white men, but no curve of their own for black men.
    private static readonly RealImpostorCalibration Logits = new("test logits", 300,
        [Curve("all", 1.0), Curve("male", 1.5), Curve("male|white", 2.0)], "logit", Trainer);

    private static readonly PopulationPack Pack = PopulationPackFile.Load(Path.Combine(AppContext.BaseDirectory, "population", "dlib-resnet.motepop"))
        .WithCalibration(Cosines, Logits);

    [Fact]
    public void CosineBound_GroupWithoutItsOwnModelCurve_RaisedSoNoFaceTheVectorRefusesPasses()
    {
        var scale = CalibratedScale.ForKind(TemplateKind.Model, Anchor, Pack, Trainer)!;

        // Black men read the coarser "male" logit curve; their cosine curve is their own: bound = 20·(0.70 − 0.9) + 2 = −2.
        var bound = scale.CosineBound(Anchor, 2, Pack.Calibration, Gender.Male, Ethnicity.Black, null, 1e-3);
        Assert.NotNull(bound);
        Assert.Equal("male|black", bound.Value.CosineGroup);
        Assert.Equal(Anchor.LogitAt(0.70) + 2, bound.Value.Raw, 6);

        // White men have a model-template curve of their own: no bound.
        Assert.Null(scale.CosineBound(Anchor, 2, Pack.Calibration, Gender.Male, Ethnicity.White, null, 1e-3));
        // Uncapped or unanchored templates have no bound: the correction could lift any score.
        Assert.Null(scale.CosineBound(Anchor, null, Pack.Calibration, Gender.Male, Ethnicity.Black, null, 1e-3));
        Assert.Null(scale.CosineBound(null, 2, Pack.Calibration, Gender.Male, Ethnicity.Black, null, 1e-3));
    }

    [Fact]
    public void CosineBound_NeitherCalibrationMeasuredTheKnownEthnicity_BoundedByTheCoarserCosineCurve()
    {
        // A calibration population with too few black men for a curve of either kind: both read "male".
        var pack = Pack.WithCalibration(
            new RealImpostorCalibration("test cosines", 500, [Curve("all", 0.60), Curve("male", 0.62), Curve("male|white", 0.63)]),
            Logits);
        var scale = CalibratedScale.ForKind(TemplateKind.Model, Anchor, pack, Trainer)!;

        var black = scale.CosineBound(Anchor, 2, pack.Calibration, Gender.Male, Ethnicity.Black, AgeBand.Adult18To59, 1e-3);
        Assert.NotNull(black);
        Assert.Equal("male", black.Value.CosineGroup);
        Assert.Equal(Anchor.LogitAt(0.62) + 2, black.Value.Raw, 6);

        // White men are measured by both kinds; men of unknown ethnicity have nothing finer to miss: no bound for either.
        Assert.Null(scale.CosineBound(Anchor, 2, pack.Calibration, Gender.Male, Ethnicity.White, AgeBand.Adult18To59, 1e-3));
        Assert.Null(scale.CosineBound(Anchor, 2, pack.Calibration, Gender.Male, null, null, 1e-3));
    }

    [Fact]
    public void CosineBound_NoModelCurveForThisTrainer_AppliesToEveryGroup_AndNeverToVectors()
    {
        // Another trainer's templates read the cosine curves through the anchor: every group is bounded, cap above it.
        var throughAnchor = CalibratedScale.ForKind(TemplateKind.Model, Anchor, Pack, "other trainer")!;
        var white = throughAnchor.CosineBound(Anchor, 1, Pack.Calibration, Gender.Male, Ethnicity.White, null, 1e-3);
        Assert.NotNull(white);
        Assert.Equal(throughAnchor.RawFromUnit(0.63) + 1, white.Value.Raw, 6);

        var vector = CalibratedScale.ForKind(TemplateKind.Vector, null, Pack, null)!;
        Assert.Null(vector.CosineBound(Anchor, 2, Pack.Calibration, Gender.Male, Ethnicity.Black, null, 1e-3));
    }

    private static CalibrationGroup Curve(string group, double thresholdAt1e3) =>
        new(group, 100, 1_000_000, [new CalibrationPoint(1e-2, thresholdAt1e3 - 0.1), new CalibrationPoint(1e-3, thresholdAt1e3), new CalibrationPoint(1e-4, thresholdAt1e3 + 0.1)]);
}
