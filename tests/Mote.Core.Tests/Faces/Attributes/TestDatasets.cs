namespace Mote.Core.Tests.Faces.Attributes;

/// <summary>
/// Finds the read-only evaluation datasets: <c>$MOTE_DATASETS</c>, else <c>../shared/datasets</c> next to
/// the repository root (the folder holding <c>Mote.Portal.sln</c>). Nothing is ever copied out of them.
/// </summary>
public static class TestDatasets
{
    public const string EnvironmentVariable = "MOTE_DATASETS";

    /// <summary>The datasets root, or null when it cannot be found.</summary>
    public static string? Root { get; } = FindRoot();

    /// <summary>The folder of <paramref name="name"/> (e.g. <c>utkface-part1</c>), or null when absent.</summary>
    public static string? Find(string name) =>
        Root is { } root && Directory.Exists(Path.Combine(root, name)) ? Path.Combine(root, name) : null;

    /// <summary>Why <paramref name="name"/> is unavailable, for a skip reason.</summary>
    public static string Missing(string name) =>
        $"Dataset '{name}' not found: set {EnvironmentVariable} or place it at ../shared/datasets/{name} beside the repository (searched from {AppContext.BaseDirectory}).";

    private static string? FindRoot()
    {
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } configured)
        {
            return Directory.Exists(configured) ? configured : null;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Mote.Portal.sln")))
            {
                var candidate = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "datasets"));
                return Directory.Exists(candidate) ? candidate : null;
            }
        }

        return null;
    }
}

/// <summary>A fact that is reported as skipped, with the reason, when its dataset is absent.</summary>
public sealed class DatasetFactAttribute : FactAttribute
{
    public DatasetFactAttribute(string dataset)
    {
        if (TestDatasets.Find(dataset) is null)
        {
            Skip = TestDatasets.Missing(dataset);
        }
    }
}
