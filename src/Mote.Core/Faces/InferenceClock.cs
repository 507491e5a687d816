using System.Diagnostics;

namespace Mote.Core.Faces;

/// <summary>
/// Counts the time this thread spends inside ONNX Runtime <c>Run</c> calls, so a benchmark can split a
/// pipeline's latency into pure inference and the pipeline's own overhead within the same run.
/// Per thread, so concurrent pipelines do not mix their counts.
/// </summary>
public static class InferenceClock
{
    [ThreadStatic]
    private static long _ticks;

    /// <summary>Stopwatch ticks spent in inference on this thread since it started.</summary>
    public static long ElapsedTicks => _ticks;

    /// <summary>Starts timing one inference; dispose the result when the call returns.</summary>
    public static Scope Measure() => new(Stopwatch.GetTimestamp());

    /// <summary>Adds the time since its creation to the thread's count when disposed.</summary>
    public readonly struct Scope(long start) : IDisposable
    {
        /// <inheritdoc />
        public void Dispose() => _ticks += Stopwatch.GetTimestamp() - start;
    }
}
