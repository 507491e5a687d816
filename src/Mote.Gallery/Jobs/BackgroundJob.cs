namespace Mote.Gallery.Jobs;

/// <summary>What a background job does. Stored: never renumber.</summary>
public enum JobKind
{
    /// <summary>Enroll one person from an uploaded photo (<see cref="People.EnrollPerson"/>).</summary>
    Enroll = 1,

    /// <summary>Explain one decision from its aligned probe face and descriptor (<see cref="Decisions.ExplainDecision"/>).</summary>
    Explain = 2,

    /// <summary>An evaluation run started from the portal (<see cref="Evaluations.EvaluationJobs"/>).</summary>
    Evaluate = 3,

    /// <summary>Verify the audit chain against its anchor (hourly, and at start-up).</summary>
    VerifyAudit = 4,

    /// <summary>Retrain one person's model-template from the portal's person page (<see cref="People.RetrainQueue"/>).</summary>
    Retrain = 5,

    /// <summary>Assess the whole gallery's false-match risk (<see cref="Fairness.GalleryRiskJobs"/>); one at a time.</summary>
    AssessGalleryRisk = 6,

    /// <summary>A scheduled backup archive (<see cref="Backup.BackupSchedule"/>), when <c>Mote:Backup</c> is configured.</summary>
    Backup = 7,
}

/// <summary>Where a background job stands. Stored: never renumber.</summary>
public enum JobState
{
    /// <summary>Waiting for the scheduler (or for the one native gate).</summary>
    Queued = 0,

    /// <summary>Running now (<see cref="BackgroundJob.Phase"/>, <see cref="BackgroundJob.Done"/>/<see cref="BackgroundJob.Total"/>).</summary>
    Running = 1,

    /// <summary>Finished; <see cref="BackgroundJob.ResultId"/> names what it made.</summary>
    Succeeded = 2,

    /// <summary>Stopped with an error; <see cref="BackgroundJob.Message"/> says why in words. Nothing half-written.</summary>
    Failed = 3,

    /// <summary>Cancelled by someone (<see cref="BackgroundJob.CancelRequestedBy"/>); nothing half-written.</summary>
    Cancelled = 4,
}

/// <summary>
/// One background job as the job runtime stores it (table <c>BackgroundJobs</c>): what it is, who asked, its request,
/// its progress, and how it ended. The scheduler's own tables (Quartz's <c>QRTZ_*</c>) hold when it runs; this row is
/// what every page and every instance reads. The encrypted input (<see cref="Payload"/>: an enrollment's photo) is
/// removed when the job ends, whichever way.
/// </summary>
public sealed class BackgroundJob
{
    /// <summary>128 random bits, hex: a page may keep it in its address.</summary>
    public string Id { get; set; } = "";

    /// <summary>What the job does.</summary>
    public JobKind Kind { get; set; }

    /// <summary>Where the job stands.</summary>
    public JobState State { get; set; }

    /// <summary>What it is about, for lists: a person's name, a decision id, a dataset.</summary>
    public string Subject { get; set; } = "";

    /// <summary>The submitting <see cref="Security.Actor"/> as JSON; the job runs as that actor, which the use case checks again.</summary>
    public string ActorJson { get; set; } = "";

    /// <summary>The submitting actor's name, for lists.</summary>
    public string ActorName { get; set; } = "";

    /// <summary>The request (no biometric data) as JSON; its shape belongs to the job's kind.</summary>
    public string RequestJson { get; set; } = "{}";

    /// <summary>Encrypted input bound to this job (an enrollment's photo), or null; cleared when the job ends.</summary>
    public byte[]? Payload { get; set; }

    /// <summary>The current phase in words (e.g. "training the model-template"); null before it starts.</summary>
    public string? Phase { get; set; }

    /// <summary>Steps of the current phase done so far (with <see cref="Total"/>; 0 when not counted).</summary>
    public int Done { get; set; }

    /// <summary>Steps the current phase has in all (0 when not counted).</summary>
    public int Total { get; set; }

    /// <summary>Rough progress, 0–100.</summary>
    public int Percent { get; set; }

    /// <summary>How it ended, in words (a failure's reason, a success's summary); while queued or running, the latest note.</summary>
    public string? Message { get; set; }

    /// <summary>Which sort of refusal a failure was (a use case's <see cref="GalleryException.Kind"/>), so an API waiting for it answers in kind; null otherwise.</summary>
    public GalleryErrorKind? FailureKind { get; set; }

    /// <summary>What it made: a person id, an evaluation run id, a decision id.</summary>
    public string? ResultId { get; set; }

    /// <summary>What a job found, as JSON, when its outcome is a value rather than a stored row (the audit check's
    /// <see cref="Audit.AuditChainStatus"/>); null for the others.</summary>
    public string? ResultJson { get; set; }

    /// <summary>Who asked to cancel, once someone did.</summary>
    public string? CancelRequestedBy { get; set; }

    /// <summary>How many times it started; more than one means a restart interrupted it and it ran again.</summary>
    public int Attempts { get; set; }

    /// <summary>When the job was submitted.</summary>
    public DateTimeOffset CreatedUtc { get; set; }

    /// <summary>When it last started, or null while it has not.</summary>
    public DateTimeOffset? StartedUtc { get; set; }

    /// <summary>When it ended, or null while it has not.</summary>
    public DateTimeOffset? FinishedUtc { get; set; }

    /// <summary>When the row last changed (progress included).</summary>
    public DateTimeOffset UpdatedUtc { get; set; }

    /// <summary>True once nothing will change it any more.</summary>
    public bool IsFinished => State is JobState.Succeeded or JobState.Failed or JobState.Cancelled;
}
