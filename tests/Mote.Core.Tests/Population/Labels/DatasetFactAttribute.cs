namespace Mote.Core.Tests.Population.Labels;

/// <summary>
/// A fact that needs the shared evaluation datasets: found through env <c>MOTE_DATASETS</c>, else
/// <c>../shared/datasets</c> beside the repository root. When absent the test is skipped with a reason saying
/// where it looked, so a missing folder is visible in every test report, never a silent pass.
/// </summary>
internal sealed class DatasetFactAttribute : FactAttribute
{
    public DatasetFactAttribute()
    {
        if (SharedDatasets.Folder is null)
        {
            Skip = $"Shared datasets not found (looked at {SharedDatasets.Searched}); set MOTE_DATASETS to run this real-label test.";
        }
    }
}

internal static class SharedDatasets
{
    static SharedDatasets()
    {
        var fromEnv = Environment.GetEnvironmentVariable("MOTE_DATASETS");
        if (!string.IsNullOrWhiteSpace(fromEnv))
        {
            Searched = fromEnv;
            Folder = Directory.Exists(fromEnv) ? fromEnv : null;
            return;
        }
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Mote.Portal.sln")))
        {
            dir = dir.Parent;
        }
        if (dir?.Parent is null)
        {
            Searched = "no repository root (Mote.Portal.sln) above " + AppContext.BaseDirectory;
            return;
        }
        var candidate = Path.GetFullPath(Path.Combine(dir.Parent.FullName, "shared", "datasets"));
        Searched = candidate;
        Folder = Directory.Exists(candidate) ? candidate : null;
    }

    /// <summary>The datasets folder, or null when absent.</summary>
    public static string? Folder { get; }

    /// <summary>Where it was looked for.</summary>
    public static string Searched { get; } = "";

    public static string Dataset(string name) =>
        Path.Combine(Folder ?? throw new InvalidOperationException("Shared datasets are absent."), name);
}
