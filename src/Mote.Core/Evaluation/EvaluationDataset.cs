using Mote.Core.Population;
using Mote.Core.Population.Labels;

namespace Mote.Core.Evaluation;

/// <summary>An identity of an evaluation: its photos sorted by name (the first is the enrollment photo) and labels.</summary>
/// <param name="Name">Folder name.</param>
/// <param name="Photos">Absolute paths, sorted ordinally; <c>Photos[0]</c> enrolls, the rest are probes.</param>
/// <param name="Gender">Labelled gender id, or null.</param>
/// <param name="Ethnicity">Labelled ethnicity id (mixed labels count as unknown), or null.</param>
public sealed record EvaluationIdentity(string Name, IReadOnlyList<string> Photos, string? Gender, string? Ethnicity);

/// <summary>
/// A dataset laid out as <c>images/&lt;identity&gt;/*.jpg</c> with an optional LFW-style <c>labels.csv</c>, reduced to
/// the identities an evaluation can use: those with at least two photos.
/// </summary>
public sealed class EvaluationDataset
{
    private EvaluationDataset(string root, IReadOnlyList<EvaluationIdentity> identities, int identitiesInFolder, int? identityLimit)
    {
        IdentityLimit = identityLimit;
        Root = root;
        Identities = identities;
        IdentitiesInFolder = identitiesInFolder;
    }

    /// <summary>The <c>maxIdentities</c> the dataset was opened with (null: all identities).</summary>
    public int? IdentityLimit { get; }

    /// <summary>The dataset folder.</summary>
    public string Root { get; }

    /// <summary>Identities with ≥ 2 photos (all of them, or the seeded subset), sorted by name.</summary>
    public IReadOnlyList<EvaluationIdentity> Identities { get; }

    /// <summary>Identity folders in the dataset, before the ≥ 2 photos filter.</summary>
    public int IdentitiesInFolder { get; }

    /// <summary>Photos of the evaluated identities.</summary>
    public int PhotoCount => Identities.Sum(i => i.Photos.Count);

    /// <summary>
    /// Lists the dataset. With <paramref name="maxIdentities"/>, keeps that many identities with ≥ 2 photos, chosen by
    /// a seeded shuffle (then sorted by name again).
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">No <c>images/</c> folder.</exception>
    /// <exception cref="ArgumentException">Fewer than two identities have two photos.</exception>
    public static EvaluationDataset Open(string root, int? maxIdentities = null, int seed = 1)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        root = Path.GetFullPath(root);
        var images = Path.Combine(root, "images");
        if (!Directory.Exists(images))
        {
            throw new DirectoryNotFoundException($"Dataset '{root}' has no images/ folder; expected images/<identity>/*.jpg.");
        }

        var labels = new Dictionary<string, (string? Gender, string? Ethnicity)>(StringComparer.Ordinal);
        if (File.Exists(Path.Combine(root, DatasetLabelReader.LabelsFileName)))
        {
            foreach (var record in DatasetLabelReader.ReadFolder(root))
            {
                if (record.Identity is { } id)
                {
                    labels.TryAdd(id, (record.Gender?.ToId(), record.Ethnicity?.ToId()));
                }
            }
        }

        var folders = Directory.GetDirectories(images).OrderBy(d => d, StringComparer.Ordinal).ToArray();
        var usable = folders
            .Select(d => (Name: Path.GetFileName(d), Photos: Directory.GetFiles(d, "*.jpg").Concat(Directory.GetFiles(d, "*.png")).OrderBy(f => f, StringComparer.Ordinal).ToArray()))
            .Where(i => i.Photos.Length >= 2)
            .Select(i => new EvaluationIdentity(i.Name, i.Photos, labels.GetValueOrDefault(i.Name).Gender, labels.GetValueOrDefault(i.Name).Ethnicity))
            .ToArray();
        if (maxIdentities is { } max && max < usable.Length)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(max, 2);
            var shuffled = usable.ToArray();
            new Random(seed).Shuffle(shuffled);
            usable = shuffled.Take(max).OrderBy(i => i.Name, StringComparer.Ordinal).ToArray();
        }

        if (usable.Length < 2)
        {
            throw new ArgumentException($"Dataset '{root}' has {usable.Length} identities with two or more photos; an evaluation needs at least 2.");
        }

        return new EvaluationDataset(root, usable, folders.Length, maxIdentities);
    }
}

/// <summary>A labelled photo of an impostor-only dataset (no identities): its path and its group labels.</summary>
/// <param name="Path">Absolute path.</param>
/// <param name="Gender">Gender id, or null.</param>
/// <param name="Ethnicity">Ethnicity id, or null.</param>
/// <param name="AgeBand">Age-band id (0-17, 18-59, 60+), or null.</param>
public sealed record LabelledPhoto(string Path, string? Gender, string? Ethnicity, string? AgeBand);

/// <summary>
/// A dataset of one photo per person without identity labels (UTKFace style: <c>images/&lt;file&gt;</c> listed in a
/// <c>file,age,gender,ethnicity</c> <c>labels.csv</c>). Every pair of its photos counts as an impostor pair, so it
/// measures false matches per demographic group, down to gender × ethnicity × age band, but no false non-matches.
/// </summary>
public sealed class ImpostorDataset
{
    private ImpostorDataset(string root, IReadOnlyList<LabelledPhoto> photos, int missing)
    {
        Root = root;
        Photos = photos;
        MissingFiles = missing;
    }

    /// <summary>The dataset folder.</summary>
    public string Root { get; }

    /// <summary>The labelled photos whose files exist, in labels.csv order.</summary>
    public IReadOnlyList<LabelledPhoto> Photos { get; }

    /// <summary>Rows of labels.csv whose image file is missing (left out).</summary>
    public int MissingFiles { get; }

    /// <summary>Reads <c>labels.csv</c>; refuses a dataset with identity labels (that one belongs in <see cref="EvaluationDataset"/>).</summary>
    /// <exception cref="FileNotFoundException">No labels.csv.</exception>
    /// <exception cref="Population.Labels.LabelFormatException">A malformed row.</exception>
    /// <exception cref="ArgumentException">The labels name identities, or fewer than two photos exist.</exception>
    public static ImpostorDataset Open(string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        root = System.IO.Path.GetFullPath(root);
        var records = DatasetLabelReader.ReadFolder(root);
        if (records.Any(r => r.Identity is not null))
        {
            throw new ArgumentException($"Dataset '{root}' labels identities; an impostor-only analysis needs one photo per person with file,age,gender,ethnicity labels (UTKFace style).");
        }

        var photos = records
            .Where(r => File.Exists(r.ImagePath))
            .Select(r => new LabelledPhoto(r.ImagePath, r.Gender?.ToId(), r.Ethnicity?.ToId(), r.AgeBand?.ToId()))
            .ToArray();
        if (photos.Length < 2)
        {
            throw new ArgumentException($"Dataset '{root}' has {photos.Length} labelled photo(s) on disk; an impostor-only analysis needs at least 2.");
        }

        return new ImpostorDataset(root, photos, records.Count - photos.Length);
    }
}
