namespace Mote.Core;

/// <summary>
/// Reports progress on the reporting thread, in order. <see cref="Progress{T}"/> posts each report to the thread pool
/// instead (or to a captured context), so a late report could write to a command's output after it returned (in tests,
/// to a disposed writer: an unhandled exception on a pool thread), or arrive out of order.
/// </summary>
public sealed class InlineProgress<T>(Action<T> report) : IProgress<T>
{
    /// <inheritdoc />
    public void Report(T value) => report(value);
}
