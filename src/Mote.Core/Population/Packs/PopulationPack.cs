using Mote.Core.Population.Densities;

namespace Mote.Core.Population.Packs;

/// <summary>
/// The population model of one backbone: per-group densities of descriptors (to synthesise negatives) and per-group
/// densities of intra-identity variation, i.e. descriptor − identity mean (to synthesise positives around a reference).
/// Immutable. File format: see <see cref="PopulationPackFile"/>.
/// </summary>
public sealed class PopulationPack
{
    /// <summary>Creates a pack of the given densities (sorted by group); throws <see cref="ArgumentException"/> when either map is empty or the densities differ in kind or dimension.</summary>
    public PopulationPack(
        string backboneId,
        string backboneManifestHash,
        DensityKind densityKind,
        IReadOnlyDictionary<DemographicGroup, IDensity> negatives,
        IReadOnlyDictionary<DemographicGroup, IDensity> variation,
        PopulationProvenance provenance,
        RealImpostorCalibration? calibration = null,
        RealImpostorCalibration? modelCalibration = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(backboneId);
        ArgumentException.ThrowIfNullOrWhiteSpace(backboneManifestHash);
        ArgumentNullException.ThrowIfNull(negatives);
        ArgumentNullException.ThrowIfNull(variation);
        ArgumentNullException.ThrowIfNull(provenance);
        if (negatives.Count == 0 || variation.Count == 0)
        {
            throw new ArgumentException($"A population pack needs at least one negative group and one variation group (got {negatives.Count} and {variation.Count}).");
        }
        var all = negatives.Values.Concat(variation.Values).ToArray();
        Dimension = all[0].Dimension;
        if (all.Any(d => d.Dimension != Dimension || d.Kind != densityKind))
        {
            throw new ArgumentException($"All densities of a pack must be of kind {densityKind} and dimension {Dimension}.");
        }
        BackboneId = backboneId;
        BackboneManifestHash = backboneManifestHash;
        DensityKind = densityKind;
        Negatives = Sorted(negatives);
        Variation = Sorted(variation);
        Provenance = provenance;
        Calibration = calibration;
        ModelCalibration = modelCalibration;
    }

    /// <summary>
    /// Real-impostor logit thresholds of model-templates trained with <see cref="RealImpostorCalibration.Trainer"/> on some
    /// calibration people and scored on the others (scalars only), or null.
    /// </summary>
    public RealImpostorCalibration? ModelCalibration { get; }

    /// <summary>
    /// Real-impostor thresholds measured on distinct people when the pack was built or calibrated (scalars only), or null
    /// for a pack without one (its thresholds then rest on synthetic impostors alone).
    /// </summary>
    public RealImpostorCalibration? Calibration { get; }

    /// <summary>A copy of this pack with these calibrations (densities and provenance shared, unchanged).</summary>
    public PopulationPack WithCalibration(RealImpostorCalibration? calibration, RealImpostorCalibration? modelCalibration) =>
        new(BackboneId, BackboneManifestHash, DensityKind, Negatives, Variation, Provenance, calibration, modelCalibration);

    /// <summary>The backbone whose descriptors the densities model.</summary>
    public string BackboneId { get; }

    /// <summary>Hash of that backbone's model-pack manifest: a pack is only valid for exactly that conversion.</summary>
    public string BackboneManifestHash { get; }

    /// <summary>Descriptor dimension.</summary>
    public int Dimension { get; }

    /// <summary>The kind of every density in the pack.</summary>
    public DensityKind DensityKind { get; }

    /// <summary>Descriptor densities by group, ordered by group id.</summary>
    public IReadOnlyDictionary<DemographicGroup, IDensity> Negatives { get; }

    /// <summary>Residual (variation) densities by group, ordered by group id.</summary>
    public IReadOnlyDictionary<DemographicGroup, IDensity> Variation { get; }

    /// <summary>Build provenance, including the groups left out.</summary>
    public PopulationProvenance Provenance { get; }

    /// <summary>
    /// True when any density stores input vectors themselves (a KDE keeps every descriptor and residual as a kernel
    /// centre); false when the pack holds only parameters (weights, means, covariances).
    /// </summary>
    public bool ContainsRawVectors => Negatives.Values.Concat(Variation.Values).Any(d => d.StoresRawVectors);

    /// <summary>The descriptor density of <paramref name="group"/>; throws <see cref="UnknownGroupException"/> if the pack lacks it.</summary>
    public IDensity NegativeDensity(DemographicGroup group) => Lookup(Negatives, group, "negative");

    /// <summary>The variation density of <paramref name="group"/>; throws <see cref="UnknownGroupException"/> if the pack lacks it.</summary>
    public IDensity VariationDensity(DemographicGroup group) => Lookup(Variation, group, "variation");

    private static IDensity Lookup(IReadOnlyDictionary<DemographicGroup, IDensity> map, DemographicGroup group, string what)
    {
        ArgumentNullException.ThrowIfNull(group);
        return map.TryGetValue(group, out var density)
            ? density
            : throw new UnknownGroupException(group.Id, $"the population pack has no {what} density for it (it has {string.Join(", ", map.Keys.Select(k => k.Id))})");
    }

    private static IReadOnlyDictionary<DemographicGroup, IDensity> Sorted(IReadOnlyDictionary<DemographicGroup, IDensity> map)
    {
        // Ordered by id so files, sampling order and reports are stable.
        var sorted = new SortedDictionary<string, KeyValuePair<DemographicGroup, IDensity>>(StringComparer.Ordinal);
        foreach (var pair in map)
        {
            sorted.Add(pair.Key.Id, pair);
        }
        var result = new OrderedDictionaryView();
        foreach (var pair in sorted.Values)
        {
            result.Add(pair.Key, pair.Value);
        }
        return result;
    }

    /// <summary>A read-only dictionary that enumerates in insertion order.</summary>
    private sealed class OrderedDictionaryView : IReadOnlyDictionary<DemographicGroup, IDensity>
    {
        private readonly List<KeyValuePair<DemographicGroup, IDensity>> _items = [];
        private readonly Dictionary<DemographicGroup, IDensity> _map = [];

        public void Add(DemographicGroup key, IDensity value)
        {
            _map.Add(key, value);
            _items.Add(new(key, value));
        }

        public IDensity this[DemographicGroup key] => _map[key];

        public IEnumerable<DemographicGroup> Keys => _items.Select(i => i.Key);

        public IEnumerable<IDensity> Values => _items.Select(i => i.Value);

        public int Count => _items.Count;

        public bool ContainsKey(DemographicGroup key) => _map.ContainsKey(key);

        public IEnumerator<KeyValuePair<DemographicGroup, IDensity>> GetEnumerator() => _items.GetEnumerator();

        public bool TryGetValue(DemographicGroup key, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out IDensity value) => _map.TryGetValue(key, out value);

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
