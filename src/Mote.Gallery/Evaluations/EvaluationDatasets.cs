using Mote.Gallery.Hosting;
using Mote.Gallery.Security;

namespace Mote.Gallery.Evaluations;

/// <summary>
/// Where portal-started evaluation runs find their datasets and keep descriptors, and how hard they may work.
/// Bound from <c>Mote:Evaluation</c>; <see cref="Resolve"/> makes every path absolute once at start.
/// </summary>
public sealed class EvaluationRunSettings
{
    /// <summary>The configuration section these settings are bound from.</summary>
    public const string Section = "Mote:Evaluation";

    /// <summary>The environment variable the datasets root falls back to (the same one the tests and <c>faces bench</c> use).</summary>
    public const string DatasetsEnvironmentVariable = "MOTE_DATASETS";

    /// <summary>
    /// Folder whose sub-folders are datasets (<c>&lt;name&gt;/images/&lt;identity&gt;/*.jpg</c>, optional <c>labels.csv</c>).
    /// Default: <c>$MOTE_DATASETS</c>, else <c>../shared/datasets</c> relative to the content root.
    /// </summary>
    public string? DatasetsRoot { get; set; }

    /// <summary>
    /// Descriptor cache folder. Default <c>~/.cache/mote/portal-descriptors</c>, not the CLI's <c>~/.cache/mote/descriptors</c>:
    /// the cache file takes one writer at a time, and a terminal run beside a portal run would interleave appends. Point it
    /// at the CLI's folder to reuse its descriptors when no terminal run is going on.
    /// </summary>
    public string? DescriptorCache { get; set; }

    /// <summary>
    /// Concurrent trainings of a portal run; default 1. The portal shares the machine with its users: on 2 cores a
    /// run with 1 training leaves the other core to requests (a verification takes about 0.1 s of one core).
    /// </summary>
    public int Parallelism { get; set; } = 1;

    /// <summary>A copy with absolute paths and the defaults filled in.</summary>
    public EvaluationRunSettings Resolve(string contentRoot)
    {
        var root = DatasetsRoot;
        if (string.IsNullOrWhiteSpace(root))
        {
            root = Environment.GetEnvironmentVariable(DatasetsEnvironmentVariable);
        }
        if (string.IsNullOrWhiteSpace(root))
        {
            root = Path.Combine("..", "shared", "datasets");
        }
        var cache = string.IsNullOrWhiteSpace(DescriptorCache)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "mote", "portal-descriptors")
            : DescriptorCache;
        return new EvaluationRunSettings
        {
            DatasetsRoot = ContentRoot.Resolve(contentRoot, root),
            DescriptorCache = ContentRoot.Resolve(contentRoot, cache),
            Parallelism = Math.Max(1, Parallelism),
        };
    }
}

/// <summary>A dataset folder an evaluation can be started on.</summary>
/// <param name="Name">The folder name under the datasets root (what a request names).</param>
/// <param name="Path">Its absolute path.</param>
/// <param name="IdentityFolders">Folders under <c>images/</c> (before the ≥ 2 photos filter).</param>
/// <param name="HasLabels">Whether a <c>labels.csv</c> gives gender and ethnicity (without it, no per-group rates).</param>
public sealed record EvaluationDatasetInfo(string Name, string Path, int IdentityFolders, bool HasLabels);

/// <summary>The datasets under the root, by name.</summary>
/// <param name="Root">The datasets root searched.</param>
/// <param name="RootExists">False when the root folder is missing (then the list is empty).</param>
/// <param name="Datasets">Folders with the <c>images/&lt;identity&gt;/</c> layout, ordered by name.</param>
public sealed record EvaluationDatasetList(string Root, bool RootExists, IReadOnlyList<EvaluationDatasetInfo> Datasets);

/// <summary>
/// Lists the datasets an evaluation can run on: folders under <see cref="EvaluationRunSettings.DatasetsRoot"/> that hold
/// <c>images/</c> with at least one identity folder (a folder such as <c>utkface-part1</c>, photos without identities,
/// is left out). Read-only. Needs <see cref="Permission.RunEvaluations"/> (the list shows server paths).
/// </summary>
public sealed class ListEvaluationDatasets(EvaluationRunSettings settings)
{
    /// <summary>The datasets under <see cref="EvaluationRunSettings.DatasetsRoot"/>; an empty list with <c>RootExists</c> false when that folder is missing.</summary>
    public EvaluationDatasetList Execute(Actor actor)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.Demand(Permission.RunEvaluations);
        return List(settings.DatasetsRoot!);
    }

    /// <summary>The datasets under <paramref name="root"/> (no permission check: for use cases that checked their own).</summary>
    internal static EvaluationDatasetList List(string root)
    {
        if (!Directory.Exists(root))
        {
            return new EvaluationDatasetList(root, false, []);
        }
        var found = new List<EvaluationDatasetInfo>();
        foreach (var folder in Directory.GetDirectories(root).OrderBy(d => d, StringComparer.Ordinal))
        {
            var images = Path.Combine(folder, "images");
            if (!Directory.Exists(images))
            {
                continue;
            }
            var identities = Directory.EnumerateDirectories(images).Count();
            if (identities > 0)
            {
                found.Add(new EvaluationDatasetInfo(Path.GetFileName(folder), folder, identities, File.Exists(Path.Combine(folder, "labels.csv"))));
            }
        }
        return new EvaluationDatasetList(root, true, found);
    }
}
