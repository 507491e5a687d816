namespace Mote.Core.Evaluation;

/// <summary>Phase 1 (and the impostor set's first step): one descriptor per photo, through the cache when there is one.</summary>
internal static class DescribePhase
{
    /// <summary>Photo path → its best face's descriptor, or null when there is none. Writes only to <paramref name="cache"/> (new descriptors, flushed every 100 photos).</summary>
    /// <param name="context">The run.</param>
    /// <param name="photos">The photos' paths.</param>
    /// <param name="describe">Photo bytes → descriptor.</param>
    /// <param name="cache">Descriptor cache (optional).</param>
    /// <param name="phase">The progress phase.</param>
    public static Dictionary<string, float[]?> Run(
        EvaluationContext context, string[] photos, Func<byte[], float[]?> describe, DescriptorCache? cache, string phase)
    {
        var result = new Dictionary<string, float[]?>(StringComparer.Ordinal);
        for (var i = 0; i < photos.Length; i++)
        {
            context.Ct.ThrowIfCancellationRequested();
            var bytes = File.ReadAllBytes(photos[i]);
            result[photos[i]] = cache is null ? describe(bytes) : cache.GetOrAdd(bytes, describe);
            if ((i + 1) % 100 == 0 || i + 1 == photos.Length)
            {
                cache?.Flush();
                context.Progress?.Report(new EvaluationProgress(phase, i + 1, photos.Length));
            }
        }

        return result;
    }
}
