using Mote.Core.Numerics;

namespace Mote.Core.Templates;

/// <summary>
/// The baseline template: the person's L2-normalised descriptor; score = cosine similarity with the probe
/// (in [−1, 1]). Stored as d float32 values.
/// </summary>
public sealed class VectorTemplate : ITemplate
{
    private readonly float[] unit;

    /// <summary>Creates a template from a reference descriptor (copied and L2-normalised; the input is not mutated).</summary>
    /// <exception cref="ArgumentException">The descriptor is empty, has a non-finite value or is all zeros.</exception>
    public VectorTemplate(BackboneIdentity backbone, ReadOnlySpan<float> descriptor)
    {
        ArgumentNullException.ThrowIfNull(backbone);
        if (descriptor.IsEmpty)
        {
            throw new ArgumentException("The reference descriptor is empty.", nameof(descriptor));
        }

        Backbone = backbone;
        unit = descriptor.ToArray();
        if (!Kernels.NormalizeInPlace(unit))
        {
            throw new ArgumentException("The reference descriptor is all zeros or not finite; it cannot be normalised.", nameof(descriptor));
        }
    }

    /// <inheritdoc />
    public TemplateKind Kind => TemplateKind.Vector;

    /// <inheritdoc />
    public BackboneIdentity Backbone { get; }

    /// <inheritdoc />
    public int Dimension => unit.Length;

    /// <inheritdoc />
    public int StorageBytes => unit.Length * sizeof(float);

    /// <summary>The stored unit vector.</summary>
    public ReadOnlySpan<float> UnitVector => unit;

    /// <inheritdoc />
    public float Score(ReadOnlySpan<float> probe)
    {
        Kernels.EnsureLength(probe, Dimension, "probe");
        var norm = MathF.Sqrt(Kernels.Dot(probe, probe));
        return norm > 0 && float.IsFinite(norm) ? Kernels.Dot(unit, probe) / norm : 0f;
    }
}
