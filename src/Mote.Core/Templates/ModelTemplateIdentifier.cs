using Mote.Core.Numerics;

namespace Mote.Core.Templates;

/// <summary>What one screened identification did, for benchmarks and diagnostics.</summary>
/// <param name="Result">The answer (exact scores).</param>
/// <param name="Candidates">Templates whose upper bound reached their threshold.</param>
/// <param name="Rescored">Templates scored exactly in fp32 (candidates not ruled out by the top-k so far; scored in windows, so a few more than strictly needed).</param>
public sealed record ScreenedIdentification(IdentificationResult Result, int Candidates, int Rescored);

/// <summary>
/// Single-probe 1:N over model-templates in two passes. A screen runs every template's int8 copy
/// (<c>QuantizedTemplate</c>, about a quarter of the fp32 bytes) on both cores and gets, per template, a rigorous
/// upper bound on its exact logit; only templates whose bound reaches their threshold (and, once k people have
/// passed, the k-th best score) are scored exactly with <see cref="ModelTemplate.Score"/>. Returned ids, scores
/// and decisions are therefore those of scoring each template alone, bit for bit. Immutable; thread-safe.
/// </summary>
/// <remarks>
/// Why: one probe against 10,000 default templates (≈25.9k fp32 parameters, 103.5 KB each) reads about
/// 1 GB of weights, which took 72.5 ms on this 2-core machine (about 14 GB/s); the int8 copy is about 4x fewer
/// bytes and integer dot products (vpmaddubsw) need no float conversion. Figures: docs/identification.md.
/// Memory: the fp32 templates (kept for exact rescoring) plus the screen, see <see cref="ScreenBytes"/>.
/// </remarks>
public sealed class ModelTemplateIdentifier : ITemplateIdentifier
{
    /// <summary>Templates per parallel work item: large enough to amortise scheduling, small enough to balance two busy cores.</summary>
    private const int Block = 128;

    private readonly ModelTemplate[] templates;
    private readonly QuantizedTemplate[] screens;
    private readonly int paddedDimension;
    private readonly int scratchWidth;

    /// <summary>Builds the int8 screen (the templates are kept, not copied, for exact rescoring).</summary>
    /// <exception cref="ArgumentException">No templates, or their dimensions differ.</exception>
    /// <exception cref="BackboneMismatchException">Templates come from different backbones.</exception>
    public ModelTemplateIdentifier(IReadOnlyList<ModelTemplate> templates)
        : this(templates, previous: null)
    {
    }

    /// <summary>
    /// Builds the int8 screen, reusing <paramref name="previous"/>'s screen for every template it also held (the same
    /// object: templates are immutable, so its screen is the one this would build). A gallery rebuilt after one enrollment
    /// quantises one template, not all of them.
    /// </summary>
    /// <exception cref="ArgumentException">No templates, or their dimensions differ.</exception>
    /// <exception cref="BackboneMismatchException">Templates come from different backbones.</exception>
    public ModelTemplateIdentifier(IReadOnlyList<ModelTemplate> templates, ModelTemplateIdentifier? previous)
    {
        (Backbone, Dimension) = TemplateScorers.CommonInput(templates, nameof(templates));

        this.templates = templates.ToArray();
        screens = new QuantizedTemplate[this.templates.Length];
        var known = new Dictionary<ModelTemplate, QuantizedTemplate>(ReferenceEqualityComparer.Instance);
        for (var i = 0; previous is not null && i < previous.templates.Length; i++)
        {
            known[previous.templates[i]] = previous.screens[i];
        }
        var shapes = this.templates.Select(t => t.Architecture).Distinct().ToDictionary(a => a, a => new QuantizedTemplate.Shape(a));
        Parallel.For(0, screens.Length, i => screens[i] = known.TryGetValue(this.templates[i], out var screen)
            ? screen
            : new QuantizedTemplate(this.templates[i], shapes[this.templates[i].Architecture]));
        paddedDimension = (Dimension + QuantizedTemplate.InputGroup - 1) / QuantizedTemplate.InputGroup * QuantizedTemplate.InputGroup;
        scratchWidth = screens.Max(s => s.MaxPaddedWidth);
    }

    /// <inheritdoc />
    public int Count => templates.Length;

    /// <inheritdoc />
    public BackboneIdentity Backbone { get; }

    /// <summary>The descriptor dimension d.</summary>
    public int Dimension { get; }

    /// <summary>Bytes of the int8 screen (weights and per-row metadata), padding included.</summary>
    public long ScreenBytes => screens.Sum(s => (long)s.Bytes);

    /// <summary>Bytes of the fp32 weights kept for exact rescoring (parameters × 4).</summary>
    public long ExactBytes => templates.Sum(t => (long)t.Architecture.ParameterCount * sizeof(float));

    /// <inheritdoc />
    public IdentificationResult Identify(BackboneIdentity probeBackbone, ReadOnlySpan<float> probe, ReadOnlySpan<float> thresholds, int topK = 1) =>
        IdentifyWithReport(probeBackbone, probe, thresholds, topK).Result;

    /// <summary>Identifies each of <paramref name="probeCount"/> probes (row-major) in turn.</summary>
    /// <exception cref="ArgumentException">The probes' length is not <c>probeCount × Dimension</c>, or as for <see cref="Identify(BackboneIdentity, ReadOnlySpan{float}, ReadOnlySpan{float}, int)"/>.</exception>
    public IdentificationResult[] Identify(BackboneIdentity probeBackbone, ReadOnlySpan<float> probes, int probeCount, ReadOnlySpan<float> thresholds, int topK = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(probeCount);
        Kernels.EnsureLength(probes, probeCount * Dimension, "probe batch");
        var results = new IdentificationResult[probeCount];
        for (var p = 0; p < probeCount; p++)
        {
            results[p] = Identify(probeBackbone, probes.Slice(p * Dimension, Dimension), thresholds, topK);
        }

        return results;
    }

    /// <summary>As <see cref="Identify(BackboneIdentity, ReadOnlySpan{float}, ReadOnlySpan{float}, int)"/>, with how many templates were rescored.</summary>
    public ScreenedIdentification IdentifyWithReport(BackboneIdentity probeBackbone, ReadOnlySpan<float> probe, ReadOnlySpan<float> thresholds, int topK = 1)
    {
        ArgumentNullException.ThrowIfNull(probeBackbone);
        Backbone.EnsureSameAs(probeBackbone, "The gallery");
        ArgumentOutOfRangeException.ThrowIfLessThan(topK, 1);
        Kernels.EnsureLength(probe, Dimension, "probe");
        if (thresholds.Length != 1 && thresholds.Length != Count)
        {
            throw new ArgumentException($"Give one global threshold or {Count} per-template thresholds; got {thresholds.Length}.", nameof(thresholds));
        }

        foreach (var v in probe)
        {
            if (!float.IsFinite(v))
            {
                throw new ArgumentException("The probe has a NaN or infinite value.", nameof(probe));
            }
        }

        var cutoffs = new float[thresholds.Length];
        for (var i = 0; i < thresholds.Length; i++)
        {
            cutoffs[i] = float.IsNaN(thresholds[i])
                ? throw new ArgumentException($"Threshold {i} is NaN.", nameof(thresholds))
                : CutoffLogit(thresholds[i]);
        }

        var uppers = UpperBounds(probe);
        var candidates = new List<int>();
        for (var t = 0; t < uppers.Length; t++)
        {
            // "not below" so that a NaN bound (overflow) is rescored rather than dropped.
            if (!(uppers[t] < cutoffs[cutoffs.Length == 1 ? 0 : t]))
            {
                candidates.Add(t);
            }
        }

        candidates.Sort((x, y) =>
        {
            var byBound = Key(uppers[y]).CompareTo(Key(uppers[x]));
            return byBound != 0 ? byBound : x.CompareTo(y);
        });

        var best = new List<IdentificationCandidate>(topK + 1);
        var kthCutoff = float.NegativeInfinity;
        var rescored = 0;
        var scores = new float[candidates.Count];
        var probeArray = probe.ToArray();
        var stop = false;
        // Rescore in windows that double (16, 32, 64, …): a door probe usually needs one or two templates, but
        // a gallery the screen cannot separate (e.g. random weights) is rescored on both cores.
        for (int start = 0, window = 16; start < candidates.Count && !stop; start += window, window *= 2)
        {
            if (best.Count == topK && uppers[candidates[start]] < kthCutoff)
            {
                break;
            }

            var end = Math.Min(candidates.Count, start + window);
            if (end - start >= 64)
            {
                Parallel.For(start, end, i => scores[i] = templates[candidates[i]].Score(probeArray));
            }
            else
            {
                for (var i = start; i < end; i++)
                {
                    scores[i] = templates[candidates[i]].Score(probeArray);
                }
            }

            rescored += end - start;
            for (var i = start; i < end; i++)
            {
                var t = candidates[i];
                // Bounds are in descending order: once one cannot reach the k-th best score, none after it can.
                if (best.Count == topK && uppers[t] < kthCutoff)
                {
                    stop = true;
                    break;
                }

                var score = scores[i];
                var threshold = thresholds.Length == 1 ? thresholds[0] : thresholds[t];
                if (score < threshold)
                {
                    continue;
                }

                // Best first; equal scores keep template order, as Identification.Identify does.
                var at = best.FindIndex(c => c.Score < score || (c.Score == score && c.TemplateIndex > t));
                best.Insert(at < 0 ? best.Count : at, new IdentificationCandidate(t, score, threshold));
                if (best.Count > topK)
                {
                    best.RemoveAt(best.Count - 1);
                }

                if (best.Count == topK)
                {
                    kthCutoff = CutoffLogit(best[^1].Score);
                }
            }
        }

        return new ScreenedIdentification(new IdentificationResult(best), candidates.Count, rescored);
    }

    /// <summary>
    /// The screen's estimate and rigorous radius of every template's logit (for tests: the exact logit lies in
    /// <c>estimate ± radius</c>).
    /// </summary>
    internal void Bounds(ReadOnlySpan<float> probe, Span<float> estimates, Span<float> radii)
    {
        var coded = new QuantizedProbe(probe, paddedDimension);
        var scratch = new QuantizedTemplate.Scratch(scratchWidth);
        for (var t = 0; t < Count; t++)
        {
            (estimates[t], radii[t]) = screens[t].Bound(coded, scratch);
        }
    }

    private float[] UpperBounds(ReadOnlySpan<float> probe)
    {
        var coded = new QuantizedProbe(probe, paddedDimension);
        var uppers = new float[Count];
        var blocks = (Count + Block - 1) / Block;
        Parallel.For(
            0,
            blocks,
            () => new QuantizedTemplate.Scratch(scratchWidth),
            (b, _, scratch) =>
            {
                QuantizedTemplate.UpperBounds(screens, b * Block, Math.Min(Count, (b + 1) * Block), coded, scratch, uppers);
                return scratch;
            },
            _ => { });
        return uppers;
    }

    private static float Key(float upper) => float.IsNaN(upper) ? float.PositiveInfinity : upper;

    /// <summary>
    /// A logit below which <see cref="ModelTemplate.Sigmoid"/> is certainly below <paramref name="threshold"/>:
    /// logit(threshold·(1 − 1e-6)) − 1e-3, rounded down. The float sigmoid is within about 4 units in the last
    /// place (≈ 2.4e-7 relative) of the real one, so the 1e-6 relative and 1e-3 absolute margins cover it.
    /// </summary>
    internal static float CutoffLogit(float threshold)
    {
        if (threshold > 1f)
        {
            return float.PositiveInfinity;
        }

        if (!(threshold > 0f))
        {
            return float.NegativeInfinity;
        }

        var p = threshold * (1 - 1e-6);
        var logit = Math.Log(p / (1 - p)) - 1e-3;
        var f = (float)logit;
        return f > logit ? MathF.BitDecrement(f) : f;
    }
}
