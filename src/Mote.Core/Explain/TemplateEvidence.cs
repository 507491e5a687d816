using Mote.Core.Templates;

namespace Mote.Core.Explain;

/// <summary>
/// What the maps measure a drop of: a model-template's logit (sigmoid scores saturate near 1, where a clearly
/// important region can move the score by only 1e-4 while the logit moves by several units), any other
/// template's score.
/// </summary>
public static class TemplateEvidence
{
    /// <summary>The evidence for one L2-normalised descriptor. Mutates nothing.</summary>
    public static float Of(ITemplate template, ReadOnlySpan<float> descriptor)
    {
        ArgumentNullException.ThrowIfNull(template);
        return template is ModelTemplate model ? model.Logit(descriptor) : template.Score(descriptor);
    }
}
