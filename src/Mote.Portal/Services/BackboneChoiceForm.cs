using Mote.Gallery;
using Mote.Gallery.Backbones;
using Mote.Gallery.Errors;
using Mote.Gallery.Engine;
using Mote.Gallery.Models;
using Mote.Gallery.Security;

namespace Mote.Portal.Services;

/// <summary>
/// The logic of Settings → Model pack → Backbone: reads which backbone the gallery is on and the choices
/// (<see cref="ReadGalleryBackbones"/>), and moves the gallery to another one through <see cref="MigrateGalleryBackbone"/>
/// (the only way it changes: re-enrolls everyone whose reference photo is kept, audited). Holds the outcome or the refusal in words.
/// </summary>
public sealed class BackboneChoiceForm(ReadGalleryBackbones read, MigrateGalleryBackbone migrate, CurrentActor actor)
{
    /// <summary>The current view; null before <see cref="LoadAsync"/>.</summary>
    public GalleryBackbonesView? View { get; private set; }

    /// <summary>The backbone picked in the form (defaults to the gallery's).</summary>
    public string Target { get; set; } = "";

    /// <summary>Switch even though some people have no kept photo.</summary>
    public bool LeaveBehind { get; set; }

    /// <summary>Whether a migration is running from this form.</summary>
    public bool Running { get; private set; }

    /// <summary>Progress of the running migration.</summary>
    public BackboneMigrationProgress? Progress { get; private set; }

    /// <summary>The last migration's result; null before one ran.</summary>
    public BackboneMigrationResult? Result { get; private set; }

    /// <summary>Why the last migration was refused; null when it was not.</summary>
    public string? Error { get; private set; }

    /// <summary>The choice the gallery is on, when listed.</summary>
    public BackboneChoice? Current => View?.Choices.FirstOrDefault(c => c.IsGallerys);

    /// <summary>Whether the picked backbone can be moved to: another one than the gallery's (or an unfinished migration), with a population pack.</summary>
    public bool CanMigrate => View is { } v && !Running && v.Choices.FirstOrDefault(c => c.Backbone == Target) is { HasPopulationPack: true } choice
        && (!choice.IsGallerys || v.StagedFor is not null);

    public async Task LoadAsync(CancellationToken ct = default)
    {
        View = await read.ExecuteAsync(await actor.GetAsync(), ct);
        if (Target.Length == 0)
        {
            Target = View.GalleryOption;
        }
    }

    /// <summary>Runs the migration to <see cref="Target"/>; <paramref name="changed"/> is called after each person (for a re-render).</summary>
    public async Task MigrateAsync(Action changed, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(changed);
        Running = true;
        Error = null;
        Result = null;
        try
        {
            var progress = new Progress<BackboneMigrationProgress>(p =>
            {
                Progress = p;
                changed();
            });
            Result = await migrate.ExecuteAsync(await actor.GetAsync(), new BackboneMigrationRequest(Target, LeaveBehind), progress, ct);
        }
        catch (Exception e) when (GalleryErrors.IsRefusal(e))
        {
            Error = e.Message;
        }
        finally
        {
            Running = false;
            Progress = null;
        }
        await LoadAsync(ct);
    }
}
