using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Mote.Core.Faces.Attributes;
using Mote.Core.Faces.Quality;
using Mote.Core.Models;
using Mote.Core.Tests.Models;
using Mote.Gallery.Data;
using Mote.Gallery.Engine;
using Mote.Gallery.People;
using Mote.Gallery.Tests.Builders;

namespace Mote.Gallery.Tests.People;

/// <summary>
/// Issue 16: an estimate below its attribute's confidence cutoff is neither stored at enrollment (API, CLI, bulk) nor
/// pre-filled by the form; the analysis the form reads judges it the same way. The real engine on a demo photo, with
/// cutoffs chosen so the outcome does not depend on the photo: gender and age band can never clear theirs, ethnicity always does.
/// </summary>
public sealed class EnrollmentAttributeConfidenceTests : IAsyncLifetime
{
    private static readonly AttributeConfidence Cutoffs = new(Gender: 1.01, Ethnicity: 0, AgeBand: 1.01);
    private GalleryTestDatabase _db = null!;
    private byte[] _photo = [];

    public async Task InitializeAsync()
    {
        var cache = TestModelCache.Folder;
        _db = await GalleryTestDatabase.CreateAsync(s =>
        {
            s.AddSingleton(new ModelPackOptions { CacheDir = cache });
            s.AddSingleton(Cutoffs);
        });
        _photo = File.ReadAllBytes(Path.Combine(await PinnedPackageCache.GetAsync(PinnedPackages.FaceApi), "demo", "sample1.jpg"));
    }

    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task Enroll_EstimateBelowItsCutoff_NotStored_OneAboveIsStored_AndTheAnalysisAgrees()
    {
        var analysis = await _db.InScopeAsync<AnalyzePhoto, PhotoAnalysis>(a => a.ExecuteAsync(Actors.Admin, _photo));
        var face = analysis.Faces.First(f => f.Accepted);
        var engineFace = (await _db.Services.GetRequiredService<GalleryEngine>().GetAnalyzerAsync()).Analyze(_photo, QualityPurpose.Enrollment).Faces[face.Index];
        var estimate = Assert.IsType<Mote.Core.Faces.AttributeEstimate>(engineFace.Attributes);

        var enrolled = await _db.InScopeAsync<EnrollPerson, EnrollmentResult>(e => e.ExecuteAsync(Actors.Admin, new EnrollmentRequest("Unsure Estimate", _photo, face.Index, Seed: 3)));

        var person = await _db.InScopeAsync<MoteDbContext, Person>(c => c.People.AsNoTracking().SingleAsync(p => p.Id == enrolled.Person.Id));
        Assert.Null(person.EstimatedGender);
        Assert.Null(person.EstimatedAgeBand);
        Assert.Equal(estimate.Ethnicity, person.EstimatedEthnicity);
        Assert.Null(enrolled.Person.Gender);
        Assert.False(enrolled.Person.GenderEstimated);
        Assert.True(enrolled.Person.EthnicityEstimated);
        // The threshold is read for the group of the attributes known (gender and age band skipped), as when no estimator runs.
        var group = PersonGroup.Of(person);
        Assert.Null(group.Gender);
        Assert.Null(group.AgeBand);
        Assert.True(person.Threshold is > 0 and < 1, $"threshold {person.Threshold}");

        // The form's analysis: the same values with their confidences, judged by the same cutoffs.
        Assert.Equal(new AttributeGuess(estimate.Gender, estimate.GenderProbability, false), face.EstimatedGender);
        Assert.Equal(new AttributeGuess(estimate.Ethnicity, estimate.EthnicityProbability, true), face.EstimatedEthnicity);
        Assert.Equal(new AttributeGuess(estimate.AgeBand, estimate.AgeBandProbability, false), face.EstimatedAgeBand);
    }

    [Fact]
    public async Task Enroll_UnsureEstimateButDeclaredValue_DeclaredValueStored()
    {
        var analysis = await _db.InScopeAsync<AnalyzePhoto, PhotoAnalysis>(a => a.ExecuteAsync(Actors.Admin, _photo));
        var face = analysis.Faces.First(f => f.Accepted);

        var enrolled = await _db.InScopeAsync<EnrollPerson, EnrollmentResult>(e => e.ExecuteAsync(Actors.Admin,
            new EnrollmentRequest("Declared Anyway", _photo, face.Index, new DeclaredAttributes("female", null, "18-59"), Seed: 3)));

        var person = await _db.InScopeAsync<MoteDbContext, Person>(c => c.People.AsNoTracking().SingleAsync(p => p.Id == enrolled.Person.Id));
        Assert.Equal(("female", "18-59"), (person.DeclaredGender, person.DeclaredAgeBand));
        Assert.Null(person.EstimatedGender);
        Assert.Equal("female", enrolled.Person.Gender);
        Assert.False(enrolled.Person.GenderEstimated);
    }
}
