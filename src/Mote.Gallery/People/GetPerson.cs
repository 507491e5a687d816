using Microsoft.EntityFrameworkCore;
using Mote.Gallery.Data;
using Mote.Gallery.Security;

namespace Mote.Gallery.People;

/// <summary>One group's weight in a person's balance.</summary>
public sealed record GroupWeight(string Group, double Weight);

/// <summary>Everything the person page shows about one person.</summary>
/// <param name="Summary">As listed (with the concurrency stamp to save against).</param>
/// <param name="Declared">Declared attributes (null = not declared).</param>
/// <param name="Estimated">Estimated attributes from the enrollment photo.</param>
/// <param name="Negatives">Balance weights for negatives, by group.</param>
/// <param name="Variation">Balance weights for positive variation, by group.</param>
/// <param name="TargetFmr">The false-match rate their threshold was calibrated to.</param>
/// <param name="ThumbnailJpeg">The retained thumbnail, decrypted; null when retention kept none.</param>
/// <param name="HasReference">Whether the reference face is retained (retraining then needs no new photo).</param>
/// <param name="PopulationPackId">The pack their template was trained with.</param>
public sealed record PersonDetails(
    PersonSummary Summary,
    DeclaredAttributes Declared,
    DeclaredAttributes Estimated,
    IReadOnlyList<GroupWeight> Negatives,
    IReadOnlyList<GroupWeight> Variation,
    double TargetFmr,
    byte[]? ThumbnailJpeg,
    bool HasReference,
    string PopulationPackId);

/// <summary>Reads one person for their page. Needs <see cref="Permission.ViewGallery"/>; read-only.</summary>
public sealed class GetPerson(MoteDbContext db, TemplateProtector protector)
{
    /// <param name="actor">Who asks.</param>
    /// <param name="person">The person's id, external id or name (a name several people share is refused: name them by id).</param>
    /// <param name="ct">Cancels the query.</param>
    /// <exception cref="GalleryException">Nobody matches, or several people share the name.</exception>
    public async Task<PersonDetails> ExecuteAsync(Actor actor, string person, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.Demand(Permission.ViewGallery);
        var p = await db.People.AsNoTracking().FindByNameOrIdAsync(person, ct).ConfigureAwait(false);
        var kinds = await db.PersonImages.AsNoTracking().Where(i => i.PersonId == p.Id)
            .Select(i => new { i.Kind, Blob = i.Kind == PersonImage.ThumbnailKind ? i.Blob : null })
            .ToListAsync(ct).ConfigureAwait(false);
        var thumbnail = kinds.FirstOrDefault(k => k.Kind == PersonImage.ThumbnailKind)?.Blob is { } blob
            ? protector.Unprotect(p.Id, PersonImage.Purpose(PersonImage.ThumbnailKind), blob)
            : null;
        var balance = PersonRowMapper.BalanceFromJson(p.BalanceJson);
        return new PersonDetails(
            PersonRowMapper.ToSummary(p),
            new DeclaredAttributes(p.DeclaredGender, p.DeclaredEthnicity, p.DeclaredAgeBand),
            new DeclaredAttributes(p.EstimatedGender, p.EstimatedEthnicity, p.EstimatedAgeBand),
            balance.Negatives.Select(w => new GroupWeight(w.Key.Id, w.Value)).ToArray(),
            balance.Variation.Select(w => new GroupWeight(w.Key.Id, w.Value)).ToArray(),
            p.TargetFmr, thumbnail, kinds.Any(k => k.Kind == PersonImage.ReferenceKind), p.PopulationPackId);
    }
}
