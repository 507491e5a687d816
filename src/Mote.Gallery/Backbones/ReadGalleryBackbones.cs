using Microsoft.EntityFrameworkCore;
using Mote.Core.Faces.Descriptors;
using Mote.Core.Population.Packs;
using Mote.Gallery.Data;
using Mote.Gallery.Engine;
using Mote.Gallery.Models;
using Mote.Gallery.People;
using Mote.Gallery.Security;

namespace Mote.Gallery.Backbones;

/// <summary>One backbone the gallery could use, as the Model pack page lists it.</summary>
/// <param name="Backbone">The <c>Mote:Faces:Backbone</c> value.</param>
/// <param name="ModelIds">The pack's models it describes faces with (empty for <c>custom</c>: the user's own file).</param>
/// <param name="Licence">The weights' licence as the licence record states it ("not provisioned yet" before the pack is ready).</param>
/// <param name="TrainingDataDocumented">False where a model's publisher does not document the training data (its licence record says so);
/// null while the model pack is not loaded in this process (the licence records come with it), and for <c>custom</c>.</param>
/// <param name="PopulationPack">Where its population pack is looked for.</param>
/// <param name="HasPopulationPack">Whether that pack exists: without one nobody can be enrolled on this backbone.</param>
/// <param name="PackCalibrated">Whether the pack has a real-impostor calibration; false = thresholds come from synthetic impostors only
/// (their measured false-match rate can differ from the promised one; docs/evaluation.md); null without a readable pack.</param>
/// <param name="IsGallerys">Whether the gallery's templates are on this backbone.</param>
/// <param name="IsConfigured">Whether it is <c>Mote:Faces:Backbone</c> (what a new gallery starts on).</param>
public sealed record BackboneChoice(
    string Backbone,
    IReadOnlyList<string> ModelIds,
    string Licence,
    bool? TrainingDataDocumented,
    string PopulationPack,
    bool HasPopulationPack,
    bool? PackCalibrated,
    bool IsGallerys,
    bool IsConfigured);

/// <summary>The gallery's backbone and the choices.</summary>
/// <param name="GalleryBackbone">The gallery's backbone (describer id and weights hash, e.g. <c>dlib-resnet (1a2b…)</c>); null when none is fixed yet.</param>
/// <param name="GalleryOption">Its <c>Mote:Faces:Backbone</c> value (the configured one while none is fixed).</param>
/// <param name="People">People enrolled: with anyone enrolled the backbone changes only through a migration.</param>
/// <param name="StagedFor">The backbone an unfinished migration staged templates for, with how many; null when none.</param>
/// <param name="Choices">Every known backbone.</param>
public sealed record GalleryBackbonesView(string? GalleryBackbone, string GalleryOption, int People, string? StagedFor, IReadOnlyList<BackboneChoice> Choices);

/// <summary>
/// Which backbone the gallery uses and what each backbone offers (licence, whether its publisher documents the training data,
/// whether a population pack exists and is calibrated). Needs <see cref="Permission.ManageSettings"/>; reads only.
/// </summary>
public sealed class ReadGalleryBackbones(MoteDbContext db, ModelPackService models, PopulationPackLocator packs, GalleryEngine engine)
{
    /// <summary>The words a licence record uses when the publisher does not document the training data (FacepluginRecognitionRecipe).</summary>
    private const string UndocumentedTrainingData = "Training data not documented";

    /// <summary>The gallery's backbone (none while nobody is enrolled), the people enrolled, any staged migration, and every known backbone as a choice.</summary>
    public async Task<GalleryBackbonesView> ExecuteAsync(Actor actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.Demand(Permission.ManageSettings);
        var gallery = await GalleryBackbone.ReadAsync(db, ct).ConfigureAwait(false);
        var option = gallery is null ? engine.ConfiguredBackbone : GalleryBackbone.OptionFor(gallery.Id);
        var people = await db.People.CountAsync(ct).ConfigureAwait(false);
        var staged = await db.StagedTemplates.AsNoTracking().GroupBy(s => s.Backbone).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct).ConfigureAwait(false);
        var pack = models.State.Pack;
        var choices = FaceDescribers.Known.Select(b =>
        {
            var ids = ModelsOf(b);
            var manifests = ids.Select(id => pack is not null && pack.Models.TryGetValue(id, out var m) ? m.Manifest : null).ToList();
            var licence = b == FaceDescribers.Custom
                ? "Your own model (Mote:Faces:Custom): its licence and training data are yours to check."
                : manifests.Any(m => m is null) ? "Not provisioned yet (the model pack loads at first use)." : string.Join(" | ", manifests.Select(m => m!.License.Weights));
            bool? documented = b == FaceDescribers.Custom || manifests.Any(m => m is null)
                ? null
                : manifests.All(m => !m!.License.Weights.Contains(UndocumentedTrainingData, StringComparison.OrdinalIgnoreCase));
            var path = PackPath(b, gallery);
            var exists = File.Exists(path);
            return new BackboneChoice(b, ids, licence, documented, path, exists, exists ? Calibrated(path) : null, b == option, b == engine.ConfiguredBackbone);
        }).ToArray();
        var stagedFor = staged.Count == 0 ? null : string.Join(", ", staged.Select(s => $"{s.Key} ({s.Count} staged)"));
        return new GalleryBackbonesView(gallery?.ToString(), option, people, stagedFor, choices);
    }

    private string PackPath(string option, Core.Templates.BackboneIdentity? gallery) =>
        // The custom backbone's pack is named by the id the user gave their model.
        packs.ResolvePath(option == FaceDescribers.Custom && gallery is not null && GalleryBackbone.OptionFor(gallery.Id) == FaceDescribers.Custom ? gallery.Id : option);

    private static bool? Calibrated(string path)
    {
        try
        {
            return PopulationPackFile.Load(path).Calibration is not null;
        }
        catch (Exception e) when (e is PopulationPackFormatException or IOException)
        {
            return null;
        }
    }

    private static IReadOnlyList<string> ModelsOf(string backbone) => backbone switch
    {
        DlibResNetDescriber.Id => [DlibResNetDescriber.ModelId],
        MobileFaceDescriber.Id => [MobileFaceDescriber.ModelId],
        FacepluginDescriber.Id => [FacepluginDescriber.ModelId],
        FusedFaceDescriber.Id => [DlibResNetDescriber.ModelId, FacepluginDescriber.ModelId],
        _ => [],
    };
}
