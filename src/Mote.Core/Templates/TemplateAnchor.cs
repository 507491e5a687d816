namespace Mote.Core.Templates;

/// <summary>
/// The cosine anchor of an anchored model-template: its logit is <c>Scale · (cos(x, r) − Cosine) + g(x)</c>, where r is
/// the reference descriptor and g the person's small learned correction. The anchor is folded into the stored MLP (one
/// extra unit per hidden layer carries <c>x·r + 2</c> through the ReLUs), so scoring needs nothing new; the two numbers
/// are kept so that a logit can be read back on the cosine scale the pack's real-impostor calibration is measured on.
/// </summary>
/// <param name="Scale">Logit units per unit of cosine (&gt; 0).</param>
/// <param name="Cosine">The cosine at which the anchor term is zero.</param>
public sealed record TemplateAnchor(float Scale, float Cosine)
{
    /// <summary>Offset the carrier unit adds to <c>x·r</c> so that the ReLUs pass it unchanged for any |x·r| &lt; 2.</summary>
    internal const float CarrierOffset = 2f;

    /// <summary>The cosine a logit corresponds to when the correction g is read as part of it: <c>logit / Scale + Cosine</c>.</summary>
    public double CosineEquivalent(double logit) => (logit / Scale) + Cosine;

    /// <summary>The logit at a cosine-scale value: <c>Scale · (cosine − Cosine)</c>.</summary>
    public double LogitAt(double cosine) => Scale * (cosine - Cosine);

    /// <summary>Validates the numbers.</summary>
    /// <exception cref="ArgumentException">A value is not finite or the scale is not positive.</exception>
    internal void Validate()
    {
        if (!(Scale > 0 && float.IsFinite(Scale) && float.IsFinite(Cosine)))
        {
            throw new ArgumentException($"Anchor scale {Scale} must be finite and > 0 and its cosine {Cosine} finite.");
        }
    }

    /// <summary>
    /// Folds the anchor into <paramref name="correction"/> (g's layers, input first, one logit out): every layer gains one
    /// unit that carries <c>x·r̂ + 2</c> (ReLU leaves it unchanged), and the logit layer adds <c>Scale·(carrier − 2 − Cosine)</c>.
    /// Returns new layers; nothing given is mutated.
    /// </summary>
    internal IReadOnlyList<DenseLayer> Fold(IReadOnlyList<DenseLayer> correction, ReadOnlySpan<float> unitReference)
    {
        var folded = new DenseLayer[correction.Count];
        for (var l = 0; l < correction.Count; l++)
        {
            var layer = correction[l];
            var first = l == 0;
            var last = l == correction.Count - 1;
            var inputs = first ? layer.Inputs : layer.Inputs + 1;
            var outputs = last ? 1 : layer.Outputs + 1;
            var w = new float[inputs * outputs];
            var b = new float[outputs];
            for (var o = 0; o < layer.Outputs; o++)
            {
                layer.Weights.Slice(o * layer.Inputs, layer.Inputs).CopyTo(w.AsSpan(o * inputs));
                b[o] = layer.Bias[o];
            }

            if (last)
            {
                w[inputs - 1] = Scale;
                b[0] -= Scale * (CarrierOffset + Cosine);
            }
            else if (first)
            {
                unitReference.CopyTo(w.AsSpan((outputs - 1) * inputs));
                b[outputs - 1] = CarrierOffset;
            }
            else
            {
                w[((outputs - 1) * inputs) + inputs - 1] = 1f;
            }

            folded[l] = new DenseLayer(inputs, outputs, w, b);
        }

        return folded;
    }
    /// <summary>
    /// Caps the learned correction of folded layers (<see cref="Fold"/>'s output, or any layers whose last hidden unit is the
    /// carrier): the logit becomes <c>Scale·(cos − Cosine) + min(g, cap)</c>, so g can lift no face above what it lifts by
    /// <paramref name="cap"/>. The old logit layer becomes a hidden layer of three units, <c>relu(L)</c>, <c>relu(−L)</c> and
    /// <c>relu(g − cap)</c>, and a new logit layer returns <c>relu(L) − relu(−L) − relu(g − cap) = L − max(0, g − cap)</c>.
    /// Returns new layers; nothing given is mutated.
    /// </summary>
    internal IReadOnlyList<DenseLayer> FoldCap(IReadOnlyList<DenseLayer> folded, float cap)
    {
        if (!float.IsFinite(cap))
        {
            throw new ArgumentException($"The correction cap {cap} must be finite.", nameof(cap));
        }

        var last = folded[^1];
        var n = last.Inputs;
        var w = new float[3 * n];
        last.Weights.CopyTo(w);
        for (var i = 0; i < n; i++)
        {
            w[n + i] = -last.Weights[i];
            w[(2 * n) + i] = last.Weights[i];
        }

        // g = L − Scale·(carrier − CarrierOffset − Cosine): the carrier is the last input.
        w[(2 * n) + n - 1] -= Scale;
        var b = new[] { last.Bias[0], -last.Bias[0], last.Bias[0] + (Scale * (CarrierOffset + Cosine)) - cap };
        var layers = folded.Take(folded.Count - 1).ToList();
        layers.Add(new DenseLayer(n, 3, w, b));
        layers.Add(new DenseLayer(3, 1, [1f, -1f, -1f], [0f]));
        return layers;
    }
}
