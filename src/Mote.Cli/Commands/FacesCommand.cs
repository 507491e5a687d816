using Mote.Core;
using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Mote.Core.Faces;
using Mote.Core.Faces.Benchmark;
using Mote.Core.Faces.Descriptors;
using Mote.Core.Faces.Pipeline;
using Mote.Core.Faces.Quality;
using Mote.Core.Imaging;
using Mote.Core.Models;
using Mote.Gallery;
using Mote.Gallery.Errors;
using Mote.Gallery.Engine;
using Mote.Gallery.Models;
using Mote.Gallery.People;

namespace Mote.Cli.Commands;

/// <summary>
/// <c>mote faces detect|compare|bench|quality-audit</c>: engine tools over <see cref="FacePipeline"/> and
/// <see cref="FaceBench"/> (the logic lives in Core; these commands only parse, call and print).
/// </summary>
internal static class FacesCommand
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static Command Build(TextWriter output, TextWriter error)
    {
        var faces = new Command("faces", "Detect, compare and benchmark faces with the model pack.");
        faces.Subcommands.Add(BuildDetect(output, error));
        faces.Subcommands.Add(BuildCompare(output, error));
        faces.Subcommands.Add(BuildBench(output, error));
        faces.Subcommands.Add(BuildQualityAudit(output, error));
        return faces;
    }

    private static Option<string> BackboneOption() => new("--backbone")
    {
        Description = $"Backbone: {string.Join(", ", FaceDescribers.Known)} (default {FaceDescribers.Default}; custom: the model under {CustomModelOptions.SectionName}).",
        DefaultValueFactory = _ => FaceDescribers.Default,
    };

    private static Option<LandmarkSource> LandmarksOption() => new("--landmarks")
    {
        Description = "Alignment landmarks: Landmark68 (68-point net, default) or BlazeFace (detector keypoints).",
        DefaultValueFactory = _ => LandmarkSource.Landmark68,
    };

    private static Command BuildDetect(TextWriter output, TextWriter error)
    {
        var image = new Argument<string>("image") { Description = "A JPEG or PNG photo." };
        var json = new Option<bool>("--json") { Description = "Write JSON." };
        var backbone = BackboneOption();
        var landmarks = LandmarksOption();
        var db = MoteCommand.DatabaseOption();
        var detect = new Command("detect", "Find the faces in a photo: box, detector score, landmarks, quality verdict (and estimated attributes when an estimator is installed).")
        {
            image, json, backbone, landmarks, db,
        };
        detect.SetAction(async (parse, ct) => await RunAsync(parse.GetValue(db), output, error, Options(parse.GetValue(backbone)!, parse.GetValue(landmarks)), async (pipeline, services) =>
        {
            var path = parse.GetValue(image)!;
            var decoded = DecodeFile(pipeline, path, out var bytes);
            var analysis = pipeline.Analyze(bytes);
            var estimator = services.GetService<IAttributeEstimator>();
            var faces = analysis.Faces.Select((f, i) => new
            {
                index = i,
                box = new { x = f.Box.X, y = f.Box.Y, width = f.Box.Width, height = f.Box.Height },
                score = f.Score,
                landmarks = f.Landmarks.ToArray().Select(p => new[] { p.X, p.Y }).ToArray(),
                keypoints = f.Detection.Keypoints.Select(p => new[] { p.X, p.Y }).ToArray(),
                quality = new { accepted = f.Quality.IsAccepted, issues = f.Quality.Issues.Select(x => x.ToString()).ToArray(), reasons = f.Quality.Reasons, measures = f.Quality.Measures },
                attributes = estimator?.Estimate(decoded, f.Detection),
            }).ToArray();
            if (parse.GetValue(json))
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(new { image = path, width = analysis.Width, height = analysis.Height, faces }, Json)).ConfigureAwait(false);
                return 0;
            }

            await output.WriteLineAsync($"{path}: {analysis.Width}x{analysis.Height}, {Counted.Of(faces.Length, "face")}").ConfigureAwait(false);
            foreach (var f in analysis.Faces)
            {
                var verdict = f.Quality.IsAccepted ? "quality ok" : $"quality rejected: {string.Join(" ", f.Quality.Reasons)}";
                await output.WriteLineAsync(F($"  box ({f.Box.X:F0}, {f.Box.Y:F0}) {f.Box.Width:F0}x{f.Box.Height:F0}  score {f.Score:F2}  eyes ({f.Landmarks.LeftEye.X:F0}, {f.Landmarks.LeftEye.Y:F0}) ({f.Landmarks.RightEye.X:F0}, {f.Landmarks.RightEye.Y:F0})  {verdict}")).ConfigureAwait(false);
            }

            return 0;
        }, ct).ConfigureAwait(false));
        return detect;
    }

    private static Command BuildCompare(TextWriter output, TextWriter error)
    {
        var a = new Argument<string>("imageA") { Description = "First photo." };
        var b = new Argument<string>("imageB") { Description = "Second photo." };
        var json = new Option<bool>("--json") { Description = "Write JSON." };
        var backbone = BackboneOption();
        var landmarks = LandmarksOption();
        var db = MoteCommand.DatabaseOption();
        var compare = new Command("compare", "Cosine similarity of the best face in each photo, and the decision at the backbone's benchmark threshold.")
        {
            a, b, json, backbone, landmarks, db,
        };
        compare.SetAction(async (parse, ct) => await RunAsync(parse.GetValue(db), output, error, Options(parse.GetValue(backbone)!, parse.GetValue(landmarks)), async (pipeline, services) =>
        {
            var first = BestFace(pipeline, parse.GetValue(a)!);
            var second = BestFace(pipeline, parse.GetValue(b)!);
            var similarity = DescriptorMath.Cosine(first.Descriptor, second.Descriptor);
            var threshold = pipeline.Options.Backbone == FaceDescribers.Custom
                ? services.GetRequiredService<CustomModelSettings>().Options.Threshold
                    ?? throw new GalleryException($"No decision threshold is set for your model: run `mote faces bench --backbone custom` and set {CustomModelOptions.SectionName}:{nameof(CustomModelOptions.Threshold)} to its best threshold.")
                : VerificationThresholds.For(pipeline.Describer.BackboneId);
            var same = similarity >= threshold;
            if (parse.GetValue(json))
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(new { similarity, threshold, samePerson = same, backbone = pipeline.Describer.BackboneId }, Json)).ConfigureAwait(false);
            }
            else
            {
                await output.WriteLineAsync(F($"similarity {similarity:F4} (threshold {threshold:F3}, {pipeline.Describer.BackboneId}): {(same ? "same person" : "different people")}")).ConfigureAwait(false);
            }

            return 0;
        }, ct).ConfigureAwait(false));
        return compare;
    }

    private static Command BuildBench(TextWriter output, TextWriter error)
    {
        var dataset = new Option<string>("--dataset") { Description = "Folder holding images/<identity>/*.jpg (e.g. ../shared/datasets/lfw-dev).", Required = true };
        var pairs = new Option<int>("--pairs") { Description = "Genuine pairs to draw; as many impostor pairs. Default 3000.", DefaultValueFactory = _ => 3000 };
        var seed = new Option<int>("--seed") { Description = "Seed of the pair draw. Default 1.", DefaultValueFactory = _ => 1 };
        var json = new Option<bool>("--json") { Description = "Write the report as JSON (progress goes to standard error)." };
        var backbone = BackboneOption();
        var landmarks = LandmarksOption();
        var condition = new Option<string>("--condition")
        {
            Description = $"Robustness condition applied to every photo (seeded): {string.Join(", ", Enum.GetValues<RobustnessCondition>().Select(RobustnessConditions.Name))}, or all (the photos as they are, then each condition). Default none.",
            DefaultValueFactory = _ => RobustnessConditions.Name(RobustnessCondition.None),
        };
        var db = MoteCommand.DatabaseOption();
        var bench = new Command("bench", "Verification benchmark: 10-fold accuracy, TAR at FAR 1e-3, FNMR at FMR 1e-4, failure to detect, latency, memory.")
        {
            dataset, pairs, seed, json, backbone, landmarks, condition, db,
        };
        bench.SetAction(async (parse, ct) => await RunAsync(parse.GetValue(db), output, error, Options(parse.GetValue(backbone)!, parse.GetValue(landmarks)), async (pipeline, _) =>
        {
            var asJson = parse.GetValue(json);
            var log = asJson ? error : output;
            var data = BenchDataset.Open(Path.GetFullPath(parse.GetValue(dataset)!));
            await log.WriteLineAsync($"{data.Root}: {data.IdentityCount} identities, {data.PhotoCount} photos; backbone {pipeline.Describer.BackboneId}, landmarks {pipeline.Options.Landmarks}").ConfigureAwait(false);
            var progress = new InlineProgress<BenchProgress>(p => log.WriteLine(F($"  {p.ImagesDone}/{p.ImagesTotal} photos  managed {p.ManagedBytes / 1048576.0:F1} MiB  process RSS {p.ProcessBytes / 1048576.0:F0} MiB")));
            var wanted = parse.GetValue(condition)!;
            var conditions = string.Equals(wanted, "all", StringComparison.OrdinalIgnoreCase)
                ? [RobustnessCondition.None, .. RobustnessConditions.All]
                : new[] { RobustnessConditions.Parse(wanted) };
            var reports = new List<FaceBenchReport>();
            foreach (var c in conditions)
            {
                await log.WriteLineAsync($"condition {RobustnessConditions.Name(c)}").ConfigureAwait(false);
                var report = await Task.Run(() => FaceBench.Run(pipeline, data, parse.GetValue(pairs), parse.GetValue(seed), progress, 500, ct, c), ct).ConfigureAwait(false);
                reports.Add(report);
                if (!asJson)
                {
                    await WriteReportAsync(output, report).ConfigureAwait(false);
                }
            }

            if (asJson)
            {
                await output.WriteLineAsync(JsonSerializer.Serialize<object>(reports.Count == 1 ? reports[0] : reports, Json)).ConfigureAwait(false);
                return 0;
            }

            if (reports.Count > 1)
            {
                await output.WriteLineAsync("summary: condition | scoring | accuracy | TAR@FAR1e-3 | FNMR@FMR1e-4 | median ms/photo").ConfigureAwait(false);
                foreach (var r in reports)
                {
                    await output.WriteLineAsync(F($"  {r.Condition} | {r.BackboneId} | {r.Accuracy.Mean:F4} | {r.TarAtFar1e3.TrueAcceptRate:F3} | {1 - r.FnmrAtFmr1e4.TrueAcceptRate:F3} | {r.MedianTotalMs:F1}")).ConfigureAwait(false);
                    foreach (var d in r.Derived)
                    {
                        await output.WriteLineAsync(F($"  {r.Condition} | {d.Name} | {d.Accuracy.Mean:F4} | {d.TarAtFar1e3.TrueAcceptRate:F3} | {1 - d.FnmrAtFmr1e4.TrueAcceptRate:F3} | {d.MedianTotalMs:F1}")).ConfigureAwait(false);
                    }
                }
            }

            return 0;
        }, ct).ConfigureAwait(false));
        return bench;
    }

    private static async Task WriteReportAsync(TextWriter output, FaceBenchReport report)
    {
        await output.WriteLineAsync(F($"condition {report.Condition}; pairs: {report.GenuinePairs} genuine + {report.ImpostorPairs} impostor (seed {report.Seed}), {report.Images} photos")).ConfigureAwait(false);
        await output.WriteLineAsync(F($"accuracy (10-fold): {report.Accuracy.Mean:F4} ± {report.Accuracy.StandardDeviation:F4}  (best threshold over all pairs {report.BestThreshold:F3})")).ConfigureAwait(false);
        await output.WriteLineAsync(F($"TAR at FAR 1e-3: {report.TarAtFar1e3.TrueAcceptRate:F4}  (threshold {report.TarAtFar1e3.Threshold:F3})")).ConfigureAwait(false);
        await output.WriteLineAsync(F($"FNMR at FMR 1e-4: {1 - report.FnmrAtFmr1e4.TrueAcceptRate:F4}  (threshold {report.FnmrAtFmr1e4.Threshold:F3}, {report.ImpostorPairs} impostor pairs)")).ConfigureAwait(false);
        await output.WriteLineAsync(F($"failure to detect: {report.FailedToDetect} of {report.Images} ({report.FailureToDetectRate:P2})")).ConfigureAwait(false);
        await output.WriteLineAsync(F($"median per photo: {report.MedianTotalMs:F1} ms total, {report.MedianInferenceMs:F1} ms ONNX inference, overhead {report.OverheadOfInference:P0} of inference")).ConfigureAwait(false);
        await output.WriteLineAsync(F($"CPU time per photo (all threads): {report.CpuMsPerPhoto:F1} ms")).ConfigureAwait(false);
        await output.WriteLineAsync("median per stage: " + string.Join(", ", report.MedianStageMs.Select(kv => F($"{kv.Key} {kv.Value:F1} ms")))).ConfigureAwait(false);
        foreach (var d in report.Derived)
        {
            await output.WriteLineAsync(F($"  {d.Name} on the same pairs: accuracy {d.Accuracy.Mean:F4} ± {d.Accuracy.StandardDeviation:F4} (best threshold {d.BestThreshold:F3}), TAR at FAR 1e-3 {d.TarAtFar1e3.TrueAcceptRate:F4}, FNMR at FMR 1e-4 {1 - d.FnmrAtFmr1e4.TrueAcceptRate:F4}, median {d.MedianTotalMs:F1} ms/photo (estimated)")).ConfigureAwait(false);
        }
    }

    private static Command BuildQualityAudit(TextWriter output, TextWriter error)
    {
        var dataset = new Option<string>("--dataset") { Description = "Folder holding images/<identity>/*.jpg (e.g. ../shared/datasets/lfw-dev).", Required = true };
        var limit = new Option<int?>("--limit") { Description = "Check only the first N identities (ordinal order). Default: all." };
        var json = new Option<bool>("--json") { Description = "Write the report as JSON (progress goes to standard error)." };
        var landmarks = LandmarksOption();
        var backbone = BackboneOption();
        var recognition = new Option<bool>("--recognition")
        {
            Description = "Also score each first photo's face against the identity's second photo at the backbone's FAR 1e-3 threshold: are refused faces recognised less often than accepted ones? (by check and by sharpness band)",
        };
        var condition = new Option<string>("--condition")
        {
            Description = $"Degrade each first photo (only; the second photo stays as it is) before the gate: {string.Join(", ", Enum.GetValues<RobustnessCondition>().Select(RobustnessConditions.Name))}. Default none. With --recognition: are degraded references the gate accepts still recognised?",
            DefaultValueFactory = _ => RobustnessConditions.Name(RobustnessCondition.None),
        };
        var db = MoteCommand.DatabaseOption();
        var audit = new Command("quality-audit", "Run the enrollment quality gate on the first photo of every identity (largest face, as enrollment takes it): refusal rate and every refused photo with its reasons.")
        {
            dataset, limit, json, landmarks, backbone, recognition, condition, db,
        };
        audit.SetAction(async (parse, ct) => await RunAsync(parse.GetValue(db), output, error, Options(parse.GetValue(backbone)!, parse.GetValue(landmarks)), async (pipeline, _) =>
        {
            var asJson = parse.GetValue(json);
            var log = asJson ? error : output;
            var data = BenchDataset.Open(Path.GetFullPath(parse.GetValue(dataset)!));
            await log.WriteLineAsync($"{data.Root}: {data.IdentityCount} identities; landmarks {pipeline.Options.Landmarks}; backbone {pipeline.Options.Backbone}").ConfigureAwait(false);
            var progress = new InlineProgress<int>(n => log.WriteLine(F($"  {n} photos checked")));
            var degrade = RobustnessConditions.Parse(parse.GetValue(condition)!);
            var report = await Task.Run(() => QualityAudit.Run(pipeline, data, parse.GetValue(limit), progress, ct, parse.GetValue(recognition), degrade), ct).ConfigureAwait(false);
            if (asJson)
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(report, Json)).ConfigureAwait(false);
                return 0;
            }

            var q = report.Options;
            await output.WriteLineAsync(F($"first photos: condition {report.Condition}; gate: face ≥ {q.MinFaceWidthForEnrollment:0} px, detector score ≥ {q.MinDetectorScore:0.00}, |roll| ≤ {q.MaxRollDegrees:0}°, |yaw| ≤ {q.MaxYawDegrees:0}°, sharpness ≥ {q.MinSharpness:0}")).ConfigureAwait(false);
            await output.WriteLineAsync(F($"refused: {report.Refusals.Count} of {report.Photos} first photos ({report.RefusalRate:P2}); no face {report.NoFace}")).ConfigureAwait(false);
            await output.WriteLineAsync("by check: " + (report.IssueCounts.Count == 0 ? "none" : string.Join(", ", report.IssueCounts.OrderBy(kv => kv.Key).Select(kv => F($"{kv.Key} {kv.Value}"))))).ConfigureAwait(false);
            if (report.YawPercentiles.Count == 3)
            {
                await output.WriteLineAsync(F($"yaw of the faces checked: 2nd percentile {report.YawPercentiles[0]:F1}°, median {report.YawPercentiles[1]:F1}°, 98th percentile {report.YawPercentiles[2]:F1}°")).ConfigureAwait(false);
            }

            if (report.Recognition is { } rec)
            {
                await output.WriteLineAsync(F($"recognised from the second photo ({rec.Backbone}, cosine ≥ {rec.Threshold:0.000}, FAR 1e-3): accepted faces {Matches(rec.Accepted)}, refused faces {Matches(rec.Refused)}")).ConfigureAwait(false);
                await output.WriteLineAsync(F($"false matches against other identities' second photos: accepted faces {FalseMatches(rec.AcceptedFalseMatches)}, refused faces {FalseMatches(rec.RefusedFalseMatches)}")).ConfigureAwait(false);
                foreach (var (issue, matches) in rec.ByIssue.OrderBy(kv => kv.Key))
                {
                    await output.WriteLineAsync(F($"  refused for {issue}: {Matches(matches)}")).ConfigureAwait(false);
                }

                await output.WriteLineAsync("by sharpness: " + string.Join(", ", rec.SharpnessBands.Select(b =>
                    F($"[{b.From:0}, {(b.To is { } to ? to.ToString("0", CultureInfo.InvariantCulture) : "∞")}) {b.Faces} faces, {b.Refused} refused, recognised {Matches(b.Recognised)}, false matches {FalseMatches(b.FalseMatches)}")))).ConfigureAwait(false);
            }

            foreach (var r in report.Refusals)
            {
                await output.WriteLineAsync($"  {r.Photo}: {string.Join("; ", r.Reasons)}").ConfigureAwait(false);
            }

            return 0;
        }, ct).ConfigureAwait(false));
        return audit;
    }

    private static string Matches(QualityAuditMatches m) => m.Pairs == 0 ? "no pairs" : F($"{m.Matched}/{m.Pairs} ({m.Rate:P1})");

    private static string FalseMatches(QualityAuditMatches m) => m.Pairs == 0 ? "no pairs" : F($"{m.Matched}/{m.Pairs} ({m.Rate:P3})");

    private static FacePipelineOptions Options(string backbone, LandmarkSource landmarks) => new() { Backbone = backbone, Landmarks = landmarks };

    private static RgbImage DecodeFile(FacePipeline pipeline, string path, out byte[] bytes)
    {
        bytes = PhotoFiles.Read(path);
        using var decoder = new ImageDecoder(PhotoPolicy.DecoderOptions);
        return decoder.Decode(bytes);
    }

    private static FaceResult BestFace(FacePipeline pipeline, string path)
    {
        DecodeFile(pipeline, path, out var bytes);
        try
        {
            return pipeline.DescribeBestFace(bytes);
        }
        catch (FaceNotFoundException e)
        {
            throw new FaceNotFoundException(e.Reason, $"{path}: {e.Message}", e.Verdict);
        }
    }

    /// <summary>Opens the Gallery services, provisions the pack, builds a pipeline and runs the action; input problems print a message and exit 1.</summary>
    private static async Task<int> RunAsync(string? databasePath, TextWriter output, TextWriter error, FacePipelineOptions options, Func<FacePipeline, IServiceProvider, Task<int>> action, CancellationToken ct)
    {
        try
        {
            var provider = await CliServices.OpenAsync(databasePath, ct).ConfigureAwait(false);
            await using (provider.ConfigureAwait(false))
            {
                var service = provider.GetRequiredService<ModelPackService>();
                var pack = await ModelsCommand.WithProgressAsync(service, error, () => service.GetAsync(ct)).ConfigureAwait(false);
                using var sessions = new OnnxSessionFactory();
                using var pipeline = new FacePipeline(options, pack, sessions, custom: provider.GetRequiredService<CustomModelSettings>().Factory(sessions));
                return await action(pipeline, provider).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (GalleryErrors.IsRefusal(e) || e is ImageRejectedException or FaceNotFoundException or FileNotFoundException or DirectoryNotFoundException or ArgumentException or InvalidOperationException)
        {
            await error.WriteLineAsync(e.Message).ConfigureAwait(false);
            return 1;
        }
    }

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
