using Mote.Core.Numerics;

namespace Mote.Core.Templates;

/// <summary>
/// Batched 1:N cosine scan over vector templates: unit vectors stacked row-major (<c>N × d</c>), probes
/// normalised once per batch. Immutable; safe for concurrent <see cref="ScoreBatch"/> calls.
/// </summary>
public sealed class VectorTemplateScorer : ITemplateScorer
{
    private const int RowChunk = 256;
    private readonly float[] stacked;
    private readonly float[] zeros = new float[RowChunk];

    /// <summary>Stacks the templates' unit vectors (copied).</summary>
    /// <exception cref="ArgumentException">No templates, or their dimensions differ.</exception>
    /// <exception cref="BackboneMismatchException">Templates come from different backbones.</exception>
    public VectorTemplateScorer(IReadOnlyList<VectorTemplate> templates)
    {
        (Backbone, Dimension) = TemplateScorers.CommonInput(templates, nameof(templates));
        Count = templates.Count;
        stacked = new float[Count * Dimension];
        for (var i = 0; i < Count; i++)
        {
            templates[i].UnitVector.CopyTo(stacked.AsSpan(i * Dimension));
        }
    }

    /// <inheritdoc />
    public int Count { get; }

    /// <inheritdoc />
    public BackboneIdentity Backbone { get; }

    /// <inheritdoc />
    public int Dimension { get; }

    /// <inheritdoc />
    public void ScoreBatch(ReadOnlySpan<float> probes, int probeCount, Span<float> scores)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(probeCount);
        Kernels.EnsureLength(probes, probeCount * Dimension, "probe batch");
        Kernels.EnsureLength(scores, probeCount * Count, "score buffer");
        var units = probes.ToArray();
        for (var p = 0; p < probeCount; p++)
        {
            if (!Kernels.NormalizeInPlace(units.AsSpan(p * Dimension, Dimension)))
            {
                units.AsSpan(p * Dimension, Dimension).Clear(); // an all-zero probe scores 0 everywhere, as VectorTemplate.Score does
            }
        }

        var result = new float[scores.Length];
        var chunks = (Count + RowChunk - 1) / RowChunk;
        Parallel.For(0, chunks, chunk =>
        {
            var first = chunk * RowChunk;
            var rows = Math.Min(RowChunk, Count - first);
            var local = new float[probeCount * rows];
            Kernels.Dense(stacked.AsSpan(first * Dimension, rows * Dimension), zeros.AsSpan(0, rows), rows, Dimension, units, probeCount, local, relu: false);
            for (var p = 0; p < probeCount; p++)
            {
                local.AsSpan(p * rows, rows).CopyTo(result.AsSpan((p * Count) + first, rows));
            }
        });
        result.CopyTo(scores);
    }
}
