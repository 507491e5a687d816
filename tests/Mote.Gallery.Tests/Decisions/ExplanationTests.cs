using Microsoft.Extensions.DependencyInjection;
using Mote.Gallery.Decisions;
using Mote.Gallery.People;
using Mote.Gallery.Security;
using Mote.Gallery.Tests.Builders;
using Mote.Gallery.Tests.People;
using Xunit.Abstractions;

namespace Mote.Gallery.Tests.Decisions;

/// <summary>
/// Explanations with the real engine on real photos: computed for a recorded decision, stored small (no probe unless
/// probe images are kept), readable by Auditors for any decision and by Operators for their own only.
/// </summary>
public sealed class ExplanationTests(EngineGallery gallery, ITestOutputHelper output) : IClassFixture<EngineGallery>
{
    private GalleryTestDatabase Db => gallery.Db;

    private static Actor OtherOperator { get; } =
        new(ActorKind.User, "user-other-operator", "other@example.org", new HashSet<string> { Roles.Operator });

    [Fact]
    public async Task ExplainDecision_VerifiedOwnFace_StoresMapsContextAndFaithfulnessWithoutProbe()
    {
        var (name, face) = await EnrollAsync("Xia Explained", "sample3.jpg", seed: 31);
        var probe = gallery.FaceCrop("sample3.jpg", face);
        var verified = await Db.InScopeAsync<VerifyProbe, VerificationResult>(v => v.ExecuteAsync(Actors.Operator, name, probe));

        var stored = await Db.InScopeAsync<ExplainDecision, Mote.Gallery.Engine.ProbeExplanation?>(e =>
            e.ExecuteAsync(new ExplanationRequest(verified.DecisionId, verified.PersonId, probe, verified.Score, verified.Threshold)));

        Assert.NotNull(stored);
        Assert.Equal(150, stored.AlignedCrop.Width);
        var view = await Db.InScopeAsync<GetExplanation, ExplanationView>(g => g.ExecuteAsync(Actors.Auditor, verified.DecisionId));
        var explanation = Assert.IsType<Mote.Core.Explain.DecisionExplanation>(view.Explanation);
        output.WriteLine($"explained in {explanation.TotalMs:0} ms (occlusion {explanation.OcclusionMs:0}, Grad-CAM++ {explanation.GradCamMs:0}); {explanation.Context?.Sentence}");
        Assert.Equal(["occlusion", "gradcam++"], explanation.Maps.Select(m => m.Method));
        Assert.Equal((7, 7), (explanation.Maps[0].Width, explanation.Maps[0].Height));
        Assert.Equal(2, explanation.Faithfulness.Count);
        Assert.Equal(verified.Score, explanation.Score);
        Assert.Contains("accepted", explanation.Context!.Sentence);
        Assert.Null(view.AlignedProbePng);
        Assert.Equal(0, Db.Scalar($"SELECT COUNT(*) FROM DecisionExplanations WHERE DecisionId = '{verified.DecisionId}' AND CropBlob IS NOT NULL"));
        Assert.Contains(await Db.InScopeAsync<GetExplanation, IReadOnlyList<ExplainableDecision>>(g => g.ListAsync(Actors.Auditor)),
            d => d.DecisionId == verified.DecisionId && d.HasExplanation && d.PersonName == name);
    }

    [Fact]
    public async Task GetExplanation_OperatorOpensOwnButNotAnotherOperatorsDecision()
    {
        var (name, face) = await EnrollAsync("Ona Own", "sample4.jpg", seed: 32);
        var probe = gallery.FaceCrop("sample4.jpg", face);
        var verified = await Db.InScopeAsync<VerifyProbe, VerificationResult>(v => v.ExecuteAsync(Actors.Operator, name, probe));

        var own = await Db.InScopeAsync<GetExplanation, ExplanationView>(g => g.ExecuteAsync(Actors.Operator, verified.DecisionId));
        var error = await Assert.ThrowsAsync<GalleryException>(() =>
            Db.InScopeAsync<GetExplanation, ExplanationView>(g => g.ExecuteAsync(OtherOperator, verified.DecisionId)));
        var othersList = await Db.InScopeAsync<GetExplanation, IReadOnlyList<ExplainableDecision>>(g => g.ListAsync(OtherOperator));

        Assert.Equal(verified.DecisionId, own.Decision.DecisionId);
        Assert.Equal(GalleryErrorKind.NotFound, error.Kind);
        Assert.DoesNotContain(othersList, d => d.DecisionId == verified.DecisionId);
        await Assert.ThrowsAsync<PermissionDeniedException>(() =>
            Db.InScopeAsync<GetExplanation, ExplanationView>(g => g.ExecuteAsync(Actor.Anonymous("10.0.0.1"), verified.DecisionId)));
    }

    private async Task<(string Name, int Face)> EnrollAsync(string name, string photo, long seed)
    {
        var face = gallery.EnrollableFace(photo);
        await Db.InScopeAsync<EnrollPerson, EnrollmentResult>(e => e.ExecuteAsync(Actors.Admin, new EnrollmentRequest(name, gallery.Photo(photo), face, Seed: seed)));
        return (name, face);
    }
}
