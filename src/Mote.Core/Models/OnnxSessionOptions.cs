using Microsoft.ML.OnnxRuntime;

namespace Mote.Core.Models;

/// <summary>How <see cref="OnnxSessionFactory"/> configures ONNX Runtime sessions.</summary>
public sealed class OnnxSessionOptions
{
    /// <summary>Threads inside one operator. Default <see cref="Environment.ProcessorCount"/>.</summary>
    public int IntraOpThreads { get; set; } = Environment.ProcessorCount;

    /// <summary>Graph optimisation level. Default <see cref="GraphOptimizationLevel.ORT_ENABLE_ALL"/> (fuses conv + mul + add + relu).</summary>
    public GraphOptimizationLevel OptimizationLevel { get; set; } = GraphOptimizationLevel.ORT_ENABLE_ALL;
}
