using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Mote.Core;
using Mote.Core.Faces.Attributes;
using Mote.Core.Faces.Detection;
using Mote.Core.Faces.Pipeline;
using Mote.Core.Imaging;
using Mote.Core.Models;
using Mote.Gallery;
using Mote.Gallery.Errors;
using Mote.Gallery.Models;

namespace Mote.Cli.Commands;

/// <summary>
/// <c>mote attributes calibrate</c>: measures the attribute estimator on a labelled dataset laid out like UTKFace and
/// prints accuracy by confidence and the cutoffs behind <see cref="AttributeConfidence"/> (the logic lives in Core's
/// <see cref="AttributeEvaluation"/>; this command only parses, calls and prints).
/// </summary>
internal static class AttributesCommand
{
    public static Command Build(TextWriter output, TextWriter error)
    {
        var attributes = new Command("attributes", "Estimated attributes (gender, ethnicity, age band): measure the estimator.");
        attributes.Subcommands.Add(BuildCalibrate(output, error));
        return attributes;
    }

    private static Command BuildCalibrate(TextWriter output, TextWriter error)
    {
        var dataset = new Option<string>("--dataset") { Description = "Folder holding labels.csv (file,age,gender,ethnicity) and images/ (e.g. ../shared/datasets/utkface-part1).", Required = true };
        var count = new Option<int?>("--count") { Description = "Images to draw at random. Default: all." };
        var seed = new Option<int>("--seed") { Description = "Seed of the draw. Default 1.", DefaultValueFactory = _ => 1 };
        var chips = new Option<bool>("--whole-chips") { Description = "Estimate each image whole instead of the face the detector finds in it (enrollment detects, so the default measures what enrollment sees)." };
        var db = MoteCommand.DatabaseOption();
        var calibrate = new Command("calibrate", "Accuracy of the attribute estimates by their confidence, and the smallest confidence at which each attribute's estimates are right at least 90 % of the time (the pre-fill cutoff).")
        {
            dataset, count, seed, chips, db,
        };
        calibrate.SetAction(async (parse, ct) =>
        {
            try
            {
                var provider = await CliServices.OpenAsync(parse.GetValue(db), ct).ConfigureAwait(false);
                await using (provider.ConfigureAwait(false))
                {
                    // The labels first: a wrong folder is refused before the model pack is provisioned.
                    var dir = Path.GetFullPath(parse.GetValue(dataset)!);
                    var samples = AttributeEvaluation.Sample(AttributeEvaluation.ReadLabels(dir), parse.GetValue(count), parse.GetValue(seed));
                    var service = provider.GetRequiredService<ModelPackService>();
                    var pack = await ModelsCommand.WithProgressAsync(service, error, () => service.GetAsync(ct)).ConfigureAwait(false);
                    var faceOptions = provider.GetRequiredService<FacePipelineOptions>();
                    using var sessions = new OnnxSessionFactory();
                    using var estimator = GearAttributeEstimator.Create(pack, sessions);
                    using var decoder = new ImageDecoder();
                    using var detector = parse.GetValue(chips) ? null : new BlazeFaceDetector(pack["blazeface"], sessions, faceOptions.Detector);
                    var framing = detector is null
                        ? "whole chips resized to 198x198"
                        : F($"largest face found by the product's detector ({detector.Id}), cut with margin {estimator.Options.Margin:0.00} as enrollment does");
                    await output.WriteLineAsync(F($"{dir}: {samples.Count} images (seed {parse.GetValue(seed)}); {framing}")).ConfigureAwait(false);
                    var progress = new InlineProgress<int>(n => error.WriteLine(F($"  {n}/{samples.Count} images")));
                    var clock = Stopwatch.StartNew();
                    var result = await Task.Run(() => new AttributeEvaluation(estimator, decoder, detector).Run(dir, samples, ct, progress), ct).ConfigureAwait(false);
                    await output.WriteLineAsync(result.Format()).ConfigureAwait(false);
                    var noFace = result.Skipped.Count(s => s.EndsWith(AttributeEvaluation.NoFace, StringComparison.Ordinal));
                    await output.WriteLineAsync(F($"measured {result.Overall.Count} of {samples.Count} images ({noFace} without a detected face) in {clock.Elapsed.TotalSeconds:F0} s on {provider.GetRequiredService<TimeProvider>().GetUtcNow():yyyy-MM-dd}")).ConfigureAwait(false);
                    var inUse = AttributeConfidence.Measured;
                    await output.WriteLineAsync($"cutoffs in use (AttributeConfidence.Measured): gender {Cutoff(inUse.Gender)}, ethnicity {Cutoff(inUse.Ethnicity)}, age band {Cutoff(inUse.AgeBand)}").ConfigureAwait(false);
                    return 0;
                }
            }
            catch (Exception e) when (GalleryErrors.IsRefusal(e) || e is ImageRejectedException or FileNotFoundException or DirectoryNotFoundException or FormatException or ArgumentException or InvalidOperationException)
            {
                await error.WriteLineAsync(e.Message).ConfigureAwait(false);
                return 1;
            }
        });
        return calibrate;
    }

    private static string Cutoff(double value) => value > 1 ? "never" : F($"{value:0.00#}");

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
