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

    /// <summary>
    /// The backbone and descriptor dimension every template in a gallery must share, checked once for the
    /// scorers and identifiers that stack them.
    /// </summary>
    /// <exception cref="ArgumentException">No templates, or their dimensions differ.</exception>
    /// <exception cref="BackboneMismatchException">Templates come from different backbones.</exception>
    public static (BackboneIdentity Backbone, int Dimension) CommonInput<T>(IReadOnlyList<T> templates, string parameterName) where T : ITemplate
    {
        ArgumentNullException.ThrowIfNull(templates, parameterName);
        if (templates.Count == 0)
        {
            throw new ArgumentException("A gallery needs at least one template.", parameterName);
        }

        var backbone = templates[0].Backbone;
        var dimension = templates[0].Dimension;
        for (var i = 0; i < templates.Count; i++)
        {
            backbone.EnsureSameAs(templates[i].Backbone, $"Template {i}");
            if (templates[i].Dimension != dimension)
            {
                throw new ArgumentException($"Template {i} takes {templates[i].Dimension}-d descriptors; template 0 takes {dimension}-d.", parameterName);
            }
        }
        return (backbone, dimension);
    }
}
