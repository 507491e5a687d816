using Mote.Core.Faces.Benchmark;
using Mote.Core.Faces.Pipeline;
using Mote.Core.Imaging;

namespace Mote.Core.Faces.Quality;

/// <summary>One photo the enrollment gate refused.</summary>
/// <param name="Identity">The identity folder.</param>
/// <param name="Photo">Path of the photo.</param>
/// <param name="Issues">Failed checks (empty when no face was found or the photo was unreadable).</param>
/// <param name="Reasons">The sentences enrollment would show, or why there was no face to check.</param>
/// <param name="Measures">The measured values of the face checked; null when there was none.</param>
public sealed record QualityAuditRefusal(string Identity, string Photo, IReadOnlyList<FaceQualityIssue> Issues, IReadOnlyList<string> Reasons, FaceQualityMeasures? Measures);

/// <summary>What a quality audit measured.</summary>
/// <param name="Dataset">Dataset folder.</param>
/// <param name="Landmarks">Landmark source of the pipeline.</param>
/// <param name="Options">The gate's thresholds.</param>
/// <param name="Photos">Photos checked (one per identity).</param>
/// <param name="NoFace">Photos with no face found, or unreadable.</param>
/// <param name="Refusals">Every refused photo with its reasons, in dataset order.</param>
/// <param name="IssueCounts">How many refused faces failed each check (a face can fail several).</param>
/// <param name="YawPercentiles">Yaw in degrees of the checked faces at the 2nd, 50th and 98th percentile.</param>
public sealed record QualityAuditReport(
    string Dataset,
    string Landmarks,
    FaceQualityOptions Options,
    int Photos,
    int NoFace,
    IReadOnlyList<QualityAuditRefusal> Refusals,
    IReadOnlyDictionary<FaceQualityIssue, int> IssueCounts,
    IReadOnlyList<double> YawPercentiles)
{
    /// <summary>Share of photos refused (no face included).</summary>
    public double RefusalRate => Photos == 0 ? 0 : Refusals.Count / (double)Photos;
}

/// <summary>
/// Runs the enrollment quality gate on the first photo of every identity of a dataset, as enrollment does it
/// by default: the photo through <see cref="FacePipeline"/> with <see cref="QualityPurpose.Enrollment"/>, then the
/// largest face (Gallery's <c>EnrollPerson</c> takes the largest face when no face is chosen). Photos run one at
/// a time on the calling thread; nothing is written.
/// </summary>
public static class QualityAudit
{
    /// <summary>Audits <paramref name="dataset"/> (not modified).</summary>
    /// <param name="pipeline">The pipeline whose gate is audited.</param>
    /// <param name="dataset">Identities and photos.</param>
    /// <param name="limit">Check only the first this many identities (ordinal order); all when null.</param>
    /// <param name="progress">Called with the number of photos done, every 500 photos and at the end.</param>
    /// <param name="ct">Cancels between photos.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="limit"/> is below 1.</exception>
    public static QualityAuditReport Run(FacePipeline pipeline, BenchDataset dataset, int? limit = null, IProgress<int>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(dataset);
        if (limit is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(limit), limit, "The limit must be at least 1 identity.");
        }

        var photos = dataset.FirstPhotos().Take(limit ?? int.MaxValue).ToArray();
        var refusals = new List<QualityAuditRefusal>();
        var issueCounts = new Dictionary<FaceQualityIssue, int>();
        var yaws = new List<double>();
        var noFace = 0;
        for (var i = 0; i < photos.Length; i++)
        {
            ct.ThrowIfCancellationRequested();
            var (identity, photo) = photos[i];
            FaceAnalysis analysis;
            try
            {
                analysis = pipeline.Analyze(File.ReadAllBytes(photo), QualityPurpose.Enrollment);
            }
            catch (ImageRejectedException e)
            {
                noFace++;
                refusals.Add(new QualityAuditRefusal(identity, photo, [], [$"photo refused: {e.Message}"], null));
                continue;
            }

            var face = analysis.Faces.OrderByDescending(f => f.Box.Width * f.Box.Height).FirstOrDefault();
            if (face is null)
            {
                noFace++;
                refusals.Add(new QualityAuditRefusal(identity, photo, [], ["no face was found"], null));
            }
            else
            {
                yaws.Add(face.Quality.Measures.YawDegrees);
                if (!face.Quality.IsAccepted)
                {
                    refusals.Add(new QualityAuditRefusal(identity, photo, face.Quality.Issues, face.Quality.Reasons, face.Quality.Measures));
                    foreach (var issue in face.Quality.Issues)
                    {
                        issueCounts[issue] = issueCounts.GetValueOrDefault(issue) + 1;
                    }
                }
            }

            if ((i + 1) % 500 == 0 || i + 1 == photos.Length)
            {
                progress?.Report(i + 1);
            }
        }

        yaws.Sort();
        double[] percentiles = yaws.Count == 0 ? [] : [Percentile(yaws, 0.02), Percentile(yaws, 0.5), Percentile(yaws, 0.98)];
        return new QualityAuditReport(dataset.Root, pipeline.Options.Landmarks.ToString(), pipeline.Options.Quality, photos.Length, noFace, refusals, issueCounts, percentiles);
    }

    private static double Percentile(List<double> sorted, double q)
    {
        var position = q * (sorted.Count - 1);
        var lower = (int)Math.Floor(position);
        var upper = Math.Min(lower + 1, sorted.Count - 1);
        return sorted[lower] + ((position - lower) * (sorted[upper] - sorted[lower]));
    }
}
