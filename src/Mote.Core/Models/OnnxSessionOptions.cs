using Microsoft.ML.OnnxRuntime;

namespace Mote.Core.Models;

/// <summary>How <see cref="OnnxSessionFactory"/> configures ONNX Runtime sessions.</summary>
public sealed class OnnxSessionOptions
{
    /// <summary>Threads inside one operator. Default <see cref="Environment.ProcessorCount"/>.</summary>
    public int IntraOpThreads { get; set; } = Environment.ProcessorCount;

    /// <summary>Graph optimisation level. Default <see cref="GraphOptimizationLevel.ORT_ENABLE_ALL"/> (fuses conv + mul + add + relu).</summary>
    public GraphOptimizationLevel OptimizationLevel { get; set; } = GraphOptimizationLevel.ORT_ENABLE_ALL;

    /// <summary>
    /// Whether idle intra-op worker threads spin before sleeping (ONNX Runtime's <c>session.intra_op.allow_spinning</c>).
    /// Default false, unlike ONNX Runtime: every session owns its own worker pool, so after BlazeFace ran its worker
    /// kept spinning while the 68-point net and the descriptor ran, three busy threads on two cores. Measured
    /// 2026-11-29 in one interleaved run (200 LFW photos, load 5–10): median per photo 19.9 ms without spinning
    /// against 104.9 ms with it (docs/faces.md).
    /// </summary>
    public bool AllowSpinning { get; set; }

    /// <summary>Whether ONNX Runtime plans memory reuse from the first run's allocations. Default true.</summary>
    public bool EnableMemoryPattern { get; set; } = true;

    /// <summary>
    /// Graph optimisers to switch off by name (ONNX Runtime's <c>optimization.disable_specified_optimizers</c>),
    /// e.g. <c>NchwcTransformer</c>. Default none.
    /// </summary>
    public IReadOnlyList<string> DisabledOptimizers { get; set; } = [];
}
