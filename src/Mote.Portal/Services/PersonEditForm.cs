using Mote.Gallery;
using Mote.Gallery.Erasure;
using Mote.Gallery.Errors;
using Mote.Gallery.Decisions;
using Mote.Gallery.People;
using Mote.Gallery.Security;

namespace Mote.Portal.Services;

/// <summary>The person page's details form: name, external id and the declared attributes ("" = not declared: the estimate shows).</summary>
public sealed class PersonDetailsForm
{
    public static IReadOnlyList<string> Genders { get; } = ["female", "male"];

    public static IReadOnlyList<string> Ethnicities { get; } = ["white", "black", "asian", "indian", "other"];

    public static IReadOnlyList<string> AgeBands { get; } = ["0-17", "18-59", "60+"];

    public string Name { get; set; } = "";

    public string ExternalId { get; set; } = "";

    public string Gender { get; set; } = "";

    public string Ethnicity { get; set; } = "";

    public string AgeBand { get; set; } = "";

    /// <summary>The declared value of the attribute labelled <paramref name="label"/> (Gender, Ethnicity, Age band).</summary>
    public string Declared(string label) => label switch
    {
        "Gender" => Gender,
        "Ethnicity" => Ethnicity,
        "Age band" => AgeBand,
        _ => throw new ArgumentOutOfRangeException(nameof(label), label, "Gender, Ethnicity or Age band."),
    };

    /// <summary>Declares the attribute labelled <paramref name="label"/>; "" or null: not declared.</summary>
    public void Declare(string label, string? value)
    {
        value ??= "";
        switch (label)
        {
            case "Gender":
                Gender = value;
                break;
            case "Ethnicity":
                Ethnicity = value;
                break;
            case "Age band":
                AgeBand = value;
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(label), label, "Gender, Ethnicity or Age band.");
        }
    }

    internal static PersonDetailsForm From(PersonDetails person) => new()
    {
        Name = person.Summary.Name,
        ExternalId = person.Summary.ExternalId ?? "",
        Gender = person.Declared.Gender ?? "",
        Ethnicity = person.Declared.Ethnicity ?? "",
        AgeBand = person.Declared.AgeBand ?? "",
    };

    /// <summary>The edit, against the stamp the page loaded: every field is sent; the use case changes only what differs.</summary>
    internal PersonEdit ToEdit(PersonSummary person) => new(person.Id, person.ConcurrencyStamp, Name, ExternalId, Gender, Ethnicity, AgeBand);
}

/// <summary>
/// The person page's state and steps: load, edit the details, edit the balance, preview it, retrain, erase. Every save
/// passes the concurrency stamp the page was loaded with, so a second administrator's stale save is refused, not applied.
/// A retraining is a durable background job (<see cref="RetrainQueue"/>): submitting it returns at once, the page follows its
/// progress from the job store (<see cref="Retraining"/>, <see cref="RefreshRetrainingAsync"/>), and any instance that
/// opens the person while it runs shows it too.
/// </summary>
public sealed class PersonEditForm(GetPerson get, PreviewBalance preview, RetrainQueue retrain, ErasePerson erase, EditPerson edit, GetExplanation decisions,
    CheckPersonIdentity identity)
{
    /// <summary>The retraining of this person the page follows (submitted here, or found running when it loaded); null when none.</summary>
    public RetrainJobStatus? Retraining { get; private set; }

    /// <summary>True while <see cref="Retraining"/> waits or runs: the page disables the balance's steps meanwhile.</summary>
    public bool IsRetraining => Retraining is { IsFinished: false };

    /// <summary>How many of the person's decisions the page lists: the last 20.</summary>
    public const int HistorySize = 20;

    /// <summary>The person's last decisions the actor may open (<see cref="GetExplanation.ListForPersonAsync"/>), newest first; null when the actor may not see decisions.</summary>
    public IReadOnlyList<ExplainableDecision>? History { get; private set; }

    /// <summary>How many stored decisions are about the person, including those the actor may not open.</summary>
    public int DecisionCount { get; private set; }

    /// <summary>The details form, reset to the stored values on every load.</summary>
    public PersonDetailsForm Details { get; private set; } = new();

    /// <summary>
    /// Why the typed name and external id clash with someone else enrolled, from the last <see cref="CheckDetailsIdentityAsync"/>
    /// (the person never clashes with themself); null when they do not or were not checked. Typing clears it until the next check.
    /// </summary>
    public string? DetailsConflict { get; private set; }

    /// <summary>The name or external id was edited: the last check no longer applies.</summary>
    public void DetailsIdentityEdited() => DetailsConflict = null;

    /// <summary>Checks the typed name and external id as enrollment does (the page calls this a moment after typing stops).</summary>
    public async Task CheckDetailsIdentityAsync(Actor actor, CancellationToken ct = default)
    {
        if (Person is not { } person)
        {
            return;
        }
        try
        {
            DetailsConflict = await identity.ExecuteAsync(actor, Details.Name, Details.ExternalId, person.Summary.Id, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (GalleryErrors.IsRefusal(e))
        {
            DetailsConflict = e.Message;
        }
    }

    public PersonDetails? Person { get; private set; }

    public BalanceForm? Balance { get; private set; }

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
            Balance = BalanceForm.From(Person.Negatives, Person.Variation);
            Details = PersonDetailsForm.From(Person);
            DetailsConflict = null;
            DecisionCount = await decisions.CountForPersonAsync(actor, Person.Summary.Id, ct).ConfigureAwait(false);
            History = actor.Has(Permission.ViewExplanations)
                ? await decisions.ListForPersonAsync(actor, Person.Summary.Id, HistorySize, ct).ConfigureAwait(false)
                : null;
            if (actor.Has(Permission.ManageGallery) && !IsRetraining)
            {
                Retraining = await retrain.ActiveForAsync(actor, Person.Summary.Id, ct).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (GalleryErrors.IsRefusal(e))
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

    /// <summary>
    /// Submits the retraining as a background job against the stamp the page loaded (a stale page is refused at once, in words);
    /// follow it with <see cref="RefreshRetrainingAsync"/>.
    /// </summary>
    public Task RetrainAsync(Actor actor, byte[]? photo = null, CancellationToken ct = default) => RunAsync(async () =>
    {
        if (IsRetraining)
        {
            Error = "A retraining of this person is already under way; wait for it to finish.";
            return;
        }
        Retraining = await retrain.SubmitAsync(actor, new RetrainRequest(Person!.Summary.Id, Person.Summary.ConcurrencyStamp, Balance!.ToRequest(), Optional(photo)), ct).ConfigureAwait(false);
    });

    /// <summary>
    /// Reads the followed retraining from the job store; once it ended, reloads the person and says how (the new threshold,
    /// or why not: a stale page offers a reload). Returns true while it still waits or runs.
    /// </summary>
    public async Task<bool> RefreshRetrainingAsync(Actor actor, CancellationToken ct = default)
    {
        if (Retraining is not { IsFinished: false } followed)
        {
            return false;
        }
        try
        {
            Retraining = await retrain.GetAsync(actor, followed.Id, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (GalleryErrors.IsRefusal(e))
        {
            Error = e.Message;
            Retraining = null;
            return false;
        }
        switch (Retraining)
        {
            case null:
                Error = "The retraining job is gone (finished over a week ago?); reload the page.";
                return false;
            case { IsFinished: false }:
                return true;
            case { State: Gallery.Jobs.JobState.Succeeded } done:
                await LoadAsync(actor, followed.PersonId, ct).ConfigureAwait(false);
                Notice = done.Outcome is { } o
                    ? $"{o.Name} was retrained in {o.Seconds:0.0} s; new threshold {Components.Shared.ScoreText.Format(o.Threshold)}."
                    : done.Message;
                return false;
            case var ended:
                Notice = null;
                Error = ended.Message;
                Stale = ended.IsStale;
                return false;
        }
    }

    /// <summary>Cancels the followed retraining; nothing is stored.</summary>
    public async Task CancelRetrainingAsync(Actor actor, CancellationToken ct = default)
    {
        if (Retraining is not { IsFinished: false } followed)
        {
            return;
        }
        try
        {
            Retraining = await retrain.CancelAsync(actor, followed.Id, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (GalleryErrors.IsRefusal(e))
        {
            Error = e.Message;
        }
    }

    /// <summary>Saves the details form (one audit event when anything changed); the form stays as typed when refused.</summary>
    public Task SaveDetailsAsync(Actor actor, CancellationToken ct = default) => RunAsync(async () =>
    {
        var typed = Details;
        var result = await edit.ExecuteAsync(actor, typed.ToEdit(Person!.Summary), ct).ConfigureAwait(false);
        await LoadAsync(actor, result.Person.Id, ct).ConfigureAwait(false);
        Notice = result.Changes.Count == 0
            ? "Nothing changed."
            : $"Saved: {string.Join("; ", result.Changes)}.";
    }, usesBalance: false);

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

    private async Task RunAsync(Func<Task> action, bool usesBalance = true)
    {
        Error = null;
        Notice = null;
        Stale = false;
        if (Person is null || Balance is null)
        {
            Error = "Nobody is loaded.";
            return;
        }
        if (usesBalance && Balance.Problem is { } problem)
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
        catch (Exception e) when (GalleryErrors.IsRefusal(e))
        {
            Error = e.Message;
        }
    }
}
