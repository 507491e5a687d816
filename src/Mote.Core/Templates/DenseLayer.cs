using Mote.Core.Numerics;

namespace Mote.Core.Templates;

/// <summary>One linear layer of a model-template: <c>y = W·x + b</c>, W row-major <c>Outputs × Inputs</c>. Immutable.</summary>
public sealed class DenseLayer
{
    private readonly float[] weights;
    private readonly float[] bias;

    /// <summary>Creates a layer; the arrays are copied.</summary>
    /// <exception cref="ArgumentException">The lengths do not match the sizes, or a value is not finite.</exception>
    public DenseLayer(int inputs, int outputs, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputs, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outputs, 1);
        Kernels.EnsureLength(weights, inputs * outputs, "weight matrix");
        Kernels.EnsureLength(bias, outputs, "bias vector");
        this.weights = weights.ToArray();
        this.bias = bias.ToArray();
        if (this.weights.Any(v => !float.IsFinite(v)) || this.bias.Any(v => !float.IsFinite(v)))
        {
            throw new ArgumentException($"A {outputs}×{inputs} layer has a NaN or infinite parameter.", nameof(weights));
        }

        Inputs = inputs;
        Outputs = outputs;
    }

    /// <summary>Input width.</summary>
    public int Inputs { get; }

    /// <summary>Output width.</summary>
    public int Outputs { get; }

    /// <summary>Weights, row-major <c>Outputs × Inputs</c>.</summary>
    public ReadOnlySpan<float> Weights => weights;

    /// <summary>Biases, one per output.</summary>
    public ReadOnlySpan<float> Bias => bias;

    /// <summary>A copy with every parameter rounded through IEEE half precision.</summary>
    internal DenseLayer RoundedToHalf()
    {
        var w = weights.Select(v => (float)(Half)v).ToArray();
        var b = bias.Select(v => (float)(Half)v).ToArray();
        return new DenseLayer(Inputs, Outputs, w, b);
    }
}
