namespace Mote.Core.Templates;

/// <summary>
/// The one gate of this process for native (TorchSharp/libtorch) work: every training (<see cref="TemplateTrainer.Train"/>,
/// whoever calls it — an enrollment, a retraining, a balance preview, an evaluation run) and every Grad-CAM++ explanation
/// takes it, so at most one such computation runs in a process at a time. Seen 2026-11-29: two trainings at once in one
/// process failed inside libtorch's AdamW step (<c>addcdiv_</c>, "Expected false to be true" in <c>Scalar::toFloat</c>)
/// although each passes alone; on 2 cores a second training at once would gain nothing anyway.
/// </summary>
/// <remarks>
/// Not re-entrant: a holder must not train or explain again before it releases. Waiting blocks (<see cref="Enter"/>) or
/// awaits (<see cref="EnterAsync"/>); a computation that holds the gate is never cancelled by it.
/// </remarks>
public sealed class NativeWorkGate
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private int _waiting;
    private string? _holder;

    /// <summary>The process's gate: one per process, shared by every job that trains or runs TorchSharp.</summary>
    public static NativeWorkGate Process { get; } = new();

    /// <summary>How many callers wait for the gate now.</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    /// <summary>What holds the gate now (the <c>what</c> its holder gave), or null when free.</summary>
    public string? Holder => Volatile.Read(ref _holder);

    /// <summary>Waits for the gate, blocking this thread; dispose the result to release it.</summary>
    /// <param name="what">What will run (for status and logs), e.g. "training".</param>
    /// <param name="ct">Cancels the wait (never a computation that already holds the gate).</param>
    public IDisposable Enter(string what, CancellationToken ct = default)
    {
        Interlocked.Increment(ref _waiting);
        try
        {
            _gate.Wait(ct);
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }
        return Take(what);
    }

    /// <summary>Waits for the gate without blocking a thread; dispose the result to release it.</summary>
    /// <param name="what">What will run (for status and logs), e.g. "explanation".</param>
    /// <param name="ct">Cancels the wait.</param>
    public async Task<IDisposable> EnterAsync(string what, CancellationToken ct = default)
    {
        Interlocked.Increment(ref _waiting);
        try
        {
            await _gate.WaitAsync(ct).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }
        return Take(what);
    }

    private Lease Take(string what)
    {
        Volatile.Write(ref _holder, what);
        return new Lease(this);
    }

    private sealed class Lease(NativeWorkGate owner) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) != 0)
            {
                return;
            }
            Volatile.Write(ref owner._holder, null);
            owner._gate.Release();
        }
    }
}
