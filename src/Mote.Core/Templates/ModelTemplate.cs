using Mote.Core.Numerics;

namespace Mote.Core.Templates;

/// <summary>
/// A MOTE model-template: one person's trained binary classifier ("is this person X?"), an MLP over
/// descriptors; score = sigmoid(logit). Scoring is pure C# (no TorchSharp). Immutable and thread-safe.
/// Serialised with <see cref="ToBytes"/> and read back, verified, with <see cref="Read"/>.
/// </summary>
public sealed class ModelTemplate : ITemplate
{
    private readonly DenseLayer[] layers;
    private readonly int maxWidth;

    /// <summary>Creates a template from trained layers (validated against the architecture they imply).</summary>
    /// <param name="provenance">Backbone, population pack and balance.</param>
    /// <param name="seed">The training seed.</param>
    /// <param name="layers">The linear layers, input first; the last must have one output.</param>
    /// <param name="training">The training summary.</param>
    /// <param name="precision">How weights are stored by <see cref="ToBytes"/>; default float32. With float16 the
    /// weights are rounded through half precision here, so scores before and after a round trip are equal.</param>
    /// <param name="anchor">The cosine anchor already folded into <paramref name="layers"/>, or null for the paper's plain MLP.</param>
    /// <exception cref="ArgumentException">Layers do not chain (one's outputs ≠ next's inputs) or do not end in one logit.</exception>
    public ModelTemplate(
        ModelTemplateProvenance provenance, long seed, IReadOnlyList<DenseLayer> layers, TrainingSummary training,
        WeightPrecision precision = WeightPrecision.Float32, TemplateAnchor? anchor = null)
    {
        ArgumentNullException.ThrowIfNull(provenance);
        ArgumentNullException.ThrowIfNull(provenance.Backbone);
        ArgumentNullException.ThrowIfNull(provenance.PopulationPackId);
        ArgumentNullException.ThrowIfNull(provenance.Balance);
        ArgumentNullException.ThrowIfNull(layers);
        ArgumentNullException.ThrowIfNull(training);
        if (layers.Count == 0)
        {
            throw new ArgumentException("A model-template needs at least one layer.", nameof(layers));
        }

        for (var l = 1; l < layers.Count; l++)
        {
            if (layers[l].Inputs != layers[l - 1].Outputs)
            {
                throw new ArgumentException($"Layer {l} takes {layers[l].Inputs} inputs but layer {l - 1} gives {layers[l - 1].Outputs}.", nameof(layers));
            }
        }

        anchor?.Validate();
        Anchor = anchor;
        Architecture = new MlpArchitecture(layers.Select(l => l.Inputs).Append(layers[^1].Outputs));
        Provenance = provenance;
        Seed = seed;
        Training = training;
        Precision = precision;
        this.layers = precision == WeightPrecision.Float16 ? layers.Select(l => l.RoundedToHalf()).ToArray() : layers.ToArray();
        maxWidth = Architecture.Widths.Max();
    }

    /// <inheritdoc />
    public TemplateKind Kind => TemplateKind.Model;

    /// <inheritdoc />
    public BackboneIdentity Backbone => Provenance.Backbone;

    /// <summary>Backbone, population pack and balance.</summary>
    public ModelTemplateProvenance Provenance { get; }

    /// <summary>The cosine anchor folded into the layers (anchored architecture), or null for the paper's plain MLP.</summary>
    public TemplateAnchor? Anchor { get; }

    /// <summary>The seed the template was trained with.</summary>
    public long Seed { get; }

    /// <summary>The MLP's layer widths.</summary>
    public MlpArchitecture Architecture { get; }

    /// <summary>The linear layers, input first.</summary>
    public IReadOnlyList<DenseLayer> Layers => layers;

    /// <summary>How training went.</summary>
    public TrainingSummary Training { get; }

    /// <summary>Storage precision of the weights.</summary>
    public WeightPrecision Precision { get; }

    /// <inheritdoc />
    public int Dimension => Architecture.InputDimension;

    /// <inheritdoc />
    public int StorageBytes => ModelTemplateFormat.SizeOf(this);

    /// <summary>A copy stored (and scoring) at another precision.</summary>
    public ModelTemplate WithPrecision(WeightPrecision precision) => new(Provenance, Seed, layers, Training, precision, Anchor);

    /// <summary>The classifier's logit for one probe (eval mode: no dropout). Mutates nothing.</summary>
    /// <exception cref="ArgumentException">The probe's length is not <see cref="Dimension"/>.</exception>
    public float Logit(ReadOnlySpan<float> probe)
    {
        Kernels.EnsureLength(probe, Dimension, "probe");
        Span<float> a = maxWidth <= 1024 ? stackalloc float[maxWidth] : new float[maxWidth];
        Span<float> b = maxWidth <= 1024 ? stackalloc float[maxWidth] : new float[maxWidth];
        probe.CopyTo(a);
        for (var l = 0; l < layers.Length; l++)
        {
            var layer = layers[l];
            Kernels.Dense(layer.Weights, layer.Bias, layer.Outputs, layer.Inputs, a[..layer.Inputs], 1, b[..layer.Outputs], relu: l < layers.Length - 1);
            var swap = a;
            a = b;
            b = swap;
        }

        return a[0];
    }

    /// <summary>score = sigmoid(logit), in [0, 1]. Mutates nothing.</summary>
    public float Score(ReadOnlySpan<float> probe) => Sigmoid(Logit(probe));

    /// <summary>Serialises the template (format version <see cref="ModelTemplateFormat.CurrentVersion"/>, with a SHA-256 checksum).</summary>
    public byte[] ToBytes() => ModelTemplateFormat.Write(this);

    /// <summary>Reads and verifies a serialised template.</summary>
    /// <exception cref="TemplateFormatException">Truncated, wrong magic, unsupported version, checksum mismatch or an invalid field.</exception>
    public static ModelTemplate Read(ReadOnlySpan<byte> data) => ModelTemplateFormat.Read(data);

    internal static float Sigmoid(float logit) => 1f / (1f + MathF.Exp(-logit));
}
