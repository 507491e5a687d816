using Mote.Core.Faces.Quality;
using Mote.Gallery.Engine;
using Mote.Gallery.People;
using Mote.Gallery.Security;

namespace Mote.Gallery.Decisions;

/// <summary>
/// Analyses a probe for the verify page's face picker: every face with its box, landmarks and the decision quality
/// verdict (the check <see cref="VerifyProbe"/> applies), largest first, on a re-encoded preview. Stores nothing and
/// decides nothing. Needs <see cref="Permission.Verify"/>. Refuses in words: over 10 MB, not a PNG/JPEG, no face found.
/// </summary>
public sealed class AnalyzeProbe(GalleryEngine engine, Data.MoteDbContext db)
{
    /// <param name="actor">Who asks.</param>
    /// <param name="probe">The probe photo (PNG or JPEG, at most 10 MB).</param>
    /// <param name="ct">Cancels the analysis.</param>
    /// <returns>The photo's size, a preview and every face with its quality verdict; no attributes and no matches.</returns>
    public async Task<PhotoAnalysis> ExecuteAsync(Actor actor, ReadOnlyMemory<byte> probe, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.Demand(Permission.Verify);
        PhotoPolicy.CheckSize(probe);
        var analyzer = await engine.GetGalleryAnalyzerAsync(db, ct).ConfigureAwait(false);
        var analysis = await Task.Run(() => DecisionRecorder.ProbeFaces(analyzer, probe, ct), ct).ConfigureAwait(false);
        var preview = PhotoRules.PreviewJpeg(PhotoRules.Decode(probe, ct).Image, AnalyzePhoto.PreviewSide);
        var faces = analysis.Faces.Select((f, i) => new FaceCandidate(
            i, f.Box.X, f.Box.Y, f.Box.Width, f.Box.Height, f.Landmarks, f.Quality.IsAccepted, f.Quality.Reasons, null, null, null)).ToArray();
        return new PhotoAnalysis(analysis.ImageWidth, analysis.ImageHeight, preview, faces, [], []);
    }
}
