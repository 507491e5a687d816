using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Mote.Core;
using Mote.Core.Explain;
using Mote.Core.Imaging;
using Mote.Gallery;
using Mote.Gallery.Decisions;
using Mote.Gallery.Security;

namespace Mote.Cli.Commands;

/// <summary>
/// <c>mote explain --name n image --out dir</c>: verifies the probe (recording the decision and its audit event, as
/// <c>mote verify</c> does), explains the decision at once and writes one PNG overlay per map
/// (<c>heatmap-occlusion.png</c>, <c>heatmap-gradcampp.png</c>) and <c>explanation.json</c>.
/// </summary>
internal static class ExplainCommand
{
    public static Command Build(TextWriter output, TextWriter error)
    {
        var name = new Option<string>("--name") { Description = "Who the probe claims to be (name or id).", Required = true };
        var image = new Argument<string>("image") { Description = "The probe photo; it is not kept unless the settings keep probe images." };
        var outDir = new Option<string>("--out") { Description = "Folder for the PNG overlays and explanation.json (created).", Required = true };
        var db = MoteCommand.DatabaseOption();
        var explain = new Command("explain", "Verify a probe and explain the decision: heatmaps (occlusion, Grad-CAM++), score context, faithfulness.") { name, image, outDir, db };
        explain.Subcommands.Add(BuildSurvey(output, error));
        explain.SetAction(async (parse, ct) => await GalleryCommand.RunAsync(parse.GetValue(db), error, async services =>
        {
            var photo = await PhotoFiles.ReadAsync(parse.GetValue(image)!, ct).ConfigureAwait(false);
            var actor = Actor.Terminal(Environment.UserName);
            var verified = await services.GetRequiredService<VerifyProbe>().ExecuteAsync(actor, parse.GetValue(name)!, photo, ct).ConfigureAwait(false);
            // Explained here and now (the portal does it in the background): a terminal waits for the files anyway.
            var result = await services.GetRequiredService<ExplainDecision>()
                .ExecuteAsync(new ExplanationRequest(verified.DecisionId, verified.PersonId, photo, verified.Score, verified.Threshold), ct).ConfigureAwait(false)
                ?? throw new GalleryException("This decision cannot be explained: the probe no longer yields a face with this model pack.");
            var dir = Directory.CreateDirectory(parse.GetValue(outDir)!).FullName;
            var e = result.Explanation;
            foreach (var map in e.Maps)
            {
                var file = Path.Combine(dir, $"heatmap-{map.Method.Replace("++", "pp", StringComparison.Ordinal).Replace('@', '-')}.png");
                await File.WriteAllBytesAsync(file, ImageEncoding.ToPng(HeatmapOverlay.Render(result.AlignedCrop, map)), ct).ConfigureAwait(false);
                await output.WriteLineAsync($"wrote {file}").ConfigureAwait(false);
            }
            var json = JsonNode.Parse(e.ToJson())!.AsObject();
            json.Insert(0, "decisionId", verified.DecisionId);
            json.Insert(1, "person", verified.PersonName);
            var jsonPath = Path.Combine(dir, "explanation.json");
            await File.WriteAllTextAsync(jsonPath, json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }), ct).ConfigureAwait(false);
            await output.WriteLineAsync($"wrote {jsonPath}").ConfigureAwait(false);
            await output.WriteLineAsync(e.Context?.Sentence ?? string.Create(CultureInfo.InvariantCulture, $"score {e.Score:G4} vs threshold {e.Threshold:G4}")).ConfigureAwait(false);
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"explained in {e.TotalMs:0} ms (occlusion {e.OcclusionMs:0} ms, Grad-CAM++ {e.GradCamMs:0} ms); decision {verified.DecisionId}")).ConfigureAwait(false);
        }, ct).ConfigureAwait(false));
        return explain;
    }

    /// <summary>
    /// <c>mote explain survey --dataset d [--identities n] [--seed s] [--json]</c>: how often each map the explanation page
    /// shows beats a random map on deletion and insertion, over real decisions (<see cref="FaithfulnessSurvey"/>). Stores nothing.
    /// </summary>
    private static Command BuildSurvey(TextWriter output, TextWriter error)
    {
        var dataset = new Option<string>("--dataset") { Description = "Folder holding images/<identity>/*.jpg (e.g. ../shared/datasets/lfw-dev).", Required = true };
        var identities = new Option<int>("--identities") { Description = "Identities to enroll (with at least two photos; two decisions each). Default 100.", DefaultValueFactory = _ => 100 };
        var seed = new Option<int>("--seed") { Description = "Seed of the draw, the trainings and the random maps. Default 1.", DefaultValueFactory = _ => 1 };
        var json = new Option<bool>("--json") { Description = "Write the report as JSON (progress goes to standard error)." };
        var db = MoteCommand.DatabaseOption();
        var survey = new Command("survey", "Faithfulness of the explanation maps on real decisions: enroll identities from their first photo (as enrollment trains), explain a genuine and an impostor probe each, and count how often each map beats a random map on deletion and insertion. Stores nothing.")
        {
            dataset, identities, seed, json, db,
        };
        survey.SetAction(async (parse, ct) => await GalleryCommand.RunAsync(parse.GetValue(db), error, async services =>
        {
            var asJson = parse.GetValue(json);
            var log = asJson ? error : output;
            var data = Mote.Core.Faces.Benchmark.BenchDataset.Open(Path.GetFullPath(parse.GetValue(dataset)!));
            var n = parse.GetValue(identities);
            var progress = new InlineProgress<int>(done => log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {done}/{n} identities explained")));
            var report = await services.GetRequiredService<FaithfulnessSurvey>().RunAsync(data, n, parse.GetValue(seed), progress, ct).ConfigureAwait(false);
            if (asJson)
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true })).ConfigureAwait(false);
                return;
            }

            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{report.Dataset}: backbone {report.Backbone}, trainer {report.Trainer}, seed {report.Seed}, thresholds at FMR {report.TargetFmr:G3}; {report.Decisions.Count} decisions ({report.Decisions.Count(d => d.Accepted)} accepted), {report.Skipped} identities skipped")).ConfigureAwait(false);
            foreach (var (label, rows) in new[] { ("all", report.All), ("accepted", report.AcceptedOnly), ("rejected", report.RejectedOnly), ("genuine", report.GenuineOnly), ("impostor", report.ImpostorOnly) })
            {
                foreach (var m in rows)
                {
                    await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                        $"{label,-9} {m.Method}: beats the random map on both curves in {m.BothWins}/{m.Decisions} ({m.BothRate:P1}); deletion {m.DeletionWins}, insertion {m.InsertionWins}")).ConfigureAwait(false);
                }
            }
            foreach (var g in report.Decisions.GroupBy(d => d.OcclusionVariant, StringComparer.Ordinal))
            {
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"occlusion {g.Key}: {g.Count()} decisions ({g.Count(d => d.Accepted)} accepted); occlusion map mean {g.Average(d => d.OcclusionMs):0} ms, median {Median(g.Select(d => d.OcclusionMs)):0} ms; whole explanation mean {g.Average(d => d.TotalMs):0} ms, median {Median(g.Select(d => d.TotalMs)):0} ms")).ConfigureAwait(false);
            }
        }, ct).ConfigureAwait(false));
        return survey;
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
