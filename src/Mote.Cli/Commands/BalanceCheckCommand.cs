using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Mote.Core.Evaluation;
using Mote.Gallery;
using Mote.Gallery.Engine;
using Mote.Gallery.Evaluations;
using Mote.Gallery.Models;

namespace Mote.Cli.Commands;

/// <summary>
/// <c>mote balance-check</c>: does raising a group's negative weight lower a person's false-match rate against that group?
/// Trains each seeded identity's first photo with the engine's trainer and population pack, equal and with each of the
/// pack's 3 largest groups raised, and prints every case and the share that held (issue 17: ≥ 80 % of ≥ 50 × 3).
/// Exit code 0 when the share reaches --require, 1 otherwise (with the reason).
/// </summary>
internal static class BalanceCheckCommand
{
    public static Command Build(TextWriter output, TextWriter error)
    {
        var dataset = new Option<string>("--dataset") { Description = "Folder with images/<identity>/*.jpg (e.g. ../shared/datasets/lfw-dev).", Required = true };
        var identities = new Option<int>("--identities") { Description = "People checked (seeded subset of identities with ≥ 2 photos; default 50).", DefaultValueFactory = _ => 50 };
        var seed = new Option<int>("--seed") { Description = "Seed (default 1).", DefaultValueFactory = _ => 1 };
        var multiplier = new Option<double>("--multiplier") { Description = "The raised group's weight, in multiples of the equal weight (default 3).", DefaultValueFactory = _ => 3 };
        var require = new Option<double>("--require") { Description = "Share of cases that must hold (default 0.8).", DefaultValueFactory = _ => 0.8 };
        var parallel = new Option<int>("--parallel") { Description = "Concurrent trainings (default: the processor count).", DefaultValueFactory = _ => Environment.ProcessorCount };
        var cache = new Option<string?>("--cache") { Description = "Descriptor cache folder (default ~/.cache/mote/descriptors)." };
        var impostorDataset = new Option<string?>("--impostor-dataset") { Description = "Also check on real faces of each raised group: a UTKFace-style folder (file,age,gender,ethnicity labels)." };
        var realPerGroup = new Option<int>("--real-per-group") { Description = "Real faces per raised group, a seeded subset (default 1000).", DefaultValueFactory = _ => 1000 };
        var command = new Command("balance-check", "Check that raising a group's negative weight lowers a person's false-match rate against that group.")
        {
            dataset, identities, seed, multiplier, require, parallel, cache, impostorDataset, realPerGroup,
        };
        command.SetAction(async (parse, ct) => await GalleryCommand.RunAsync(null, error, async services =>
        {
            var data = EvaluationDataset.Open(Path.GetFullPath(parse.GetValue(dataset)!), parse.GetValue(identities), parse.GetValue(seed));
            var models = services.GetRequiredService<ModelPackService>();
            var modelPack = await ModelsCommand.WithProgressAsync(models, error, () => models.GetAsync(ct)).ConfigureAwait(false);
            var engine = services.GetRequiredService<GalleryEngine>();
            var cacheFolder = parse.GetValue(cache) ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "mote", "descriptors");
            using var inputs = EvaluationInputs.Open(modelPack, engine, cacheFolder);
            var references = new List<float[]>();
            foreach (var identity in data.Identities)
            {
                var bytes = await File.ReadAllBytesAsync(identity.Photos[0], ct).ConfigureAwait(false);
                var descriptor = inputs.Cache.GetOrAdd(bytes, photo => EvaluationRunner.BestFaceDescriptor(inputs.Pipeline, photo));

                if (descriptor is not null)
                {
                    references.Add(descriptor);
                }
            }

            Dictionary<string, float[][]>? real = null;
            if (parse.GetValue(impostorDataset) is { } impostorFolder)
            {
                real = await RealFacesAsync(ImpostorDataset.Open(impostorFolder), BalanceKnobCheck.LargestGroups(inputs.Pack, 3), parse.GetValue(realPerGroup), parse.GetValue(seed), inputs, error, ct).ConfigureAwait(false);
            }

            inputs.Cache.Flush();
            var progress = new Mote.Core.InlineProgress<(int Done, int Total)>(p => error.Write(F($"\r  people {p.Done}/{p.Total}   ")));
            var report = await Task.Run(() => BalanceKnobCheck.Run(references, inputs.Pack, engine.TrainerOptionsFor(inputs.Pack.BackboneId), engine.SamplingOptions, multiplier: parse.GetValue(multiplier),
                seed: parse.GetValue(seed), parallelism: parse.GetValue(parallel), progress: progress, realImpostors: real, ct: ct), ct).ConfigureAwait(false);
            await error.WriteLineAsync().ConfigureAwait(false);
            foreach (var c in report.Cases)
            {
                var realText = c.Real is { } r ? F($"  real FMR {r.BaselineFmr:P2} -> {r.RaisedFmr:P2} {(r.Lowered ? "lowered" : "NOT lowered")}") : "";
                await output.WriteLineAsync(F($"person {c.Person,3}  {c.Group,-20} FMR {c.BaselineFmr:P2} -> {c.RaisedFmr:P2}  mean logit {c.BaselineMeanLogit:F2} -> {c.RaisedMeanLogit:F2}  {(c.Lowered ? "lowered" : "NOT lowered")}{realText}")).ConfigureAwait(false);
            }

            foreach (var g in report.Groups)
            {
                var cases = report.Cases.Where(c => c.Group == g).ToArray();
                await output.WriteLineAsync(F($"{g}: lowered in {cases.Count(c => c.Lowered)} of {cases.Length}; median FMR {Median(cases.Select(c => c.BaselineFmr)):P2} -> {Median(cases.Select(c => c.RaisedFmr)):P2}")).ConfigureAwait(false);
                var realCases = cases.Where(c => c.Real is not null).Select(c => c.Real!).ToArray();
                if (realCases.Length > 0)
                {
                    await output.WriteLineAsync(F($"{g} on {realCases[0].Impostors} real faces: lowered in {realCases.Count(c => c.Lowered)} of {realCases.Length}; median FMR {Median(realCases.Select(c => c.BaselineFmr)):P2} -> {Median(realCases.Select(c => c.RaisedFmr)):P2}")).ConfigureAwait(false);
                }
            }

            await output.WriteLineAsync(F($"balance knob: raising a group's weight x{report.Multiplier} lowered the person's FMR against it (operating point {report.OperatingFmr:P0} of held-out synthetic impostors, {report.ImpostorsPerGroup} per group) in {report.Cases.Count(c => c.Lowered)} of {report.Cases.Count} cases ({report.LoweredShare:P1}) for {report.People} people; required {parse.GetValue(require):P0}")).ConfigureAwait(false);
            if (report.RealCases > 0)
            {
                await output.WriteLineAsync(F($"on real faces of the raised group ({Path.GetFileName(Path.TrimEndingDirectorySeparator(parse.GetValue(impostorDataset)!))}): lowered in {report.Cases.Count(c => c.Real is { Lowered: true })} of {report.RealCases} cases ({report.RealLoweredShare:P1})")).ConfigureAwait(false);
            }

            if (report.LoweredShare < parse.GetValue(require))
            {
                throw new GalleryException(F($"The balance knob held in {report.LoweredShare:P1} of cases, below the required {parse.GetValue(require):P0}."));
            }

            if (report.RealCases > 0 && report.RealLoweredShare < parse.GetValue(require))
            {
                throw new GalleryException(F($"On real faces the balance knob held in {report.RealLoweredShare:P1} of cases, below the required {parse.GetValue(require):P0}."));
            }
        }, ct).ConfigureAwait(false));
        return command;
    }

    /// <summary>Unit descriptors of up to <paramref name="perGroup"/> seeded photos of each group whose labels match it exactly.</summary>
    private static async Task<Dictionary<string, float[][]>> RealFacesAsync(
        ImpostorDataset data, IReadOnlyList<Mote.Core.Population.DemographicGroup> groups, int perGroup, int seed, EvaluationInputs inputs, TextWriter error, CancellationToken ct)
    {
        var result = new Dictionary<string, float[][]>(StringComparer.Ordinal);
        foreach (var group in groups)
        {
            var photos = data.Photos.Where(p => string.Join("|", new[] { p.Gender, p.Ethnicity, p.AgeBand }.Where(x => x is not null)) == group.Id).ToArray();
            new Random(seed).Shuffle(photos);
            var faces = new List<float[]>();
            foreach (var photo in photos.Take(perGroup))
            {
                var bytes = await File.ReadAllBytesAsync(photo.Path, ct).ConfigureAwait(false);
                if (inputs.Cache.GetOrAdd(bytes, b => EvaluationRunner.BestFaceDescriptor(inputs.Pipeline, b)) is { } descriptor)
                {
                    faces.Add(Mote.Core.Faces.Descriptors.DescriptorMath.Normalize(descriptor));
                }
            }

            await error.WriteLineAsync(F($"  {group.Id}: {faces.Count} real faces")).ConfigureAwait(false);
            result[group.Id] = faces.ToArray();
        }

        return result;
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? 0 : sorted[sorted.Length / 2];
    }

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
