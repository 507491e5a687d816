namespace Mote.Core.Templates;

/// <summary>
/// Layer widths of a model-template's MLP, from the input dimension d to the single logit:
/// e.g. <c>[128, 128, 64, 16, 1]</c>. Hidden layers use ReLU (and dropout while training). Immutable.
/// </summary>
public sealed class MlpArchitecture : IEquatable<MlpArchitecture>
{
    /// <summary>Upper bound on any width, so that a hostile or corrupt file cannot ask for huge allocations.</summary>
    public const int MaxWidth = 1 << 16;

    /// <summary>Upper bound on the number of linear layers.</summary>
    public const int MaxLayers = 16;

    private readonly int[] widths;

    /// <summary>Creates an architecture from its widths (copied).</summary>
    /// <exception cref="ArgumentException">Fewer than two widths, more than <see cref="MaxLayers"/> layers, a width outside 1…<see cref="MaxWidth"/>, or a last width other than 1.</exception>
    public MlpArchitecture(IEnumerable<int> widths)
    {
        ArgumentNullException.ThrowIfNull(widths);
        this.widths = widths.ToArray();
        if (this.widths.Length < 2 || this.widths.Length > MaxLayers + 1)
        {
            throw new ArgumentException($"An MLP needs 2…{MaxLayers + 1} widths; got {this.widths.Length}.", nameof(widths));
        }

        if (this.widths.Any(w => w < 1 || w > MaxWidth))
        {
            throw new ArgumentException($"Widths [{string.Join(", ", this.widths)}] must each be in 1…{MaxWidth}.", nameof(widths));
        }

        if (this.widths[^1] != 1)
        {
            throw new ArgumentException($"The last width must be 1 (one logit); got [{string.Join(", ", this.widths)}].", nameof(widths));
        }
    }

    /// <summary>All widths, input first, 1 last.</summary>
    public IReadOnlyList<int> Widths => widths;

    /// <summary>The input (descriptor) dimension d.</summary>
    public int InputDimension => widths[0];

    /// <summary>Number of linear layers (widths − 1).</summary>
    public int LayerCount => widths.Length - 1;

    /// <summary>Number of weights and biases.</summary>
    public int ParameterCount
    {
        get
        {
            var count = 0;
            for (var l = 0; l < LayerCount; l++)
            {
                count += (widths[l] + 1) * widths[l + 1];
            }

            return count;
        }
    }

    /// <summary>The MOTE paper's MLP: d→128→64→16→1.</summary>
    public static MlpArchitecture Default(int inputDimension) => new([inputDimension, 128, 64, 16, 1]);

    /// <summary>A compact MLP, d→32→16→1 (about 5.6x fewer parameters than the default at d = 128).</summary>
    public static MlpArchitecture Compact(int inputDimension) => new([inputDimension, 32, 16, 1]);

    /// <summary>
    /// Returns a copy whose hidden widths are each moved by a uniform integer in [−<paramref name="jitter"/>,
    /// <paramref name="jitter"/>] (never below 4), drawn from <paramref name="random"/> (which is advanced).
    /// Privacy hardening: people's templates no longer share one exact shape.
    /// </summary>
    public MlpArchitecture WithJitter(int jitter, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        ArgumentOutOfRangeException.ThrowIfNegative(jitter);
        var jittered = (int[])widths.Clone();
        for (var l = 1; l < jittered.Length - 1; l++)
        {
            jittered[l] = Math.Max(4, jittered[l] + random.Next(-jitter, jitter + 1));
        }

        return new MlpArchitecture(jittered);
    }

    /// <inheritdoc />
    public bool Equals(MlpArchitecture? other) => other is not null && widths.AsSpan().SequenceEqual(other.widths);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as MlpArchitecture);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var w in widths)
        {
            hash.Add(w);
        }

        return hash.ToHashCode();
    }

    /// <inheritdoc />
    public override string ToString() => string.Join("→", widths);
}
