namespace Mote.Core.Faces.Attributes;

/// <summary>
/// Turns the three softmax heads of Human's <c>gear</c> model into an <see cref="AttributeEstimate"/>.
/// Stateless and thread-safe.
/// </summary>
/// <remarks>
/// Head meanings follow Human's <c>src/gear/gear.ts</c> (the only published decoder of this model):
/// gender index 0 is male and 1 female (<c>gender[0] &gt; gender[1] ? 'male' : 'female'</c>); race classes
/// are <c>white, black, asian, indian, other</c>, which are UTKFace's labels and the project's vocabulary
/// one to one, so no classes are merged; the seven age classes are <c>below 20, 21–25, 26–30, 31–40,
/// 41–50, 51–60, above 60</c> with Human's representative ages 15, 23, 28, 35.5, 45.5, 55.5 and 65.
/// The age in years is the probability-weighted mean of those representative ages (Human instead
/// starts at the best class and nudges towards the others; the mean is simpler and is what
/// <c>docs/attributes.md</c> measures). The age band is the band with the largest summed class
/// probability: under 18 ≈ "below 20", 18–59 ≈ the five middle classes, 60+ ≈ "above 60" — the model
/// cannot separate 18–19 from younger faces, so the under-18 band is approximate by construction. That summed
/// probability is the band's confidence (<see cref="AttributeEstimate.AgeBandProbability"/>).
/// </remarks>
public static class GearOutputDecoder
{
    /// <summary>Number of values in the age head.</summary>
    public const int AgeClasses = 7;

    /// <summary>Number of values in the gender head.</summary>
    public const int GenderClasses = 2;

    /// <summary>Number of values in the race head.</summary>
    public const int RaceClasses = 5;

    /// <summary>Human's representative age in years for each age class.</summary>
    public static IReadOnlyList<double> AgeClassYears { get; } = [15, 23, 28, 35.5, 45.5, 55.5, 65];

    /// <summary>Decodes one face's head outputs (each a probability vector; not modified).</summary>
    /// <exception cref="ArgumentException">A head has the wrong length or holds a negative or non-finite value.</exception>
    public static AttributeEstimate Decode(ReadOnlySpan<float> age, ReadOnlySpan<float> gender, ReadOnlySpan<float> race)
    {
        var ageP = Normalised(age, AgeClasses, nameof(age));
        var genderP = Normalised(gender, GenderClasses, nameof(gender));
        var raceP = Normalised(race, RaceClasses, nameof(race));

        var years = 0.0;
        for (var i = 0; i < AgeClasses; i++)
        {
            years += ageP[i] * AgeClassYears[i];
        }

        double[] bands = [ageP[0], ageP[1] + ageP[2] + ageP[3] + ageP[4] + ageP[5], ageP[6]];
        var bandIndex = ArgMax(bands);
        var band = AttributeVocabulary.AgeBands[bandIndex];

        // Index 0 is male, 1 female (Human's gear.ts).
        var isMale = genderP[0] >= genderP[1];
        var genderName = isMale ? AttributeVocabulary.Male : AttributeVocabulary.Female;
        var genderProbability = isMale ? genderP[0] : genderP[1];

        var ethnicities = new Dictionary<string, double>(StringComparer.Ordinal);
        for (var i = 0; i < RaceClasses; i++)
        {
            ethnicities[AttributeVocabulary.Ethnicities[i]] = raceP[i];
        }

        var best = ArgMax(raceP);
        return new AttributeEstimate(genderName, genderProbability, years, band, bands[bandIndex], AttributeVocabulary.Ethnicities[best], raceP[best], ethnicities);
    }

    private static double[] Normalised(ReadOnlySpan<float> values, int expected, string head)
    {
        if (values.Length != expected)
        {
            throw new ArgumentException($"The gear {head} head must have {expected} values; it has {values.Length}.", head);
        }

        var result = new double[expected];
        var sum = 0.0;
        for (var i = 0; i < expected; i++)
        {
            if (!float.IsFinite(values[i]) || values[i] < 0)
            {
                throw new ArgumentException($"The gear {head} head holds {values[i]} at index {i}; softmax outputs must be finite and non-negative.", head);
            }

            result[i] = values[i];
            sum += values[i];
        }

        if (sum <= 0)
        {
            throw new ArgumentException($"The gear {head} head is all zeros.", head);
        }

        // The heads are softmax outputs summing to 1 within float rounding; renormalising keeps reported probabilities consistent.
        for (var i = 0; i < expected; i++)
        {
            result[i] /= sum;
        }

        return result;
    }

    private static int ArgMax(IReadOnlyList<double> values)
    {
        var best = 0;
        for (var i = 1; i < values.Count; i++)
        {
            if (values[i] > values[best])
            {
                best = i;
            }
        }

        return best;
    }
}
