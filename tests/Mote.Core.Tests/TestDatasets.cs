using Mote.Core.Faces.Benchmark;

namespace Mote.Core.Tests;

/// <summary>
/// The read-only evaluation datasets, found as the product finds them (<see cref="BenchDataset.LocateDatasets"/>:
/// <c>$MOTE_DATASETS</c>, else <c>../shared/datasets</c> beside the repository root). Nothing is ever copied out of them.
/// </summary>
public static class TestDatasets
{
    public const string EnvironmentVariable = "MOTE_DATASETS";

    /// <summary>The datasets root, or null when it cannot be found.</summary>
    public static string? Root { get; } = BenchDataset.LocateDatasets(AppContext.BaseDirectory);

    /// <summary>The folder of <paramref name="name"/> (e.g. <c>utkface-part1</c>), or null when absent.</summary>
    public static string? Find(string name) =>
        Root is { } root && Directory.Exists(Path.Combine(root, name)) ? Path.Combine(root, name) : null;

    /// <summary>Why <paramref name="name"/> is unavailable, for a skip reason.</summary>
    public static string Missing(string name) =>
        $"Dataset '{name}' not found: set {EnvironmentVariable} or place it at ../shared/datasets/{name} beside the repository (searched from {AppContext.BaseDirectory}).";
}

/// <summary>A fact reported as skipped, with the reason, when one of its datasets is absent — never a silent pass.</summary>
public sealed class DatasetFactAttribute : FactAttribute
{
    public DatasetFactAttribute(params string[] datasets)
    {
        if (datasets.FirstOrDefault(d => TestDatasets.Find(d) is null) is { } missing)
        {
            Skip = TestDatasets.Missing(missing);
        }
    }
}
