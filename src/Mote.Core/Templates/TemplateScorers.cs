namespace Mote.Core.Templates;

/// <summary>Builds the batched scorer that fits a list of templates of one kind.</summary>
public static class TemplateScorers
{
    /// <summary>A <see cref="ModelTemplateScorer"/> or <see cref="VectorTemplateScorer"/> over the templates.</summary>
    /// <exception cref="ArgumentException">The list is empty or mixes kinds.</exception>
    public static ITemplateScorer Create(IReadOnlyList<ITemplate> templates)
    {
        ArgumentNullException.ThrowIfNull(templates);
        if (templates.Count > 0 && templates.All(t => t is ModelTemplate))
        {
            return new ModelTemplateScorer(templates.Cast<ModelTemplate>().ToArray());
        }

        if (templates.Count > 0 && templates.All(t => t is VectorTemplate))
        {
            return new VectorTemplateScorer(templates.Cast<VectorTemplate>().ToArray());
        }

        throw new ArgumentException("Give a non-empty list of templates of one kind (all model-templates or all vector templates).", nameof(templates));
    }
}
