using Mote.Core.Numerics;

namespace Mote.Core.Templates;

/// <summary>
/// Batched 1:N scoring over many model-templates. Weights are stacked into one contiguous array per layer
/// for each group of templates with the same input dimension and depth; one pass over a group scores a
/// whole block of probes, so each template's weights are read once per block rather than once per probe.
/// Immutable after construction; safe for concurrent <see cref="ScoreBatch"/> calls.
/// </summary>
/// <remarks>
/// Jittered templates differ in hidden widths. By default each group is padded to its widest template
/// (rounded up to a multiple of 8 for the vector kernel): a padded hidden unit has zero incoming weights and
/// zero bias, so ReLU gives 0, and zero outgoing weights, so it adds nothing — the function is unchanged
/// (verified against unpadded scoring in the tests). With <c>padWidths: false</c> templates are grouped by
/// exact shape instead.
/// </remarks>
public sealed class ModelTemplateScorer : ITemplateScorer
{
    /// <summary>
    /// Probes scored together per pass. Each pass streams every template's weights once (about 130 KB a
    /// padded default template, 1.3 GB for 10,000), so larger blocks divide that traffic; 64 probes × 144
    /// floats of activations (37 KB a buffer) still sit in L2 beside the weights being read.
    /// </summary>
    private const int ProbeBlock = 64;

    private readonly Group[] groups;

    /// <summary>Stacks the templates' weights (copied; the templates are not mutated).</summary>
    /// <param name="templates">The gallery; all must share one backbone and input dimension.</param>
    /// <param name="padWidths">Pad hidden widths within a depth group (default) or group by exact shape.</param>
    /// <exception cref="ArgumentException">No templates, or their dimensions differ.</exception>
    /// <exception cref="BackboneMismatchException">Templates come from different backbones.</exception>
    public ModelTemplateScorer(IReadOnlyList<ModelTemplate> templates, bool padWidths = true)
    {
        (Backbone, Dimension) = TemplateScorers.CommonInput(templates, nameof(templates));

        Count = templates.Count;
        groups = templates
            .Select((t, i) => (Template: t, Index: i))
            .GroupBy(x => padWidths ? x.Template.Architecture.LayerCount.ToString(System.Globalization.CultureInfo.InvariantCulture) : x.Template.Architecture.ToString())
            .Select(g => new Group(g.Select(x => x.Template).ToArray(), g.Select(x => x.Index).ToArray(), padWidths))
            .ToArray();
    }

    /// <inheritdoc />
    public int Count { get; }

    /// <inheritdoc />
    public BackboneIdentity Backbone { get; }

    /// <inheritdoc />
    public int Dimension { get; }

    /// <summary>Number of stacked groups (1 when all templates share a depth and widths are padded).</summary>
    public int GroupCount => groups.Length;

    /// <summary>Bytes of stacked weights held, padding included.</summary>
    public long StackedBytes => groups.Sum(g => g.StackedBytes);

    /// <inheritdoc />
    public void ScoreBatch(ReadOnlySpan<float> probes, int probeCount, Span<float> scores)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(probeCount);
        Kernels.EnsureLength(probes, probeCount * Dimension, "probe batch");
        Kernels.EnsureLength(scores, probeCount * Count, "score buffer");
        var probeArray = probes.ToArray();
        var scoreArray = new float[scores.Length];
        for (var start = 0; start < probeCount; start += ProbeBlock)
        {
            var block = Math.Min(ProbeBlock, probeCount - start);
            foreach (var group in groups)
            {
                group.Score(probeArray, start, block, Dimension, scoreArray, Count);
            }
        }

        scoreArray.CopyTo(scores);
    }

    private sealed class Group
    {
        private readonly int[] indices;
        private readonly int[] widths;
        private readonly float[][] weights;
        private readonly float[][] biases;

        public Group(ModelTemplate[] members, int[] indices, bool pad)
        {
            this.indices = indices;
            var layerCount = members[0].Architecture.LayerCount;
            widths = new int[layerCount + 1];
            for (var l = 0; l <= layerCount; l++)
            {
                var max = members.Max(m => m.Architecture.Widths[l]);
                var isHidden = l > 0 && l < layerCount;
                widths[l] = pad && isHidden ? (max + 7) / 8 * 8 : max;
            }

            weights = new float[layerCount][];
            biases = new float[layerCount][];
            for (var l = 0; l < layerCount; l++)
            {
                int inPad = widths[l], outPad = widths[l + 1];
                weights[l] = new float[(long)members.Length * outPad * inPad > int.MaxValue ? throw new ArgumentException("The gallery is too large for one stacked array.") : members.Length * outPad * inPad];
                biases[l] = new float[members.Length * outPad];
                for (var t = 0; t < members.Length; t++)
                {
                    var layer = members[t].Layers[l];
                    var w = layer.Weights;
                    for (var r = 0; r < layer.Outputs; r++)
                    {
                        w.Slice(r * layer.Inputs, layer.Inputs).CopyTo(weights[l].AsSpan((t * outPad + r) * inPad, layer.Inputs));
                    }

                    layer.Bias.CopyTo(biases[l].AsSpan(t * outPad, layer.Outputs));
                }
            }
        }

        public long StackedBytes => (weights.Sum(w => (long)w.Length) + biases.Sum(b => (long)b.Length)) * sizeof(float);

        public void Score(float[] probes, int probeStart, int block, int dimension, float[] scores, int count)
        {
            var maxWidth = widths.Max();
            var memberCount = indices.Length;
            var workers = Math.Max(1, Math.Min(Environment.ProcessorCount, memberCount / 64));
            var chunk = (memberCount + workers - 1) / workers;

            // Blocks of 8 probes or more run feature-major (probes in the vector lanes, padded to 16);
            // smaller ones (a single probe) use row dot products, which waste no lanes.
            var transposed = block >= 8;
            var lanes = (block + Kernels.ProbeLanes - 1) / Kernels.ProbeLanes * Kernels.ProbeLanes;
            float[]? inputT = null;
            if (transposed)
            {
                inputT = new float[dimension * lanes];
                for (var p = 0; p < block; p++)
                {
                    for (var i = 0; i < dimension; i++)
                    {
                        inputT[(i * lanes) + p] = probes[((probeStart + p) * dimension) + i];
                    }
                }
            }

            Parallel.For(0, workers, worker =>
            {
                var width = transposed ? lanes : block;
                var a = new float[width * maxWidth];
                var b = new float[width * maxWidth];
                var end = Math.Min(memberCount, (worker + 1) * chunk);
                for (var t = worker * chunk; t < end; t++)
                {
                    ReadOnlySpan<float> x = transposed ? inputT : probes.AsSpan(probeStart * dimension, block * dimension);
                    for (var l = 0; l < weights.Length; l++)
                    {
                        int inPad = widths[l], outPad = widths[l + 1];
                        var w = weights[l].AsSpan(t * outPad * inPad, outPad * inPad);
                        var bias = biases[l].AsSpan(t * outPad, outPad);
                        var y = b.AsSpan(0, width * outPad);
                        var relu = l < weights.Length - 1;
                        if (transposed)
                        {
                            Kernels.DenseTransposed(w, bias, outPad, inPad, x, lanes, y, relu);
                        }
                        else
                        {
                            Kernels.Dense(w, bias, outPad, inPad, x, block, y, relu);
                        }

                        (a, b) = (b, a);
                        x = a.AsSpan(0, width * outPad);
                    }

                    for (var p = 0; p < block; p++)
                    {
                        scores[((probeStart + p) * count) + indices[t]] = ModelTemplate.Sigmoid(x[p]);
                    }
                }
            });
        }
    }
}
