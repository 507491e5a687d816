using System.Globalization;
using System.Text.Json;
using Mote.Core.Population.Sampling;
using Mote.Core.Templates;
using Mote.Gallery.Security;

namespace Mote.Gallery.People;

/// <summary>A person as listed (no biometric data).</summary>
/// <param name="Id">Opaque id.</param>
/// <param name="Name">Display name.</param>
/// <param name="Gender">Declared gender, else the estimate, else null.</param>
/// <param name="Ethnicity">Declared ethnicity, else the estimate, else null.</param>
/// <param name="AgeBand">Declared age band, else the estimate, else null.</param>
/// <param name="GenderEstimated">True when <paramref name="Gender"/> is an estimate (none declared), each attribute on its own:
/// declaring one attribute leaves the others estimated.</param>
/// <param name="EthnicityEstimated">True when <paramref name="Ethnicity"/> is an estimate.</param>
/// <param name="AgeBandEstimated">True when <paramref name="AgeBand"/> is an estimate.</param>
/// <param name="TemplateKind">A model-template or a vector (written "model" / "vector" with <see cref="TemplateKindNames.ReportName"/>).</param>
/// <param name="TemplateBytes">Stored template size before encryption.</param>
/// <param name="Threshold">The person's decision threshold.</param>
/// <param name="EnrolledUtc">When they were enrolled.</param>
/// <param name="RetrainedUtc">When their template was last retrained, if ever.</param>
/// <param name="BalanceSummary">Their balance in a few words (<see cref="PersonRowMapper.Summarise"/>).</param>
/// <param name="ConcurrencyStamp">The stamp to save changes against.</param>
/// <param name="ExternalId">Their external id (an employee number), null when none.</param>
public sealed record PersonSummary(
    string Id,
    string Name,
    string? Gender,
    string? Ethnicity,
    string? AgeBand,
    bool GenderEstimated,
    bool EthnicityEstimated,
    bool AgeBandEstimated,
    TemplateKind TemplateKind,
    int TemplateBytes,
    float Threshold,
    DateTimeOffset EnrolledUtc,
    DateTimeOffset? RetrainedUtc,
    string BalanceSummary,
    string ConcurrencyStamp,
    string? ExternalId = null)
{
    /// <summary>True when any attribute shown is an estimate.</summary>
    public bool AttributesEstimated => GenderEstimated || EthnicityEstimated || AgeBandEstimated;

    /// <summary>The attributes shown, in order (gender, ethnicity, age band), each with whether it is an estimate; unknown ones left out.</summary>
    public IReadOnlyList<(string Value, bool Estimated)> Attributes =>
        new[] { (Gender, GenderEstimated), (Ethnicity, EthnicityEstimated), (AgeBand, AgeBandEstimated) }
            .Where(a => a.Item1 is not null).Select(a => (a.Item1!, a.Item2)).ToArray();
}

/// <summary>Declared attributes an administrator enters; null means "not declared" (estimates are then shown, marked).</summary>
public sealed record DeclaredAttributes(string? Gender = null, string? Ethnicity = null, string? AgeBand = null);

/// <summary>Stored forms of a person's balance and template.</summary>
internal static class PersonRowMapper
{
    public const string ModelTemplatePurpose = "model-template";
    public const string VectorTemplatePurpose = "vector-template";

    public static string BalanceToJson(Balance balance)
    {
        var (negatives, variation) = balance.ToIds();
        return JsonSerializer.Serialize(new { negatives, variation });
    }

    public static Balance BalanceFromJson(string json)
    {
        using var doc = JsonDocument.Parse(json);
        static Dictionary<string, double> Read(JsonElement e) =>
            e.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDouble(), StringComparer.Ordinal);
        return Balance.FromIds(Read(doc.RootElement.GetProperty("negatives")), Read(doc.RootElement.GetProperty("variation")));
    }

    /// <summary>"3 groups equal" or "female 0.7, male 0.3" (negatives), for tables.</summary>
    public static string Summarise(string balanceJson)
    {
        try
        {
            var weights = BalanceFromJson(balanceJson).Negatives;
            if (weights.Values.Distinct().Count() == 1)
            {
                return $"{weights.Count} groups, equal";
            }

            // Compact (issue 16: a retrained person's Balance column listed all 23 weights): the groups that differ from the
            // most common weight, as multiples of it, largest change first, at most two named.
            var common = weights.Values.GroupBy(v => v).OrderByDescending(g => g.Count()).ThenByDescending(g => g.Key).First().Key;
            var changed = weights.Where(w => w.Value != common).Select(w => (w.Key.Id, Ratio: common > 0 ? w.Value / common : double.PositiveInfinity))
                .OrderByDescending(r => Math.Abs(Math.Log(r.Ratio == 0 ? 1e-9 : r.Ratio))).ThenBy(r => r.Id, StringComparer.Ordinal).ToArray();
            var named = string.Join(", ", changed.Take(2).Select(r => r.Ratio == 0 ? $"{r.Id} off" : $"{r.Id} ×{r.Ratio.ToString("0.##", CultureInfo.InvariantCulture)}"));
            return $"custom: {weights.Count} groups, {named}{(changed.Length > 2 ? $" and {changed.Length - 2} more" : "")}";
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or ArgumentException)
        {
            return "unknown";
        }
    }

    public static PersonSummary ToSummary(Person p) => new(
        p.Id, p.Name,
        p.DeclaredGender ?? p.EstimatedGender,
        p.DeclaredEthnicity ?? p.EstimatedEthnicity,
        p.DeclaredAgeBand ?? p.EstimatedAgeBand,
        // Per attribute (issue 16: declaring one attribute made all three read as declared).
        p.DeclaredGender is null && p.EstimatedGender is not null,
        p.DeclaredEthnicity is null && p.EstimatedEthnicity is not null,
        p.DeclaredAgeBand is null && p.EstimatedAgeBand is not null,
        p.TemplateKind, p.TemplateBytes, p.Threshold, p.EnrolledUtc, p.RetrainedUtc, Summarise(p.BalanceJson), p.ConcurrencyStamp, p.ExternalId);

    /// <summary>Whether <paramref name="person"/>'s template was made with <paramref name="backbone"/>.</summary>
    public static bool IsOn(Person person, BackboneIdentity backbone) =>
        string.Equals(person.BackboneId, backbone.Id, StringComparison.Ordinal)
        && string.Equals(person.BackboneHash, backbone.Sha256Hex, StringComparison.OrdinalIgnoreCase);

    private static string Short(string hash) => hash.Length > 12 ? hash[..12] + "…" : hash;

    /// <summary>Decrypts and parses the stored template, checking it belongs to the current backbone.</summary>
    /// <exception cref="GalleryException">Kind <see cref="GalleryErrorKind.Conflict"/>: the template was made with another backbone.</exception>
    public static ITemplate OpenTemplate(Person person, TemplateProtector protector, BackboneIdentity backbone)
    {
        ArgumentNullException.ThrowIfNull(person);
        if (!string.Equals(person.BackboneId, backbone.Id, StringComparison.Ordinal)
            || !string.Equals(person.BackboneHash, backbone.Sha256Hex, StringComparison.OrdinalIgnoreCase))
        {
            // Since the gallery describes every probe with its own backbone, a person on another one was left behind by a
            // backbone migration (no reference photo kept) or enrolled before the model file changed.
            throw new GalleryException(
                $"{person.Name} was enrolled with backbone {person.BackboneId} ({Short(person.BackboneHash)}), but this gallery describes faces with {backbone}; " +
                "their template cannot score its probes. Retrain them from a new photo (their page, or `mote retrain --name … --photo …`).",
                GalleryErrorKind.Conflict);
        }
        if (person.TemplateKind == TemplateKind.Vector)
        {
            var bytes = protector.Unprotect(person.Id, VectorTemplatePurpose, person.TemplateBlob);
            return new VectorTemplate(backbone, System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes));
        }
        try
        {
            return ModelTemplate.Read(protector.Unprotect(person.Id, ModelTemplatePurpose, person.TemplateBlob));
        }
        catch (TemplateFormatException e)
        {
            throw new TemplateIntegrityException($"The stored model-template of {person.Name} is damaged: {e.Message}");
        }
    }
}

/// <summary>Finding one person the way the CLI and API name them.</summary>
internal static class PeopleLookup
{
    /// <summary>The person whose id or (case-insensitive) name is <paramref name="nameOrId"/>; a clear error when nobody is.</summary>
    public static async Task<Person> FindByNameOrIdAsync(this IQueryable<Person> people, string nameOrId, CancellationToken ct)
    {
        var key = (nameOrId ?? "").Trim();
        var normalized = key.ToUpperInvariant();
        // The id first, then an external id (unique), then the name, which several people may share.
        var found = await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions
            .ToListAsync(Queryable.Take(Queryable.Where(people, p => p.Id == key || (normalized != "" && p.NormalizedExternalId == normalized) || p.NormalizedName == normalized), 20), ct)
            .ConfigureAwait(false);
        var match = found.FirstOrDefault(p => p.Id == key) ?? found.FirstOrDefault(p => p.NormalizedExternalId.Length > 0 && p.NormalizedExternalId == normalized);
        if (match is not null)
        {
            return match;
        }
        return found.Count switch
        {
            0 => throw new GalleryException($"Nobody called '{nameOrId}' is enrolled.", GalleryErrorKind.NotFound),
            1 => found[0],
            _ => throw new GalleryException(
                $"{found.Count} people are called '{key}' (external ids {string.Join(", ", found.Select(p => p.ExternalId ?? "none"))}): name them by id or external id.",
                GalleryErrorKind.Conflict),
        };
    }
}
