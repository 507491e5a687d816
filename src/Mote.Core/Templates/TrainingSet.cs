namespace Mote.Core.Templates;

/// <summary>
/// A person's training descriptors: positives (the reference and its synthetic variations) and negatives
/// (synthetic population samples), each row-major <c>count × Dimension</c> float32. The positives:negatives
/// ratio is the data provider's choice (the MOTE default is about 1:2). Not copied: do not mutate the
/// arrays while a training runs.
/// </summary>
public sealed class TrainingSet
{
    /// <summary>Creates a training set over flat row-major arrays.</summary>
    /// <exception cref="ArgumentException">The dimension is not positive, a length is not a multiple of it, a class is empty, or a value is not finite.</exception>
    public TrainingSet(int dimension, float[] positives, float[] negatives)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        ArgumentNullException.ThrowIfNull(positives);
        ArgumentNullException.ThrowIfNull(negatives);
        Check(positives, dimension, "positives");
        Check(negatives, dimension, "negatives");
        Dimension = dimension;
        Positives = positives;
        Negatives = negatives;
    }

    /// <summary>The descriptor dimension d.</summary>
    public int Dimension { get; }

    /// <summary>Positives, row-major.</summary>
    public float[] Positives { get; }

    /// <summary>Negatives, row-major.</summary>
    public float[] Negatives { get; }

    /// <summary>Number of positive rows.</summary>
    public int PositiveCount => Positives.Length / Dimension;

    /// <summary>Number of negative rows.</summary>
    public int NegativeCount => Negatives.Length / Dimension;

    /// <summary>Builds a training set from one array per descriptor (copied into flat arrays).</summary>
    public static TrainingSet FromRows(IReadOnlyList<float[]> positives, IReadOnlyList<float[]> negatives)
    {
        ArgumentNullException.ThrowIfNull(positives);
        ArgumentNullException.ThrowIfNull(negatives);
        if (positives.Count == 0)
        {
            throw new ArgumentException("A training set needs at least one positive.", nameof(positives));
        }

        var dimension = positives[0].Length;
        return new TrainingSet(dimension, Flatten(positives, dimension, "positives"), Flatten(negatives, dimension, "negatives"));
    }

    private static float[] Flatten(IReadOnlyList<float[]> rows, int dimension, string what)
    {
        var flat = new float[rows.Count * dimension];
        for (var i = 0; i < rows.Count; i++)
        {
            if (rows[i].Length != dimension)
            {
                throw new ArgumentException($"Row {i} of the {what} has {rows[i].Length} values; {dimension} were expected.", what);
            }

            rows[i].CopyTo(flat, i * dimension);
        }

        return flat;
    }

    private static void Check(float[] values, int dimension, string what)
    {
        if (values.Length == 0 || values.Length % dimension != 0)
        {
            throw new ArgumentException($"The {what} hold {values.Length} values, not a positive multiple of the dimension {dimension}.", what);
        }

        if (Array.FindIndex(values, v => !float.IsFinite(v)) is var bad and >= 0)
        {
            throw new ArgumentException($"The {what} hold a NaN or infinite value in row {bad / dimension}.", what);
        }
    }
}
