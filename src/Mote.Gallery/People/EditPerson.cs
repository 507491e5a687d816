using Microsoft.EntityFrameworkCore;
using Mote.Core.Templates;
using Mote.Gallery.Audit;
using Mote.Gallery.Data;
using Mote.Gallery.Engine;
using Mote.Gallery.Security;

namespace Mote.Gallery.People;

/// <summary>
/// What to change about an enrolled person; every field left null stays as it is.
/// </summary>
/// <param name="Person">Id, external id or name of the person.</param>
/// <param name="ConcurrencyStamp">The stamp the caller read the person with; a different stored stamp refuses the edit. Null: no check
/// (a REST client or the terminal naming the person outright).</param>
/// <param name="Name">The new name (1–200 characters).</param>
/// <param name="ExternalId">The new external id; "" removes it.</param>
/// <param name="Gender">Declares the gender (<c>female</c>, <c>male</c>); "" withdraws the declaration, so the estimate shows again.</param>
/// <param name="Ethnicity">Declares the ethnicity (<c>white</c>, <c>black</c>, <c>asian</c>, <c>indian</c>, <c>other</c>); "" withdraws it.</param>
/// <param name="AgeBand">Declares the age band (<c>0-17</c>, <c>18-59</c>, <c>60+</c>); "" withdraws it.</param>
public sealed record PersonEdit(
    string Person,
    string? ConcurrencyStamp = null,
    string? Name = null,
    string? ExternalId = null,
    string? Gender = null,
    string? Ethnicity = null,
    string? AgeBand = null);

/// <summary>The edited person and what changed, in words (empty when nothing did: then nothing was written).</summary>
/// <param name="Person">The person as stored now.</param>
/// <param name="Changes">One phrase per change, e.g. "gender declared female (was estimated male)".</param>
/// <param name="PreviousThreshold">The threshold before, when the person's group changed and their threshold was read again; else null.</param>
public sealed record EditPersonResult(PersonSummary Person, IReadOnlyList<string> Changes, float? PreviousThreshold);

/// <summary>
/// Edits a person after enrollment: name, external id and declared attributes, with the same identity rule as enrollment
/// (<see cref="PersonIdentity"/>: the name + external id pair unique, a non-empty external id unique; the person is not
/// compared with themself). Each attribute is declared or left an estimate on its own: declaring the gender leaves the
/// ethnicity and age band marked estimated. When the demographic group the person's threshold is calibrated for changes
/// (<see cref="PersonGroup.Of"/>: declared, else estimated attributes), their threshold is read again for the new group
/// exactly as enrollment reads it (<see cref="PersonTemplateBuilder.Calibrate"/>: the pack's real-impostor calibration for the
/// group, else synthetic impostors) at the person's own target false-match rate — the rate it was set for; a retraining
/// moves them to the current target. The template is not retrained: training does not depend on the person's group.
/// Writes one <see cref="AuditEventCode.PersonEdited"/> event with the changes, in one transaction with the change; an
/// edit that changes nothing writes nothing. Needs <see cref="Permission.ManageGallery"/>.
/// </summary>
public sealed class EditPerson(MoteDbContext db, GalleryEngine engine, GalleryIndex index, TemplateProtector protector, AuditTrail audit)
{
    /// <exception cref="GalleryException">Bad name, external id or attribute; a clash with someone enrolled (conflict); nobody found.</exception>
    /// <exception cref="GalleryConcurrencyException">The person changed since <see cref="PersonEdit.ConcurrencyStamp"/> was read.</exception>
    public async Task<EditPersonResult> ExecuteAsync(Actor actor, PersonEdit edit, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(edit);
        actor.Demand(Permission.ManageGallery);
        var person = await db.People.FindByNameOrIdAsync(edit.Person, ct).ConfigureAwait(false);
        if (edit.ConcurrencyStamp is not null)
        {
            RetrainPerson.EnsureStamp(person, edit.ConcurrencyStamp);
        }

        var key = PersonIdentity.Normalize(edit.Name ?? person.Name, edit.ExternalId ?? person.ExternalId);
        var declared = EnrollPerson.ValidateDeclared(new DeclaredAttributes(edit.Gender, edit.Ethnicity, edit.AgeBand));
        var changes = new List<string>();
        if (!string.Equals(key.Name, person.Name, StringComparison.Ordinal))
        {
            changes.Add($"name '{person.Name}' → '{key.Name}'");
        }
        if (!string.Equals(key.ExternalId, person.ExternalId, StringComparison.Ordinal))
        {
            changes.Add($"external id {Quoted(person.ExternalId)} → {Quoted(key.ExternalId)}");
        }
        var gender = Attribute("gender", edit.Gender, declared.Gender, person.DeclaredGender, person.EstimatedGender, changes);
        var ethnicity = Attribute("ethnicity", edit.Ethnicity, declared.Ethnicity, person.DeclaredEthnicity, person.EstimatedEthnicity, changes);
        var ageBand = Attribute("age band", edit.AgeBand, declared.AgeBand, person.DeclaredAgeBand, person.EstimatedAgeBand, changes);
        if (changes.Count == 0)
        {
            return new EditPersonResult(PersonRowMapper.ToSummary(person), [], null);
        }
        var identityChanged = key.NormalizedName != person.NormalizedName || key.NormalizedExternalId != person.NormalizedExternalId;
        if (identityChanged && await PersonIdentity.ConflictAsync(db, key, person.Id, ct).ConfigureAwait(false) is { } conflict)
        {
            throw new GalleryException(conflict, GalleryErrorKind.Conflict);
        }

        var groupBefore = PersonGroup.Of(person);
        var groupAfter = PersonGroup.From(gender ?? person.EstimatedGender, ethnicity ?? person.EstimatedEthnicity, ageBand ?? person.EstimatedAgeBand);
        float? previousThreshold = null;
        var threshold = person.Threshold;
        if (groupAfter != groupBefore)
        {
            // The threshold belongs to the person's group: read it again as enrollment does (CPU-bound when it falls back
            // to synthetic impostors, so off the caller's thread, and before the write transaction).
            var analyzer = await engine.GetGalleryAnalyzerAsync(db, ct).ConfigureAwait(false);
            var population = engine.GetPopulation(analyzer.Backbone);
            var template = PersonRowMapper.OpenTemplate(person, protector, analyzer.Backbone);
            threshold = await Task.Run(() => PersonTemplateBuilder.Calibrate(engine, template, population, person.Seed, person.TargetFmr, groupAfter), ct).ConfigureAwait(false);
            if (threshold != person.Threshold)
            {
                previousThreshold = person.Threshold;
                changes.Add($"threshold {ReadableScore.OfKind(person.TemplateKind, person.Threshold)} → {ReadableScore.OfKind(person.TemplateKind, threshold)} for the group {Describe(groupAfter)}");
            }
        }

        var transaction = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
        await using (transaction.ConfigureAwait(false))
        {
            // Again inside the write transaction (writers are serialised): an enrollment or edit of the same pair since the check.
            if (identityChanged && await PersonIdentity.ConflictAsync(db, key, person.Id, ct).ConfigureAwait(false) is { } late)
            {
                throw new GalleryException(late, GalleryErrorKind.Conflict);
            }
            person.Name = key.Name;
            person.NormalizedName = key.NormalizedName;
            person.ExternalId = key.ExternalId;
            person.NormalizedExternalId = key.NormalizedExternalId;
            person.DeclaredGender = gender;
            person.DeclaredEthnicity = ethnicity;
            person.DeclaredAgeBand = ageBand;
            person.Threshold = threshold;
            person.ConcurrencyStamp = Guid.NewGuid().ToString("N");
            try
            {
                await db.SaveChangesAsync(ct).ConfigureAwait(false);
            }
            catch (DbUpdateConcurrencyException)
            {
                throw RetrainPerson.Stale(person.Name);
            }
            catch (DbUpdateException e) when (PersonIdentity.IsUniqueViolation(e))
            {
                throw PersonIdentity.Refusal(key);
            }
            await audit.AppendAsync(actor, AuditEventCode.PersonEdited, person.Id, $"{key.Name}: {string.Join("; ", changes)}", ct).ConfigureAwait(false);
            await transaction.CommitAsync(ct).ConfigureAwait(false);
        }
        if (previousThreshold is not null)
        {
            index.Invalidate();
        }
        return new EditPersonResult(PersonRowMapper.ToSummary(person), changes, previousThreshold);
    }

    /// <summary>The declared value after the edit, noting the change: null request = unchanged, "" = withdrawn, a value = declared.</summary>
    private static string? Attribute(string what, string? requested, string? validated, string? declared, string? estimated, List<string> changes)
    {
        if (requested is null)
        {
            return declared;
        }
        if (string.Equals(validated, declared, StringComparison.Ordinal))
        {
            return declared;
        }
        string Was() => declared is not null ? $"was declared {declared}" : estimated is not null ? $"was estimated {estimated}" : "was unknown";
        changes.Add(validated is null
            ? $"{what} declaration {declared} withdrawn ({(estimated is not null ? $"estimated {estimated} shows again" : "now unknown")})"
            : $"{what} declared {validated} ({Was()})");
        return validated;
    }

    private static string Quoted(string? value) => value is null ? "none" : $"'{value}'";

    private static string Describe(PersonGroup group) => new Core.Population.DemographicGroup(group.Gender, group.Ethnicity, group.AgeBand).Id;
}
