using System.Globalization;
using Mote.Gallery;
using Mote.Gallery.Errors;
using Mote.Gallery.Security;
using Mote.Gallery.Settings;
using Mote.Portal.Services;

namespace Mote.Portal.Components.Pages.Settings;

/// <summary>
/// The Retention and Thresholds tabs' shared state: one copy of the Gallery settings loaded with its stamp, the
/// values being edited, validation of the target FMR text, and the save (through <see cref="UpdateGallerySettings"/>,
/// which checks the permission and the stamp again). Both tabs edit the same object so that saving one tab and
/// then the other is not mistaken for someone else's change.
/// </summary>
public sealed class GallerySettingsForm(ReadGallerySettings read, UpdateGallerySettings update, CurrentActor currentActor)
{
    public GallerySettingsView? Loaded { get; private set; }

    public ReferenceRetention ReferenceRetention { get; set; }

    public bool KeepProbeImages { get; set; }

    /// <summary>Days an explanation keeps the aligned probe face its map is drawn over (0 = none kept); the range is checked by <see cref="UpdateGallerySettings"/>.</summary>
    public int ExplanationFaceDays { get; set; } = GallerySettings.DefaultExplanationFaceDays;

    /// <summary>The target false-match rate as typed (e.g. <c>0.001</c> or <c>1e-3</c>).</summary>
    public string TargetFmrText { get; set; } = "";

    /// <summary>The gallery-risk flag limit as typed, a multiple of the target FMR (e.g. <c>10</c>).</summary>
    public string RiskLimitText { get; set; } = "";

    /// <summary>The last save's outcome in words (success, a refusal, or the stale-save message).</summary>
    public string? Message { get; private set; }

    public bool MessageIsError { get; private set; }

    /// <summary>True after a save was refused because someone else saved first; the user must reload.</summary>
    public bool Stale { get; private set; }

    public bool Busy { get; private set; }

    public async Task LoadAsync(CancellationToken ct = default)
    {
        Show(await read.ExecuteAsync(await currentActor.GetAsync().ConfigureAwait(false), ct).ConfigureAwait(false));
        Message = null;
        Stale = false;
    }

    /// <summary>Null when <paramref name="text"/> is an accepted target FMR; otherwise why not, in words.</summary>
    public static string? ValidateTargetFmr(string? text)
    {
        if (!TryParseFmr(text, out var value))
        {
            return "Enter a number such as 0.001 (one false match in 1,000 impostor attempts) or 1e-4.";
        }
        return value is < UpdateGallerySettings.MinTargetFmr or > UpdateGallerySettings.MaxTargetFmr
            ? string.Create(CultureInfo.InvariantCulture, $"The target false-match rate must be between {UpdateGallerySettings.MinTargetFmr:0.######} and {UpdateGallerySettings.MaxTargetFmr:0.#}.")
            : null;
    }

    /// <summary>Null when <paramref name="text"/> is an accepted gallery-risk limit (× target FMR); otherwise why not, in words.</summary>
    public static string? ValidateRiskLimit(string? text)
    {
        if (!TryParseFmr(text, out var value))
        {
            return "Enter a multiple of the target false-match rate, such as 10.";
        }
        return value is < UpdateGallerySettings.MinRiskLimitMultiple or > UpdateGallerySettings.MaxRiskLimitMultiple
            ? string.Create(CultureInfo.InvariantCulture, $"The gallery-risk limit must be between {UpdateGallerySettings.MinRiskLimitMultiple:0} and {UpdateGallerySettings.MaxRiskLimitMultiple:0} times the target false-match rate.")
            : null;
    }

    /// <summary>"1 in 1,000" for 0.001: what the number means to a reader.</summary>
    public static string OneIn(string? text) =>
        TryParseFmr(text, out var value) && value > 0
            ? string.Create(CultureInfo.InvariantCulture, $"about 1 false match in {Math.Round(1 / value):N0} impostor attempts")
            : "";

    public async Task SaveAsync(CancellationToken ct = default)
    {
        if (Loaded is null)
        {
            return;
        }
        if (ValidateTargetFmr(TargetFmrText) is { } invalid)
        {
            SetMessage(invalid, error: true);
            return;
        }
        if (ValidateRiskLimit(RiskLimitText) is { } badLimit)
        {
            SetMessage(badLimit, error: true);
            return;
        }
        TryParseFmr(TargetFmrText, out var fmr);
        TryParseFmr(RiskLimitText, out var riskLimit);
        Busy = true;
        try
        {
            var saved = await update.ExecuteAsync(await currentActor.GetAsync().ConfigureAwait(false),
                new GallerySettingsChange(ReferenceRetention, KeepProbeImages, fmr, Loaded.ConcurrencyStamp, riskLimit, ExplanationFaceDays), ct).ConfigureAwait(false);
            Show(saved);
            SetMessage("Saved.", error: false);
        }
        catch (GalleryConcurrencyException e)
        {
            Stale = true;
            SetMessage(e.Message, error: true);
        }
        catch (Exception e) when (GalleryErrors.IsRefusal(e))
        {
            SetMessage(e.Message, error: true);
        }
        finally
        {
            Busy = false;
        }
    }

    private void Show(GallerySettingsView view)
    {
        Loaded = view;
        ReferenceRetention = view.ReferenceRetention;
        KeepProbeImages = view.KeepProbeImages;
        ExplanationFaceDays = view.ExplanationFaceDays;
        TargetFmrText = view.TargetFmr.ToString("G4", CultureInfo.InvariantCulture);
        RiskLimitText = view.RiskLimitMultiple.ToString("G4", CultureInfo.InvariantCulture);
    }

    private void SetMessage(string message, bool error)
    {
        Message = message;
        MessageIsError = error;
    }

    private static bool TryParseFmr(string? text, out double value) =>
        double.TryParse(text?.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);
}
