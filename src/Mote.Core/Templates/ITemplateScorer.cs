namespace Mote.Core.Templates;

/// <summary>
/// Scores probe descriptors against a whole gallery of templates of one kind at once (1:N), in batches.
/// Scores equal those of each <see cref="ITemplate.Score"/> alone (within 1e-5). Thread-safe for concurrent
/// scoring calls; immutable after construction.
/// </summary>
public interface ITemplateScorer
{
    /// <summary>Number of templates, in the order they were given.</summary>
    int Count { get; }

    /// <summary>The backbone all templates share.</summary>
    BackboneIdentity Backbone { get; }

    /// <summary>The descriptor dimension d.</summary>
    int Dimension { get; }

    /// <summary>
    /// Scores <paramref name="probeCount"/> probes (row-major, <c>probeCount × Dimension</c>) against every
    /// template; writes <c>scores[p * Count + t]</c>. Mutates only <paramref name="scores"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The spans' lengths do not match the counts.</exception>
    void ScoreBatch(ReadOnlySpan<float> probes, int probeCount, Span<float> scores);
}
