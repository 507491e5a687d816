namespace Mote.Core.Population.Packs;

/// <summary>How many inputs one dataset contributed, per group.</summary>
/// <param name="Name">Dataset name (e.g. the folder name <c>lfw-dev</c>).</param>
/// <param name="Descriptors">Descriptors received from it.</param>
/// <param name="NegativeGroupCounts">Descriptors per negative group id (records lacking a needed label are not counted).</param>
/// <param name="VariationGroupCounts">Residuals per variation group id (from identities with ≥ 2 images).</param>
/// <param name="IdentitiesWithTwoOrMore">Identities that gave residuals.</param>
public sealed record DatasetSummary(
    string Name,
    int Descriptors,
    IReadOnlyDictionary<string, int> NegativeGroupCounts,
    IReadOnlyDictionary<string, int> VariationGroupCounts,
    int IdentitiesWithTwoOrMore);

/// <summary>A group seen in the inputs but left out of the pack, and why.</summary>
/// <param name="GroupId">The group's id.</param>
/// <param name="Purpose"><c>negatives</c> or <c>variation</c>.</param>
/// <param name="Count">How many descriptors (or residuals) it had.</param>
/// <param name="Reason">Why it was left out.</param>
public sealed record SkippedGroup(string GroupId, string Purpose, int Count, string Reason);

/// <summary>Where a pack came from: recorded at build time, stored inside the pack, verified by its checksum.</summary>
public sealed record PopulationProvenance(
    IReadOnlyList<DatasetSummary> Datasets,
    string CommandLine,
    DateTimeOffset CreatedUtc,
    int Seed,
    string NegativeDimensions,
    string VariationDimensions,
    int MinimumDescriptors,
    bool NormalisedDescriptors,
    IReadOnlyDictionary<string, string> EstimatorSettings,
    IReadOnlyList<SkippedGroup> SkippedGroups);
