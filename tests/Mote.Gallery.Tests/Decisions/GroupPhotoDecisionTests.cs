using Mote.Gallery.Audit;
using Mote.Gallery.Decisions;
using Mote.Gallery.People;
using Mote.Gallery.Tests.Builders;
using Mote.Gallery.Tests.People;

namespace Mote.Gallery.Tests.Decisions;

/// <summary>
/// Decisions on a real group photo (face-api's sample2.jpg, faces largest first: #0 usable, #1 turned about 69° away and
/// refused by the quality check, #2 usable): 1:N decides every usable face on its own, 1:1 verifies the face it is told to.
/// </summary>
public sealed class GroupPhotoDecisionTests(GroupPhotoDecisionTests.GroupGallery fixture) : IClassFixture<GroupPhotoDecisionTests.GroupGallery>
{
    private const string Group = "sample2.jpg";

    private EngineGallery Gallery => fixture.Engine;

    private GalleryTestDatabase Db => fixture.Engine.Db;

    private string LargestId => fixture.LargestId;

    private string ThirdId => fixture.ThirdId;

    /// <summary>A real gallery with faces #0 ("Gus Group") and #2 ("Rae Group") of the group photo enrolled, once for the class.</summary>
    public sealed class GroupGallery : IAsyncLifetime
    {
        public EngineGallery Engine { get; } = new();

        public string LargestId { get; private set; } = "";

        public string ThirdId { get; private set; } = "";

        public async Task InitializeAsync()
        {
            await Engine.InitializeAsync();
            // Enrolled from a new JPEG framing each face alone: the group photo itself is then a different image of them.
            LargestId = (await EnrollAsync("Gus Group", Engine.FaceCrop(Group, 0), 81)).Person.Id;
            ThirdId = (await EnrollAsync("Rae Group", Engine.FaceCrop(Group, 2), 82)).Person.Id;
        }

        public Task DisposeAsync() => Engine.DisposeAsync();

        private Task<EnrollmentResult> EnrollAsync(string name, byte[] photo, long seed) =>
            Engine.Db.InScopeAsync<EnrollPerson, EnrollmentResult>(e => e.ExecuteAsync(Actors.Admin, new EnrollmentRequest(name, photo, null, Seed: seed)));
    }

    [Fact]
    public async Task Identify_GroupPhotoWithTwoEnrolledFaces_EachUsableFaceFoundWithItsOwnDecisionAndAuditEvent()
    {
        var decisions = Db.Scalar("SELECT COUNT(*) FROM Decisions");
        var events = Db.Scalar($"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.ProbeIdentified}");

        var outcome = await Db.InScopeAsync<IdentifyProbe, IdentificationOutcome>(i => i.ExecuteAsync(Actors.Operator, Gallery.Photo(Group), 3));

        Assert.Equal(3, outcome.Faces.Count);
        Assert.Equal([0, 1, 2], outcome.Faces.Select(f => f.Face.Index));
        var largest = outcome.Faces[0];
        var turned = outcome.Faces[1];
        var third = outcome.Faces[2];
        Assert.True(largest.Usable);
        Assert.Equal(LargestId, largest.Matches[0].PersonId);
        Assert.True(third.Usable);
        Assert.Equal(ThirdId, third.Matches[0].PersonId);
        Assert.NotEqual(largest.DecisionId, third.DecisionId);
        // The refused face carries its box and reason in words, and decides nothing.
        Assert.False(turned.Usable);
        Assert.Null(turned.DecisionId);
        Assert.Empty(turned.Matches);
        Assert.Contains(turned.Reasons, r => r.Contains("yaw", StringComparison.Ordinal));
        Assert.InRange(turned.Face.Box.X, 300, 420);
        // The top-level answer stays the largest usable face's (API 1.0 clients read it).
        Assert.Equal(largest.DecisionId, outcome.DecisionId);
        Assert.Equal(LargestId, outcome.Matches[0].PersonId);
        // One decision and one audit event per decided face, each naming its face.
        Assert.Equal(decisions + 2, Db.Scalar("SELECT COUNT(*) FROM Decisions"));
        Assert.Equal(events + 2, Db.Scalar($"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.ProbeIdentified}"));
        foreach (var (face, person) in new[] { (largest, LargestId), (third, ThirdId) })
        {
            Assert.Equal(1, Db.Scalar($"SELECT COUNT(*) FROM Decisions WHERE Id = '{face.DecisionId}' AND Kind = 'identify' AND Accepted = TRUE AND PersonId = '{person}'"));
            Assert.Equal(1, Db.Scalar($"SELECT COUNT(*) FROM AuditPayloads p JOIN AuditEvents e ON e.Id = p.EventId WHERE e.Code = {(int)AuditEventCode.ProbeIdentified} AND p.Detail LIKE 'decision {face.DecisionId}:%face #{face.Face.Index + 1} of 3 at %'"));
        }
    }

    [Fact]
    public async Task Identify_OnlyTheTurnedFace_RefusedWithItsReasonAndNothingStored()
    {
        var decisions = Db.Scalar("SELECT COUNT(*) FROM Decisions");
        var probe = Gallery.FaceCrop(Group, 1, margin: 0.3);

        var refused = await Assert.ThrowsAsync<GalleryException>(() => Db.InScopeAsync<IdentifyProbe, IdentificationOutcome>(i => i.ExecuteAsync(Actors.Operator, probe, 3)));

        Assert.Equal(GalleryErrorKind.UnusablePhoto, refused.Kind);
        Assert.Contains("yaw", refused.Message, StringComparison.Ordinal);
        Assert.Equal(decisions, Db.Scalar("SELECT COUNT(*) FROM Decisions"));
    }

    [Fact]
    public async Task Verify_FaceIndex_VerifiesThatFaceAndReportsItsBox()
    {
        var photo = Gallery.Photo(Group);

        var picked = await VerifyAsync("Rae Group", photo, 2);
        var largestUsable = await VerifyAsync("Rae Group", photo, null);
        var turned = await Assert.ThrowsAsync<GalleryException>(() => VerifyAsync("Rae Group", photo, 1));
        var missing = await Assert.ThrowsAsync<GalleryException>(() => VerifyAsync("Rae Group", photo, 3));

        Assert.True(picked.Accepted, $"her own face scored {picked.Score} against {picked.Threshold}");
        Assert.Equal(2, picked.Face!.Index);
        Assert.Equal(3, picked.Face.FacesInPhoto);
        Assert.InRange(picked.Face.Box.X, 1400, 1520);
        Assert.False(largestUsable.Accepted);
        Assert.Equal(0, largestUsable.Face!.Index);
        Assert.StartsWith("Face #2 of the probe cannot be used: face turned too far sideways", turned.Message, StringComparison.Ordinal);
        Assert.Contains("no face number 3", missing.Message, StringComparison.Ordinal);
        Assert.Equal(1, Db.Scalar($"SELECT COUNT(*) FROM AuditPayloads p JOIN AuditEvents e ON e.Id = p.EventId WHERE e.Code = {(int)AuditEventCode.ProbeVerified} AND p.Detail LIKE 'decision {picked.DecisionId}: accepted%face #3 of 3 at %'"));
    }

    private Task<VerificationResult> VerifyAsync(string name, byte[] probe, int? face) =>
        Db.InScopeAsync<VerifyProbe, VerificationResult>(v => v.ExecuteAsync(Actors.Operator, name, probe, face));
}
