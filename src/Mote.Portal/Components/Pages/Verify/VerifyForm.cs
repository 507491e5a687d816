using Microsoft.AspNetCore.Components.Forms;
using Mote.Gallery;
using Mote.Gallery.Engine;
using Mote.Gallery.Errors;
using Mote.Gallery.Decisions;
using Mote.Gallery.People;
using Mote.Gallery.Security;
using Mote.Portal.Services;

namespace Mote.Portal.Components.Pages.Verify;

/// <summary>A person offered by the verify page's picker.</summary>
public sealed record PersonChoice(string Id, string Name)
{
    public override string ToString() => Name;
}

/// <summary>
/// The verify page's logic, kept out of the markup: which tabs the user may see, the person search, reading
/// the probe (<see cref="PhotoUploads"/>), the 1:1 face picker (<see cref="AnalyzeProbe"/>), calling
/// <see cref="VerifyProbe"/> / <see cref="IdentifyProbe"/> and holding the latest outcome or the reason, in words,
/// that there is none. The use cases check the permission again; this class only decides what to show.
/// </summary>
public sealed class VerifyForm(VerifyProbe verify, IdentifyProbe identify, ListPeople people, CurrentActor currentActor, AnalyzeProbe analyzeProbe)
{
    private IBrowserFile? _analysedFile;
    private byte[]? _analysedBytes;

    /// <summary>How many candidates a 1:N request asks for.</summary>
    public const int TopK = 5;

    public bool CanVerify { get; private set; }

    public bool CanIdentify { get; private set; }

    public bool Busy { get; private set; }

    /// <summary>Why the last request produced no result; null after a success.</summary>
    public string? Error { get; private set; }

    public VerificationResult? Verification { get; private set; }

    public IdentificationOutcome? Identification { get; private set; }

    /// <summary>The 1:1 probe's faces, for the picker; null before a probe is chosen or when it could not be analysed
    /// (the reason is then given when Verify is pressed).</summary>
    public PhotoAnalysis? ProbeFaces { get; private set; }

    /// <summary>The face 1:1 verifies (largest first); preset to the largest usable face, as the use case defaults.</summary>
    public int? SelectedFace { get; private set; }

    /// <summary>Analyses the chosen 1:1 probe so the page can show its faces and let the user pick one.</summary>
    public async Task AnalyzeVerifyProbeAsync(IBrowserFile? probe, CancellationToken ct = default)
    {
        (ProbeFaces, SelectedFace, _analysedFile, _analysedBytes) = (null, null, null, null);
        if (probe is null)
        {
            return;
        }
        try
        {
            var bytes = await PhotoUploads.ReadAsync(probe, ct).ConfigureAwait(false);
            var analysis = await analyzeProbe.ExecuteAsync(await currentActor.GetAsync().ConfigureAwait(false), bytes, ct).ConfigureAwait(false);
            (ProbeFaces, _analysedFile, _analysedBytes) = (analysis, probe, bytes);
            SelectedFace = analysis.Faces.FirstOrDefault(f => f.Accepted)?.Index;
        }
        catch (Exception e) when (GalleryErrors.IsRefusal(e))
        {
            // Said in words when Verify is pressed (the same checks run again there).
        }
    }

    /// <summary>Picks the face 1:1 verifies.</summary>
    public void PickFace(int index) => SelectedFace = index;

    /// <summary>Reads the signed-in user's permissions (decides which tabs exist).</summary>
    public async Task InitializeAsync()
    {
        var actor = await currentActor.GetAsync().ConfigureAwait(false);
        CanVerify = actor.Has(Permission.Verify);
        CanIdentify = actor.Has(Permission.Identify);
    }

    /// <summary>Up to 20 people whose name contains <paramref name="text"/>, by name.</summary>
    public async Task<IEnumerable<PersonChoice>> SearchPeopleAsync(string? text, CancellationToken ct)
    {
        var actor = await currentActor.GetAsync().ConfigureAwait(false);
        if (!actor.Has(Permission.ViewGallery))
        {
            return [];
        }
        var (rows, _) = await people.ExecuteAsync(actor, text, PeopleSort.Name, 0, 20, ct).ConfigureAwait(false);
        return rows.Select(p => new PersonChoice(p.Id, p.Name)).ToArray();
    }

    /// <summary>1:1: is the face in <paramref name="probe"/> <paramref name="person"/>? Sets <see cref="Verification"/> or <see cref="Error"/>.</summary>
    public Task VerifyAsync(PersonChoice? person, IBrowserFile? probe, CancellationToken ct = default) =>
        RunAsync(probe, person is null ? "Pick the person to verify against." : null, async (actor, bytes) =>
        {
            Verification = await verify.ExecuteAsync(actor, person!.Id, bytes, ProbeFaces is null ? null : SelectedFace, ct).ConfigureAwait(false);
            Identification = null;
        }, ct);

    /// <summary>1:N: who, if anyone, is the face in <paramref name="probe"/>? Sets <see cref="Identification"/> or <see cref="Error"/>.</summary>
    public Task IdentifyAsync(IBrowserFile? probe, CancellationToken ct = default) =>
        RunAsync(probe, null, async (actor, bytes) =>
        {
            Identification = await identify.ExecuteAsync(actor, bytes, TopK, ct).ConfigureAwait(false);
            Verification = null;
        }, ct);

    private async Task RunAsync(IBrowserFile? probe, string? missing, Func<Actor, byte[], Task> decide, CancellationToken ct)
    {
        Error = missing ?? (probe is null ? $"Choose or drop a probe photo ({PhotoPolicy.Description})." : null);
        if (Error is not null)
        {
            return;
        }
        Busy = true;
        try
        {
            // The picker's faces are numbered in the bytes it analysed: a file read once is decided on exactly those.
            var bytes = ReferenceEquals(probe, _analysedFile) && _analysedBytes is { } analysed ? analysed : await PhotoUploads.ReadAsync(probe!, ct).ConfigureAwait(false);
            await decide(await currentActor.GetAsync().ConfigureAwait(false), bytes).ConfigureAwait(false);
        }
        catch (Exception e) when (GalleryErrors.IsRefusal(e))
        {
            Error = e.Message;
            Verification = null;
            Identification = null;
        }
        finally
        {
            Busy = false;
        }
    }
}
