using Microsoft.Extensions.DependencyInjection;
using Mote.Core.Tests;
using Mote.Gallery.Data;
using Mote.Gallery.Decisions;
using Mote.Gallery.Erasure;
using Mote.Gallery.People;
using Mote.Gallery.Security;
using Mote.Gallery.Settings;
using Mote.Gallery.Tests.Builders;
using Mote.Gallery.Tests.People;
using Xunit.Abstractions;

namespace Mote.Gallery.Tests.Decisions;

/// <summary>
/// Explanations with the real engine on real photos: computed for a recorded decision, stored small with the aligned probe
/// face (not the photo) for the settings' days, readable by Auditors for any decision and by Operators for their own only.
/// </summary>
public sealed class ExplanationTests(EngineGallery gallery, ITestOutputHelper output) : IClassFixture<EngineGallery>
{
    private GalleryTestDatabase Db => gallery.Db;

    private static Actor OtherOperator { get; } =
        new(ActorKind.User, "user-other-operator", "other@example.org", new HashSet<string> { Roles.Operator });

    [Fact]
    public async Task ExplainDecision_VerifiedOwnFace_StoresMapsContextFaithfulnessAndTheAlignedFaceForItsPeriod()
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
        Assert.Contains(await Db.InScopeAsync<GetExplanation, IReadOnlyList<ExplainableDecision>>(g => g.ListAsync(Actors.Auditor)),
            d => d.DecisionId == verified.DecisionId && d.HasExplanation && d.PersonName == name);

        // Issue 16: the map is drawn over the aligned face with the default settings, which keep no probe image: the crop
        // (150 x 150, not the photo) is stored encrypted with the explanation for 30 days.
        Assert.False((await Db.InScopeAsync<GallerySettingsStore, GallerySettingsView>(s => s.ReadAsync())).KeepProbeImages);
        Assert.Equal(0, Db.Scalar($"SELECT COUNT(*) FROM DecisionProbeImages WHERE DecisionId = '{verified.DecisionId}'"));
        Assert.Equal(1, Db.Scalar($"SELECT COUNT(*) FROM DecisionExplanations WHERE DecisionId = '{verified.DecisionId}' AND CropBlob IS NOT NULL"));
        var png = Assert.IsType<byte[]>(view.AlignedProbePng);
        var image = SixLabors.ImageSharp.Image.Identify(png);
        Assert.Equal((150, 150), (image.Width, image.Height));
        Assert.Equal(GallerySettings.DefaultExplanationFaceDays, view.FaceDays);
        var removedIn = view.FaceRemovedAt!.Value - DateTimeOffset.UtcNow;
        Assert.InRange(removedIn, TimeSpan.FromDays(30) - TimeSpan.FromMinutes(10), TimeSpan.FromDays(30));

        // 31 days on (the explanation backdated): the reader no longer shows the face, and the sweep clears it; the map stays.
        Db.Execute($"UPDATE DecisionExplanations SET CreatedUtc = CreatedUtc - {TimeSpan.FromDays(31).Ticks} WHERE DecisionId = '{verified.DecisionId}'");
        var expired = await Db.InScopeAsync<GetExplanation, ExplanationView>(g => g.ExecuteAsync(Actors.Auditor, verified.DecisionId));
        Assert.Null(expired.AlignedProbePng);
        Assert.Null(expired.FaceRemovedAt);
        Assert.NotNull(expired.Explanation);
        var cleared = await Db.InScopeAsync<IServiceProvider, int>(sp => ExplanationFaceRetention.SweepAsync(
            sp.GetRequiredService<MoteDbContext>(), sp.GetRequiredService<GallerySettingsStore>(), TimeProvider.System));
        Assert.True(cleared >= 1, $"{cleared} cleared");
        Assert.Equal(0, Db.Scalar($"SELECT COUNT(*) FROM DecisionExplanations WHERE DecisionId = '{verified.DecisionId}' AND CropBlob IS NOT NULL"));
        Assert.Equal(1, Db.Scalar($"SELECT COUNT(*) FROM DecisionExplanations WHERE DecisionId = '{verified.DecisionId}'"));
    }

    [Fact]
    public async Task ExplainDecision_ExplanationFacesSetToZeroDays_StoresTheMapWithoutTheFace()
    {
        var (name, face) = await EnrollAsync("Zed Zero", "sample4.jpg", seed: 34);
        var probe = gallery.FaceCrop("sample4.jpg", face);
        var verified = await Db.InScopeAsync<VerifyProbe, VerificationResult>(v => v.ExecuteAsync(Actors.Operator, name, probe));
        await SetFaceDaysAsync(0);
        try
        {
            Assert.NotNull(await Db.InScopeAsync<ExplainDecision, Mote.Gallery.Engine.ProbeExplanation?>(e =>
                e.ExecuteAsync(new ExplanationRequest(verified.DecisionId, verified.PersonId, probe, verified.Score, verified.Threshold))));
        }
        finally
        {
            await SetFaceDaysAsync(GallerySettings.DefaultExplanationFaceDays);
        }
        Assert.Equal(0, Db.Scalar($"SELECT COUNT(*) FROM DecisionExplanations WHERE DecisionId = '{verified.DecisionId}' AND CropBlob IS NOT NULL"));
        Assert.Equal(1, Db.Scalar($"SELECT COUNT(*) FROM DecisionExplanations WHERE DecisionId = '{verified.DecisionId}'"));
    }

    [Fact]
    public async Task StoreExplanation_AnErasureScrubbedTheDecisionWhileItWasExplained_KeepsNoFace()
    {
        // Two people enrolled from one face, so one 1:N decision lists both; the runner-up is erased while the decision
        // (about the other) is being explained. The erasure clears the crops stored before it; the guard keeps a crop
        // computed before it from being written after it.
        var face = gallery.EnrollableFace("sample5.jpg");
        string[] names = ["Ria Racewell", "Rob Racewell"];
        for (var i = 0; i < names.Length; i++)
        {
            var name = names[i];
            await Db.InScopeAsync<EnrollPerson, EnrollmentResult>(e => e.ExecuteAsync(Actors.Admin, new EnrollmentRequest(name, gallery.Photo("sample5.jpg"), face, Seed: 50 + i)));
        }
        var probe = gallery.FaceCrop("sample5.jpg", face);
        var identified = await Db.InScopeAsync<IdentifyProbe, IdentificationOutcome>(x => x.ExecuteAsync(Actors.Operator, probe, 5));
        // Other tests of this class enroll people too: the two of this test are the first two matches (their own face).
        Assert.Equal(names.Order(StringComparer.Ordinal), identified.Matches.Take(2).Select(m => m.PersonName).Order(StringComparer.Ordinal));
        var best = identified.Matches[0];
        var listedBefore = Db.Strings($"SELECT CandidatesJson FROM Decisions WHERE Id = '{identified.DecisionId}'").Single();
        var result = await Db.InScopeAsync<ExplainDecision, Mote.Gallery.Engine.ProbeExplanation?>(e =>
            e.ExecuteAsync(new ExplanationRequest(identified.DecisionId, best.PersonId, probe, best.Score, best.Threshold)));
        Assert.NotNull(result);
        Assert.Equal(1, Db.Scalar($"SELECT COUNT(*) FROM DecisionExplanations WHERE DecisionId = '{identified.DecisionId}' AND CropBlob IS NOT NULL"));
        Db.Execute($"DELETE FROM DecisionExplanations WHERE DecisionId = '{identified.DecisionId}'");

        await Db.InScopeAsync<ErasePerson, int>(e => e.ExecuteAsync(Actors.Admin, identified.Matches[1].PersonId));
        Assert.NotEqual(listedBefore, Db.Strings($"SELECT CandidatesJson FROM Decisions WHERE Id = '{identified.DecisionId}'").Single());
        // Stored as it would be by an explanation that read the candidate list before the erasure.
        Assert.True(await Db.InScopeAsync<ExplainDecision, bool>(e => e.StoreAsync(identified.DecisionId, listedBefore, fromInput: false, result, CancellationToken.None)));

        Assert.Equal(1, Db.Scalar($"SELECT COUNT(*) FROM DecisionExplanations WHERE DecisionId = '{identified.DecisionId}'"));
        Assert.Equal(0, Db.Scalar($"SELECT COUNT(*) FROM DecisionExplanations WHERE DecisionId = '{identified.DecisionId}' AND CropBlob IS NOT NULL"));
        Assert.Null((await Db.InScopeAsync<GetExplanation, ExplanationView>(g => g.ExecuteAsync(Actors.Auditor, identified.DecisionId))).AlignedProbePng);

        // The same store with the list as it reads now keeps the face; a job whose input the erasure deleted keeps none.
        var listedNow = Db.Strings($"SELECT CandidatesJson FROM Decisions WHERE Id = '{identified.DecisionId}'").Single();
        foreach (var (fromInput, kept) in new[] { (false, 1L), (true, 0L) })
        {
            Db.Execute($"DELETE FROM DecisionExplanations WHERE DecisionId = '{identified.DecisionId}'");
            Assert.True(await Db.InScopeAsync<ExplainDecision, bool>(e => e.StoreAsync(identified.DecisionId, listedNow, fromInput, result, CancellationToken.None)));
            Assert.Equal(kept, Db.Scalar($"SELECT COUNT(*) FROM DecisionExplanations WHERE DecisionId = '{identified.DecisionId}' AND CropBlob IS NOT NULL"));
        }
    }

    [DatasetFact("lfw-dev")]
    public async Task FaithfulnessSurvey_FourLfwIdentities_ExplainsAGenuineAndAnImpostorProbeEach_StoresNothing()
    {
        const string Counts = "SELECT (SELECT COUNT(*) FROM People) + (SELECT COUNT(*) FROM Decisions) + (SELECT COUNT(*) FROM AuditEvents) + (SELECT COUNT(*) FROM DecisionExplanations)";
        var before = Db.Scalar(Counts);

        var report = await Db.InScopeAsync<FaithfulnessSurvey, FaithfulnessSurveyReport>(s =>
            s.RunAsync(Mote.Core.Faces.Benchmark.BenchDataset.Open(TestDatasets.Find("lfw-dev")!), 4, seed: 2));

        foreach (var d in report.Decisions)
        {
            output.WriteLine($"{d.Identity} {(d.Genuine ? "genuine" : "impostor")} score {d.Score:G3} vs {d.Threshold:G3} ({(d.Accepted ? "accepted" : "rejected")}, {d.OcclusionVariant}, {d.TotalMs:0} ms): " + string.Join(", ", d.Faithfulness.Select(f => $"{f.Method} del {f.DeletionAuc:0.000}/{f.RandomDeletionAuc:0.000} ins {f.InsertionAuc:0.000}/{f.RandomInsertionAuc:0.000}")));
        }
        Assert.Equal(Mote.Core.Faces.Descriptors.DlibResNetDescriber.Id, report.Backbone);
        Assert.Contains("anchor 20/0.9", report.Trainer, StringComparison.Ordinal);
        Assert.True(report.Skipped <= 1, $"{report.Skipped} skipped");
        Assert.Equal(2 * (4 - report.Skipped), report.Decisions.Count);
        Assert.Equal(report.Decisions.Count / 2, report.Decisions.Count(d => d.Genuine));
        // Each genuine probe scores above the impostor probe explained beside it (templates trained as enrollment trains them).
        Assert.All(report.Decisions.Chunk(2), pair => Assert.True(pair[0].Genuine && !pair[1].Genuine && pair[0].Score > pair[1].Score));
        Assert.Equal(["occlusion", "gradcam++"], report.All.Select(m => m.Method));
        Assert.All(report.All, m => Assert.Equal(report.Decisions.Count, m.Decisions));
        Assert.Equal(report.All[0].BothWins, report.GenuineOnly[0].BothWins + report.ImpostorOnly[0].BothWins);
        // Decided as verification decides (the person's calibrated threshold, no longer each probe's own score), and
        // explained with the occlusion variant that outcome picks.
        Assert.Equal(1e-3, report.TargetFmr);
        Assert.All(report.Decisions, d => Assert.Equal(d.Score >= d.Threshold, d.Accepted));
        Assert.Contains(report.Decisions, d => d.Score < d.Threshold);
        Assert.All(report.Decisions, d => Assert.Equal(d.Accepted ? "hidden-alone" : "both-ends", d.OcclusionVariant));
        Assert.Equal(report.All[0].Decisions, report.AcceptedOnly.Sum(m => m.Method == "occlusion" ? m.Decisions : 0) + report.RejectedOnly.Sum(m => m.Method == "occlusion" ? m.Decisions : 0));
        Assert.True(report.All[0].BothWins * 2 > report.All[0].Decisions, $"occlusion {report.All[0].BothWins}/{report.All[0].Decisions}");
        Assert.Equal(before, Db.Scalar(Counts));
    }

    [Fact]
    public async Task ExplainDecision_OcclusionVariantFollowsTheStoredOutcome_HiddenAloneAcceptedBothEndsRejected()
    {
        // Issue 16: hiding cells alone is faithful on accepted faces; a rejection is ranked by hiding and showing cells alone.
        var (name, face) = await EnrollAsync("Vic Variant", "sample3.jpg", seed: 33);
        var own = gallery.FaceCrop("sample3.jpg", face);
        var stranger = gallery.FaceCrop("sample4.jpg", gallery.EnrollableFace("sample4.jpg"));
        var accepted = await Db.InScopeAsync<VerifyProbe, VerificationResult>(v => v.ExecuteAsync(Actors.Operator, name, own));
        var rejected = await Db.InScopeAsync<VerifyProbe, VerificationResult>(v => v.ExecuteAsync(Actors.Operator, name, stranger));
        Assert.True(accepted.Accepted);
        Assert.False(rejected.Accepted);

        foreach (var (verified, variant) in new[] { (accepted, Mote.Core.Explain.OcclusionSensitivity.HiddenAlone), (rejected, Mote.Core.Explain.OcclusionSensitivity.BothEnds) })
        {
            var probe = verified == accepted ? own : stranger;
            var computed = await Db.InScopeAsync<ExplainDecision, Mote.Gallery.Engine.ProbeExplanation?>(e =>
                e.ExecuteAsync(new ExplanationRequest(verified.DecisionId, verified.PersonId, probe, verified.Score, verified.Threshold)));
            Assert.NotNull(computed);
            var view = await Db.InScopeAsync<GetExplanation, ExplanationView>(g => g.ExecuteAsync(Actors.Auditor, verified.DecisionId));
            var explanation = Assert.IsType<Mote.Core.Explain.DecisionExplanation>(view.Explanation);
            output.WriteLine($"{(verified.Accepted ? "accepted" : "rejected")}: {explanation.OcclusionVariant}, occlusion {explanation.OcclusionMs:0} ms, whole {explanation.TotalMs:0} ms");
            Assert.Equal(verified.Accepted, explanation.Accepted);
            Assert.Equal(variant, explanation.OcclusionVariant);
            Assert.Contains($"\"occlusionVariant\":\"{variant}\"", Db.Strings($"SELECT Json FROM DecisionExplanations WHERE DecisionId = '{verified.DecisionId}'").Single(), StringComparison.Ordinal);
            Assert.Equal(["occlusion", "gradcam++"], explanation.Maps.Select(m => m.Method));
        }
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

    private Task<GallerySettingsView> SetFaceDaysAsync(int days) => Db.InScopeAsync<UpdateGallerySettings, GallerySettingsView>(async u =>
    {
        var current = await Db.InScopeAsync<GallerySettingsStore, GallerySettingsView>(s => s.ReadAsync());
        return await u.ExecuteAsync(Actors.Admin, new GallerySettingsChange(current.ReferenceRetention, current.KeepProbeImages, current.TargetFmr, current.ConcurrencyStamp,
            ExplanationFaceDays: days));
    });

    private async Task<(string Name, int Face)> EnrollAsync(string name, string photo, long seed)
    {
        var face = gallery.EnrollableFace(photo);
        await Db.InScopeAsync<EnrollPerson, EnrollmentResult>(e => e.ExecuteAsync(Actors.Admin, new EnrollmentRequest(name, gallery.Photo(photo), face, Seed: seed)));
        return (name, face);
    }
}
