using System.Globalization;
using Microsoft.AspNetCore.Components.Forms;
using Mote.Gallery;
using Mote.Gallery.Errors;
using Mote.Gallery.People;
using Mote.Gallery.Security;

namespace Mote.Portal.Services;

/// <summary>One attribute on the enrollment form: declared by the admin, or the estimate accepted (empty choice).</summary>
public sealed class AttributeChoice(string label, IReadOnlyList<string> options)
{
    public string Label { get; } = label;

    public IReadOnlyList<string> Options { get; } = options;

    /// <summary>What the estimator says for the picked face, with its confidence; null without an estimate.</summary>
    public AttributeGuess? Guess { get; set; }

    /// <summary>
    /// The estimate offered as the default: the guess when its confidence reaches the attribute's measured cutoff
    /// (docs/attributes.md), else null — an unsure guess is only a hint (<see cref="Hint"/>) and is not stored.
    /// </summary>
    public string? Estimate => Guess is { Confident: true } g ? g.Value : null;

    /// <summary>The guess in words with its confidence: "male · 93 %", or "unsure: male · 61 %" below the cutoff; null without one.</summary>
    public string? Hint => Guess is { } g ? (g.Confident ? "" : "unsure: ") + $"{g.Value} · {Percent(g.Confidence)}" : null;

    /// <summary>The declared value; empty = accept the estimate (stored marked "estimated").</summary>
    public string Declared { get; set; } = "";

    /// <summary>What will be stored and whether it is an estimate.</summary>
    public (string? Value, bool Estimated) Effective => Declared.Length > 0 ? (Declared, false) : (Estimate, Estimate is not null);

    // Rounded down, so a 99.6 % guess reads 99 %, never a certain-looking 100 %.
    private static string Percent(double confidence) =>
        string.Create(CultureInfo.InvariantCulture, $"{Math.Floor(Math.Clamp(confidence, 0, 1) * 100):0} %");
}

/// <summary>
/// The enrollment page's state and steps: read and check an upload, analyse it (every face for the picker),
/// pick a face, name and attributes, balance, then queue the enrollment. Pages stay thin; this holds no UI.
/// </summary>
public sealed class EnrollmentForm(AnalyzePhoto analyze, EnrollmentQueue queue, CheckPersonIdentity identity)
{
    private byte[]? _photo;

    public PhotoAnalysis? Analysis { get; private set; }

    /// <summary>The picked face's index; null until one is picked (pre-picked when the largest passes the check).</summary>
    public int? Selected { get; private set; }

    public string Name { get; set; } = "";

    /// <summary>Optional external id (an employee number): lets two people share a name.</summary>
    public string ExternalId { get; set; } = "";

    /// <summary>
    /// Why the name and external id clash with someone enrolled, from the last <see cref="CheckIdentityAsync"/>; null when
    /// they did not (or have not been checked). Typing clears it until the next check.
    /// </summary>
    public string? Conflict { get; private set; }

    public AttributeChoice Gender { get; } = new("Gender", ["female", "male"]);

    public AttributeChoice Ethnicity { get; } = new("Ethnicity", ["white", "black", "asian", "indian", "other"]);

    public AttributeChoice AgeBand { get; } = new("Age band", ["0-17", "18-59", "60+"]);

    public BalanceForm? Balance { get; private set; }

    /// <summary>The last failure in words; cleared by the next step.</summary>
    public string? Error { get; private set; }

    public FaceCandidate? SelectedFace => Analysis is { } a && Selected is { } i ? a.Faces[i] : null;

    /// <summary>Why the form cannot be submitted yet, in words; null when it can.</summary>
    public string? NotReady =>
        Analysis is null ? "Upload a photo first."
        : SelectedFace is null ? "Pick the face to enroll."
        : !SelectedFace.Accepted ? "This face cannot be enrolled: " + string.Join("; ", SelectedFace.Reasons) + "."
        : string.IsNullOrWhiteSpace(Name) ? "Give the person a name."
        : Conflict is not null ? "The name and external id clash with someone enrolled (see above)."
        : Balance?.Problem;

    /// <summary>The name or external id was edited: the last check no longer applies.</summary>
    public void IdentityEdited() => Conflict = null;

    /// <summary>Checks the name and external id against the gallery (the page calls this a moment after typing stops).</summary>
    public async Task CheckIdentityAsync(Actor actor, CancellationToken ct = default)
    {
        try
        {
            Conflict = await identity.ExecuteAsync(actor, Name, ExternalId, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (GalleryErrors.IsRefusal(e))
        {
            Conflict = e.Message;
        }
    }

    /// <summary>Checks, reads and analyses an upload. On refusal <see cref="Error"/> says why and the previous photo is dropped.</summary>
    public async Task LoadAsync(Actor actor, IBrowserFile file, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(file);
        Reset();
        if (PhotoUploads.Problem(file) is { } problem)
        {
            Error = problem;
            return;
        }
        try
        {
            var bytes = await PhotoUploads.ReadAsync(file, ct).ConfigureAwait(false);
            await AnalyseAsync(actor, bytes, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (GalleryErrors.IsRefusal(e))
        {
            Error = e.Message;
        }
    }

    /// <summary>Analyses photo bytes already read (the server checks size and format again).</summary>
    public async Task AnalyseAsync(Actor actor, byte[] photo, CancellationToken ct = default)
    {
        Reset();
        try
        {
            Analysis = await analyze.ExecuteAsync(actor, photo, ct).ConfigureAwait(false);
            _photo = photo;
            Balance = BalanceForm.Equal(Analysis.NegativeGroups, Analysis.VariationGroups);
            // Several faces: the admin picks; one good face is picked for them.
            var accepted = Analysis.Faces.Where(f => f.Accepted).ToArray();
            if (Analysis.Faces.Count == 1 || accepted.Length == 1)
            {
                Pick((accepted.Length == 1 ? accepted[0] : Analysis.Faces[0]).Index);
            }
        }
        catch (Exception e) when (GalleryErrors.IsRefusal(e))
        {
            Error = e.Message;
        }
    }

    /// <summary>Picks face <paramref name="index"/> and prefills its estimates (those confident enough; the others become hints).</summary>
    public void Pick(int index)
    {
        if (Analysis is null || index < 0 || index >= Analysis.Faces.Count)
        {
            return;
        }
        Selected = index;
        var face = Analysis.Faces[index];
        Gender.Guess = face.EstimatedGender;
        Ethnicity.Guess = face.EstimatedEthnicity;
        AgeBand.Guess = face.EstimatedAgeBand;
    }

    /// <summary>
    /// Checks the name and external id once more, then queues the enrollment; returns the job id to follow, or null with
    /// <see cref="Conflict"/> or <see cref="Error"/> set. A refusal leaves every field as it was, and so does a job that fails later: the form keeps
    /// the photo (in memory, for this page only) so that the page can offer it again.
    /// </summary>
    public async Task<string?> SubmitAsync(Actor actor, CancellationToken ct = default)
    {
        Error = NotReady;
        if (Error is not null || _photo is null || Selected is null)
        {
            return null;
        }
        await CheckIdentityAsync(actor, ct).ConfigureAwait(false);
        if (Conflict is not null)
        {
            return null; // shown beside the name; nothing else changes
        }
        try
        {
            var declared = new DeclaredAttributes(Blank(Gender.Declared), Blank(Ethnicity.Declared), Blank(AgeBand.Declared));
            var job = await queue.SubmitAsync(actor, new EnrollmentRequest(Name, _photo, Selected, declared, Balance?.ToRequest(), ExternalId: Blank(ExternalId.Trim())), ct).ConfigureAwait(false);
            return job.Id;
        }
        catch (Exception e) when (GalleryErrors.IsRefusal(e))
        {
            Error = e.Message;
            return null;
        }
    }

    private void Reset()
    {
        Error = null;
        Analysis = null;
        Selected = null;
        _photo = null;
        Balance = null;
        foreach (var a in new[] { Gender, Ethnicity, AgeBand })
        {
            a.Guess = null;
            a.Declared = "";
        }
    }

    private static string? Blank(string value) => value.Length == 0 ? null : value;
}
