namespace Mote.Core.Templates;

/// <summary>A 1:1 verification decision: accepted when <c>Score ≥ Threshold</c>.</summary>
/// <param name="Score">The template's score for the probe.</param>
/// <param name="Threshold">The threshold applied.</param>
public sealed record TemplateDecision(float Score, float Threshold)
{
    /// <summary>True when the score reaches the threshold.</summary>
    public bool Accepted => Score >= Threshold;

    /// <summary>Scores a probe against a template after checking both come from the same backbone. Mutates nothing.</summary>
    /// <exception cref="BackboneMismatchException">The probe's backbone is not the template's.</exception>
    public static TemplateDecision Verify(ITemplate template, BackboneIdentity probeBackbone, ReadOnlySpan<float> probe, float threshold)
    {
        ArgumentNullException.ThrowIfNull(template);
        template.Backbone.EnsureSameAs(probeBackbone, "The template");
        return new TemplateDecision(template.Score(probe), threshold);
    }
}
