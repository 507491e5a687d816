using Mote.Core.Numerics;

namespace Mote.Core.Templates;

/// <summary>
/// A person's guard against one demographic group, the direct half of the balance knob: when a person's balance raises
/// a group's negative weight above the others', the template's logit drops by <c>Margin · clamp(d·x + c, 0, 1)</c> for a
/// probe x, where <c>d·x + c</c> is a linear detector of that group's faces (0 where the detector is undecided, 1 for a
/// typical member). Faces that do not look like the group are scored exactly as without the guard, so the person's
/// threshold (read from real impostors, independent of the balance) still holds for them, and faces that do look like it
/// score lower: the person's false-match rate against the group can only fall. Folded into the stored MLP with ReLU
/// units (<see cref="Fold"/>), so scoring, quantised screens and storage need nothing new.
/// </summary>
/// <param name="Group">The group's id.</param>
/// <param name="Direction">The detector's weights over a unit descriptor.</param>
/// <param name="Offset">The detector's offset.</param>
/// <param name="Margin">Logit units taken off a typical member's score (&gt; 0).</param>
public sealed record GroupGuard(string Group, float[] Direction, float Offset, float Margin)
{
    /// <summary>How strongly the guard acts on a unit probe: <c>clamp(d·x + c, 0, 1)</c>.</summary>
    public float Activation(ReadOnlySpan<float> unitProbe) => Math.Clamp(Kernels.Dot(unitProbe, Direction) + Offset, 0f, 1f);

    /// <summary>
    /// Folds guards into layers (input first, ReLU between, one logit out, at least 2 layers): the first layer gains two
    /// units per guard, <c>relu(z)</c> and <c>relu(z − 1)</c>, whose difference is <c>clamp(z, 0, 1)</c>; the second gains one
    /// unit carrying the non-negative sum <c>Σ Margin · clamp(z, 0, 1)</c> (ReLU leaves it unchanged) through every further
    /// hidden layer; the logit layer subtracts it. Returns new layers; nothing given is mutated.
    /// </summary>
    /// <exception cref="ArgumentException">Fewer than 2 layers, a guard of another dimension, or a margin that is not positive and finite.</exception>
    public static IReadOnlyList<DenseLayer> Fold(IReadOnlyList<DenseLayer> layers, IReadOnlyList<GroupGuard> guards)
    {
        ArgumentNullException.ThrowIfNull(layers);
        ArgumentNullException.ThrowIfNull(guards);
        if (guards.Count == 0)
        {
            return layers;
        }

        if (layers.Count < 2)
        {
            throw new ArgumentException("A group guard needs a model-template with at least one hidden layer.", nameof(layers));
        }

        foreach (var guard in guards)
        {
            if (guard.Direction.Length != layers[0].Inputs)
            {
                throw new ArgumentException($"The guard for '{guard.Group}' has {guard.Direction.Length} weights; the template takes {layers[0].Inputs}.", nameof(guards));
            }

            if (!(guard.Margin > 0 && float.IsFinite(guard.Margin) && float.IsFinite(guard.Offset)) || guard.Direction.Any(v => !float.IsFinite(v)))
            {
                throw new ArgumentException($"The guard for '{guard.Group}' must have finite weights and a positive, finite margin.", nameof(guards));
            }
        }

        var folded = new DenseLayer[layers.Count];
        var k = guards.Count;
        for (var l = 0; l < layers.Count; l++)
        {
            var layer = layers[l];
            var first = l == 0;
            var last = l == layers.Count - 1;
            // Extra inputs this layer reads (the previous layer's extra outputs) and extra outputs it gives.
            var extraIn = first ? 0 : l == 1 ? 2 * k : 1;
            var extraOut = last ? 0 : first ? 2 * k : 1;
            var inputs = layer.Inputs + extraIn;
            var outputs = layer.Outputs + extraOut;
            var w = new float[inputs * outputs];
            var b = new float[outputs];
            for (var o = 0; o < layer.Outputs; o++)
            {
                layer.Weights.Slice(o * layer.Inputs, layer.Inputs).CopyTo(w.AsSpan(o * inputs));
                b[o] = layer.Bias[o];
            }

            if (first)
            {
                for (var g = 0; g < k; g++)
                {
                    int rise = layer.Outputs + (2 * g), cap = rise + 1;
                    guards[g].Direction.CopyTo(w.AsSpan(rise * inputs));
                    guards[g].Direction.CopyTo(w.AsSpan(cap * inputs));
                    b[rise] = guards[g].Offset;
                    b[cap] = guards[g].Offset - 1f;
                }
            }

            // The sum Σ Margin·(relu(z) − relu(z − 1)): formed where the first layer's pairs arrive, carried after that.
            var sumRow = last ? 0 : layer.Outputs;
            var sign = last ? -1f : 1f;
            if (l == 1)
            {
                for (var g = 0; g < k; g++)
                {
                    w[(sumRow * inputs) + layer.Inputs + (2 * g)] = sign * guards[g].Margin;
                    w[(sumRow * inputs) + layer.Inputs + (2 * g) + 1] = -sign * guards[g].Margin;
                }
            }
            else if (!first)
            {
                w[(sumRow * inputs) + inputs - 1] = sign;
            }

            folded[l] = new DenseLayer(inputs, outputs, w, b);
        }

        return folded;
    }
}
