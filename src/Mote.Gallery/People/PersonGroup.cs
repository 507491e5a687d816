using Mote.Core.Population;

namespace Mote.Gallery.People;

/// <summary>The demographic group a person's threshold is calibrated for: declared attributes first, else estimated ones.</summary>
public sealed record PersonGroup(Gender? Gender, Ethnicity? Ethnicity, AgeBand? AgeBand)
{
    /// <summary>The group of a stored person.</summary>
    public static PersonGroup Of(Person person)
    {
        ArgumentNullException.ThrowIfNull(person);
        return From(person.DeclaredGender ?? person.EstimatedGender, person.DeclaredEthnicity ?? person.EstimatedEthnicity, person.DeclaredAgeBand ?? person.EstimatedAgeBand);
    }

    /// <summary>The group of attribute ids (null or unknown ids are left out).</summary>
    public static PersonGroup From(string? gender, string? ethnicity, string? ageBand) => new(
        gender is not null && DemographicVocabulary.TryParseGender(gender, out var g) ? g : null,
        ethnicity is not null && DemographicVocabulary.TryParseEthnicity(ethnicity, out var e) ? e : null,
        ageBand is not null && DemographicVocabulary.TryParseAgeBand(ageBand, out var a) ? a : null);
}
