using Microsoft.EntityFrameworkCore;
using Mote.Core.Templates;
using Mote.Gallery.Data;
using Mote.Gallery.Security;

namespace Mote.Gallery.People;

/// <summary>How the gallery table sorts.</summary>
public enum PeopleSort
{
    /// <summary>By name, A to Z (the default).</summary>
    Name,

    /// <summary>Most recently enrolled first.</summary>
    EnrolledNewestFirst,

    /// <summary>Largest stored template first, then by name.</summary>
    TemplateSize,
}

/// <summary>
/// A page of enrolled people: search by name or external id (substring, case-insensitive), sort, page. Runs as one
/// indexed SQL query, so it stays fast at 10,000 people. Needs <see cref="Permission.ViewGallery"/>.
/// </summary>
public sealed class ListPeople(MoteDbContext db)
{
    /// <param name="actor">Who asks.</param>
    /// <param name="search">Part of a name or external id; null or blank: everyone.</param>
    /// <param name="sort">The order of the rows.</param>
    /// <param name="skip">Rows to skip (negative counts as 0).</param>
    /// <param name="take">Rows to return; clamped to 1..500.</param>
    /// <param name="ct">Cancels the query.</param>
    /// <returns>The page of rows and the number of people matching the search.</returns>
    public async Task<(IReadOnlyList<PersonSummary> Rows, int Total)> ExecuteAsync(Actor actor, string? search, PeopleSort sort, int skip, int take, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.Demand(Permission.ViewGallery);
        var query = db.People.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(search))
        {
            var pattern = $"%{search.Trim().ToUpperInvariant()}%";
            query = query.Where(p => EF.Functions.Like(p.NormalizedName, pattern) || EF.Functions.Like(p.NormalizedExternalId, pattern));
        }
        var total = await query.CountAsync(ct).ConfigureAwait(false);
        query = sort switch
        {
            PeopleSort.EnrolledNewestFirst => query.OrderByDescending(p => p.EnrolledUtc),
            PeopleSort.TemplateSize => query.OrderByDescending(p => p.TemplateBytes).ThenBy(p => p.NormalizedName),
            _ => query.OrderBy(p => p.NormalizedName),
        };
        // The encrypted template is not read for a list.
        var rows = await query.Skip(Math.Max(0, skip)).Take(Math.Clamp(take, 1, 500))
            .Select(p => new Person
            {
                Id = p.Id, Name = p.Name, ExternalId = p.ExternalId, DeclaredGender = p.DeclaredGender, DeclaredEthnicity = p.DeclaredEthnicity, DeclaredAgeBand = p.DeclaredAgeBand,
                EstimatedGender = p.EstimatedGender, EstimatedEthnicity = p.EstimatedEthnicity, EstimatedAgeBand = p.EstimatedAgeBand,
                TemplateKind = p.TemplateKind, TemplateBytes = p.TemplateBytes, Threshold = p.Threshold, EnrolledUtc = p.EnrolledUtc,
                RetrainedUtc = p.RetrainedUtc, BalanceJson = p.BalanceJson, ConcurrencyStamp = p.ConcurrencyStamp,
            })
            .ToListAsync(ct).ConfigureAwait(false);
        return (rows.Select(PersonRowMapper.ToSummary).ToArray(), total);
    }
}

/// <summary>What a stored template holds, without its weights (for <c>mote templates inspect</c> and the person page).</summary>
public sealed record TemplateInspection(
    PersonSummary Person,
    string BackboneId,
    string BackboneHash,
    string PopulationPackId,
    string Architecture,
    string Precision,
    long Seed,
    int Epochs,
    double ValidationLoss,
    int StoredBytes,
    int VectorBytesForComparison,
    string BalanceJson);

/// <summary>Opens one person's template and describes it. Needs <see cref="Permission.ViewGallery"/>; read-only.</summary>
public sealed class InspectTemplate(MoteDbContext db, TemplateProtector protector)
{
    /// <param name="actor">Who asks.</param>
    /// <param name="person">The person's id, external id or name (a name several people share is refused: name them by id).</param>
    /// <param name="ct">Cancels the query.</param>
    /// <exception cref="GalleryException">Nobody matches, several people share the name, or the template fails its integrity check.</exception>
    public async Task<TemplateInspection> ExecuteAsync(Actor actor, string person, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.Demand(Permission.ViewGallery);
        var p = await db.People.AsNoTracking().FindByNameOrIdAsync(person, ct).ConfigureAwait(false);
        var template = PersonRowMapper.OpenTemplate(p, protector, new BackboneIdentity(p.BackboneId, p.BackboneHash));
        var vectorBytes = template.Dimension * sizeof(float);
        return template is ModelTemplate m
            ? new TemplateInspection(PersonRowMapper.ToSummary(p), p.BackboneId, p.BackboneHash, p.PopulationPackId,
                string.Join("→", m.Architecture.Widths), m.Precision.ToString(), m.Seed, m.Training.EpochsRun, m.Training.BestValidationLoss,
                p.TemplateBytes, vectorBytes, p.BalanceJson)
            : new TemplateInspection(PersonRowMapper.ToSummary(p), p.BackboneId, p.BackboneHash, p.PopulationPackId,
                $"vector ({template.Dimension}-d)", "Float32", p.Seed, 0, 0, p.TemplateBytes, vectorBytes, p.BalanceJson);
    }
}
