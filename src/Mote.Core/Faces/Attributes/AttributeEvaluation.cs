using System.Globalization;
using System.Text;
using Mote.Core.Imaging;

namespace Mote.Core.Faces.Attributes;

/// <summary>One labelled face chip of an attribute dataset (UTKFace layout).</summary>
/// <param name="File">File name inside the dataset's <c>images/</c> folder.</param>
/// <param name="AgeYears">True age in years.</param>
/// <param name="Gender">True gender in <see cref="AttributeVocabulary"/> words.</param>
/// <param name="Ethnicity">True ethnicity in <see cref="AttributeVocabulary"/> words.</param>
public sealed record AttributeSample(string File, double AgeYears, string Gender, string Ethnicity);

/// <summary>Accuracy of the estimates on one group of samples.</summary>
/// <param name="Group">Group name, e.g. <c>all</c>, <c>ethnicity=black</c>, <c>gender=female</c>, <c>age=60+</c>.</param>
/// <param name="Count">Samples in the group.</param>
/// <param name="GenderAccuracy">Share of samples whose estimated gender is the true one.</param>
/// <param name="EthnicityAccuracy">Share whose most probable ethnicity is the true one.</param>
/// <param name="AgeMeanAbsoluteError">Mean |estimated − true| age in years.</param>
/// <param name="AgeBandAccuracy">Share whose estimated age band is the band of the true age.</param>
public sealed record AttributeGroupMetrics(string Group, int Count, double GenderAccuracy, double EthnicityAccuracy, double AgeMeanAbsoluteError, double AgeBandAccuracy);

/// <summary>The figures of one attribute evaluation run.</summary>
/// <param name="Groups">Overall figures first (<c>all</c>), then per true ethnicity, gender and age band.</param>
/// <param name="EthnicityConfusion">Counts by [true, estimated] ethnicity, indexed like <see cref="AttributeVocabulary.Ethnicities"/>.</param>
/// <param name="GenderConfusion">Counts by [true, estimated] gender, indexed like <see cref="AttributeVocabulary.Genders"/>.</param>
/// <param name="AgeBandConfusion">Counts by [true, estimated] age band, indexed like <see cref="AttributeVocabulary.AgeBands"/>.</param>
/// <param name="Skipped">Files that could not be decoded, with the reason.</param>
public sealed record AttributeEvaluationResult(
    IReadOnlyList<AttributeGroupMetrics> Groups,
    int[,] EthnicityConfusion,
    int[,] GenderConfusion,
    int[,] AgeBandConfusion,
    IReadOnlyList<string> Skipped)
{
    /// <summary>The figures over all samples.</summary>
    public AttributeGroupMetrics Overall => Groups[0];

    /// <summary>Accuracy by the estimator's confidence for gender, ethnicity and age band, with the cutoff each needs to reach 0.90.</summary>
    public IReadOnlyList<AttributeConfidenceCurve> Confidence { get; init; } = [];

    /// <summary>A plain-text report: one table of group figures and the three confusion matrices.</summary>
    public string Format()
    {
        var text = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        text.AppendLine(c, $"{"group",-20} {"n",6} {"gender",7} {"ethn.",7} {"ageMAE",7} {"band",7}");
        foreach (var g in Groups)
        {
            text.AppendLine(c, $"{g.Group,-20} {g.Count,6} {g.GenderAccuracy,7:0.000} {g.EthnicityAccuracy,7:0.000} {g.AgeMeanAbsoluteError,7:0.00} {g.AgeBandAccuracy,7:0.000}");
        }

        AppendConfusion(text, "ethnicity (rows true, columns estimated)", AttributeVocabulary.Ethnicities, EthnicityConfusion);
        AppendConfusion(text, "gender (rows true, columns estimated)", AttributeVocabulary.Genders, GenderConfusion);
        AppendConfusion(text, "age band (rows true, columns estimated)", AttributeVocabulary.AgeBands, AgeBandConfusion);
        foreach (var curve in Confidence)
        {
            text.AppendLine().Append(curve.Format());
        }

        if (Skipped.Count > 0)
        {
            text.AppendLine().AppendLine(c, $"skipped {Skipped.Count}: {string.Join("; ", Skipped.Take(5))}");
        }

        return text.ToString();
    }

    private static void AppendConfusion(StringBuilder text, string title, IReadOnlyList<string> names, int[,] counts)
    {
        var c = CultureInfo.InvariantCulture;
        text.AppendLine().AppendLine(title);
        text.Append(c, $"{"",-9}");
        foreach (var n in names)
        {
            text.Append(c, $" {n,8}");
        }

        text.AppendLine();
        for (var i = 0; i < names.Count; i++)
        {
            text.Append(c, $"{names[i],-9}");
            for (var j = 0; j < names.Count; j++)
            {
                text.Append(c, $" {counts[i, j],8}");
            }

            text.AppendLine();
        }
    }
}

/// <summary>
/// Measures an attribute estimator on a labelled dataset laid out like UTKFace
/// (<c>labels.csv</c> with <c>file,age,gender,ethnicity</c> and <c>images/&lt;file&gt;</c>, each image one
/// aligned face chip). Without a detector each chip is used whole (the framing gear was trained on); with one,
/// the largest face the detector finds in the chip is estimated with <see cref="GearAttributeEstimator.Estimate"/>,
/// as enrollment estimates a face it found in a photo (chips where it finds none are skipped, and counted).
/// Reads the dataset only; writes nothing.
/// </summary>
public sealed class AttributeEvaluation
{
    /// <summary>The reason <see cref="AttributeEvaluationResult.Skipped"/> gives for a chip in which the detector found no face.</summary>
    public const string NoFace = "no face detected";

    private const int BatchSize = 32;
    private readonly GearAttributeEstimator _estimator;
    private readonly ImageDecoder _decoder;
    private readonly IFaceDetector? _detector;

    /// <summary>
    /// Creates an evaluation that runs <paramref name="estimator"/> on chips decoded with <paramref name="decoder"/>: whole
    /// chips when <paramref name="detector"/> is null, else the largest face it finds in each (none of them is owned).
    /// </summary>
    public AttributeEvaluation(GearAttributeEstimator estimator, ImageDecoder decoder, IFaceDetector? detector = null)
    {
        ArgumentNullException.ThrowIfNull(estimator);
        ArgumentNullException.ThrowIfNull(decoder);
        _estimator = estimator;
        _decoder = decoder;
        _detector = detector;
    }

    /// <summary>Whether faces are found by a detector (as enrollment sees them) rather than taken as whole chips.</summary>
    public bool DetectsFaces => _detector is not null;

    /// <summary>
    /// Reads <c>labels.csv</c> of the dataset at <paramref name="datasetDir"/>. Rows whose gender or
    /// ethnicity is not in <see cref="AttributeVocabulary"/> are refused.
    /// </summary>
    /// <exception cref="FileNotFoundException">No <c>labels.csv</c>.</exception>
    /// <exception cref="FormatException">A row is malformed (the message names the line).</exception>
    public static IReadOnlyList<AttributeSample> ReadLabels(string datasetDir)
    {
        var path = Path.Combine(datasetDir, "labels.csv");
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Attribute dataset labels '{path}' do not exist.", path);
        }

        var samples = new List<AttributeSample>();
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (lineNumber == 1 || line.Length == 0)
            {
                continue; // header
            }

            var parts = line.Split(',');
            if (parts.Length != 4
                || !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var age)
                || !AttributeVocabulary.Genders.Contains(parts[2])
                || !AttributeVocabulary.Ethnicities.Contains(parts[3]))
            {
                throw new FormatException($"{path}:{lineNumber}: expected 'file,age,gender,ethnicity' with gender in ({string.Join(", ", AttributeVocabulary.Genders)}) and ethnicity in ({string.Join(", ", AttributeVocabulary.Ethnicities)}); got '{line}'.");
            }

            samples.Add(new AttributeSample(parts[0], age, parts[2], parts[3]));
        }

        return samples;
    }

    /// <summary>
    /// Picks <paramref name="count"/> samples at random with <paramref name="seed"/> (all of them, in file
    /// order, when <paramref name="count"/> is null or not smaller than the set). <paramref name="samples"/> is not modified.
    /// </summary>
    public static IReadOnlyList<AttributeSample> Sample(IReadOnlyList<AttributeSample> samples, int? count, int seed)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (count is null || count >= samples.Count)
        {
            return samples;
        }

        var shuffled = samples.ToArray();
        new Random(seed).Shuffle(shuffled);
        return shuffled.Take(count.Value).ToArray();
    }

    /// <summary>
    /// Estimates every sample's chip from <c>images/</c> of <paramref name="datasetDir"/> and computes the figures;
    /// <paramref name="progress"/> hears the number of samples done after each batch.
    /// </summary>
    public AttributeEvaluationResult Run(string datasetDir, IReadOnlyList<AttributeSample> samples, CancellationToken cancellationToken = default, IProgress<int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (_detector is not null)
        {
            return RunDetected(datasetDir, samples, progress, cancellationToken);
        }

        var scored = new List<(AttributeSample Truth, AttributeEstimate Estimate)>(samples.Count);
        var skipped = new List<string>();
        foreach (var batch in samples.Chunk(BatchSize))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var images = new List<RgbImage>(batch.Length);
            var kept = new List<AttributeSample>(batch.Length);
            foreach (var sample in batch)
            {
                try
                {
                    images.Add(_decoder.Decode(File.ReadAllBytes(Path.Combine(datasetDir, "images", sample.File)), cancellationToken));
                    kept.Add(sample);
                }
                catch (Exception e) when (e is ImageRejectedException or IOException)
                {
                    skipped.Add($"{sample.File}: {e.Message}");
                }
            }

            var estimates = _estimator.EstimateCrops(images);
            for (var i = 0; i < kept.Count; i++)
            {
                scored.Add((kept[i], estimates[i]));
            }

            progress?.Report(scored.Count + skipped.Count);
        }

        return Summarise(scored, skipped);
    }

    private AttributeEvaluationResult RunDetected(string datasetDir, IReadOnlyList<AttributeSample> samples, IProgress<int>? progress, CancellationToken cancellationToken)
    {
        var scored = new List<(AttributeSample Truth, AttributeEstimate Estimate)>(samples.Count);
        var skipped = new List<string>();
        var done = 0;
        foreach (var sample in samples)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                var image = _decoder.Decode(File.ReadAllBytes(Path.Combine(datasetDir, "images", sample.File)), cancellationToken);
                // Enrollment lists faces largest first and picks the largest when one is not chosen (EnrollmentRequest.FaceIndex).
                var face = _detector!.Detect(image).OrderByDescending(f => f.Box.Width * f.Box.Height).FirstOrDefault();
                if (face is null)
                {
                    skipped.Add($"{sample.File}: {NoFace}");
                }
                else
                {
                    scored.Add((sample, _estimator.Estimate(image, face)));
                }
            }
            catch (Exception e) when (e is ImageRejectedException or IOException)
            {
                skipped.Add($"{sample.File}: {e.Message}");
            }

            if (++done % BatchSize == 0 || done == samples.Count)
            {
                progress?.Report(done);
            }
        }

        return Summarise(scored, skipped);
    }

    /// <summary>Computes the figures for already estimated samples (exposed so the arithmetic can be tested without a model).</summary>
    public static AttributeEvaluationResult Summarise(IReadOnlyList<(AttributeSample Truth, AttributeEstimate Estimate)> scored, IReadOnlyList<string> skipped)
    {
        ArgumentNullException.ThrowIfNull(scored);
        ArgumentNullException.ThrowIfNull(skipped);
        var groups = new List<AttributeGroupMetrics> { Metrics("all", scored) };
        groups.AddRange(AttributeVocabulary.Ethnicities.Select(e => Metrics($"ethnicity={e}", scored.Where(s => s.Truth.Ethnicity == e).ToArray())));
        groups.AddRange(AttributeVocabulary.Genders.Select(g => Metrics($"gender={g}", scored.Where(s => s.Truth.Gender == g).ToArray())));
        groups.AddRange(AttributeVocabulary.AgeBands.Select(b => Metrics($"age={b}", scored.Where(s => AttributeVocabulary.AgeBandOf(s.Truth.AgeYears) == b).ToArray())));
        return new AttributeEvaluationResult(
            groups,
            Confusion(scored, AttributeVocabulary.Ethnicities, s => s.Truth.Ethnicity, s => s.Estimate.Ethnicity),
            Confusion(scored, AttributeVocabulary.Genders, s => s.Truth.Gender, s => s.Estimate.Gender),
            Confusion(scored, AttributeVocabulary.AgeBands, s => AttributeVocabulary.AgeBandOf(s.Truth.AgeYears), s => s.Estimate.AgeBand),
            skipped)
        {
            Confidence = AttributeConfidenceCurve.Of(scored),
        };
    }

    private static AttributeGroupMetrics Metrics(string name, IReadOnlyList<(AttributeSample Truth, AttributeEstimate Estimate)> group)
    {
        if (group.Count == 0)
        {
            return new AttributeGroupMetrics(name, 0, double.NaN, double.NaN, double.NaN, double.NaN);
        }

        return new AttributeGroupMetrics(
            name,
            group.Count,
            group.Average(s => s.Truth.Gender == s.Estimate.Gender ? 1.0 : 0.0),
            group.Average(s => s.Truth.Ethnicity == s.Estimate.Ethnicity ? 1.0 : 0.0),
            group.Average(s => Math.Abs(s.Truth.AgeYears - s.Estimate.AgeYears)),
            group.Average(s => AttributeVocabulary.AgeBandOf(s.Truth.AgeYears) == s.Estimate.AgeBand ? 1.0 : 0.0));
    }

    private static int[,] Confusion(
        IReadOnlyList<(AttributeSample Truth, AttributeEstimate Estimate)> scored,
        IReadOnlyList<string> names,
        Func<(AttributeSample Truth, AttributeEstimate Estimate), string> truth,
        Func<(AttributeSample Truth, AttributeEstimate Estimate), string> estimate)
    {
        var counts = new int[names.Count, names.Count];
        foreach (var s in scored)
        {
            counts[IndexOf(names, truth(s)), IndexOf(names, estimate(s))]++;
        }

        return counts;
    }

    private static int IndexOf(IReadOnlyList<string> names, string name)
    {
        for (var i = 0; i < names.Count; i++)
        {
            if (names[i] == name)
            {
                return i;
            }
        }

        throw new ArgumentException($"'{name}' is not one of {string.Join(", ", names)}.", nameof(name));
    }
}
