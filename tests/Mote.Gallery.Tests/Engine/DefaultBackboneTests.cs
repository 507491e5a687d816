using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Mote.Core.Faces.Descriptors;
using Mote.Core.Faces.Pipeline;
using Mote.Core.Models;
using Mote.Core.Tests;
using Mote.Gallery.Backbones;
using Mote.Gallery.Data;
using Mote.Gallery.Decisions;
using Mote.Gallery.Engine;
using Mote.Gallery.Fairness;
using Mote.Gallery.Models;
using Mote.Gallery.People;
using Mote.Gallery.Tests.Builders;

namespace Mote.Gallery.Tests.Engine;

/// <summary>
/// The product's default backbone (<see cref="FaceDescribers.Default"/>, chosen by measurement in issue 13), used as a new
/// installation uses it: nothing configured but the database. The rest of the suite names dlib-resnet
/// (<see cref="TestBackbone"/>); this is where the default itself is enrolled on, verified with, identified and explained.
/// Real SQLite file, real ONNX models, the shipped population pack, real LFW photos.
/// </summary>
public sealed class DefaultBackboneTests : IAsyncLifetime
{
    private GalleryTestDatabase _db = null!;


    public async Task InitializeAsync() =>
        _db = await GalleryTestDatabase.CreateAsync(s =>
        {
            s.AddSingleton(new ModelPackOptions { CacheDir = TestModelCache.Folder });
            // What AddMoteGallery builds when Mote:Faces names no backbone.
            s.AddSingleton<IFaceAnalyzerFactory>(new PipelineFaceAnalyzerFactory(new FacePipelineOptions()));
        });

    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public void Default_IsFacepluginFr()
    {
        // The choice of issue 13's rule (docs/faces.md "Which backbone qualifies"); changing it must change this line and the docs.
        Assert.Equal(FacepluginDescriber.Id, FaceDescribers.Default);
        Assert.Equal(FacepluginDescriber.Id, new FacePipelineOptions().Backbone);
    }

    [DatasetFact("lfw-dev")]
    public async Task EnrollVerifyIdentifyExplainAssess_NothingConfigured_RunsOnTheDefaultBackboneWithItsShippedPack()
    {
        // Five fresh enrollments, as an admin's first day: on dlib-resnet before issue 17, Gallery risk flagged four of five.
        var people = await LfwPeople.EnrollAsync(_db, 5);
        var own = File.ReadAllBytes(people[0].Files[1]);
        var other = File.ReadAllBytes(people[1].Files[1]);

        var stored = await _db.InScopeAsync<MoteDbContext, List<(string Backbone, string Pack)>>(async c =>
            (await c.People.Select(p => new { p.BackboneId, p.PopulationPackId }).ToListAsync()).Select(p => (p.BackboneId, p.PopulationPackId)).ToList());
        Assert.All(stored, p => Assert.Equal(FacepluginDescriber.Id, p.Backbone));
        var view = await _db.InScopeAsync<ReadGalleryBackbones, GalleryBackbonesView>(r => r.ExecuteAsync(Actors.Admin));
        Assert.Equal(FacepluginDescriber.Id, view.GalleryOption);
        // The shipped pack of that backbone, calibrated (not one built on the fly): templates record its id.
        var choice = view.Choices.Single(c => c.Backbone == FacepluginDescriber.Id);
        Assert.True(choice.HasPopulationPack);
        Assert.True(choice.PackCalibrated);
        Assert.All(stored, p => Assert.StartsWith($"{FacepluginDescriber.Id}/", p.Pack, StringComparison.Ordinal));

        var accepted = await _db.InScopeAsync<VerifyProbe, VerificationResult>(v => v.ExecuteAsync(Actors.Operator, people[0].Name, own));
        var rejected = await _db.InScopeAsync<VerifyProbe, VerificationResult>(v => v.ExecuteAsync(Actors.Operator, people[0].Name, other));
        Assert.True(accepted.Accepted, $"own second photo: score {accepted.Score} vs threshold {accepted.Threshold}");
        Assert.False(rejected.Accepted, $"another person: score {rejected.Score} vs threshold {rejected.Threshold}");

        var found = await _db.InScopeAsync<IdentifyProbe, IdentificationOutcome>(i => i.ExecuteAsync(Actors.Operator, own));
        Assert.Equal(people[0].Name, found.Matches[0].PersonName);

        // Explanations on this backbone: the occlusion map alone (Grad-CAM++ exists for dlib's network only), on its 112 × 112 crop.
        var explanation = await _db.InScopeAsync<ExplainDecision, ProbeExplanation?>(e =>
            e.ExecuteAsync(new ExplanationRequest(accepted.DecisionId, accepted.PersonId, own, accepted.Score, accepted.Threshold)));
        Assert.NotNull(explanation);
        Assert.Equal(112, explanation.AlignedCrop.Width);
        var read = await _db.InScopeAsync<GetExplanation, ExplanationView>(g => g.ExecuteAsync(Actors.Auditor, accepted.DecisionId));
        var maps = Assert.IsType<Mote.Core.Explain.DecisionExplanation>(read.Explanation).Maps;
        Assert.Equal(["occlusion"], maps.Select(m => m.Method));

        // Gallery risk at its defaults: every fresh enrollment's threshold keeps the promise against real strangers of their
        // group, and none accepts 10x the target of any synthetic group, so nobody is flagged.
        var risk = await _db.InScopeAsync<AssessGalleryRisk, GalleryRiskReport>(a => a.ExecuteAsync(Actors.Auditor, new GalleryRiskRequest()));
        Assert.Equal(5, risk.People.Count);
        Assert.All(risk.People, p => Assert.True(p.RealFmr <= risk.TargetFmr + 1e-8, $"{p.Name}: real FMR {p.RealFmr} at the threshold"));
        Assert.All(risk.People, p => Assert.False(p.Flagged, $"{p.Name}: worst synthetic group {p.WorstFmr}, real {p.RealFmr}"));
    }
}
