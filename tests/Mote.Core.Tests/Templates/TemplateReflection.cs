using Mote.Core.Templates;

namespace Mote.Core.Tests.Templates;

/// <summary>
/// Test-data builder for galleries of many different people from a few trained templates (the 1:N and scale benchmarks):
/// a template composed with the reflection <c>Q = I − 2vvᵀ</c> (first layer <c>W·Q</c>; a folded anchor's reference row
/// moves with it) is the same classifier moved to another centre, with the weights' trained statistics.
/// </summary>
public static class TemplateReflection
{
    /// <summary>The template moved by the reflection along the unit vector <paramref name="v"/>.</summary>
    public static ModelTemplate Reflect(ModelTemplate template, float[] v)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(v);
        var first = template.Layers[0];
        var w = first.Weights.ToArray();
        for (var r = 0; r < first.Outputs; r++)
        {
            var row = w.AsSpan(r * first.Inputs, first.Inputs);
            var dot = 0f;
            for (var i = 0; i < row.Length; i++)
            {
                dot += row[i] * v[i];
            }
            for (var i = 0; i < row.Length; i++)
            {
                row[i] -= 2 * dot * v[i];
            }
        }
        var layers = template.Layers.Skip(1).Prepend(new DenseLayer(first.Inputs, first.Outputs, w, first.Bias.ToArray())).ToArray();
        return new ModelTemplate(template.Provenance, template.Seed, layers, template.Training, template.Precision, template.Anchor);
    }

    /// <summary>The reflection that swaps centre <paramref name="from"/> with centre <paramref name="to"/> (both unit vectors).</summary>
    public static ModelTemplate Move(ModelTemplate template, float[] from, float[] to)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        var v = from.Zip(to, (x, y) => x - y).ToArray();
        var norm = MathF.Sqrt(v.Sum(x => x * x));
        return Reflect(template, v.Select(x => x / norm).ToArray());
    }
}
