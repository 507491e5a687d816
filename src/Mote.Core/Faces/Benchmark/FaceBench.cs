using System.Diagnostics;
using Mote.Core.Faces.Descriptors;
using Mote.Core.Faces.Pipeline;
using Mote.Core.Imaging;

namespace Mote.Core.Faces.Benchmark;

/// <summary>Progress of a bench run, with memory figures so a long run shows whether memory stays flat.</summary>
/// <param name="ImagesDone">Photos processed so far.</param>
/// <param name="ImagesTotal">Photos to process.</param>
/// <param name="ManagedBytes">Managed heap after a collection.</param>
/// <param name="ProcessBytes">Process working set (RSS).</param>
public readonly record struct BenchProgress(int ImagesDone, int ImagesTotal, long ManagedBytes, long ProcessBytes);

/// <summary>Everything a bench run measured.</summary>
/// <param name="Dataset">Dataset folder.</param>
/// <param name="BackboneId">Backbone.</param>
/// <param name="Landmarks">Landmark source.</param>
/// <param name="Seed">Seed of the pair draw.</param>
/// <param name="GenuinePairs">Genuine pairs drawn.</param>
/// <param name="ImpostorPairs">Impostor pairs drawn.</param>
/// <param name="Images">Distinct photos processed.</param>
/// <param name="FailedToDetect">Photos in which no face was found (their pairs score −1: genuine ones count as errors).</param>
/// <param name="Accuracy">10-fold accuracy, threshold chosen on the other 9 folds.</param>
/// <param name="BestThreshold">Accuracy-maximising cosine threshold over all pairs (the decision threshold for <c>faces compare</c>).</param>
/// <param name="TarAtFar1e3">TAR at FAR 1e-3.</param>
/// <param name="MedianTotalMs">Median per-photo decode + detect + landmarks + align + describe.</param>
/// <param name="MedianInferenceMs">Median per-photo time inside ONNX Runtime, same photos, same run.</param>
/// <param name="MedianStageMs">Median per stage: decode, detect, landmarks, align, describe.</param>
/// <param name="CpuMsPerPhoto">Process CPU time (all threads) over the photo loop divided by the photos: less disturbed than wall time when other processes share the cores.</param>
/// <param name="Condition">The robustness condition the photos were put under (<c>none</c> for the photos as they are).</param>
/// <param name="FnmrAtFmr1e4">False non-match rate at FMR 1e-4 (with fewer than 10,000 impostor pairs: above every impostor score).</param>
/// <param name="Derived">For a composite backbone, the same pairs scored by each part alone and by the mean of the parts' cosines (score-level fusion); empty otherwise.</param>
public sealed record FaceBenchReport(
    string Dataset,
    string BackboneId,
    string Landmarks,
    int Seed,
    int GenuinePairs,
    int ImpostorPairs,
    int Images,
    int FailedToDetect,
    FoldedAccuracy Accuracy,
    double BestThreshold,
    RateAtFar TarAtFar1e3,
    double MedianTotalMs,
    double MedianInferenceMs,
    IReadOnlyDictionary<string, double> MedianStageMs,
    double CpuMsPerPhoto,
    string Condition,
    RateAtFar FnmrAtFmr1e4,
    IReadOnlyList<DerivedBenchScores> Derived)
{
    /// <summary>Share of photos with no face found.</summary>
    public double FailureToDetectRate => Images == 0 ? 0 : FailedToDetect / (double)Images;

    /// <summary>Pipeline overhead (median total − median inference) as a share of median inference.</summary>
    public double OverheadOfInference => MedianInferenceMs <= 0 ? 0 : (MedianTotalMs - MedianInferenceMs) / MedianInferenceMs;
}

/// <summary>
/// Verification figures of one way of scoring the bench's pairs, derived from a composite backbone's run.
/// </summary>
/// <param name="Name">What was scored, e.g. <c>dlib-resnet</c> (a part alone) or <c>score-mean</c>.</param>
/// <param name="Accuracy">10-fold accuracy.</param>
/// <param name="BestThreshold">Accuracy-maximising threshold over all pairs.</param>
/// <param name="TarAtFar1e3">TAR at FAR 1e-3.</param>
/// <param name="FnmrAtFmr1e4">Its <see cref="RateAtFar.TrueAcceptRate"/> is the TAR at FMR 1e-4 (FNMR = 1 − TAR).</param>
/// <param name="MedianTotalMs">Estimated median per photo for this scoring alone: the run's total minus the other parts' own align and describe time (score-mean: the run's total).</param>
public sealed record DerivedBenchScores(string Name, FoldedAccuracy Accuracy, double BestThreshold, RateAtFar TarAtFar1e3, RateAtFar FnmrAtFmr1e4, double MedianTotalMs);

/// <summary>
/// Verification benchmark: draws genuine and impostor pairs with a seed from a dataset, describes each
/// distinct photo once (best face, quality not required), scores pairs by cosine similarity and reports
/// 10-fold accuracy, TAR at FAR 1e-3, failure to detect and per-photo latency split into inference and
/// overhead. Runs photos one at a time on the calling thread so latencies are not disturbed by each other.
/// </summary>
public static class FaceBench
{
    /// <summary>Runs the benchmark.</summary>
    /// <param name="pipeline">The pipeline to measure (its backbone and landmark source are reported).</param>
    /// <param name="dataset">The dataset.</param>
    /// <param name="pairs">Genuine pairs to draw (as many impostor pairs are drawn).</param>
    /// <param name="seed">Seed of the draw.</param>
    /// <param name="progress">Receives progress every <paramref name="reportEvery"/> photos (memory measured then).</param>
    /// <param name="reportEvery">Photos between progress reports. Default 500.</param>
    /// <param name="cancellationToken">Stops between photos.</param>
    /// <param name="condition">Puts every photo under this robustness condition first (seeded by <paramref name="seed"/> and the file name);
    /// the photo is then analysed decoded, so its time has no decode stage. Default none.</param>
    public static FaceBenchReport Run(FacePipeline pipeline, BenchDataset dataset, int pairs, int seed, IProgress<BenchProgress>? progress = null, int reportEvery = 500, CancellationToken cancellationToken = default, RobustnessCondition condition = RobustnessCondition.None)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(reportEvery);
        var drawn = dataset.DrawPairs(pairs, seed);
        var photos = drawn.SelectMany(p => new[] { p.A, p.B }).Distinct(StringComparer.Ordinal).ToArray();
        var descriptors = new Dictionary<string, float[]?>(StringComparer.Ordinal);
        var timings = new List<PipelineTimings>(photos.Length);
        var failed = 0;
        using var decoder = condition == RobustnessCondition.None ? null : new ImageDecoder();
        var cpuStart = CpuTime();
        for (var i = 0; i < photos.Length; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var bytes = File.ReadAllBytes(photos[i]);
            FaceAnalysis analysis;
            try
            {
                analysis = decoder is null
                    ? pipeline.Analyze(bytes)
                    : pipeline.Analyze(RobustnessConditions.Apply(condition, decoder.Decode(bytes), RobustnessConditions.RandomFor(seed, photos[i]), decoder));
            }
            catch (ImageRejectedException)
            {
                descriptors[photos[i]] = null;
                failed++;
                continue;
            }

            timings.Add(analysis.Timings);
            var best = analysis.BestFace(requireAccepted: false);
            descriptors[photos[i]] = best?.Descriptor;
            failed += best is null ? 1 : 0;
            if ((i + 1) % reportEvery == 0 || i + 1 == photos.Length)
            {
                progress?.Report(Memory(i + 1, photos.Length));
            }
        }

        var cpuMs = (CpuTime() - cpuStart).TotalMilliseconds / Math.Max(1, photos.Length);
        var scored = drawn.Select(p => new ScoredPair(Score(descriptors[p.A], descriptors[p.B]), p.Genuine)).ToList();
        Shuffle(scored, seed);
        var stages = new Dictionary<string, double>
        {
            ["decode"] = Median(timings.Select(t => t.DecodeMs)),
            ["detect"] = Median(timings.Select(t => t.DetectMs)),
            ["landmarks"] = Median(timings.Select(t => t.LandmarksMs)),
            ["align"] = Median(timings.Select(t => t.AlignMs)),
            ["describe"] = Median(timings.Select(t => t.DescribeMs)),
        };
        return new FaceBenchReport(
            dataset.Root,
            pipeline.Describer.BackboneId,
            pipeline.Options.Landmarks.ToString(),
            seed,
            drawn.Count(p => p.Genuine),
            drawn.Count(p => !p.Genuine),
            photos.Length,
            failed,
            VerificationProtocol.KFoldAccuracy(scored),
            VerificationProtocol.BestThreshold(scored),
            VerificationProtocol.TrueAcceptRateAt(scored, 1e-3),
            Median(timings.Select(t => t.TotalMs)),
            Median(timings.Select(t => t.InferenceMs)),
            stages,
            cpuMs,
            RobustnessConditions.Name(condition),
            VerificationProtocol.TrueAcceptRateAt(scored, 1e-4),
            pipeline.Describer is FusedFaceDescriber fused ? Derive(fused, drawn, descriptors, timings, seed) : []);
    }

    /// <summary>Each part of a fused backbone alone (its slice of the fused descriptor) and the mean of the parts' cosines, on the same pairs.</summary>
    private static List<DerivedBenchScores> Derive(FusedFaceDescriber fused, IReadOnlyList<PhotoPair> drawn, Dictionary<string, float[]?> descriptors, List<PipelineTimings> timings, int seed)
    {
        var parts = fused.PartIds.Count;
        var split = descriptors.ToDictionary(kv => kv.Key, kv => kv.Value is null ? null : Enumerable.Range(0, parts).Select(p => fused.Part(kv.Value, p)).ToArray(), StringComparer.Ordinal);
        var result = new List<DerivedBenchScores>();
        List<ScoredPair> Scored(Func<float[][], float[][], double> score)
        {
            var list = drawn.Select(p => new ScoredPair(split[p.A] is { } a && split[p.B] is { } b ? score(a, b) : -1, p.Genuine)).ToList();
            Shuffle(list, seed);
            return list;
        }

        DerivedBenchScores Figures(string name, List<ScoredPair> scored, double ms) => new(
            name, VerificationProtocol.KFoldAccuracy(scored), VerificationProtocol.BestThreshold(scored),
            VerificationProtocol.TrueAcceptRateAt(scored, 1e-3), VerificationProtocol.TrueAcceptRateAt(scored, 1e-4), ms);

        for (var p = 0; p < parts; p++)
        {
            var part = p;
            var alone = Median(timings.Select(t => t.TotalMs - (t.PartMs is { } ms ? ms.Where((_, i) => i != part).Sum() : 0)));
            result.Add(Figures(fused.PartIds[p], Scored((a, b) => DescriptorMath.Cosine(a[part], b[part])), alone));
        }

        result.Add(Figures("score-mean", Scored((a, b) => Enumerable.Range(0, parts).Average(i => DescriptorMath.Cosine(a[i], b[i]))), Median(timings.Select(t => t.TotalMs))));
        return result;
    }

    /// <summary>Cosine similarity, or −1 when either photo had no face.</summary>
    private static double Score(float[]? a, float[]? b) => a is null || b is null ? -1 : DescriptorMath.Cosine(a, b);

    /// <summary>The median (mean of the middle two for an even count); 0 for none.</summary>
    public static double Median(IEnumerable<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var sorted = values.OrderBy(v => v).ToArray();
        if (sorted.Length == 0)
        {
            return 0;
        }

        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    private static void Shuffle(List<ScoredPair> pairs, int seed)
    {
        // Folds are dealt in list order: shuffle so a fold is not all early (or all late) draws.
        var random = new Random(seed ^ 0x5eed);
        for (var i = pairs.Count - 1; i > 0; i--)
        {
            var j = random.Next(i + 1);
            (pairs[i], pairs[j]) = (pairs[j], pairs[i]);
        }
    }

    private static TimeSpan CpuTime()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }

    private static BenchProgress Memory(int done, int total)
    {
        var managed = GC.GetTotalMemory(forceFullCollection: true);
        using var process = Process.GetCurrentProcess();
        return new BenchProgress(done, total, managed, process.WorkingSet64);
    }
}
