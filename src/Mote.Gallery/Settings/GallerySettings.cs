
namespace Mote.Gallery.Settings;

/// <summary>What is kept of the photo a person was enrolled from. The default keeps nothing.</summary>
public enum ReferenceRetention
{
    /// <summary>Nothing: the photo and the reference descriptor are discarded after training (default).</summary>
    None = 0,

    /// <summary>A small face thumbnail (encrypted), shown on the person's page.</summary>
    Thumbnail = 1,

    /// <summary>The thumbnail and the aligned reference face (encrypted), so the person can be retrained without a new photo.</summary>
    ReferencePhoto = 2,
}

/// <summary>
/// The Gallery's run-time settings, edited by an administrator (one row). Until someone saves them the
/// defaults apply: keep no reference photo, keep no probe image, and the target false-match rate from
/// <c>Mote:Engine:TargetFmr</c> (1e-3).
/// </summary>
public sealed class GallerySettings
{
    /// <summary>The single row's key.</summary>
    public const int SingletonId = 1;

    /// <summary>The row's key, always <see cref="SingletonId"/>: there is one settings row.</summary>
    public int Id { get; set; } = SingletonId;

    /// <summary>What is kept of enrollment photos. Default <see cref="ReferenceRetention.None"/>.</summary>
    public ReferenceRetention ReferenceRetention { get; set; } = ReferenceRetention.None;

    /// <summary>Whether probe images of verifications and identifications are kept (encrypted) with the decision. Default false.</summary>
    public bool KeepProbeImages { get; set; }

    /// <summary>The false-match rate new thresholds are calibrated to; null = the configured default.</summary>
    public double? TargetFmr { get; set; }

    /// <summary>
    /// How many days an explanation keeps the aligned probe face its map is drawn over (encrypted, purpose
    /// <see cref="Decisions.DecisionExplanationRecord.CropPurpose"/>); 0 keeps none. Null = <see cref="DefaultExplanationFaceDays"/>.
    /// Independent of <see cref="KeepProbeImages"/>: the crop is the 150-pixel aligned face, not the photo.
    /// </summary>
    public int? ExplanationFaceDays { get; set; }

    /// <summary>Days an explanation keeps its aligned probe face until an administrator chooses otherwise (30).</summary>
    public const int DefaultExplanationFaceDays = 30;

    /// <summary>The longest explanation-face retention accepted, in days (about 10 years).</summary>
    public const int MaxExplanationFaceDays = 3650;

    /// <summary>
    /// The gallery-risk policy: a person is flagged when their FMR against some group's synthetic impostors exceeds this
    /// many times the target FMR. Null = <see cref="Fairness.GalleryRiskRequest.DefaultLimitMultiple"/> (10).
    /// </summary>
    public double? RiskLimitMultiple { get; set; }

    /// <summary>
    /// The backbone the gallery's templates are made with (a describer id, e.g. <c>dlib-resnet</c>); null = not stored: the
    /// earliest enrolled person's, or the configured one while nobody is enrolled (<see cref="People.GalleryBackbone"/>).
    /// Set only by <see cref="Backbones.MigrateGalleryBackbone"/>, never by the settings form.
    /// </summary>
    public string? BackboneId { get; set; }

    /// <summary>SHA-256 of that backbone's weights, lowercase hex; null with <see cref="BackboneId"/>.</summary>
    public string? BackboneHash { get; set; }

    /// <summary>When an administrator last saved the settings; null before the first save.</summary>
    public DateTimeOffset? UpdatedUtc { get; set; }

    /// <summary>The name of the administrator who saved last.</summary>
    public string? UpdatedBy { get; set; }

    /// <summary>Replaced on every save: a second administrator saving stale settings is refused.</summary>
    public string ConcurrencyStamp { get; set; } = "";
}

/// <summary>The settings as read: effective values (defaults filled in) and the stamp to save against.</summary>
/// <param name="ReferenceRetention">What is kept of enrollment photos.</param>
/// <param name="KeepProbeImages">Whether probe images are kept with decisions.</param>
/// <param name="TargetFmr">Effective target false-match rate.</param>
/// <param name="TargetFmrIsDefault">True when no administrator has set it (the configured default applies).</param>
/// <param name="UpdatedUtc">When an administrator last saved; null = never.</param>
/// <param name="UpdatedBy">Who saved last.</param>
/// <param name="ConcurrencyStamp">Pass back when saving; empty before the first save.</param>
/// <param name="RiskLimitMultiple">Effective gallery-risk flag limit, as a multiple of the target FMR (default 10).</param>
/// <param name="RiskLimitIsDefault">True when no administrator has saved a risk limit.</param>
/// <param name="ExplanationFaceDays">Effective days an explanation keeps its aligned probe face (0 = none kept).</param>
public sealed record GallerySettingsView(
    ReferenceRetention ReferenceRetention,
    bool KeepProbeImages,
    double TargetFmr,
    bool TargetFmrIsDefault,
    DateTimeOffset? UpdatedUtc,
    string? UpdatedBy,
    string ConcurrencyStamp,
    double RiskLimitMultiple = Fairness.GalleryRiskRequest.DefaultLimitMultiple,
    bool RiskLimitIsDefault = true,
    int ExplanationFaceDays = GallerySettings.DefaultExplanationFaceDays);

/// <summary>New values from the settings form, with the stamp the form was loaded with.</summary>
/// <param name="ReferenceRetention">What to keep of enrollment photos.</param>
/// <param name="KeepProbeImages">Whether to keep probe images with decisions.</param>
/// <param name="TargetFmr">The target false-match rate.</param>
/// <param name="ConcurrencyStamp">The stamp the form was loaded with.</param>
/// <param name="RiskLimitMultiple">The gallery-risk flag limit (× target FMR); null leaves it as it is.</param>
/// <param name="ExplanationFaceDays">Days an explanation keeps its aligned probe face (0 = none); null leaves it as it is.</param>
public sealed record GallerySettingsChange(
    ReferenceRetention ReferenceRetention,
    bool KeepProbeImages,
    double TargetFmr,
    string ConcurrencyStamp,
    double? RiskLimitMultiple = null,
    int? ExplanationFaceDays = null);
