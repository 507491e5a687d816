namespace Mote.Gallery.Audit;

/// <summary>
/// Stable integer codes of audit events. The numbers are stored and exported: never renumber or reuse
/// one. Blocks of 100 per area: 1xx sign-in, 2xx users, 3xx gallery, 4xx decisions, 5xx settings,
/// 6xx reports, 7xx evaluation, 8xx backup, restore and the erasure ledger (82x key rotation).
/// </summary>
public enum AuditEventCode
{
    SignInSucceeded = 100,
    SignInFailed = 101,
    SignedOut = 102,
    SignInLockedOut = 103,

    /// <summary>A sign-in refused unchecked: its address had too many recent failures, or an Admin account is waiting after failures.</summary>
    SignInThrottled = 104,

    /// <summary>A one-time password-reset link was used to set a new password (actor: the anonymous visitor).</summary>
    PasswordResetCompleted = 105,

    /// <summary>The password was right and the account uses two-factor sign-in: a code is asked for next (ADR 0013).</summary>
    SignInCodeRequired = 106,

    /// <summary>The second sign-in step was refused: a wrong, expired or already used authenticator or recovery code.</summary>
    SignInCodeFailed = 107,

    UserCreated = 200,
    UserRoleChanged = 201,
    FirstAdminCreatedThroughSetup = 202,

    /// <summary>An Admin disabled an account: it cannot sign in and its sessions ended.</summary>
    UserDisabled = 203,

    /// <summary>An Admin enabled a disabled (or locked-out) account again.</summary>
    UserEnabled = 204,

    /// <summary>An Admin issued a one-time password-reset link for an account.</summary>
    PasswordResetIssued = 205,

    /// <summary>An Admin ended all of an account's sessions (its security stamp changed).</summary>
    UserSessionsEnded = 206,

    /// <summary>An account started setting up an authenticator (a new secret, pending its first code).</summary>
    MfaSetupStarted = 207,

    /// <summary>An account turned two-factor sign-in on (its first code matched; recovery codes issued).</summary>
    MfaEnabled = 208,

    /// <summary>An account turned its own two-factor sign-in off.</summary>
    MfaDisabled = 209,

    /// <summary>An account replaced its recovery codes.</summary>
    RecoveryCodesRegenerated = 210,

    /// <summary>An Admin (or `mote users reset-mfa`) removed an account's authenticator and recovery codes.</summary>
    MfaReset = 211,

    PersonEnrolled = 300,
    PersonRetrained = 301,
    PersonErased = 302,

    /// <summary>
    /// A stored template failed its integrity check (does not decrypt, or its format is damaged) and was left out of 1:N
    /// identification; recorded once per person and stored template, by the system. Re-enroll or erase the person.
    /// </summary>
    TemplateIntegrityViolation = 303,

    /// <summary>
    /// A person's name, external id or declared attributes were edited after enrollment (the changes, and a threshold read
    /// again for a new group, in the detail). 310, not the next free number: 304–309 are left to other gallery events in
    /// flight on other branches.
    /// </summary>
    PersonEdited = 310,

    ProbeVerified = 400,
    ProbeIdentified = 401,

    /// <summary>Someone asked to open a decision (its explanation) that exists but is not theirs to open; refused.</summary>
    DecisionAccessRefused = 402,

    ApiKeyCreated = 500,
    ApiKeyRevoked = 501,
    SettingsChanged = 502,

    AuditExported = 600,
    ReportExported = 601,

    EvaluationRecorded = 700,

    /// <summary>An evaluation run was started from the portal (dataset and settings in the detail).</summary>
    EvaluationStarted = 701,

    /// <summary>A started evaluation run ended without a record: cancelled, failed, or stopped with the server.</summary>
    EvaluationAbandoned = 702,

    /// <summary>`mote backup` wrote an encrypted backup archive (file name, size, rows and audit head in the detail).</summary>
    BackupCreated = 800,

    /// <summary>`mote restore` replaced the database with a backup's (archive, when it was taken, what it held in the detail).</summary>
    BackupRestored = 801,

    /// <summary>
    /// A person the erasure ledger names was found in the database (restored from a copy older than their erasure) and
    /// erased again by the system; the subject is their opaque id.
    /// </summary>
    ErasureReapplied = 802,

    /// <summary>
    /// `mote keys rotate` re-encrypted every encrypted value under a new template key and retired the old one(s)
    /// (key ids, counts per column and where the old key file went in the detail; docs/decisions/0016).
    /// </summary>
    TemplateKeyRotated = 820,

    /// <summary>
    /// The gallery's backbone changed (`mote gallery migrate`, Settings → Model pack): from → to, how many people were
    /// re-enrolled from their kept reference photo and who was left needing a new photo (detail). Also written for a
    /// migration run that staged people but did not switch yet (the detail says so).
    /// </summary>
    GalleryBackboneChanged = 830,
}
