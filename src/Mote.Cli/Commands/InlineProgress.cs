namespace Mote.Cli.Commands;

/// <summary>
/// Reports progress on the reporting thread, in order. <see cref="Progress{T}"/> posts each report to the thread pool
/// instead, so a late report could write to the command's output after the command returned (and, in tests, after the
/// writer was disposed: an unhandled exception on a pool thread).
/// </summary>
internal sealed class InlineProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
