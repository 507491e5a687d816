using Mote.Core.Faces;
using Mote.Core.Faces.Attributes;
using Mote.Core.Faces.Quality;
using Mote.Core.Imaging;
using Mote.Gallery.Engine;
using Mote.Gallery.Security;

namespace Mote.Gallery.People;

/// <summary>One detected face as the enrollment picker shows it (coordinates in the analysed photo's pixels).</summary>
/// <param name="Index">Its number, largest face first: what <see cref="EnrollmentRequest.FaceIndex"/> takes.</param>
/// <param name="X">Box left.</param>
/// <param name="Y">Box top.</param>
/// <param name="Width">Box width.</param>
/// <param name="Height">Box height.</param>
/// <param name="Landmarks">Points to draw on the face.</param>
/// <param name="Accepted">Whether it passes the enrollment quality check.</param>
/// <param name="Reasons">Why not, in words (empty when accepted).</param>
/// <param name="EstimatedGender">Estimated attribute with its confidence (null without an estimator); always an estimate.</param>
/// <param name="EstimatedEthnicity">Estimated attribute with its confidence.</param>
/// <param name="EstimatedAgeBand">Estimated attribute with its confidence.</param>
public sealed record FaceCandidate(
    int Index, double X, double Y, double Width, double Height,
    IReadOnlyList<Point2D> Landmarks, bool Accepted, IReadOnlyList<string> Reasons,
    AttributeGuess? EstimatedGender, AttributeGuess? EstimatedEthnicity, AttributeGuess? EstimatedAgeBand);

/// <summary>
/// One estimated attribute of a face: the estimator's value, its confidence, and whether that confidence reaches the
/// attribute's measured cutoff (<see cref="AttributeConfidence"/>). Only a confident guess is pre-filled on the enrollment
/// form and stored at enrollment (<see cref="EnrollPerson"/>); the others are hints.
/// </summary>
/// <param name="Value">The estimated value (project vocabulary).</param>
/// <param name="Confidence">The estimator's probability for it, 0..1.</param>
/// <param name="Confident">Whether <paramref name="Confidence"/> reaches the attribute's cutoff.</param>
public sealed record AttributeGuess(string Value, double Confidence, bool Confident)
{
    /// <summary>The guess of <paramref name="attribute"/> in <paramref name="estimate"/> under <paramref name="cutoffs"/>; null without an estimate.</summary>
    public static AttributeGuess? Of(AttributeEstimate? estimate, EstimatedAttribute attribute, AttributeConfidence cutoffs)
    {
        ArgumentNullException.ThrowIfNull(cutoffs);
        if (estimate is null)
        {
            return null;
        }
        var confidence = AttributeConfidence.ConfidenceOf(estimate, attribute);
        return new AttributeGuess(AttributeConfidence.ValueOf(estimate, attribute), confidence, cutoffs.Clears(attribute, confidence));
    }
}

/// <summary>What an uploaded photo holds, for the face pickers (enrollment; the verify page through <see cref="Decisions.AnalyzeProbe"/>, with no groups).</summary>
/// <param name="Width">Width of the analysed (orientation-corrected) photo; face coordinates refer to it.</param>
/// <param name="Height">Its height.</param>
/// <param name="PreviewJpeg">The photo re-encoded (no metadata, at most 960 px) to show under the boxes.</param>
/// <param name="Faces">Every face found, largest first; never empty.</param>
/// <param name="NegativeGroups">The population pack's negative groups (the balance editor's rows).</param>
/// <param name="VariationGroups">The pack's variation groups.</param>
public sealed record PhotoAnalysis(
    int Width, int Height, byte[] PreviewJpeg, IReadOnlyList<FaceCandidate> Faces,
    IReadOnlyList<string> NegativeGroups, IReadOnlyList<string> VariationGroups);

/// <summary>
/// Analyses an uploaded photo for enrollment: every face with its box, landmarks, enrollment quality verdict
/// and estimated attributes (each with its confidence, judged against <paramref name="cutoffs"/> as enrollment judges it),
/// plus the population's groups for the balance editor. Stores nothing.
/// Needs <see cref="Permission.ManageGallery"/>. Refuses in words: empty or over 10 MB, not a PNG/JPEG,
/// no face found.
/// </summary>
public sealed class AnalyzePhoto(GalleryEngine engine, Data.MoteDbContext db, AttributeConfidence cutoffs)
{
    /// <summary>Longest side of the preview image the picker draws on.</summary>
    public const int PreviewSide = 960;

    /// <param name="actor">Who asks.</param>
    /// <param name="photo">The uploaded photo (PNG or JPEG, at most 10 MB).</param>
    /// <param name="ct">Cancels the analysis.</param>
    /// <returns>The photo's size, a preview at most <see cref="PreviewSide"/> pixels on its longest side, every face, and the population's groups.</returns>
    public async Task<PhotoAnalysis> ExecuteAsync(Actor actor, ReadOnlyMemory<byte> photo, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.Demand(Permission.ManageGallery);
        PhotoPolicy.CheckSize(photo);
        var analyzer = await engine.GetGalleryAnalyzerAsync(db, ct).ConfigureAwait(false);
        var analysis = await Task.Run(() => EnrollPerson.Analyze(analyzer, photo, QualityPurpose.Enrollment, ct), ct).ConfigureAwait(false);
        if (analysis.Faces.Count == 0)
        {
            throw new GalleryException("No face was found in this photo.", GalleryErrorKind.UnusablePhoto);
        }
        var preview = PhotoRules.PreviewJpeg(PhotoRules.Decode(photo, ct).Image, PreviewSide);
        var population = engine.GetPopulation(analyzer.Backbone);
        var faces = analysis.Faces.Select((f, i) => new FaceCandidate(
            i, f.Box.X, f.Box.Y, f.Box.Width, f.Box.Height, f.Landmarks, f.Quality.IsAccepted, f.Quality.Reasons,
            AttributeGuess.Of(f.Attributes, EstimatedAttribute.Gender, cutoffs),
            AttributeGuess.Of(f.Attributes, EstimatedAttribute.Ethnicity, cutoffs),
            AttributeGuess.Of(f.Attributes, EstimatedAttribute.AgeBand, cutoffs))).ToArray();
        return new PhotoAnalysis(analysis.ImageWidth, analysis.ImageHeight, preview, faces,
            population.Negatives.Keys.Select(g => g.Id).Order(StringComparer.Ordinal).ToArray(),
            population.Variation.Keys.Select(g => g.Id).Order(StringComparer.Ordinal).ToArray());
    }
}
