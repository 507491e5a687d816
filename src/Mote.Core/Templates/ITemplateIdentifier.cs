namespace Mote.Core.Templates;

/// <summary>
/// 1:N identification of one probe over a whole gallery of one kind. Implementations are immutable and
/// thread-safe, and return what <see cref="Identification.Identify"/> would return over each template's own
/// <see cref="ITemplate.Score"/> (see each implementation for how exactly).
/// </summary>
public interface ITemplateIdentifier
{
    /// <summary>Number of templates, in the order they were given.</summary>
    int Count { get; }

    /// <summary>The backbone all templates share.</summary>
    BackboneIdentity Backbone { get; }

    /// <summary>
    /// The (at most) <paramref name="topK"/> templates whose score reaches their threshold, best first (ties: the
    /// earlier template first), or "no match". Mutates nothing.
    /// </summary>
    /// <param name="probeBackbone">The backbone that produced the probe; must be the gallery's.</param>
    /// <param name="probe">One descriptor.</param>
    /// <param name="thresholds">One global threshold (length 1) or one per template (length <see cref="Count"/>).</param>
    /// <param name="topK">How many candidates at most.</param>
    /// <exception cref="BackboneMismatchException">The probe comes from another backbone.</exception>
    /// <exception cref="ArgumentException">Lengths do not match, the probe is not finite, or <paramref name="topK"/> &lt; 1.</exception>
    IdentificationResult Identify(BackboneIdentity probeBackbone, ReadOnlySpan<float> probe, ReadOnlySpan<float> thresholds, int topK = 1);
}

/// <summary>Identification over any batched <see cref="ITemplateScorer"/> (used for vector galleries: a cosine scan is already cheap).</summary>
/// <param name="scorer">The gallery's scorer.</param>
public sealed class ScorerIdentifier(ITemplateScorer scorer) : ITemplateIdentifier
{
    /// <inheritdoc />
    public int Count => scorer.Count;

    /// <inheritdoc />
    public BackboneIdentity Backbone => scorer.Backbone;

    /// <inheritdoc />
    public IdentificationResult Identify(BackboneIdentity probeBackbone, ReadOnlySpan<float> probe, ReadOnlySpan<float> thresholds, int topK = 1) =>
        Identification.Identify(scorer, probeBackbone, probe, 1, thresholds, topK)[0];
}
