using System.Globalization;
using Microsoft.AspNetCore.Components.Forms;
using Mote.Gallery;
using Mote.Gallery.Errors;
using Mote.Gallery.People;
using Mote.Gallery.Security;

namespace Mote.Portal.Services;

/// <summary>
/// The Bulk enrollment page's state and steps, kept out of the page: read an uploaded ZIP into a batch (its rows shown as
/// "waiting"), run it through <see cref="EnrollPeopleInBulk"/> with per-row results as they finish, stop before the next
/// row on request. One instance per page; dispose it to delete the ZIP's temporary copy.
/// </summary>
public sealed class BulkEnrollmentUpload(EnrollPeopleInBulk bulk) : IDisposable
{
    /// <summary>What the file picker offers.</summary>
    public const string Accept = ".zip,application/zip,application/x-zip-compressed";

    private readonly Dictionary<int, BulkRowResult> _results = [];
    private BulkEnrollmentBatch? _batch;

    /// <summary>The chosen file's name, once one is chosen.</summary>
    public string? FileName { get; private set; }

    /// <summary>Why the file or the run was refused, in words; null when all is well.</summary>
    public string? Error { get; private set; }

    /// <summary>The batch's rows (empty until a ZIP is read).</summary>
    public IReadOnlyList<BulkEnrollmentRow> Rows => _batch?.Rows ?? [];

    /// <summary>The latest progress report while running.</summary>
    public BulkEnrollmentProgress? Progress { get; private set; }

    /// <summary>The finished run's summary; null before and while it runs.</summary>
    public BulkEnrollmentSummary? Summary { get; private set; }

    /// <summary>True while the batch runs.</summary>
    public bool Running { get; private set; }

    /// <summary>True when the run was stopped before its end (the rows not reached are left as they were).</summary>
    public bool Stopped { get; private set; }

    /// <summary>Whether a read batch waits to be started.</summary>
    public bool Ready => _batch is not null && !Running && Summary is null && !Stopped;

    /// <summary>A row's result once it has run; null while waiting.</summary>
    public BulkRowResult? ResultOf(BulkEnrollmentRow row) => row is not null && _results.TryGetValue(row.Row, out var r) ? r : null;

    /// <summary>"Row 3 of 10: Ada Lovelace, training the model-template…" while running.</summary>
    public string? StageText => Progress is { Current: { } row } p
        ? string.Create(CultureInfo.InvariantCulture, $"Row {row.Row} of {p.Total}: {(row.Name.Length > 0 ? row.Name : row.Photo)}, {p.Stage}…")
        : null;

    /// <summary>Rows done in percent.</summary>
    public double Percent => Progress is { Total: > 0 } p ? 100.0 * p.Done / p.Total : 0;

    /// <summary>Why <paramref name="file"/> cannot be a batch, judged by its name and reported size before reading; null when it may be read.</summary>
    public static string? Problem(IBrowserFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (!file.Name.EndsWith(".zip", StringComparison.OrdinalIgnoreCase) && file.ContentType is not ("application/zip" or "application/x-zip-compressed"))
        {
            return $"“{file.Name}” is not a ZIP: put the photos (and, if you like, a CSV) into one ZIP file.";
        }
        return file.Size > BulkEnrollmentBatch.MaxArchiveBytes ? BulkEnrollmentBatch.TooLarge(file.Name, file.Size).Message : null;
    }

    /// <summary>Reads <paramref name="file"/> as a batch (a temporary copy, never the whole ZIP in memory); sets <see cref="Error"/> on refusal.</summary>
    public async Task LoadAsync(IBrowserFile file, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(file);
        Reset();
        FileName = file.Name;
        if (Problem(file) is { } problem)
        {
            Error = problem;
            return;
        }
        try
        {
            // One byte over the limit is allowed through so that FromZipUploadAsync says "too large" in its words.
            var stream = file.OpenReadStream(BulkEnrollmentBatch.MaxArchiveBytes + 1, ct);
            await using (stream.ConfigureAwait(false))
            {
                _batch = await BulkEnrollmentBatch.FromZipUploadAsync(stream, file.Name, ct).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (GalleryErrors.IsRefusal(e))
        {
            Error = e.Message;
        }
        catch (IOException e)
        {
            Error = $"“{file.Name}” could not be read: {e.Message}";
        }
    }

    /// <summary>
    /// Runs the read batch as <paramref name="actor"/> on a pool thread (face analysis and training are CPU-bound; the page stays
    /// responsive). Every change to this object's state is handed to <paramref name="onDispatcher"/>, which must apply it on the
    /// page's renderer (Blazor's <c>InvokeAsync</c>) and re-render, so the page never reads half-updated state. Cancelling
    /// stops before the next row (the row being enrolled rolls back).
    /// </summary>
    public async Task RunAsync(Actor actor, Func<Action, Task> onDispatcher, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(onDispatcher);
        if (_batch is not { } batch || Running)
        {
            return;
        }
        Running = true;
        Error = null;
        var reports = new Reports(this, onDispatcher);
        BulkEnrollmentSummary? summary = null;
        string? error = null;
        var stopped = false;
        try
        {
            summary = await Task.Run(() => bulk.ExecuteAsync(actor, batch, reports, ct), ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            stopped = true;
        }
        catch (Exception e) when (GalleryErrors.IsRefusal(e))
        {
            error = e.Message;
        }
        await onDispatcher(() =>
        {
            Summary = summary;
            Stopped = stopped;
            Error = error;
            Running = false;
            Progress = null;
        }).ConfigureAwait(false);
    }

    private void Reset()
    {
        _batch?.Dispose();
        _batch = null;
        _results.Clear();
        FileName = Error = null;
        Summary = null;
        Progress = null;
        Stopped = false;
    }

    public void Dispose() => _batch?.Dispose();

    /// <summary>Applies each report on the page's renderer, then re-renders.</summary>
    private sealed class Reports(BulkEnrollmentUpload owner, Func<Action, Task> onDispatcher) : IProgress<BulkEnrollmentProgress>
    {
        public void Report(BulkEnrollmentProgress value) => _ = onDispatcher(() =>
        {
            owner.Progress = value;
            if (value.Finished is { } result)
            {
                owner._results[result.Row] = result;
            }
        });
    }
}
