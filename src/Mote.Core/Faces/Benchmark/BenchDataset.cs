namespace Mote.Core.Faces.Benchmark;

/// <summary>A verification pair of photo paths.</summary>
/// <param name="A">First photo.</param>
/// <param name="B">Second photo.</param>
/// <param name="Genuine">True when both show the same identity.</param>
public sealed record PhotoPair(string A, string B, bool Genuine);

/// <summary>
/// A dataset laid out as <c>images/&lt;identity&gt;/*.jpg</c> (LFW's layout) and seeded pair drawing.
/// </summary>
public sealed class BenchDataset
{
    private readonly IReadOnlyList<(string Identity, string[] Photos)> _identities;

    private BenchDataset(string root, IReadOnlyList<(string Identity, string[] Photos)> identities)
    {
        Root = root;
        _identities = identities;
    }

    /// <summary>The dataset folder (the one holding <c>images/</c>).</summary>
    public string Root { get; }

    /// <summary>Number of identities.</summary>
    public int IdentityCount => _identities.Count;

    /// <summary>Number of photos.</summary>
    public int PhotoCount => _identities.Sum(i => i.Photos.Length);

    /// <summary>Reads the folder listing (sorted, so a seed always draws the same pairs).</summary>
    /// <exception cref="DirectoryNotFoundException">No <c>images/</c> folder under <paramref name="root"/>.</exception>
    public static BenchDataset Open(string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        var images = Path.Combine(root, "images");
        if (!Directory.Exists(images))
        {
            throw new DirectoryNotFoundException($"Dataset '{root}' has no images/ folder; expected images/<identity>/*.jpg.");
        }

        var identities = Directory.GetDirectories(images)
            .OrderBy(d => d, StringComparer.Ordinal)
            .Select(d => (Path.GetFileName(d), Directory.GetFiles(d, "*.jpg").Concat(Directory.GetFiles(d, "*.png")).OrderBy(f => f, StringComparer.Ordinal).ToArray()))
            .Where(i => i.Item2.Length > 0)
            .ToArray();
        return new BenchDataset(root, identities);
    }

    /// <summary>The first photo (in ordinal file-name order) of every identity, identities in ordinal order.</summary>
    public IEnumerable<(string Identity, string Photo)> FirstPhotos() => _identities.Select(i => (i.Identity, i.Photos[0]));

    /// <summary>Like <see cref="FirstPhotos"/>, with each identity's second photo (ordinal order), null when it has one photo.</summary>
    public IEnumerable<(string Identity, string Photo, string? Second)> FirstAndSecondPhotos() =>
        _identities.Select(i => (i.Identity, i.Photos[0], i.Photos.Length > 1 ? i.Photos[1] : null));

    /// <summary>
    /// <paramref name="count"/> distinct genuine pairs (two photos of one identity) and as many distinct
    /// impostor pairs (photos of two identities), drawn with <paramref name="seed"/>, genuine first.
    /// </summary>
    /// <exception cref="InvalidOperationException">The dataset cannot supply that many distinct pairs.</exception>
    public IReadOnlyList<PhotoPair> DrawPairs(int count, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        var random = new Random(seed);
        var multi = _identities.Where(i => i.Photos.Length >= 2).ToArray();
        var possibleGenuine = multi.Sum(i => (long)i.Photos.Length * (i.Photos.Length - 1) / 2);
        if (possibleGenuine < count || _identities.Count < 2)
        {
            throw new InvalidOperationException($"Dataset '{Root}' offers {possibleGenuine} genuine pairs over {_identities.Count} identities; {count} genuine and {count} impostor pairs were asked for.");
        }

        var seen = new HashSet<(string, string)>();
        var pairs = new List<PhotoPair>(2 * count);
        while (pairs.Count < count)
        {
            // Identity first, then two of its photos: people with many photos do not dominate.
            var identity = multi[random.Next(multi.Length)];
            var a = random.Next(identity.Photos.Length);
            var b = random.Next(identity.Photos.Length - 1);
            b += b >= a ? 1 : 0;
            Add(identity.Photos[a], identity.Photos[b], true);
        }

        var guard = 0;
        while (pairs.Count < 2 * count)
        {
            if (++guard > 100 * count)
            {
                throw new InvalidOperationException($"Dataset '{Root}' could not supply {count} distinct impostor pairs.");
            }

            var i = random.Next(_identities.Count);
            var j = random.Next(_identities.Count - 1);
            j += j >= i ? 1 : 0;
            var first = _identities[i].Photos;
            var second = _identities[j].Photos;
            Add(first[random.Next(first.Length)], second[random.Next(second.Length)], false);
        }

        return pairs;

        void Add(string a, string b, bool genuine)
        {
            var key = string.CompareOrdinal(a, b) < 0 ? (a, b) : (b, a);
            if (seen.Add(key))
            {
                pairs.Add(new PhotoPair(a, b, genuine));
            }
        }
    }

    /// <summary>
    /// The datasets folder: <c>$MOTE_DATASETS</c>, else <c>../shared/datasets</c> beside the repository root
    /// (the folder holding <c>Mote.Portal.sln</c>, searched upwards from <paramref name="startDirectory"/>).
    /// Null when neither exists.
    /// </summary>
    public static string? LocateDatasets(string? startDirectory = null, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        if (environment("MOTE_DATASETS") is { Length: > 0 } configured)
        {
            return Directory.Exists(configured) ? Path.GetFullPath(configured) : null;
        }

        for (var dir = new DirectoryInfo(startDirectory ?? AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
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
