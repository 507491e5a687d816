namespace Mote.Core.Faces.Attributes;

/// <summary>The attributes an <see cref="IAttributeEstimator"/> guesses, each with its own confidence.</summary>
public enum EstimatedAttribute
{
    /// <summary>Gender, from the model's female/male output.</summary>
    Gender,
    /// <summary>Ethnicity, from the model's five-way race output.</summary>
    Ethnicity,
    /// <summary>Age band, derived from the model's estimated age in years.</summary>
    AgeBand,
}

/// <summary>
/// The smallest confidence at which an estimate of each attribute is used (pre-filled on the enrollment form, stored
/// as the person's estimated attribute): below it an estimate is only shown as a hint, never taken. Immutable.
/// </summary>
/// <param name="Gender">Least <see cref="AttributeEstimate.GenderProbability"/> for the estimated gender to be used.</param>
/// <param name="Ethnicity">Least <see cref="AttributeEstimate.EthnicityProbability"/> for the estimated ethnicity.</param>
/// <param name="AgeBand">Least <see cref="AttributeEstimate.AgeBandProbability"/> for the estimated age band.</param>
/// <remarks>A cutoff above 1 (<see cref="Never"/>) means the attribute's estimate is never used.</remarks>
public sealed record AttributeConfidence(double Gender, double Ethnicity, double AgeBand)
{
    /// <summary>The accuracy the measured cutoffs reach: an estimate at or above its cutoff was right at least this often.</summary>
    public const double TargetAccuracy = 0.90;

    /// <summary>A cutoff no confidence reaches: the attribute's estimate is never used.</summary>
    public const double Never = double.PositiveInfinity;

    /// <summary>
    /// Configuration section that may replace a measured cutoff (<c>Mote:Attributes:MinimumConfidence:Gender</c>, <c>…:Ethnicity</c>,
    /// <c>…:AgeBand</c>): a number 0..1, or <c>never</c>. Meant for a deployment that measured the estimator on its own people.
    /// </summary>
    public const string Section = "Mote:Attributes:MinimumConfidence";

    /// <summary>
    /// The cutoffs measured for gear on UTKFace faces found by the product's detector (docs/attributes.md, "Confidence
    /// and the pre-fill cutoff"): the smallest confidence at which estimates at or above it were right ≥ 90 % of the time.
    /// </summary>
    /// <remarks>
    /// Measured 2026-12-06 with <c>mote attributes calibrate --dataset ../shared/datasets/utkface-part1 --seed 1</c> (all
    /// 9,778 chips; 20 minutes on the shared 2-core machine): 9,496 faces found by BlazeFace, each estimated with
    /// <see cref="GearAttributeEstimator.Estimate"/> as enrollment does. Gender ≥ 0.999: accuracy 0.903 on 23.4 % of the
    /// faces (0.730 on all). Ethnicity ≥ 0.998: 0.902 on 15.9 % (0.642 on all). Age band ≥ 0.999: 0.923 on 4.0 % (0.622
    /// on all; 0.861 at ≥ 0.995). Chosen on the same faces they are reported on, and gear was likely trained on UTKFace:
    /// on other photos expect less than 0.90 at these cutoffs (docs/attributes.md). Pooled, not per group: on a 2,000-chip
    /// draw the gender estimates at or above 0.999 were right for 0.997 of the men they covered but only 0.690 of the women.
    /// </remarks>
    public static AttributeConfidence Measured { get; } = new(Gender: 0.999, Ethnicity: 0.998, AgeBand: 0.999);

    /// <summary>No cutoff: every estimate is used (what the product did before the cutoffs were measured).</summary>
    public static AttributeConfidence None { get; } = new(0, 0, 0);

    /// <summary>
    /// <see cref="Measured"/> with each cutoff that <paramref name="configured"/> gives (by attribute name, e.g. <c>Gender</c>;
    /// a number or <c>never</c>) put in its place. <paramref name="configured"/> is only read.
    /// </summary>
    /// <exception cref="FormatException">A value is neither a number from 0 to 1 nor <c>never</c>.</exception>
    public static AttributeConfidence Configured(Func<string, string?> configured)
    {
        ArgumentNullException.ThrowIfNull(configured);
        double Read(EstimatedAttribute attribute, double measured)
        {
            var value = configured(attribute.ToString());
            if (string.IsNullOrWhiteSpace(value))
            {
                return measured;
            }
            if (string.Equals(value.Trim(), "never", StringComparison.OrdinalIgnoreCase))
            {
                return Never;
            }
            return double.TryParse(value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var cutoff) && cutoff is >= 0 and <= 1
                ? cutoff
                : throw new FormatException($"{Section}:{attribute} must be a number from 0 to 1 or 'never'; it is '{value}'.");
        }

        return new AttributeConfidence(
            Read(EstimatedAttribute.Gender, Measured.Gender),
            Read(EstimatedAttribute.Ethnicity, Measured.Ethnicity),
            Read(EstimatedAttribute.AgeBand, Measured.AgeBand));
    }

    /// <summary>The cutoff of <paramref name="attribute"/>.</summary>
    public double CutoffFor(EstimatedAttribute attribute) => attribute switch
    {
        EstimatedAttribute.Gender => Gender,
        EstimatedAttribute.Ethnicity => Ethnicity,
        EstimatedAttribute.AgeBand => AgeBand,
        _ => throw new ArgumentOutOfRangeException(nameof(attribute), attribute, "Not an estimated attribute."),
    };

    /// <summary>Whether the estimate of <paramref name="attribute"/> in <paramref name="estimate"/> reaches its cutoff (may be used).</summary>
    public bool Clears(AttributeEstimate estimate, EstimatedAttribute attribute) =>
        Clears(attribute, ConfidenceOf(estimate, attribute));

    /// <summary>Whether a confidence of <paramref name="confidence"/> reaches the cutoff of <paramref name="attribute"/>; false for a non-number.</summary>
    public bool Clears(EstimatedAttribute attribute, double confidence) => confidence >= CutoffFor(attribute);

    /// <summary>The estimated value of <paramref name="attribute"/> in <paramref name="estimate"/> (not modified).</summary>
    public static string ValueOf(AttributeEstimate estimate, EstimatedAttribute attribute)
    {
        ArgumentNullException.ThrowIfNull(estimate);
        return attribute switch
        {
            EstimatedAttribute.Gender => estimate.Gender,
            EstimatedAttribute.Ethnicity => estimate.Ethnicity,
            EstimatedAttribute.AgeBand => estimate.AgeBand,
            _ => throw new ArgumentOutOfRangeException(nameof(attribute), attribute, "Not an estimated attribute."),
        };
    }

    /// <summary>The estimator's confidence (probability, 0..1) in its value of <paramref name="attribute"/>.</summary>
    public static double ConfidenceOf(AttributeEstimate estimate, EstimatedAttribute attribute)
    {
        ArgumentNullException.ThrowIfNull(estimate);
        return attribute switch
        {
            EstimatedAttribute.Gender => estimate.GenderProbability,
            EstimatedAttribute.Ethnicity => estimate.EthnicityProbability,
            EstimatedAttribute.AgeBand => estimate.AgeBandProbability,
            _ => throw new ArgumentOutOfRangeException(nameof(attribute), attribute, "Not an estimated attribute."),
        };
    }

    /// <summary>The estimated value of <paramref name="attribute"/> when it reaches its cutoff, else null.</summary>
    public string? UsableValue(AttributeEstimate? estimate, EstimatedAttribute attribute) =>
        estimate is not null && Clears(estimate, attribute) ? ValueOf(estimate, attribute) : null;
}
