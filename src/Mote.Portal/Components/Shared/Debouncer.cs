namespace Mote.Portal.Components.Shared;

/// <summary>
/// Runs an action a moment after the last <see cref="Schedule"/> (when typing stops): each call cancels the pending run and
/// waits <c>delay</c> again; <see cref="Cancel"/> drops the pending run; the page's <c>stop</c> token ends it when the page
/// goes. The action runs on the caller's synchronisation context (a component's renderer).
/// </summary>
public sealed class Debouncer(TimeSpan delay, TimeProvider time, CancellationToken stop) : IDisposable
{
    private CancellationTokenSource? _pending;

    /// <summary>Runs <paramref name="action"/> after the delay unless another call or <see cref="Cancel"/> comes first.</summary>
    public void Schedule(Func<CancellationToken, Task> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        _pending?.Cancel();
        _pending?.Dispose();
        _pending = CancellationTokenSource.CreateLinkedTokenSource(stop);
        _ = RunLaterAsync(action, _pending.Token);
    }

    /// <summary>Drops the pending run, if any.</summary>
    public void Cancel() => _pending?.Cancel();

    /// <inheritdoc />
    public void Dispose() => _pending?.Dispose();

    private async Task RunLaterAsync(Func<CancellationToken, Task> action, CancellationToken ct)
    {
        try
        {
            await Task.Delay(delay, time, ct);
            await action(ct);
        }
        catch (OperationCanceledException)
        {
            // Called again, cancelled, or the page went.
        }
    }
}
