using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Mote.Gallery.Data;
using Mote.Gallery.Security;

namespace Mote.Gallery.People;

/// <summary>A person's name and optional external id, trimmed, with their normalised (upper-case invariant) forms.</summary>
/// <param name="Name">The name as it will be shown (trimmed).</param>
/// <param name="NormalizedName">Upper-case invariant name.</param>
/// <param name="ExternalId">The external id (trimmed), or null when none was given.</param>
/// <param name="NormalizedExternalId">Upper-case invariant external id, "" when none.</param>
public sealed record PersonKey(string Name, string NormalizedName, string? ExternalId, string NormalizedExternalId);

/// <summary>
/// Who counts as the same person on paper. Two real people can share a name, so names are not unique on their own:
/// the pair (name, external id) is unique, with "no external id" as one value, and a non-empty external id is unique
/// by itself. Both are compared case-insensitively. The use cases check first, to answer in words, and the database's
/// unique indexes refuse whatever slips between a check and a save (two enrollments of the same pair at once).
/// </summary>
public static class PersonIdentity
{
    /// <summary>Longest external id accepted: 64 characters.</summary>
    public const int MaxExternalIdLength = 64;

    /// <summary>Trims and checks a name (1–200 characters) and an optional external id (up to 64, no control characters).</summary>
    /// <exception cref="GalleryException">Empty or too long name; too long external id.</exception>
    public static PersonKey Normalize(string? name, string? externalId)
    {
        var n = (name ?? "").Trim();
        if (n.Length is 0 or > 200)
        {
            throw new GalleryException("Give the person a name of 1 to 200 characters.");
        }
        var x = (externalId ?? "").Trim();
        if (x.Length > MaxExternalIdLength || x.Any(char.IsControl))
        {
            throw new GalleryException($"An external id has at most {MaxExternalIdLength} characters and no control characters.");
        }
        return new PersonKey(n, n.ToUpperInvariant(), x.Length == 0 ? null : x, x.ToUpperInvariant());
    }

    /// <summary>Why <paramref name="key"/> clashes with someone enrolled, in words; null when it does not.</summary>
    public static Task<string?> ConflictAsync(MoteDbContext db, PersonKey key, CancellationToken ct = default) => ConflictAsync(db, key, null, ct);

    /// <summary>
    /// Why <paramref name="key"/> clashes with someone enrolled other than <paramref name="exceptPersonId"/> (a person being
    /// edited does not clash with themself), in words; null when it does not.
    /// </summary>
    public static async Task<string?> ConflictAsync(MoteDbContext db, PersonKey key, string? exceptPersonId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(key);
        var others = exceptPersonId is null ? db.People.AsNoTracking() : db.People.AsNoTracking().Where(p => p.Id != exceptPersonId);
        var namesakes = await others.Where(p => p.NormalizedName == key.NormalizedName)
            .Select(p => p.NormalizedExternalId).ToListAsync(ct).ConfigureAwait(false);
        if (namesakes.Contains(key.NormalizedExternalId, StringComparer.Ordinal))
        {
            return key.ExternalId is null
                ? $"Someone called '{key.Name}' is already enrolled without an external id; give this person an external id (e.g. an employee number) to tell them apart."
                : $"Someone called '{key.Name}' with the external id '{key.ExternalId}' is already enrolled.";
        }
        if (key.NormalizedExternalId.Length > 0)
        {
            var holder = await others.Where(p => p.NormalizedExternalId == key.NormalizedExternalId)
                .Select(p => p.Name).FirstOrDefaultAsync(ct).ConfigureAwait(false);
            if (holder is not null)
            {
                return $"The external id '{key.ExternalId}' already belongs to {holder}; external ids must be unique.";
            }
        }
        return null;
    }

    /// <summary>True when a save failed on one of the unique indexes (SQLite constraint error 19 naming UNIQUE; PostgreSQL SQLSTATE 23505).</summary>
    public static bool IsUniqueViolation(DbUpdateException e) => e?.InnerException switch
    {
        SqliteException { SqliteErrorCode: 19 } s => s.Message.Contains("UNIQUE", StringComparison.OrdinalIgnoreCase),
        Npgsql.PostgresException p => p.SqlState == Npgsql.PostgresErrorCodes.UniqueViolation,
        _ => false,
    };

    /// <summary>The refusal for a save that lost the race to an equal one (the index does not say which rule it broke).</summary>
    internal static GalleryException Refusal(PersonKey key) => new(
        key.ExternalId is null
            ? $"Someone called '{key.Name}' was just enrolled without an external id; give this person an external id (e.g. an employee number) to tell them apart."
            : $"Someone called '{key.Name}' with the external id '{key.ExternalId}', or someone else with that external id, is already enrolled.",
        GalleryErrorKind.Conflict);
}

/// <summary>
/// Checks a name and external id before enrolling, for the form's check while typing: returns why they clash with
/// someone enrolled, in words, or null. Needs <see cref="Permission.ManageGallery"/>; reads only, writes no audit event.
/// </summary>
public sealed class CheckPersonIdentity(MoteDbContext db)
{
    /// <summary>The clash in words; null when the pair is free (or the name is still empty, which the form reports itself).</summary>
    /// <exception cref="GalleryException">The external id is too long.</exception>
    public Task<string?> ExecuteAsync(Actor actor, string? name, string? externalId, CancellationToken ct = default) =>
        ExecuteAsync(actor, name, externalId, null, ct);

    /// <summary>As above, leaving out <paramref name="exceptPersonId"/> (the person being edited, who does not clash with themself).</summary>
    public async Task<string?> ExecuteAsync(Actor actor, string? name, string? externalId, string? exceptPersonId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.Demand(Permission.ManageGallery);
        if (string.IsNullOrWhiteSpace(name))
        {
            return null;
        }
        return await PersonIdentity.ConflictAsync(db, PersonIdentity.Normalize(name, externalId), exceptPersonId, ct).ConfigureAwait(false);
    }
}
