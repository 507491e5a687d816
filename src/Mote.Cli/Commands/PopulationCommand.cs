using Mote.Core;
using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Mote.Core.Population.Packs;
using Mote.Gallery;
using Mote.Gallery.Engine;

namespace Mote.Cli.Commands;

/// <summary><c>mote population build</c>: fit a population pack from labelled datasets with the configured backbone.</summary>
internal static class PopulationCommand
{
    public static Command Build(TextWriter output, TextWriter error)
    {
        var backbone = new Option<string?>("--backbone") { Description = $"Backbone id ({string.Join(", ", Mote.Core.Faces.Descriptors.FaceDescribers.Known)}); overrides Mote:Faces:Backbone for this run (default: the configured one)." };
        var identities = new Option<string>("--identities") { Description = "Dataset with identities (images/<identity>/*.jpg + labels.csv identity,images,gender,ethnicity).", Required = true };
        var negatives = new Option<string?>("--negatives") { Description = "Dataset for negatives (images/... + labels.csv file,age,gender,ethnicity); default: the identities dataset." };
        var kind = new Option<string>("--kind") { Description = "parametric (stores no person's vector; default) or kde (stores real descriptors).", DefaultValueFactory = _ => "parametric" };
        var outPath = new Option<string>("--out") { Description = "The pack file to write.", Required = true };
        var seed = new Option<int>("--seed") { Description = "Fitting seed (default 1).", DefaultValueFactory = _ => 1 };
        var limit = new Option<int?>("--limit") { Description = "Use at most this many images per dataset (for a quick trial)." };
        var db = MoteCommand.DatabaseOption();
        var build = new Command("build", "Describe every labelled image and fit the per-group densities of a population pack.")
        {
            backbone, identities, negatives, kind, outPath, seed, limit, db,
        };
        build.SetAction(async (parse, ct) => await GalleryCommand.RunAsync(parse.GetValue(db), error, async services =>
        {
            var engine = services.GetRequiredService<GalleryEngine>();
            var analyzer = await engine.GetAnalyzerAsync(ct).ConfigureAwait(false);
            await error.WriteLineAsync($"backbone {analyzer.Backbone.Id}").ConfigureAwait(false);
            var densityKind = parse.GetValue(kind)?.ToLowerInvariant() switch
            {
                "parametric" => PopulationDensityKind.Parametric,
                "kde" => PopulationDensityKind.Kde,
                var other => throw new GalleryException($"Unknown --kind '{other}': use parametric or kde."),
            };
            var commandLine = "mote " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1));
            var progress = new InlineProgress<PopulationBuildProgress>(p =>
                error.Write(string.Create(CultureInfo.InvariantCulture, $"\r  described {p.Done}/{p.Total} images ({p.NoFace} without a face)   ")));
            var result = await services.GetRequiredService<BuildPopulationPack>().ExecuteAsync(
                Path.GetFullPath(parse.GetValue(identities)!), parse.GetValue(negatives) is { } n ? Path.GetFullPath(n) : null,
                densityKind, parse.GetValue(seed), commandLine, progress, parse.GetValue(limit), ct).ConfigureAwait(false);
            await error.WriteLineAsync().ConfigureAwait(false);
            var target = Path.GetFullPath(parse.GetValue(outPath)!);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            PopulationPackFile.Save(result.Pack, target);
            await output.WriteLineAsync($"Wrote {target}: {result.Pack.Negatives.Count} negative groups, {result.Pack.Variation.Count} variation groups, " +
                $"from {result.Described} faces ({result.NoFace} images without a face, {result.Unreadable} unreadable); raw vectors stored: {(result.Pack.ContainsRawVectors ? "yes (KDE)" : "none")}.").ConfigureAwait(false);
            foreach (var skipped in result.Pack.Provenance.SkippedGroups)
            {
                await output.WriteLineAsync($"  left out {skipped.Purpose} group {skipped.GroupId}: {skipped.Reason}").ConfigureAwait(false);
            }
        }, ct, parse.GetValue(backbone) is { Length: > 0 } wanted ? new Dictionary<string, string?> { ["Mote:Faces:Backbone"] = wanted } : null).ConfigureAwait(false));
        var population = new Command("population", "Population packs: the per-group models synthetic samples are drawn from.");
        population.Subcommands.Add(build);
        population.Subcommands.Add(Calibrate(output, error));
        return population;
    }

    private static Command Calibrate(TextWriter output, TextWriter error)
    {
        var pack = new Option<string?>("--pack") { Description = "The pack to calibrate (default: the configured one)." };
        var people = new Option<string[]>("--people") { Description = "Dataset(s) of distinct people: from a dataset with identities only those with exactly one photo are used; from one without, every photo.", Required = true, AllowMultipleArgumentsPerToken = true };
        var outPath = new Option<string>("--out") { Description = "The calibrated pack file to write.", Required = true };
        var cache = new Option<string?>("--cache") { Description = "Descriptor cache folder (default ~/.cache/mote/descriptors)." };
        var templates = new Option<int>("--templates") { Description = "Model-templates to train (as enrollment does, with the engine's trainer) on about that many of the people (each most specific group its share, at least --group-floor or all of its members) and score on the rest, for the model-template calibration; 0 skips it (default 300).", DefaultValueFactory = _ => 300 };
        var floor = new Option<int>("--group-floor") { Description = "Model-templates at least per most specific group (or all of its members), so small groups get curves of their own (default 30).", DefaultValueFactory = _ => 30 };
        var seed = new Option<int>("--seed") { Description = "Seed of the template choice and trainings (default 1).", DefaultValueFactory = _ => 1 };
        var parallel = new Option<int>("--parallel") { Description = "Concurrent trainings (default: the processor count).", DefaultValueFactory = _ => Environment.ProcessorCount };
        var calibrate = new Command("calibrate", "Measure how often real strangers reach each cosine, per demographic group, and store those thresholds (scalars only) in the pack.")
        {
            pack, people, outPath, cache, templates, floor, seed, parallel,
        };
        calibrate.SetAction(async (parse, ct) => await GalleryCommand.RunAsync(null, error, async services =>
        {
            var engine = services.GetRequiredService<GalleryEngine>();
            var models = services.GetRequiredService<Mote.Gallery.Models.ModelPackService>();
            var modelPack = await ModelsCommand.WithProgressAsync(models, error, () => models.GetAsync(ct)).ConfigureAwait(false);
            var analyzer = await engine.GetAnalyzerAsync(ct).ConfigureAwait(false);
            var source = parse.GetValue(pack) is { Length: > 0 } path ? PopulationPackFile.Load(Path.GetFullPath(path)) : engine.GetPopulation(analyzer.Backbone);
            var cacheFolder = parse.GetValue(cache) ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "mote", "descriptors");
            var progress = new InlineProgress<(int Done, int Total)>(p =>
                error.Write(string.Create(CultureInfo.InvariantCulture, $"\r  described {p.Done}/{p.Total} people   ")));
            var result = await Task.Run(() => services.GetRequiredService<CalibratePopulationPack>().Execute(
                source, modelPack, parse.GetValue(people)!.Select(Path.GetFullPath).ToArray(), cacheFolder, progress, ct,
                parse.GetValue(templates), parse.GetValue(seed), parse.GetValue(parallel), parse.GetValue(floor)), ct).ConfigureAwait(false);
            await error.WriteLineAsync().ConfigureAwait(false);
            var target = Path.GetFullPath(parse.GetValue(outPath)!);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            PopulationPackFile.Save(result.Pack, target);
            await output.WriteLineAsync($"Wrote {target}: calibrated on {result.People} people ({result.NoFace} photos without a face).").ConfigureAwait(false);
            foreach (var calibration in new[] { result.Pack.Calibration, result.Pack.ModelCalibration }.OfType<Mote.Core.Population.Packs.RealImpostorCalibration>())
            {
                await output.WriteLineAsync($"{calibration.Unit} calibration{(calibration.Trainer is { } t ? $" (trainer: {t})" : "")}:").ConfigureAwait(false);
                foreach (var group in calibration.Groups)
                {
                    var at = Mote.Core.Population.Packs.RealImpostorCalibration.ThresholdAt(group, 1e-3);
                    await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                        $"  {group.Group,-24} {group.People,6} people {group.Pairs,12:N0} pairs  threshold at FMR 1e-3: {(at is { } c ? c.ToString("F4", CultureInfo.InvariantCulture) : "– (too few pairs)")}")).ConfigureAwait(false);
                }
            }
        }, ct).ConfigureAwait(false));
        return calibrate;
    }
}
