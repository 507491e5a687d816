using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Mote.Core.Evaluation;
using Mote.Core.Population.Sampling;
using Mote.Core.Templates;
using Mote.Gallery;
using Mote.Gallery.Engine;
using Mote.Gallery.Evaluations;
using Mote.Gallery.Models;
using Mote.Gallery.Security;

namespace Mote.Cli.Commands;

/// <summary>
/// <c>mote evaluate</c>: the MOTE protocol side by side with vector templates (Core's <see cref="EvaluationRunner"/>),
/// writing report.json, report.md and PNG plots and recording the run in the Gallery; <c>mote evaluations list|show</c>
/// read recorded runs.
/// </summary>
internal static class EvaluateCommand
{
    public static Command Build(TextWriter output, TextWriter error)
    {
        var dataset = new Option<string>("--dataset") { Description = "Folder with images/<identity>/*.jpg and labels.csv (e.g. ../shared/datasets/lfw-dev).", Required = true };
        var outFolder = new Option<string?>("--out") { Description = "Folder for report.json, report.md and the plots (default: evaluations/<UTC time> under the current folder)." };
        var seed = new Option<int>("--seed") { Description = "Seed of every draw (default 1).", DefaultValueFactory = _ => 1 };
        var identities = new Option<int?>("--identities") { Description = "Evaluate only this many identities (seeded subset of those with ≥ 2 photos)." };
        var shares = new Option<string>("--sweep-shares") { Description = "Female shares of the balance sweep, comma-separated; 'none' skips it (default 0,0.25,0.5,0.75,1).", DefaultValueFactory = _ => "0,0.25,0.5,0.75,1" };
        var sweepIdentities = new Option<int>("--sweep-identities") { Description = "Identities re-enrolled per sweep setting, half female (default 200).", DefaultValueFactory = _ => 200 };
        var privacyPerClass = new Option<int>("--privacy-per-class") { Description = "Identities per gender retrained with width jitter for the privacy attack; 0 skips it (default 150).", DefaultValueFactory = _ => 150 };
        var noPrivacy = new Option<bool>("--no-privacy") { Description = "Skip the attribute-inference attacks." };
        var variationScale = new Option<double>("--variation-scale") { Description = "Factor on the synthetic residuals of the positives (default: the engine's).", DefaultValueFactory = _ => TrainingSetOptions.Engine.VariationScale };
        var hardNegatives = new Option<double>("--hard-negatives") { Description = "Share of synthetic negatives drawn as hard negatives near the reference, 0–1 (default: the engine's).", DefaultValueFactory = _ => TrainingSetOptions.Engine.HardNegativeShare };
        var positives = new Option<int>("--positives") { Description = "Synthetic positives per person (default 2000).", DefaultValueFactory = _ => 2000 };
        var negatives = new Option<int>("--negatives") { Description = "Synthetic negatives per person (default 4000).", DefaultValueFactory = _ => 4000 };
        var maxEpochs = new Option<int>("--max-epochs") { Description = "Training epochs at most (default: the engine's, 20; early stopping may end sooner).", DefaultValueFactory = _ => TemplateTrainerOptions.Engine.MaxEpochs };
        var weightDecay = new Option<double>("--weight-decay") { Description = "AdamW weight decay (default 5e-5).", DefaultValueFactory = _ => 5e-5 };
        var anchorScale = new Option<double?>("--anchor-scale") { Description = "Anchored model-templates: logit = scale·(cos(x, r) − anchor cosine) + g(x); 0 trains the paper's plain MLP (default: the engine's for the configured backbone)." };
        var anchorCosine = new Option<double?>("--anchor-cosine") { Description = "The cosine where the anchor term is zero (default: the engine's)." };
        var correctionCap = new Option<string?>("--correction-cap") { Description = "Cap the model-template's learned correction at this many logit units above its cosine anchor, or 'none' (default: the engine's)." };
        var parallel = new Option<int>("--parallel") { Description = "Concurrent trainings (default: the processor count).", DefaultValueFactory = _ => Environment.ProcessorCount };
        var cache = new Option<string?>("--cache") { Description = "Descriptor cache folder (default ~/.cache/mote/descriptors)." };
        var impostorDataset = new Option<string?>("--impostor-dataset") { Description = "A second dataset without identities (UTKFace style: images/<file> + labels.csv file,age,gender,ethnicity) for the impostor-only analysis by gender × ethnicity × age band." };
        var impostorTemplates = new Option<int>("--impostor-templates-per-cell") { Description = "Templates per gender × ethnicity × age-band cell of the impostor dataset (default 20).", DefaultValueFactory = _ => 20 };
        var noRecord = new Option<bool>("--no-record") { Description = "Do not record the run in the Gallery database." };
        var db = MoteCommand.DatabaseOption();
        var evaluate = new Command("evaluate", "Evaluate MOTE model-templates against vector templates on a dataset: accuracy, fairness, privacy, cost.")
        {
            dataset, outFolder, seed, identities, shares, sweepIdentities, privacyPerClass, noPrivacy, variationScale, hardNegatives, positives, negatives,
            maxEpochs, weightDecay, anchorScale, anchorCosine, correctionCap, parallel, cache, impostorDataset, impostorTemplates, noRecord, db,
        };
        evaluate.SetAction(async (parse, ct) => await GalleryCommand.RunAsync(parse.GetValue(db), error, async services =>
        {
            var total = Stopwatch.StartNew();
            var sweepShares = ParseShares(parse.GetValue(shares)!);
            var root = Path.GetFullPath(parse.GetValue(dataset)!);
            if (!Directory.Exists(root))
            {
                throw new GalleryException($"Dataset folder '{root}' does not exist.");
            }

            EvaluationDataset data;
            try
            {
                data = EvaluationDataset.Open(root, parse.GetValue(identities), parse.GetValue(seed));
            }
            catch (Exception e) when (e is DirectoryNotFoundException or ArgumentException or Mote.Core.Population.Labels.LabelFormatException)
            {
                throw new GalleryException(e.Message);
            }

            ImpostorDataset? impostors = null;
            if (parse.GetValue(impostorDataset) is { } impostorRoot)
            {
                try
                {
                    impostors = ImpostorDataset.Open(impostorRoot);
                }
                catch (Exception e) when (e is FileNotFoundException or ArgumentException or Mote.Core.Population.Labels.LabelFormatException)
                {
                    throw new GalleryException(e.Message);
                }
            }

            // The engine's trainer for the configured backbone, as enrollment trains on it: its measured anchor and the site's
            // Mote:Engine settings (the compact architecture, anchor, cap, jitter), which this ignored before (docs/scale.md).
            var galleryEngine = services.GetRequiredService<GalleryEngine>();
            var engineTrainer = galleryEngine.TrainerOptionsFor(galleryEngine.ConfiguredBackbone);
            var options = new EvaluationOptions
            {
                ImpostorTemplatesPerCell = Math.Max(1, parse.GetValue(impostorTemplates)),
                Seed = parse.GetValue(seed),
                SweepFemaleShares = sweepShares,
                SweepIdentities = parse.GetValue(sweepIdentities),
                PrivacyPerClass = parse.GetValue(privacyPerClass),
                Privacy = !parse.GetValue(noPrivacy),
                Parallelism = Math.Max(1, parse.GetValue(parallel)),
                TrainingSet = TrainingSetOptions.Engine with { Positives = parse.GetValue(positives), Negatives = parse.GetValue(negatives), VariationScale = parse.GetValue(variationScale), HardNegativeShare = parse.GetValue(hardNegatives) },
                Trainer = engineTrainer with
                {
                    MaxEpochs = parse.GetValue(maxEpochs),
                    WeightDecay = parse.GetValue(weightDecay),
                    AnchorScale = parse.GetValue(anchorScale) ?? engineTrainer.AnchorScale,
                    AnchorCosine = parse.GetValue(anchorCosine) ?? engineTrainer.AnchorCosine,
                    CorrectionCap = parse.GetValue(correctionCap) switch { null => engineTrainer.CorrectionCap, "none" => null, var v => double.Parse(v, CultureInfo.InvariantCulture) },
                },
            };
            var folder = Path.GetFullPath(parse.GetValue(outFolder) ?? Path.Combine("evaluations", TimeProvider.System.GetUtcNow().ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)));
            Directory.CreateDirectory(folder);

            var models = services.GetRequiredService<ModelPackService>();
            var modelPack = await ModelsCommand.WithProgressAsync(models, error, () => models.GetAsync(ct)).ConfigureAwait(false);
            var cacheFolder = parse.GetValue(cache) ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "mote", "descriptors");
            using var inputs = EvaluationInputs.Open(modelPack, services.GetRequiredService<GalleryEngine>(), cacheFolder);
            await error.WriteLineAsync(F($"{root}: {data.Identities.Count} identities with ≥ 2 photos ({data.PhotoCount} photos); descriptor cache {inputs.Cache.Path} ({inputs.Cache.Count} entries); {options.Parallelism} parallel trainings; load {LoadAverage()}")).ConfigureAwait(false);

            var commandLine = "mote " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1));
            var bar = new ProgressBar(error);
            var report = await Task.Run(() => inputs.Run(new EvaluationRunner(options), data, impostors, commandLine, GitCommit(), bar, ct), ct).ConfigureAwait(false);
            bar.Finish();

            await File.WriteAllTextAsync(Path.Combine(folder, "report.json"), EvaluationReportWriter.ToJson(report), ct).ConfigureAwait(false);
            await File.WriteAllTextAsync(Path.Combine(folder, "report.md"), EvaluationReportWriter.ToMarkdown(report), ct).ConfigureAwait(false);
            var plots = EvaluationPlots.Write(report, folder);
            if (!parse.GetValue(noRecord))
            {
                var id = await services.GetRequiredService<RecordEvaluationRun>().ExecuteAsync(Actor.Terminal(Environment.UserName), report, folder, ct).ConfigureAwait(false);
                await output.WriteLineAsync($"Recorded evaluation run {id}.").ConfigureAwait(false);
            }

            foreach (var r in report.Recognition)
            {
                await output.WriteLineAsync(F($"{r.Kind,-6} ROC-AUC {r.RocAuc:F5}  EER {r.Eer.Fmr:P2}  FNMR@FMR1e-3 {Pct(r.AtFmr1e3?.Fnmr)}  FNMR@FMR1e-4 {Pct(r.AtFmr1e4?.Fnmr)}")).ConfigureAwait(false);
            }

            if (report.PersonalThresholds is { } pt)
            {
                await output.WriteLineAsync(F($"model  synthetic per-person thresholds at FMR {pt.TargetFmr:G}: real FMR {pt.Fmr:P3} ({pt.Fmr / pt.TargetFmr:F1}x), FNMR {pt.Fnmr:P2}")).ConfigureAwait(false);
            }

            foreach (var c in report.CalibratedThresholds ?? [])
            {
                await output.WriteLineAsync(F($"{c.Kind,-6} calibrated thresholds ({c.Policy}) at FMR {c.TargetFmr:G}: real FMR {c.Fmr:P3} ({c.PooledRatio:F2}x), worst group {c.WorstGroupRatio:F2}x, FNMR {c.Fnmr:P2}, holds {c.Holds}; ")
                    + string.Join("  ", c.Groups.Where(g => g.Warning is null).Select(g => F($"{g.Group} FMR {g.Fmr.Value:P3} FNMR {g.Fnmr.Value:P2}")))).ConfigureAwait(false);
            }

            foreach (var f in report.Fairness)
            {
                await output.WriteLineAsync(F($"{f.Kind,-6} {f.Attribute,-9} FDR {f.Fdr:F4}  GARBE {f.Garbe:F4}  ") + string.Join("  ", f.Groups.Select(g => F($"{g.Group}: FMR {g.Fmr.Value:P3} FNMR {g.Fnmr.Value:P2}")))).ConfigureAwait(false);
            }

            foreach (var f in report.Impostors?.Results ?? [])
            {
                await output.WriteLineAsync(F($"impostors {f.Kind,-6} {f.Thresholds,-8} {f.Attribute}: FMR max/geo-mean {f.FmrMaxToGeometricMean:F2}, max/min {f.FmrMaxToMin:F1}; highest ") + string.Join(", ", f.Groups.Where(g => g.Warning is null).OrderByDescending(g => g.Fmr.Value).Take(3).Select(g => F($"{g.Group} {g.Fmr.Value:P3}")))).ConfigureAwait(false);
            }

            foreach (var a in report.Privacy)
            {
                await output.WriteLineAsync(F($"privacy {a.Attribute} from {a.Source}: accuracy {a.Accuracy:F3} ({a.AccuracyLow:F3}–{a.AccuracyHigh:F3}), chance {a.Chance:F3}, n {a.Samples}")).ConfigureAwait(false);
            }

            await output.WriteLineAsync("phases: " + string.Join(", ", report.PhaseSeconds.Select(p => F($"{p.Phase} {p.Seconds:F1} s")))).ConfigureAwait(false);
            await output.WriteLineAsync(F($"total wall time {total.Elapsed.TotalMinutes:F1} min (load {LoadAverage()}); wrote {folder}: report.json, report.md, {string.Join(", ", plots)}")).ConfigureAwait(false);
        }, ct).ConfigureAwait(false));
        return evaluate;
    }

    public static Command BuildRuns(TextWriter output, TextWriter error)
    {
        var db = MoteCommand.DatabaseOption();
        var list = new Command("list", "List recorded evaluation runs, newest first.") { db };
        list.SetAction(async (parse, ct) => await GalleryCommand.RunAsync(parse.GetValue(db), error, async services =>
        {
            var runs = await services.GetRequiredService<ListEvaluationRuns>().ExecuteAsync(Actor.Terminal(Environment.UserName), 50, ct).ConfigureAwait(false);
            foreach (var r in runs)
            {
                await output.WriteLineAsync(F($"{r.Id}  {r.FinishedUtc:yyyy-MM-dd HH:mm}  {Path.GetFileName(r.Dataset)}  {r.Identities} identities  FNMR@1e-3 model {Pct(r.ModelFnmrAtFmr1e3)} vector {Pct(r.VectorFnmrAtFmr1e3)}  gender FDR model {r.ModelGenderFdr:F4} vector {r.VectorGenderFdr:F4}  {r.WallSeconds / 60:F1} min")).ConfigureAwait(false);
            }

            if (runs.Count == 0)
            {
                await output.WriteLineAsync("No evaluation runs recorded.").ConfigureAwait(false);
            }
        }, ct).ConfigureAwait(false));
        var id = new Argument<string>("id") { Description = "The run's id (from `mote evaluations list`)." };
        var json = new Option<bool>("--json") { Description = "Write report.json instead of the Markdown tables." };
        var showDb = MoteCommand.DatabaseOption();
        var show = new Command("show", "Show a recorded evaluation run's report.") { id, json, showDb };
        show.SetAction(async (parse, ct) => await GalleryCommand.RunAsync(parse.GetValue(showDb), error, async services =>
        {
            var report = await services.GetRequiredService<ShowEvaluationRun>().ExecuteAsync(Actor.Terminal(Environment.UserName), parse.GetValue(id)!, ct).ConfigureAwait(false);
            await output.WriteLineAsync(parse.GetValue(json) ? EvaluationReportWriter.ToJson(report) : EvaluationReportWriter.ToMarkdown(report)).ConfigureAwait(false);
        }, ct).ConfigureAwait(false));
        var runsCommand = new Command("evaluations", "Recorded evaluation runs.");
        runsCommand.Subcommands.Add(list);
        runsCommand.Subcommands.Add(show);
        return runsCommand;
    }

    private static IReadOnlyList<double> ParseShares(string text)
    {
        if (string.Equals(text.Trim(), "none", StringComparison.OrdinalIgnoreCase))
        {
            return [];
        }

        var shares = new List<double>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out var share) || !(share >= 0 && share <= 1))
            {
                throw new GalleryException($"--sweep-shares: '{part}' is not a share between 0 and 1.");
            }

            shares.Add(share);
        }

        return shares;
    }

    private static string? GitCommit()
    {
        try
        {
            using var git = Process.Start(new ProcessStartInfo("git", "describe --always --dirty --abbrev=12")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = Mote.Gallery.Hosting.ContentRoot.Locate(),
            });
            if (git is null)
            {
                return null;
            }

            var text = git.StandardOutput.ReadToEnd().Trim();
            git.WaitForExit(5000);
            return git.ExitCode == 0 && text.Length > 0 ? text : null;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return null;
        }
    }

    private static string LoadAverage()
    {
        try
        {
            return File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
        }
        catch (IOException)
        {
            return "n/a";
        }
    }

    private static string Pct(double? value) => value is { } v ? v.ToString("P2", CultureInfo.InvariantCulture) : "–";

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    /// <summary>A one-line progress bar per phase on standard error (a new line when the phase changes).</summary>
    private sealed class ProgressBar(TextWriter error) : IProgress<EvaluationProgress>
    {
        private readonly Lock gate = new();
        private readonly Stopwatch clock = Stopwatch.StartNew();
        private string? phase;

        public void Report(EvaluationProgress value)
        {
            lock (gate)
            {
                if (value.Phase != phase)
                {
                    if (phase is not null)
                    {
                        error.WriteLine();
                    }

                    phase = value.Phase;
                }

                var width = 30;
                var filled = value.Total == 0 ? width : (int)Math.Round(width * (double)value.Done / value.Total);
                error.Write(F($"\r  {value.Phase,-28} [{new string('#', filled)}{new string('.', width - filled)}] {value.Done}/{value.Total}  {clock.Elapsed:mm\\:ss}   "));
            }
        }

        public void Finish()
        {
            lock (gate)
            {
                error.WriteLine();
            }
        }
    }
}
