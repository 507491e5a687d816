using Mote.Core.Population.Packs;
using Mote.Gallery.Data;
using Mote.Gallery.Engine;
using Mote.Gallery.Security;

namespace Mote.Gallery.People;

/// <summary>
/// The demographic groups the population pack of the gallery's backbone has no density for, and why (fewer descriptors than the pack's
/// minimum when it was built), so the balance editor can say why those groups have no slider. Needs
/// <see cref="Permission.ViewGallery"/>; read-only. An unreadable pack gives an empty list: the editor then says nothing
/// more than before, and enrollment reports the pack's error itself.
/// </summary>
public sealed class ReadLeftOutGroups(MoteDbContext db, GalleryEngine engine)
{
    /// <summary>The left-out groups ordered by purpose and group id, with the pack's minimum.</summary>
    public async Task<LeftOutGroups> ExecuteAsync(Actor actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.Demand(Permission.ViewGallery);
        try
        {
            var provenance = engine.PopulationProvenance(await engine.GalleryBackboneIdAsync(db, ct).ConfigureAwait(false));
            var skipped = provenance.SkippedGroups;
            return new LeftOutGroups(provenance.MinimumDescriptors,
                skipped.Where(g => g.Purpose == "negatives").OrderBy(g => g.GroupId, StringComparer.Ordinal).ToArray(),
                skipped.Where(g => g.Purpose != "negatives").OrderBy(g => g.GroupId, StringComparer.Ordinal).ToArray());
        }
        catch (GalleryException)
        {
            return new LeftOutGroups(0, [], []);
        }
    }
}

/// <summary>Groups without a density in the population pack: <paramref name="Negatives"/> and <paramref name="Variation"/>;
/// <paramref name="MinimumDescriptors"/> is the pack builder's minimum per group.</summary>
public sealed record LeftOutGroups(int MinimumDescriptors, IReadOnlyList<SkippedGroup> Negatives, IReadOnlyList<SkippedGroup> Variation);
