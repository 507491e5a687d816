namespace Mote.Core.Models;

/// <summary>One provisioned model: where its ONNX file is and what its manifest says.</summary>
public sealed record ModelPackEntry(string Id, string OnnxPath, ModelManifest Manifest);

/// <summary>The provisioned models by id. Immutable; paths point into the cache directory.</summary>
public sealed class ModelPack
{
    private readonly Dictionary<string, ModelPackEntry> _models;

    /// <summary>Creates a pack of <paramref name="models"/> found under <paramref name="cacheDir"/>; throws <see cref="ArgumentException"/> when two entries share an id.</summary>
    public ModelPack(string cacheDir, IEnumerable<ModelPackEntry> models)
    {
        ArgumentNullException.ThrowIfNull(models);
        CacheDir = cacheDir;
        _models = models.ToDictionary(m => m.Id, StringComparer.Ordinal);
    }

    /// <summary>The cache directory the models were provisioned into.</summary>
    public string CacheDir { get; }

    /// <summary>The entries by model id (ordinal comparison).</summary>
    public IReadOnlyDictionary<string, ModelPackEntry> Models => _models;

    /// <summary>Returns the entry for <paramref name="id"/>; throws <see cref="KeyNotFoundException"/> naming the id and those present.</summary>
    public ModelPackEntry this[string id] =>
        _models.TryGetValue(id, out var entry)
            ? entry
            : throw new KeyNotFoundException($"Model '{id}' is not in the model pack at '{CacheDir}' (it has: {string.Join(", ", _models.Keys.Order(StringComparer.Ordinal))}).");
}
