using Mote.Core.Faces.Pipeline;
using Mote.Core.Faces.Quality;
using Mote.Core.Imaging;

namespace Mote.Core.Faces.Benchmark;

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
/// <param name="Recognition">Whether the checked faces are still recognised from a second photo; null unless asked for.</param>
/// <param name="Condition">The degradation applied to the first photos (<see cref="RobustnessConditions.Name"/>; <c>none</c>).</param>
public sealed record QualityAuditReport(
    string Dataset,
    string Landmarks,
    FaceQualityOptions Options,
    int Photos,
    int NoFace,
    IReadOnlyList<QualityAuditRefusal> Refusals,
    IReadOnlyDictionary<FaceQualityIssue, int> IssueCounts,
    IReadOnlyList<double> YawPercentiles,
    QualityAuditRecognition? Recognition = null,
    string Condition = "none")
{
    /// <summary>Share of photos refused (no face included).</summary>
    public double RefusalRate => Photos == 0 ? 0 : Refusals.Count / (double)Photos;
}

/// <summary>Pairs of faces (genuine or impostor, as the field says) and how many reached the threshold.</summary>
/// <param name="Pairs">Pairs scored.</param>
/// <param name="Matched">Pairs whose cosine reached the threshold.</param>
public sealed record QualityAuditMatches(int Pairs, int Matched)
{
    /// <summary>Share matched; NaN when there was no pair.</summary>
    public double Rate => Pairs == 0 ? double.NaN : Matched / (double)Pairs;

    /// <summary>One more pair.</summary>
    public QualityAuditMatches Add(bool matched) => new(Pairs + 1, Matched + (matched ? 1 : 0));

    /// <summary>Both counts summed.</summary>
    public QualityAuditMatches Plus(QualityAuditMatches other) => new(Pairs + other.Pairs, Matched + other.Matched);
}

/// <summary>The checked faces whose sharpness lies in [<paramref name="From"/>, <paramref name="To"/>).</summary>
/// <param name="From">Lower bound, included.</param>
/// <param name="To">Upper bound, excluded; null for no bound.</param>
/// <param name="Faces">Faces checked in the band.</param>
/// <param name="Refused">Of those, faces the gate refused (for any check).</param>
/// <param name="Recognised">Of those with a second photo, how many were recognised from it.</param>
/// <param name="FalseMatches">These faces against every other identity's second photo: impostor pairs, and how many reached the threshold.</param>
public sealed record QualityAuditSharpnessBand(double From, double? To, int Faces, int Refused, QualityAuditMatches Recognised, QualityAuditMatches FalseMatches);

/// <summary>
/// Whether the faces the gate checked are still recognised: each first photo's face (the largest, as enrollment takes it,
/// whatever the gate said) against the largest face of the identity's second photo, matched when the cosine reaches the
/// backbone's FAR 1e-3 threshold; and against the second photo of every other identity, counting false matches at the same
/// threshold. A gate that refuses faces recognised as often as the faces it accepts, and falsely matched no more often,
/// refuses usable references.
/// </summary>
/// <param name="Backbone">The backbone that described both photos.</param>
/// <param name="Threshold">The cosine a pair needs (<see cref="VerificationThresholds.AtFar1e3For"/>).</param>
/// <param name="Accepted">Pairs whose first photo the gate accepted.</param>
/// <param name="Refused">Pairs whose first photo the gate refused.</param>
/// <param name="ByIssue">Refused pairs by failed check (a face can fail several).</param>
/// <param name="SharpnessBands">Every checked face by sharpness band, lowest first.</param>
/// <param name="AcceptedFalseMatches">Impostor pairs of accepted faces and their false matches.</param>
/// <param name="RefusedFalseMatches">Impostor pairs of refused faces and their false matches.</param>
public sealed record QualityAuditRecognition(
    string Backbone,
    double Threshold,
    QualityAuditMatches Accepted,
    QualityAuditMatches Refused,
    IReadOnlyDictionary<FaceQualityIssue, QualityAuditMatches> ByIssue,
    IReadOnlyList<QualityAuditSharpnessBand> SharpnessBands,
    QualityAuditMatches AcceptedFalseMatches,
    QualityAuditMatches RefusedFalseMatches);

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
    /// <param name="recognition">
    /// Also score each checked face against the identity's second photo (<see cref="QualityAuditRecognition"/>); needs a
    /// backbone with a measured FAR 1e-3 threshold.
    /// </param>
    /// <param name="condition">
    /// A degradation applied to each first photo only (<see cref="RobustnessConditions"/>, seed 1); the second photo stays as
    /// it is. With <paramref name="recognition"/>: how references degraded this way, accepted or refused by the gate, are
    /// still recognised from an ordinary photo.
    /// </param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="limit"/> is below 1.</exception>
    /// <exception cref="ArgumentException"><paramref name="recognition"/> on a backbone without a measured threshold.</exception>
    public static QualityAuditReport Run(FacePipeline pipeline, BenchDataset dataset, int? limit = null, IProgress<int>? progress = null, CancellationToken ct = default,
        bool recognition = false, RobustnessCondition condition = RobustnessCondition.None)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(dataset);
        if (limit is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(limit), limit, "The limit must be at least 1 identity.");
        }

        var threshold = recognition ? VerificationThresholds.AtFar1e3For(pipeline.Options.Backbone) : double.NaN;
        var photos = dataset.FirstAndSecondPhotos().Take(limit ?? int.MaxValue).ToArray();
        var scored = new List<Scored>();
        var seconds = new float[]?[photos.Length];
        var refusals = new List<QualityAuditRefusal>();
        var issueCounts = new Dictionary<FaceQualityIssue, int>();
        var yaws = new List<double>();
        var noFace = 0;
        using var decoder = condition == RobustnessCondition.None ? null : new ImageDecoder();
        for (var i = 0; i < photos.Length; i++)
        {
            ct.ThrowIfCancellationRequested();
            var (identity, photo, second) = photos[i];
            FaceAnalysis analysis;
            try
            {
                var bytes = File.ReadAllBytes(photo);
                analysis = condition == RobustnessCondition.None
                    ? pipeline.Analyze(bytes, QualityPurpose.Enrollment)
                    : pipeline.Analyze(RobustnessConditions.Apply(condition, decoder!.Decode(bytes), RobustnessConditions.RandomFor(1, photo), decoder), QualityPurpose.Enrollment);
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
                scored.Add(new Scored(i, face.Quality, face.Descriptor));
                seconds[i] = recognition && second is not null ? SecondDescriptor(pipeline, second) : null;
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
        return new QualityAuditReport(dataset.Root, pipeline.Options.Landmarks.ToString(), pipeline.Options.Quality, photos.Length, noFace, refusals, issueCounts, percentiles,
            recognition ? Summarise(pipeline.Options.Backbone, threshold, scored, seconds) : null, RobustnessConditions.Name(condition));
    }

    /// <summary>Sharpness band edges of <see cref="QualityAuditRecognition.SharpnessBands"/> (the default minimum is 80).</summary>
    public static IReadOnlyList<double> SharpnessEdges { get; } = [0, 40, 60, 70, 75, 80, 90, 100, 150];

    /// <summary>The descriptor of the second photo's largest face; null when it has none.</summary>
    private static float[]? SecondDescriptor(FacePipeline pipeline, string second)
    {
        try
        {
            return pipeline.Analyze(File.ReadAllBytes(second), QualityPurpose.Detection).Faces.OrderByDescending(f => f.Box.Width * f.Box.Height).FirstOrDefault()?.Descriptor;
        }
        catch (ImageRejectedException)
        {
            return null;
        }
    }

    private static double Cosine(float[] a, float[] b)
    {
        var sum = 0.0;
        for (var d = 0; d < a.Length; d++)
        {
            sum += a[d] * (double)b[d];
        }

        return sum;
    }

    /// <summary>A checked first face: its identity's index, the gate's verdict, its descriptor.</summary>
    private sealed record Scored(int Index, FaceQualityVerdict Verdict, float[] Descriptor);

    private static QualityAuditRecognition Summarise(string backbone, double threshold, List<Scored> scored, float[]?[] seconds)
    {
        // Per face: the genuine pair (null without a second photo) and the false matches against every other identity's second photo.
        var genuine = new bool?[scored.Count];
        var falseMatches = new QualityAuditMatches[scored.Count];
        Parallel.For(0, scored.Count, j =>
        {
            var face = scored[j];
            genuine[j] = seconds[face.Index] is { } own ? Cosine(face.Descriptor, own) >= threshold : null;
            var (pairs, matched) = (0, 0);
            for (var k = 0; k < seconds.Length; k++)
            {
                if (k != face.Index && seconds[k] is { } other)
                {
                    pairs++;
                    matched += Cosine(face.Descriptor, other) >= threshold ? 1 : 0;
                }
            }

            falseMatches[j] = new QualityAuditMatches(pairs, matched);
        });

        var accepted = new QualityAuditMatches(0, 0);
        var refused = new QualityAuditMatches(0, 0);
        var acceptedFalse = new QualityAuditMatches(0, 0);
        var refusedFalse = new QualityAuditMatches(0, 0);
        var byIssue = new Dictionary<FaceQualityIssue, QualityAuditMatches>();
        for (var j = 0; j < scored.Count; j++)
        {
            var verdict = scored[j].Verdict;
            if (verdict.IsAccepted)
            {
                acceptedFalse = acceptedFalse.Plus(falseMatches[j]);
            }
            else
            {
                refusedFalse = refusedFalse.Plus(falseMatches[j]);
            }

            if (genuine[j] is not { } m)
            {
                continue;
            }

            if (verdict.IsAccepted)
            {
                accepted = accepted.Add(m);
                continue;
            }

            refused = refused.Add(m);
            foreach (var issue in verdict.Issues)
            {
                byIssue[issue] = byIssue.GetValueOrDefault(issue, new QualityAuditMatches(0, 0)).Add(m);
            }
        }

        var bands = new List<QualityAuditSharpnessBand>();
        for (var b = 0; b < SharpnessEdges.Count; b++)
        {
            var from = SharpnessEdges[b];
            double? to = b + 1 < SharpnessEdges.Count ? SharpnessEdges[b + 1] : null;
            var inBand = Enumerable.Range(0, scored.Count)
                .Where(j => scored[j].Verdict.Measures.Sharpness >= from && (to is null || scored[j].Verdict.Measures.Sharpness < to)).ToArray();
            var recognised = new QualityAuditMatches(0, 0);
            var impostors = new QualityAuditMatches(0, 0);
            foreach (var j in inBand)
            {
                recognised = genuine[j] is { } m ? recognised.Add(m) : recognised;
                impostors = impostors.Plus(falseMatches[j]);
            }

            bands.Add(new QualityAuditSharpnessBand(from, to, inBand.Length, inBand.Count(j => !scored[j].Verdict.IsAccepted), recognised, impostors));
        }

        return new QualityAuditRecognition(backbone, threshold, accepted, refused, byIssue, bands, acceptedFalse, refusedFalse);
    }

    private static double Percentile(List<double> sorted, double q)
    {
        var position = q * (sorted.Count - 1);
        var lower = (int)Math.Floor(position);
        var upper = Math.Min(lower + 1, sorted.Count - 1);
        return sorted[lower] + ((position - lower) * (sorted[upper] - sorted[lower]));
    }
}
