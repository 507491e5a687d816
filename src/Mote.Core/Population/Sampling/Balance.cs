using Mote.Core.Population.Packs;

namespace Mote.Core.Population.Sampling;

/// <summary>
/// A person's synthetic mix: a non-negative weight per group for negatives and another for positive variation.
/// Weights are relative (they need not sum to 1). Immutable; <see cref="Validate"/> checks it against a pack.
/// </summary>
public sealed class Balance
{
    /// <param name="negatives">Weight per negative group.</param>
    /// <param name="variation">Weight per variation group.</param>
    public Balance(IReadOnlyDictionary<DemographicGroup, double> negatives, IReadOnlyDictionary<DemographicGroup, double> variation)
    {
        ArgumentNullException.ThrowIfNull(negatives);
        ArgumentNullException.ThrowIfNull(variation);
        Negatives = negatives.OrderBy(p => p.Key.Id, StringComparer.Ordinal).ToDictionary(p => p.Key, p => p.Value);
        Variation = variation.OrderBy(p => p.Key.Id, StringComparer.Ordinal).ToDictionary(p => p.Key, p => p.Value);
    }

    /// <summary>Weight per negative group.</summary>
    public IReadOnlyDictionary<DemographicGroup, double> Negatives { get; }

    /// <summary>Weight per variation group.</summary>
    public IReadOnlyDictionary<DemographicGroup, double> Variation { get; }

    /// <summary>The default: equal weight over every group the pack has, for both parts.</summary>
    public static Balance EqualOver(PopulationPack pack)
    {
        ArgumentNullException.ThrowIfNull(pack);
        return new Balance(pack.Negatives.Keys.ToDictionary(g => g, _ => 1.0), pack.Variation.Keys.ToDictionary(g => g, _ => 1.0));
    }

    /// <summary>
    /// Builds a balance from group ids (as stored in a database or sent by the UI); malformed ids throw
    /// <see cref="InvalidBalanceException"/> naming the id.
    /// </summary>
    public static Balance FromIds(IReadOnlyDictionary<string, double> negatives, IReadOnlyDictionary<string, double> variation)
    {
        ArgumentNullException.ThrowIfNull(negatives);
        ArgumentNullException.ThrowIfNull(variation);
        return new Balance(ParseIds(negatives, "negative"), ParseIds(variation, "variation"));
    }

    private static Dictionary<DemographicGroup, double> ParseIds(IReadOnlyDictionary<string, double> weights, string part)
    {
        var result = new Dictionary<DemographicGroup, double>();
        foreach (var (id, weight) in weights)
        {
            if (!DemographicGroup.TryParse(id, out var group))
            {
                throw new InvalidBalanceException($"The {part} balance names '{id}', which is not a valid group id.");
            }
            if (!result.TryAdd(group, weight))
            {
                throw new InvalidBalanceException($"The {part} balance names group '{group.Id}' twice.");
            }
        }
        return result;
    }

    /// <summary>The weights keyed by group id, the form <see cref="FromIds"/> reads back (for storage and the UI).</summary>
    public (IReadOnlyDictionary<string, double> Negatives, IReadOnlyDictionary<string, double> Variation) ToIds() =>
        (Negatives.ToDictionary(p => p.Key.Id, p => p.Value, StringComparer.Ordinal),
         Variation.ToDictionary(p => p.Key.Id, p => p.Value, StringComparer.Ordinal));

    /// <summary>
    /// Refuses (with <see cref="InvalidBalanceException"/>) a negative or non-finite weight, a group the pack does not
    /// have, and a part whose weights are all zero (or empty). Mutates nothing.
    /// </summary>
    public void Validate(PopulationPack pack)
    {
        ArgumentNullException.ThrowIfNull(pack);
        Check(Negatives, pack.Negatives.Keys, "negative");
        Check(Variation, pack.Variation.Keys, "variation");
    }

    private static void Check(IReadOnlyDictionary<DemographicGroup, double> weights, IEnumerable<DemographicGroup> known, string part)
    {
        var knownSet = known.ToHashSet();
        var total = 0.0;
        foreach (var (group, weight) in weights)
        {
            if (!knownSet.Contains(group))
            {
                throw new InvalidBalanceException($"The {part} balance names group '{group.Id}', which the population pack does not have "
                    + $"(it has {string.Join(", ", knownSet.Select(g => g.Id).Order(StringComparer.Ordinal))}).");
            }
            if (!double.IsFinite(weight) || weight < 0)
            {
                throw new InvalidBalanceException($"The {part} weight of group '{group.Id}' is {weight}; weights must be finite and ≥ 0.");
            }
            total += weight;
        }
        if (!(total > 0))
        {
            throw new InvalidBalanceException($"The {part} balance gives no group a positive weight; at least one weight must be > 0.");
        }
    }

    /// <summary>
    /// The weight a group counts as "not raised" at: the median of the balance's positive negative weights over the pack's
    /// groups. The median, not the mean, so that raising one group leaves every other group at the level (an equal balance
    /// has every group at it). Assumes a validated balance (at least one positive weight).
    /// </summary>
    public double ReferenceLevel(PopulationPack pack)
    {
        ArgumentNullException.ThrowIfNull(pack);
        var weights = pack.Negatives.Keys.Select(g => Negatives.GetValueOrDefault(g)).Where(w => w > 0).Order().ToArray();
        if (weights.Length == 0)
        {
            throw new InvalidBalanceException("The balance gives no negative group a positive weight.");
        }

        var mid = weights.Length / 2;
        return weights.Length % 2 == 1 ? weights[mid] : (weights[mid - 1] + weights[mid]) / 2;
    }
}
