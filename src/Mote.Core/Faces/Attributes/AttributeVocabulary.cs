namespace Mote.Core.Faces.Attributes;

/// <summary>
/// The project's words for estimated attributes, used the same in code, UI and docs. Estimates are
/// always model guesses (<see cref="AttributeEstimate.IsEstimated"/>), never declared facts.
/// </summary>
public static class AttributeVocabulary
{
    /// <summary>Gender estimate: female.</summary>
    public const string Female = "female";
    /// <summary>Gender estimate: male.</summary>
    public const string Male = "male";

    /// <summary>Ethnicity estimate: white.</summary>
    public const string White = "white";
    /// <summary>Ethnicity estimate: black.</summary>
    public const string Black = "black";
    /// <summary>Ethnicity estimate: asian.</summary>
    public const string Asian = "asian";
    /// <summary>Ethnicity estimate: indian.</summary>
    public const string Indian = "indian";
    /// <summary>Ethnicity estimate: any other (UTKFace's "others").</summary>
    public const string Other = "other";

    /// <summary>Age band for people younger than 18 years.</summary>
    public const string Under18 = "under-18";

    /// <summary>Age band for 18 to 59 years.</summary>
    public const string Adult = "18-59";

    /// <summary>Age band for 60 years and older.</summary>
    public const string Senior = "60+";

    /// <summary>Genders in a fixed order (female, male).</summary>
    public static IReadOnlyList<string> Genders { get; } = [Female, Male];

    /// <summary>Ethnicities in a fixed order (white, black, asian, indian, other).</summary>
    public static IReadOnlyList<string> Ethnicities { get; } = [White, Black, Asian, Indian, Other];

    /// <summary>Age bands from youngest to oldest.</summary>
    public static IReadOnlyList<string> AgeBands { get; } = [Under18, Adult, Senior];

    /// <summary>The band of an age in years: under 18, 18–59, or 60 and older.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The age is negative or not a number.</exception>
    public static string AgeBandOf(double ageYears)
    {
        if (double.IsNaN(ageYears) || ageYears < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(ageYears), ageYears, "An age must be a non-negative number of years.");
        }

        return ageYears < 18 ? Under18 : ageYears < 60 ? Adult : Senior;
    }
}
