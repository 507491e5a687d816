using Mote.Gallery;
using Mote.Gallery.People;
using Mote.Gallery.Security;

namespace Mote.Portal.Services;

/// <summary>
/// The person page's state and steps: load, edit the balance, preview it, retrain, erase. Every save passes the
/// concurrency stamp the page was loaded with, so a second administrator's stale save is refused, not applied.
/// </summary>
public sealed class PersonEditor(GetPerson get, PreviewBalance preview, RetrainPerson retrain, ErasePerson erase)
{
    public PersonDetails? Person { get; private set; }

    public BalanceModel? Balance { get; private set; }

    /// <summary>The preview for the balance as it was when previewed; null once the balance changes.</summary>
    public BalancePreview? Preview { get; private set; }

    /// <summary>The last failure in words.</summary>
    public string? Error { get; private set; }

    /// <summary>True when the last failure was someone else's change: the page offers a reload.</summary>
    public bool Stale { get; private set; }

    /// <summary>The last success in words.</summary>
    public string? Notice { get; private set; }

    public async Task LoadAsync(Actor actor, string id, CancellationToken ct = default)
    {
        Error = null;
        Stale = false;
        Preview = null;
        try
        {
            Person = await get.ExecuteAsync(actor, id, ct).ConfigureAwait(false);
            Balance = BalanceModel.From(Person.Negatives, Person.Variation);
        }
        catch (GalleryException e)
        {
            Person = null;
            Error = e.Message;
        }
    }

    /// <summary>The balance changed: the preview no longer describes it.</summary>
    public void BalanceChanged() => Preview = null;

    public Task PreviewAsync(Actor actor, byte[]? photo = null, CancellationToken ct = default) => RunAsync(async () =>
    {
        Preview = await preview.ExecuteAsync(actor, new BalancePreviewRequest(Person!.Summary.Id, Balance!.ToRequest(), Optional(photo)), ct).ConfigureAwait(false);
    });

    public Task RetrainAsync(Actor actor, byte[]? photo = null, CancellationToken ct = default) => RunAsync(async () =>
    {
        var result = await retrain.ExecuteAsync(actor, new RetrainRequest(Person!.Summary.Id, Person.Summary.ConcurrencyStamp, Balance!.ToRequest(), Optional(photo)), null, ct).ConfigureAwait(false);
        await LoadAsync(actor, result.Person.Id, ct).ConfigureAwait(false);
        Notice = $"{result.Person.Name} was retrained in {result.Duration.TotalSeconds:0.0} s; new threshold {Components.Pages.Verify.ScoreText.Format(result.Person.Threshold)}.";
    });

    /// <summary>Erases the person; true when done (the page then leaves).</summary>
    public async Task<bool> EraseAsync(Actor actor, CancellationToken ct = default)
    {
        var done = false;
        await RunAsync(async () =>
        {
            await erase.ExecuteAsync(actor, Person!.Summary.Id, Person.Summary.ConcurrencyStamp, ct).ConfigureAwait(false);
            done = true;
        }).ConfigureAwait(false);
        return done;
    }

    /// <summary>
    /// No photo stays null. Careful: <c>null</c> converts to an empty (present) <see cref="ReadOnlyMemory{T}"/> through
    /// its implicit conversion from arrays, so <c>photo is null ? null : photo</c> would send an empty photo.
    /// </summary>
    private static ReadOnlyMemory<byte>? Optional(byte[]? photo) => photo is null ? default(ReadOnlyMemory<byte>?) : photo.AsMemory();

    private async Task RunAsync(Func<Task> action)
    {
        Error = null;
        Notice = null;
        Stale = false;
        if (Person is null || Balance is null)
        {
            Error = "Nobody is loaded.";
            return;
        }
        if (Balance.Problem is { } problem)
        {
            Error = problem;
            return;
        }
        try
        {
            await action().ConfigureAwait(false);
        }
        catch (GalleryConcurrencyException e)
        {
            Error = e.Message;
            Stale = true;
        }
        catch (GalleryException e)
        {
            Error = e.Message;
        }
        catch (PermissionDeniedException e)
        {
            Error = e.Message;
        }
    }
}
