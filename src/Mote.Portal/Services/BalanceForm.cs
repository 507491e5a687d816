using Mote.Gallery.People;

namespace Mote.Portal.Services;

/// <summary>One slider of the balance editor.</summary>
public sealed class GroupSlider(string group, double weight)
{
    /// <summary>Group id, e.g. <c>female|asian|18-59</c>.</summary>
    public string Group { get; } = group;

    /// <summary>Relative weight, 0 … <see cref="BalanceForm.MaxWeight"/>.</summary>
    public double Weight { get; set; } = weight;

    /// <summary>The group id as people read it: "female, asian, 18-59".</summary>
    public string Label => Group.Replace("|", ", ", StringComparison.Ordinal);
}

/// <summary>
/// The balance editor's state: one slider per group for negatives and one per group for positive variation.
/// Weights are relative; the default is equal (1 each). Converts to the use cases' request form.
/// </summary>
public sealed class BalanceForm
{
    /// <summary>The largest weight a slider offers (5× the default).</summary>
    public const double MaxWeight = 5;

    private BalanceForm(IEnumerable<GroupSlider> negatives, IEnumerable<GroupSlider> variation)
    {
        Negatives = negatives.OrderBy(s => s.Group, StringComparer.Ordinal).ToList();
        Variation = variation.OrderBy(s => s.Group, StringComparer.Ordinal).ToList();
    }

    public IReadOnlyList<GroupSlider> Negatives { get; }

    public IReadOnlyList<GroupSlider> Variation { get; }

    /// <summary>Equal weights over the given groups (the default balance).</summary>
    public static BalanceForm Equal(IEnumerable<string> negatives, IEnumerable<string> variation) =>
        new(negatives.Select(g => new GroupSlider(g, 1)), variation.Select(g => new GroupSlider(g, 1)));

    /// <summary>A person's stored balance.</summary>
    public static BalanceForm From(IEnumerable<GroupWeight> negatives, IEnumerable<GroupWeight> variation) =>
        new(negatives.Select(w => new GroupSlider(w.Group, w.Weight)), variation.Select(w => new GroupSlider(w.Group, w.Weight)));

    /// <summary>True when every weight within each part is the same.</summary>
    public bool IsEqual => Negatives.Select(s => s.Weight).Distinct().Count() <= 1 && Variation.Select(s => s.Weight).Distinct().Count() <= 1;

    /// <summary>Why this balance cannot be used, in words; null when it can (the use case checks again).</summary>
    public string? Problem =>
        Negatives.Count > 0 && Negatives.All(s => s.Weight <= 0) ? "Give at least one group a negative weight above zero."
        : Variation.Count > 0 && Variation.All(s => s.Weight <= 0) ? "Give at least one group a variation weight above zero."
        : null;

    /// <summary>Sets every weight back to 1.</summary>
    public void ResetToEqual()
    {
        foreach (var slider in Negatives.Concat(Variation))
        {
            slider.Weight = 1;
        }
    }

    /// <summary>The share of a slider in its part, for display ("12 %").</summary>
    public static double Share(IReadOnlyList<GroupSlider> part, GroupSlider slider)
    {
        ArgumentNullException.ThrowIfNull(part);
        ArgumentNullException.ThrowIfNull(slider);
        var total = part.Sum(s => s.Weight);
        return total > 0 ? slider.Weight / total : 0;
    }

    /// <summary>The weights keyed by group id, as <see cref="EnrollmentRequest.Balance"/> and <see cref="RetrainRequest.Balance"/> take them.</summary>
    public (IReadOnlyDictionary<string, double> Negatives, IReadOnlyDictionary<string, double> Variation) ToRequest() =>
        (Negatives.ToDictionary(s => s.Group, s => s.Weight, StringComparer.Ordinal),
         Variation.ToDictionary(s => s.Group, s => s.Weight, StringComparer.Ordinal));
}
