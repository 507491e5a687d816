namespace Mote.Core.Population;

/// <summary>Gender as labelled in the datasets (the only two values they carry).</summary>
public enum Gender
{
    /// <summary>Female (token <c>female</c>).</summary>
    Female,
    /// <summary>Male (token <c>male</c>).</summary>
    Male,
}

/// <summary>
/// Ethnicity in UTKFace's five-value vocabulary, which is also the portal's. LFW's finer labels are mapped onto it
/// by <see cref="DemographicVocabulary.MapLfwEthnicity"/> (latino, native american and pacific islander become
/// <see cref="Other"/>, matching UTKFace's own definition of "others").
/// </summary>
public enum Ethnicity
{
    /// <summary>White (token <c>white</c>; LFW's caucasian).</summary>
    White,
    /// <summary>Black (token <c>black</c>; LFW's african).</summary>
    Black,
    /// <summary>East Asian (token <c>asian</c>; LFW's eastasian).</summary>
    Asian,
    /// <summary>South Asian (token <c>indian</c>; LFW's asianindian).</summary>
    Indian,
    /// <summary>Any other (token <c>other</c>; LFW's latino, native american, pacific islander and other).</summary>
    Other,
}

/// <summary>Age bands: under 18, 18–59, 60 and over.</summary>
public enum AgeBand
{
    /// <summary>Younger than 18 years (token <c>0-17</c>).</summary>
    Under18,
    /// <summary>18 to 59 years (token <c>18-59</c>).</summary>
    Adult18To59,
    /// <summary>60 years and over (token <c>60+</c>).</summary>
    Senior60Plus,
}

/// <summary>The stable string tokens of the demographic values, used in group ids, files and the UI.</summary>
public static class DemographicVocabulary
{
    private static readonly Dictionary<string, Gender> GenderTokens = new(StringComparer.Ordinal)
    {
        ["female"] = Gender.Female,
        ["male"] = Gender.Male,
    };

    private static readonly Dictionary<string, Ethnicity> EthnicityTokens = new(StringComparer.Ordinal)
    {
        ["white"] = Ethnicity.White,
        ["black"] = Ethnicity.Black,
        ["asian"] = Ethnicity.Asian,
        ["indian"] = Ethnicity.Indian,
        ["other"] = Ethnicity.Other,
    };

    private static readonly Dictionary<string, AgeBand> AgeBandTokens = new(StringComparer.Ordinal)
    {
        ["0-17"] = AgeBand.Under18,
        ["18-59"] = AgeBand.Adult18To59,
        ["60+"] = AgeBand.Senior60Plus,
    };

    private static readonly Dictionary<string, Ethnicity> LfwEthnicities = new(StringComparer.Ordinal)
    {
        ["caucasian"] = Ethnicity.White,
        ["african"] = Ethnicity.Black,
        ["eastasian"] = Ethnicity.Asian,
        ["asianindian"] = Ethnicity.Indian,
        ["latino"] = Ethnicity.Other,
        ["nativeamerican"] = Ethnicity.Other,
        ["pacificislander"] = Ethnicity.Other,
        ["other"] = Ethnicity.Other,
    };

    /// <summary>All gender tokens, in enum order.</summary>
    public static IReadOnlyCollection<string> GenderIds => GenderTokens.Keys;

    /// <summary>All ethnicity tokens, in enum order.</summary>
    public static IReadOnlyCollection<string> EthnicityIds => EthnicityTokens.Keys;

    /// <summary>All age-band tokens, in enum order.</summary>
    public static IReadOnlyCollection<string> AgeBandIds => AgeBandTokens.Keys;

    /// <summary>The stable token of <paramref name="gender"/>; throws <see cref="ArgumentOutOfRangeException"/> for a value outside the enum.</summary>
    public static string ToId(this Gender gender) => gender switch
    {
        Gender.Female => "female",
        Gender.Male => "male",
        _ => throw new ArgumentOutOfRangeException(nameof(gender), gender, "Unknown gender value."),
    };

    /// <summary>The stable token of <paramref name="ethnicity"/>; throws <see cref="ArgumentOutOfRangeException"/> for a value outside the enum.</summary>
    public static string ToId(this Ethnicity ethnicity) => ethnicity switch
    {
        Ethnicity.White => "white",
        Ethnicity.Black => "black",
        Ethnicity.Asian => "asian",
        Ethnicity.Indian => "indian",
        Ethnicity.Other => "other",
        _ => throw new ArgumentOutOfRangeException(nameof(ethnicity), ethnicity, "Unknown ethnicity value."),
    };

    /// <summary>The stable token of <paramref name="band"/>; throws <see cref="ArgumentOutOfRangeException"/> for a value outside the enum.</summary>
    public static string ToId(this AgeBand band) => band switch
    {
        AgeBand.Under18 => "0-17",
        AgeBand.Adult18To59 => "18-59",
        AgeBand.Senior60Plus => "60+",
        _ => throw new ArgumentOutOfRangeException(nameof(band), band, "Unknown age band value."),
    };

    /// <summary>Reads a gender token (exact, case-sensitive); false when <paramref name="token"/> is not one of <see cref="GenderIds"/>.</summary>
    public static bool TryParseGender(string token, out Gender gender) => GenderTokens.TryGetValue(token, out gender);

    /// <summary>Reads an ethnicity token (exact, case-sensitive); false when <paramref name="token"/> is not one of <see cref="EthnicityIds"/>.</summary>
    public static bool TryParseEthnicity(string token, out Ethnicity ethnicity) => EthnicityTokens.TryGetValue(token, out ethnicity);

    /// <summary>Reads an age-band token (exact, case-sensitive); false when <paramref name="token"/> is not one of <see cref="AgeBandIds"/>.</summary>
    public static bool TryParseAgeBand(string token, out AgeBand band) => AgeBandTokens.TryGetValue(token, out band);

    /// <summary>The age band of an age in whole years; negative ages are refused.</summary>
    public static AgeBand AgeBandOf(int ageYears)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(ageYears);
        return ageYears < 18 ? AgeBand.Under18 : ageYears < 60 ? AgeBand.Adult18To59 : AgeBand.Senior60Plus;
    }

    /// <summary>
    /// Maps one LFW ethnicity cell (USC SAIL vocabulary) onto <see cref="Ethnicity"/>. Empty cells and mixed cells
    /// (<c>a;b</c>) give <c>null</c> (unknown): a mixed label does not say which group's statistics the face follows.
    /// Returns <c>false</c> only for a token outside the vocabulary.
    /// </summary>
    public static bool MapLfwEthnicity(string cell, out Ethnicity? ethnicity)
    {
        ethnicity = null;
        var trimmed = cell.Trim();
        if (trimmed.Length == 0)
        {
            return true;
        }
        var parts = trimmed.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        foreach (var part in parts)
        {
            if (!LfwEthnicities.ContainsKey(part))
            {
                return false;
            }
        }
        if (parts.Length == 1)
        {
            ethnicity = LfwEthnicities[parts[0]];
        }
        return true;
    }
}
