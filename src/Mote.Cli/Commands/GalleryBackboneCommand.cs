using Mote.Core;
using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Mote.Gallery.Backbones;
using Mote.Gallery.Engine;
using Mote.Gallery.Models;
using Mote.Gallery.Security;

namespace Mote.Cli.Commands;

/// <summary>
/// <c>mote gallery backbone</c> (which backbone the gallery is on, and the choices) and <c>mote gallery migrate --backbone X</c>
/// (<see cref="MigrateGalleryBackbone"/>: re-enrolls everyone whose reference photo is kept, lists who needs a new photo,
/// switches when done; run it again to go on after an interruption).
/// </summary>
internal static class GalleryBackboneCommand
{
    /// <summary>Exit code of a migration run that staged people but did not switch the gallery yet.</summary>
    public const int NotSwitched = 2;

    public static Command Build(TextWriter output, TextWriter error)
    {
        var gallery = new Command("gallery", "The gallery as a whole: its backbone, and moving it to another one.");
        gallery.Subcommands.Add(BuildShow(output, error));
        gallery.Subcommands.Add(BuildMigrate(output, error));
        return gallery;
    }

    private static Command BuildShow(TextWriter output, TextWriter error)
    {
        var db = MoteCommand.DatabaseOption();
        var show = new Command("backbone", "Which backbone the gallery's templates are on, and each backbone's licence and population pack.") { db };
        show.SetAction(async (parse, ct) => await GalleryCommand.RunAsync(parse.GetValue(db), error, async services =>
        {
            // The licence records (training data documented or not) come with the loaded pack.
            await services.GetRequiredService<Mote.Gallery.Models.ModelPackService>().GetAsync(ct).ConfigureAwait(false);
            var view = await services.GetRequiredService<ReadGalleryBackbones>().ExecuteAsync(Actor.Terminal(Environment.UserName), ct).ConfigureAwait(false);
            await output.WriteLineAsync(view.GalleryBackbone is { } on
                ? $"The gallery is on backbone {on} ({Mote.Core.Counted.Of(view.People, "person", "people")})."
                : $"No backbone is fixed yet (nobody enrolled): the gallery starts on {view.GalleryOption} (Mote:Faces:Backbone).").ConfigureAwait(false);
            if (view.StagedFor is { } staged)
            {
                await output.WriteLineAsync($"An unfinished migration staged templates for: {staged}. Run `mote gallery migrate` again to go on.").ConfigureAwait(false);
            }
            foreach (var c in view.Choices)
            {
                var pack = c.HasPopulationPack
                    ? c.PackCalibrated == true ? "population pack (calibrated)" : "population pack WITHOUT real-impostor calibration (synthetic thresholds)"
                    : "no population pack";
                await output.WriteLineAsync($"{(c.IsGallerys ? "*" : " ")} {c.Backbone,-14} {pack}{(c.TrainingDataDocumented == false ? "; training data not documented" : "")}").ConfigureAwait(false);
            }
        }, ct).ConfigureAwait(false));
        return show;
    }

    private static Command BuildMigrate(TextWriter output, TextWriter error)
    {
        var backbone = new Option<string>("--backbone") { Description = $"The backbone to move to ({string.Join(", ", Mote.Core.Faces.Descriptors.FaceDescribers.Known)}).", Required = true };
        var leaveBehind = new Option<bool>("--leave-behind")
        {
            Description = "Switch even though some people have no kept reference photo: they stay enrolled but cannot be verified or found until retrained from a new photo.",
        };
        var db = MoteCommand.DatabaseOption();
        var migrate = new Command("migrate", "Re-enroll everyone whose reference photo is kept on another backbone, list who needs a new photo, and switch the gallery when done. Run it again to resume.")
        {
            backbone, leaveBehind, db,
        };
        migrate.SetAction(async (parse, ct) =>
        {
            var code = 0;
            var ran = await GalleryCommand.RunAsync(parse.GetValue(db), error, async services =>
            {
                var progress = new InlineProgress<BackboneMigrationProgress>(p =>
                    error.Write(string.Create(CultureInfo.InvariantCulture, $"\r  {p.Done}/{p.Total} people looked at   ")));
                var result = await services.GetRequiredService<MigrateGalleryBackbone>().ExecuteAsync(Actor.Terminal(Environment.UserName),
                    new BackboneMigrationRequest(parse.GetValue(backbone)!, parse.GetValue(leaveBehind)), progress, ct).ConfigureAwait(false);
                await error.WriteLineAsync().ConfigureAwait(false);
                await output.WriteLineAsync(result.Message).ConfigureAwait(false);
                foreach (var person in result.NeedNewPhoto)
                {
                    await output.WriteLineAsync($"  needs a new photo: {person.Name} ({person.PersonId}): {person.Reason}").ConfigureAwait(false);
                }
                foreach (var person in result.Failed)
                {
                    await output.WriteLineAsync($"  could not be re-enrolled: {person.Name} ({person.PersonId}): {person.Reason}").ConfigureAwait(false);
                }
                code = result.Switched ? 0 : NotSwitched;
            }, ct).ConfigureAwait(false);
            return ran != 0 ? ran : code;
        });
        return migrate;
    }
}
