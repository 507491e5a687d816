using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Mote.Core.Imaging;
using Mote.Gallery.Audit;
using Mote.Gallery.Data;
using Mote.Gallery.Decisions;
using Mote.Gallery.Erasure;
using Mote.Gallery.People;
using Mote.Gallery.Security;
using Mote.Gallery.Tests.Builders;

namespace Mote.Gallery.Tests.People;

/// <summary>Enroll → verify → identify → erase through the Gallery use cases, with the real engine on real photos.</summary>
public sealed class EnrollmentTests(EngineGallery gallery) : IClassFixture<EngineGallery>
{
    private GalleryTestDatabase Db => gallery.Db;

    [Fact]
    public async Task Enroll_ThenVerifyOwnFaceAndAnotherFace_AcceptsOwnRejectsOther()
    {
        var (enrolled, face) = await EnrollDemoAsync("Ada Example", "sample1.jpg", seed: 7);

        var own = await VerifyAsync("Ada Example", gallery.FaceCrop("sample1.jpg", face));
        var other = await VerifyAsync("Ada Example", gallery.FaceCrop("sample2.jpg", gallery.EnrollableFace("sample2.jpg")));

        Assert.Equal(Mote.Core.Templates.TemplateKind.Model, enrolled.Person.TemplateKind);
        Assert.True(enrolled.Person.TemplateBytes > 1000);
        Assert.True(own.Accepted, $"own face scored {own.Score} against {own.Threshold}");
        Assert.False(other.Accepted, $"another face scored {other.Score} against {other.Threshold}");
        Assert.True(own.Score > other.Score);
        Assert.Equal(2, Db.Scalar($"SELECT COUNT(*) FROM Decisions WHERE PersonId = '{enrolled.Person.Id}'"));
        Assert.Equal(1, Db.Scalar($"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.PersonEnrolled} AND SubjectId = '{enrolled.Person.Id}'"));
    }

    [Fact]
    public async Task Enroll_DefaultPack_ThresholdFromRealImpostorCalibration_AndReadableScores()
    {
        var (enrolled, face) = await EnrollDemoAsync("Di Calibrated", "sample5.jpg", seed: 5);
        var person = await Db.InScopeAsync<MoteDbContext, Person>(c => c.People.AsNoTracking().SingleAsync(p => p.Id == enrolled.Person.Id));
        var pack = Db.Services.GetRequiredService<Mote.Gallery.Engine.PopulationPackLocator>().Load(person.BackboneId);
        var group = PersonGroup.Of(person);
        var calibrated = pack.ModelCalibration!.GroupFor(group.Gender, group.Ethnicity, group.AgeBand, person.TargetFmr);

        // The stored threshold is the real-impostor logit threshold of the person's group, not a synthetic one.
        var expected = 1 / (1 + Math.Exp(-Mote.Core.Population.Packs.RealImpostorCalibration.ThresholdAt(calibrated, person.TargetFmr)!.Value));
        Assert.Equal(expected, person.Threshold, 5);

        var own = await VerifyAsync("Di Calibrated", gallery.FaceCrop("sample5.jpg", face));
        var other = await VerifyAsync("Di Calibrated", gallery.FaceCrop("sample2.jpg", gallery.EnrollableFace("sample2.jpg")));
        Assert.NotNull(own.Reading?.FalseMatchRate);
        Assert.NotNull(other.Reading?.FalseMatchRate);
        // The threshold reads back as the target rate of the person's group; a genuine probe as rarer, a stranger as commoner.
        Assert.Equal(person.TargetFmr, own.ThresholdReading!.FalseMatchRate!.Value, 4);
        Assert.True(own.Reading!.FalseMatchRate < other.Reading!.FalseMatchRate, $"{own.Reading.Text} vs {other.Reading.Text}");
        var details = await Db.InScopeAsync<MoteDbContext, List<string>>(c => c.AuditEvents.Where(e => e.SubjectId == person.Id)
            .Join(c.AuditPayloads, e => e.Id, p => p.EventId, (e, p) => p.Detail).ToListAsync());
        Assert.All(details, d => Assert.DoesNotContain("E-", d, StringComparison.Ordinal));
        Assert.Contains(details, d => d.Contains("expected false-match rate", StringComparison.Ordinal));
    }

    [Fact]
    [Trait("Provider", "SqliteOnly")] // reads the SQLite file's bytes
    public async Task Enroll_StoresOnlyTheEncryptedTemplate_NeitherPhotoNorDescriptor()
    {
        var (enrolled, face) = await EnrollDemoAsync("Bo Stored", "sample3.jpg", seed: 3);

        var person = await Db.InScopeAsync<MoteDbContext, Person>(c => c.People.AsNoTracking().SingleAsync(p => p.Id == enrolled.Person.Id));
        var descriptor = gallery.Analyzer.Analyze(gallery.Photo("sample3.jpg"), Core.Faces.Quality.QualityPurpose.Enrollment).Faces[face].Descriptor;
        var descriptorBytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(descriptor.AsSpan(0, 4)).ToArray();
        var file = await File.ReadAllBytesAsync(Db.DatabasePath);

        Assert.Equal(-1, file.AsSpan().IndexOf(descriptorBytes));
        Assert.Equal(person.TemplateBytes + 29, person.TemplateBlob.Length); // AES-GCM: version, nonce, tag
        var inspection = await Db.InScopeAsync<InspectTemplate, TemplateInspection>(i => i.ExecuteAsync(Actor.System with { Roles = new HashSet<string> { Roles.Admin } }, "Bo Stored"));
        // The engine's anchored template: the paper's 128→64→16 correction plus one carrier unit per layer for the cosine,
        // then the cap's layer of three units (min(g, 2) folded in).
        Assert.Equal("128→129→65→17→3→1", inspection.Architecture);
        Assert.Equal(3, inspection.Seed);
    }

    [Fact]
    public async Task Identify_EnrolledFaceAndStranger_FindsThePersonAndNoMatch()
    {
        var (_, face) = await EnrollDemoAsync("Cy Identify", "sample4.jpg", seed: 11);

        var found = await Db.InScopeAsync<IdentifyProbe, IdentificationOutcome>(i => i.ExecuteAsync(Actors.Operator, gallery.FaceCrop("sample4.jpg", face), 3));
        var stranger = await Db.InScopeAsync<IdentifyProbe, IdentificationOutcome>(i => i.ExecuteAsync(Actors.Operator, gallery.FaceCrop("sample6.jpg", gallery.EnrollableFace("sample6.jpg")), 3));

        Assert.Equal("Cy Identify", Assert.Single(found.Matches, m => m.PersonName == "Cy Identify").PersonName);
        Assert.Equal("Cy Identify", found.Matches[0].PersonName);
        Assert.DoesNotContain(stranger.Matches, m => m.PersonName == "Cy Identify");
    }

    [Fact]
    public async Task Erase_RemovesPersonDecisionsAndPersonalAuditDetails_ChainStillVerifies()
    {
        var (enrolled, face) = await EnrollDemoAsync("Di Erase", "sample5.jpg", seed: 5);
        await VerifyAsync("Di Erase", gallery.FaceCrop("sample5.jpg", face));

        await Db.InScopeAsync<ErasePerson, int>(e => e.ExecuteAsync(Actors.Admin, "Di Erase"));

        var id = enrolled.Person.Id;
        Assert.Equal(0, Db.Scalar($"SELECT COUNT(*) FROM People WHERE Id = '{id}'"));
        Assert.Equal(0, Db.Scalar($"SELECT COUNT(*) FROM Decisions WHERE PersonId = '{id}'"));
        Assert.Equal(0, Db.Scalar($"SELECT COUNT(*) FROM AuditPayloads p JOIN AuditEvents e ON e.Id = p.EventId WHERE e.SubjectId = '{id}'"));
        Assert.Equal(0, Db.Scalar("SELECT COUNT(*) FROM AuditPayloads WHERE Detail LIKE '%Di Erase%'"));
        Assert.Equal(1, Db.Scalar($"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.PersonErased} AND SubjectId = '{id}'"));
        var status = await Db.InScopeAsync<AuditVerifier, AuditChainStatus>(v => v.VerifyAsync(Actor.System));
        Assert.True(status.Verified, status.Summary);
        await Assert.ThrowsAsync<GalleryException>(() => VerifyAsync("Di Erase", gallery.FaceCrop("sample5.jpg", face)));
    }

    [Fact]
    public async Task Enroll_NoFace_ClearErrorAndNothingStored()
    {
        var blank = ImageEncoding.ToPng(RgbImage.Create(300, 300, px => px.Fill(128)));
        var before = Db.Scalar("SELECT COUNT(*) FROM AuditEvents");

        var e = await Assert.ThrowsAsync<GalleryException>(() => EnrollAsync("Nobody Here", blank, seed: 1));

        Assert.Equal("No face was found in this photo.", e.Message);
        Assert.Equal(0, Db.Scalar("SELECT COUNT(*) FROM People WHERE Name = 'Nobody Here'"));
        Assert.Equal(before, Db.Scalar("SELECT COUNT(*) FROM AuditEvents"));
    }

    [Theory]
    [InlineData(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 })]
    [InlineData(new byte[] { 0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 1, 0, 1, 0, 0, 0 })]
    public async Task Enroll_NotAnAcceptedImage_ClearErrorAndNothingStored(byte[] bytes)
    {
        var e = await Assert.ThrowsAsync<GalleryException>(() => EnrollAsync("Bad Bytes", bytes, seed: 1));

        Assert.False(string.IsNullOrWhiteSpace(e.Message));
        Assert.Equal(0, Db.Scalar("SELECT COUNT(*) FROM People WHERE Name = 'Bad Bytes'"));
    }

    [Fact]
    public async Task Enroll_UnknownBalanceGroupOrNegativeWeight_RefusedWithReason()
    {
        var unknown = await Assert.ThrowsAsync<GalleryException>(() => Db.InScopeAsync<EnrollPerson, EnrollmentResult>(e => e.ExecuteAsync(Actors.Admin,
            new EnrollmentRequest("Bal Ance", gallery.Photo("sample1.jpg"), gallery.EnrollableFace("sample1.jpg"), Balance: (new Dictionary<string, double> { ["martian"] = 1 }, new Dictionary<string, double>())))));
        var negative = await Assert.ThrowsAsync<GalleryException>(() => Db.InScopeAsync<EnrollPerson, EnrollmentResult>(e => e.ExecuteAsync(Actors.Admin,
            new EnrollmentRequest("Bal Ance", gallery.Photo("sample1.jpg"), gallery.EnrollableFace("sample1.jpg"), Balance: (new Dictionary<string, double> { ["female|white|18-59"] = -1 }, new Dictionary<string, double>())))));

        Assert.Contains("martian", unknown.Message, StringComparison.Ordinal);
        Assert.Contains("≥ 0", negative.Message, StringComparison.Ordinal);
        Assert.Equal(0, Db.Scalar("SELECT COUNT(*) FROM People WHERE Name = 'Bal Ance'"));
    }

    [Fact]
    public async Task Enroll_DuplicateNameOrAsOperator_Refused()
    {
        await EnrollDemoAsync("Ed Twice", "sample2.jpg", seed: 2);

        await Assert.ThrowsAsync<GalleryException>(() => EnrollDemoAsync("ED TWICE", "sample2.jpg", seed: 2));
        await Assert.ThrowsAsync<PermissionDeniedException>(() => Db.InScopeAsync<EnrollPerson, EnrollmentResult>(e => e.ExecuteAsync(Actors.Operator, new EnrollmentRequest("Op Tries", gallery.Photo("sample2.jpg")))));
        Assert.Equal(1, Db.Scalar("SELECT COUNT(*) FROM People WHERE NormalizedName = 'ED TWICE'"));
    }

    private Task<EnrollmentResult> EnrollAsync(string name, byte[] photo, long seed, int? face = null) =>
        Db.InScopeAsync<EnrollPerson, EnrollmentResult>(e => e.ExecuteAsync(Actors.Admin, new EnrollmentRequest(name, photo, face, Seed: seed)));

    /// <summary>Enrolls the first face of a demo photo that passes the enrollment check; returns it with the face index.</summary>
    private async Task<(EnrollmentResult Result, int Face)> EnrollDemoAsync(string name, string photo, long seed)
    {
        var face = gallery.EnrollableFace(photo);
        return (await EnrollAsync(name, gallery.Photo(photo), seed, face), face);
    }

    private Task<VerificationResult> VerifyAsync(string name, byte[] probe) =>
        Db.InScopeAsync<VerifyProbe, VerificationResult>(v => v.ExecuteAsync(Actors.Operator, name, probe));
}
