using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Mote.Gallery.Data;
using Mote.Gallery.Decisions;
using Mote.Gallery.People;
using Mote.Gallery.Security;
using Mote.Gallery.Tests.Builders;
using Mote.Gallery.Tests.People;

namespace Mote.Gallery.Tests.Engine;

/// <summary>
/// Identify through the Gallery (screened single-probe path) on real photos, real models and templates trained
/// against the default population pack: the answer must equal scoring each decrypted template alone.
/// </summary>
public sealed class GalleryIndexIdentifyTests(EngineGallery gallery) : IClassFixture<EngineGallery>
{
    private static readonly string[] Photos = ["sample1.jpg", "sample2.jpg", "sample3.jpg", "sample4.jpg", "sample5.jpg"];

    private GalleryTestDatabase Db => gallery.Db;

    [Fact]
    public async Task Identify_RealEnrolledPeople_SameIdsScoresAndNoMatchAsScoringEachTemplateAlone()
    {
        for (var i = 0; i < 4; i++)
        {
            var face = gallery.EnrollableFace(Photos[i]);
            await Db.InScopeAsync<EnrollPerson, EnrollmentResult>(e => e.ExecuteAsync(Actors.Admin, new EnrollmentRequest($"Index Person {i}", gallery.Photo(Photos[i]), face, Seed: 20 + i)));
        }

        var protector = Db.Services.GetRequiredService<TemplateProtector>();
        var people = await Db.InScopeAsync<MoteDbContext, List<Person>>(db => db.People.AsNoTracking().OrderBy(p => p.EnrolledUtc).ToListAsync());
        var templates = people.Select(p => PersonRowMapper.OpenTemplate(p, protector, gallery.Analyzer.Backbone)).ToArray();
        var matched = 0;
        foreach (var photo in Photos.Append("sample6.jpg"))
        {
            var probe = gallery.FaceCrop(photo, gallery.EnrollableFace(photo));
            var faces = DecisionRecorder.ProbeFaces(gallery.Analyzer, probe, default);
            var descriptor = faces.Faces[DecisionRecorder.PickProbeFace(faces, null)].Descriptor;
            var expected = people
                .Select((p, i) => (p.Id, Score: templates[i].Score(descriptor), p.Threshold, Index: i))
                .Where(x => x.Score >= x.Threshold)
                .OrderByDescending(x => x.Score).ThenBy(x => x.Index)
                .Take(3)
                .ToArray();

            var outcome = await Db.InScopeAsync<IdentifyProbe, IdentificationOutcome>(i => i.ExecuteAsync(Actors.Operator, probe, 3));

            Assert.Equal(expected.Select(x => x.Id), outcome.Matches.Select(m => m.PersonId));
            Assert.Equal(expected.Select(x => BitConverter.SingleToInt32Bits(x.Score)), outcome.Matches.Select(m => BitConverter.SingleToInt32Bits(m.Score)));
            matched += outcome.Matches.Count;
        }

        Assert.True(matched >= 4, $"only {matched} matches over the enrolled people's own crops");
    }

    [Fact]
    public async Task Identify_AnotherProcessChangedTheFile_AnswersFromTheNewState()
    {
        var face = gallery.EnrollableFace("sample2.jpg");
        var enrolled = await Db.InScopeAsync<EnrollPerson, EnrollmentResult>(e =>
            e.ExecuteAsync(Actors.Admin, new EnrollmentRequest("Index Changed Elsewhere", gallery.Photo("sample2.jpg"), face, Seed: 77)));
        var probe = gallery.FaceCrop("sample2.jpg", face);
        var before = await Db.InScopeAsync<IdentifyProbe, IdentificationOutcome>(i => i.ExecuteAsync(Actors.Operator, probe, 50));
        Assert.Contains(before.Matches, m => m.PersonId == enrolled.Person.Id);

        // What the CLI or a second portal on the same file would do: no Invalidate() reaches this process.
        Assert.Equal(1, Db.Execute(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"UPDATE People SET Threshold = 2.0, RetrainedUtc = {DateTimeOffset.UtcNow.UtcTicks} WHERE Id = '{enrolled.Person.Id}'")));
        var after = await Db.InScopeAsync<IdentifyProbe, IdentificationOutcome>(i => i.ExecuteAsync(Actors.Operator, probe, 50));

        Assert.DoesNotContain(after.Matches, m => m.PersonId == enrolled.Person.Id);
    }
}
